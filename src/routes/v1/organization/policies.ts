// Organization policies: /v1/organization/policies[/:policyId] (list, create, update, delete the organization's own policies).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { errors } from '../../../schemas/common.js'
import { DeletedResponse, PolicyBody, PolicyIdParams, PolicyListResponse, PolicyResponse } from '../../../schemas/policies.js'
import { toPolicy } from '../presenters.js'
import { tag } from '../../tags.js'

const tags = tag('Organization Policies')

const organizationPolicies: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organization/policies', {
    schema: {
      tags,
      operationId: 'listPolicies',
      summary: 'List Organization Policies',
      description: 'The organization\'s own policies (not its projects\'), in creation order, each with its permissions by name.',
      response: { 200: PolicyListResponse, ...errors(401, 403) }
    }
  }, async (request) => {
    const policies = app.access.listPolicies(callerOf(request), null)
    return { success: true as const, data: { policies: policies.map(toPolicy) } }
  })

  app.post('/organization/policies', {
    schema: {
      tags,
      operationId: 'createPolicy',
      summary: 'Create Organization Policy',
      description: 'Creates an organization policy from organization permissions (`GET /v1/organization/permissions`). ' +
        'A permission id of another scope or unknown: 400; a name another organization policy has: 409.',
      body: PolicyBody,
      response: { 200: PolicyResponse, ...errors(400, 401, 403, 409, 413, 415) }
    }
  }, async (request) => {
    const policy = app.access.createPolicy(callerOf(request), null, request.body)
    return { success: true as const, data: { policy: toPolicy(policy) } }
  })

  app.put('/organization/policies/:policyId', {
    schema: {
      tags,
      operationId: 'updatePolicy',
      summary: 'Update Organization Policy',
      description: 'Replaces the policy\'s name and permissions; `description` left out is kept, null clears it. ' +
        'Roles granting the policy grant its new permissions at once.',
      params: PolicyIdParams,
      body: PolicyBody,
      response: { 200: PolicyResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const policy = app.access.updatePolicy(callerOf(request), null, request.params.policyId, request.body)
    return { success: true as const, data: { policy: toPolicy(policy) } }
  })

  app.delete('/organization/policies/:policyId', {
    schema: {
      tags,
      operationId: 'deletePolicy',
      summary: 'Delete Organization Policy',
      description: 'Deletes the policy, also when roles grant it: they stay, without it.',
      params: PolicyIdParams,
      response: { 200: DeletedResponse, ...errors(401, 403, 404) }
    }
  }, async (request) => {
    const id = app.access.deletePolicy(callerOf(request), null, request.params.policyId)
    return { success: true as const, data: { id, deleted: true as const } }
  })
}

export default organizationPolicies
