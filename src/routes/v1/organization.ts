// The organization of the key: /v1/organization (retrieve).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../plugins/auth.js'
import { errors } from '../../schemas/common.js'
import { OrganizationResponse } from '../../schemas/organization.js'

const organization: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organization', {
    schema: {
      tags: ['Organization'],
      operationId: 'getOrganization',
      summary: 'Retrieve Organization',
      description: 'The organization the API key belongs to.',
      response: { 200: OrganizationResponse, ...errors(401, 403) }
    }
  }, async (request) => {
    const row = app.organization.organization(callerOf(request))
    return {
      success: true as const,
      data: { organization: { id: row.id, name: row.name, plan: row.plan, created_at: new Date(row.createdAt).toISOString() } }
    }
  })
}

export default organization
