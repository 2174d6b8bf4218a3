// The organization of the key: /v1/organization (retrieve, rename).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../plugins/auth.js'
import { errors } from '../../schemas/common.js'
import { OrganizationResponse, UpdateOrganizationBody } from '../../schemas/organization.js'
import { toOrganization } from './presenters.js'
import { tag } from '../tags.js'

const organization: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organization', {
    schema: {
      tags: tag('Organization'),
      operationId: 'getOrganization',
      summary: 'Retrieve Organization',
      description: 'The organization the API key belongs to.',
      response: { 200: OrganizationResponse, ...errors(401, 403) }
    }
  }, async (request) => {
    return { success: true as const, data: { organization: toOrganization(app.organization.organization(callerOf(request))) } }
  })

  app.put('/organization', {
    schema: {
      tags: tag('Organization'),
      operationId: 'updateOrganization',
      summary: 'Update Organization',
      description: 'Renames the organization the API key belongs to. Names are unique across organizations (409); the current name is no conflict.',
      body: UpdateOrganizationBody,
      response: { 200: OrganizationResponse, ...errors(400, 401, 403, 409, 413, 415) }
    }
  }, async (request) => {
    return { success: true as const, data: { organization: toOrganization(app.organization.rename(callerOf(request), request.body.name)) } }
  })
}

export default organization
