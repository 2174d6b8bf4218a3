// Tenants: make an organization in one call (fixtures format) and get its ids and clear keys; change it, reset it to that document, or remove it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Success, errors } from '../../schemas/common.js'
import { OrganizationIdParams, OrganizationPatchBody, OrganizationSummarySchema, TenantBody, TenantResetSchema, TenantSchema } from '../../schemas/admin.js'
import { tag } from '../tags.js'

const TAGS = tag('Control: tenants')

const adminOrganizations: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/organizations', {
    schema: {
      tags: TAGS,
      operationId: 'createTenant',
      summary: 'Create an organization (fixtures format) and get its ids and clear API keys',
      body: TenantBody,
      response: { 201: Success(TenantSchema), ...errors(400, 409) }
    }
  }, async (request, reply) => {
    reply.code(201)
    return { success: true as const, data: app.tenants.create(request.body) }
  })

  app.get('/organizations', {
    schema: {
      tags: TAGS,
      operationId: 'listTenants',
      summary: 'Every organization, oldest first',
      response: { 200: Success(Type.Array(OrganizationSummarySchema)) }
    }
  }, async () => ({ success: true as const, data: app.tenants.list() }))

  app.patch('/organizations/:organizationId', {
    schema: {
      tags: TAGS,
      operationId: 'updateTenant',
      summary: "Change an organization's plan or trial end",
      params: OrganizationIdParams,
      body: OrganizationPatchBody,
      response: { 200: Success(OrganizationSummarySchema), ...errors(400, 404) }
    }
  }, async (request) => ({ success: true as const, data: app.tenants.update(request.params.organizationId, request.body) }))

  app.delete('/organizations/:organizationId', {
    schema: {
      tags: TAGS,
      operationId: 'deleteTenant',
      summary: 'Remove an organization and everything it owns',
      params: OrganizationIdParams,
      response: { 200: Success(Type.Object({ id: Type.String() })), ...errors(404) }
    }
  }, async (request) => {
    app.tenants.delete(request.params.organizationId)
    return { success: true as const, data: { id: request.params.organizationId } }
  })

  app.post('/organizations/:organizationId/reset', {
    schema: {
      tags: TAGS,
      operationId: 'resetTenant',
      summary: 'Make one organization again from the document that made it: same ids, same API keys; its clock follows the server clock again',
      description: 'Removes everything the organization owns (projects, members, invitations, keys, outbox emails, custom roles and policies, ' +
        'governance policies, its journal entries and the faults scoped to it) and applies its tenant document (or its boot fixtures entry) again, in one transaction. ' +
        'Keys are kept as digests only, so the answer shows them redacted: the clear keys given or answered at creation work again. ' +
        '409 for an organization with no document (one imported from a snapshot without it, or made before documents were kept).',
      params: OrganizationIdParams,
      response: { 200: Success(TenantResetSchema), ...errors(404, 409) }
    }
  }, async (request) => {
    const { organizationId } = request.params
    // The same reset as the console's (src/services/reset.ts).
    const data = app.reset.organization(organizationId)
    request.log.info({ organizationId }, 'organization reset')
    return { success: true as const, data }
  })
}

export default adminOrganizations
