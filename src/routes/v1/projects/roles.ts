// Project roles: /v1/projects/:projectId/roles (list: the system project roles, then the project's own).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { ProjectIdParams, errors } from '../../../schemas/common.js'
import { ProjectRoleListResponse, type ProjectRole } from '../../../schemas/roles.js'
import type { RoleWithPolicies } from '../../../services/organization.js'

export function toProjectRole (role: RoleWithPolicies): ProjectRole {
  return { id: role.id, name: role.name, description: role.description, projectId: role.projectId, policies: role.policies }
}

const projectRoles: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/projects/:projectId/roles', {
    schema: {
      tags: ['Project Roles'],
      operationId: 'listProjectRoles',
      summary: 'List Project Roles',
      description: 'The system project roles (Owner, Manager, Member) then the project\'s custom roles, each with its policies.',
      params: ProjectIdParams,
      response: { 200: ProjectRoleListResponse, ...errors(401, 403, 404) }
    }
  }, async (request) => {
    const roles = app.organization.projectRoles(callerOf(request), request.params.projectId)
    return { success: true as const, data: { roles: roles.map(toProjectRole) } }
  })
}

export default projectRoles
