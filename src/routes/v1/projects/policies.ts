// Project policies: /v1/projects/:projectId/policies[/:policyId] (list, create, update, delete the project's policies).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { ProjectIdParams, errors } from '../../../schemas/common.js'
import { DeletedResponse, PolicyBody, PolicyListResponse, PolicyResponse, ProjectPolicyParams } from '../../../schemas/policies.js'
import { toPolicy } from '../presenters.js'
import { tag } from '../../tags.js'

const tags = tag('Project Policies')

const projectPolicies: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/projects/:projectId/policies', {
    schema: {
      tags,
      operationId: 'listProjectPolicies',
      summary: 'List Project Policies',
      description: 'The project\'s policies, in creation order, each with its permissions by name.',
      params: ProjectIdParams,
      response: { 200: PolicyListResponse, ...errors(401, 403, 404) }
    }
  }, async (request) => {
    const policies = app.access.listPolicies(callerOf(request), request.params.projectId)
    return { success: true as const, data: { policies: policies.map(toPolicy) } }
  })

  app.post('/projects/:projectId/policies', {
    schema: {
      tags,
      operationId: 'createProjectPolicy',
      summary: 'Create Project Policy',
      description: 'Creates a project policy from project permissions (`GET /v1/projects/:projectId/permissions`). ' +
        'An organization permission id or an unknown one: 400; a name another policy of the project has: 409.',
      params: ProjectIdParams,
      body: PolicyBody,
      response: { 200: PolicyResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const policy = app.access.createPolicy(callerOf(request), request.params.projectId, request.body)
    return { success: true as const, data: { policy: toPolicy(policy) } }
  })

  app.put('/projects/:projectId/policies/:policyId', {
    schema: {
      tags,
      operationId: 'updateProjectPolicy',
      summary: 'Update Project Policy',
      description: 'Replaces the policy\'s name and permissions; `description` left out is kept, null clears it. ' +
        'Roles granting the policy grant its new permissions at once.',
      params: ProjectPolicyParams,
      body: PolicyBody,
      response: { 200: PolicyResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const { projectId, policyId } = request.params
    const policy = app.access.updatePolicy(callerOf(request), projectId, policyId, request.body)
    return { success: true as const, data: { policy: toPolicy(policy) } }
  })

  app.delete('/projects/:projectId/policies/:policyId', {
    schema: {
      tags,
      operationId: 'deleteProjectPolicy',
      summary: 'Delete Project Policy',
      description: 'Deletes the policy, also when roles grant it: they stay, without it.',
      params: ProjectPolicyParams,
      response: { 200: DeletedResponse, ...errors(401, 403, 404) }
    }
  }, async (request) => {
    const { projectId, policyId } = request.params
    const id = app.access.deletePolicy(callerOf(request), projectId, policyId)
    return { success: true as const, data: { id, deleted: true as const } }
  })
}

export default projectPolicies
