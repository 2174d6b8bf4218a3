// Project roles: /v1/projects/:projectId/roles[/:roleId] (list: the system project roles, then the project's own; create, update, delete custom ones).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { ProjectIdParams, errors } from '../../../schemas/common.js'
import { DeletedResponse } from '../../../schemas/policies.js'
import { ProjectRoleListResponse, ProjectRoleParams, ProjectRoleResponse, RoleBody } from '../../../schemas/roles.js'
import { toProjectRole } from '../presenters.js'
import { tag } from '../../tags.js'

const projectRoles: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/projects/:projectId/roles', {
    schema: {
      tags: tag('Project Roles'),
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

  app.post('/projects/:projectId/roles', {
    schema: {
      tags: tag('Project Roles'),
      operationId: 'createProjectRole',
      summary: 'Create Project Role',
      description: 'Creates a custom project role from the project\'s policies; it can be given at once to members and invitees. ' +
        'A policy id of the organization or another project: 400; a name another role of the project (system ones included) has: 409.',
      params: ProjectIdParams,
      body: RoleBody,
      response: { 200: ProjectRoleResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const role = app.access.createRole(callerOf(request), request.params.projectId, request.body)
    return { success: true as const, data: { role: toProjectRole(role) } }
  })

  app.put('/projects/:projectId/roles/:roleId', {
    schema: {
      tags: tag('Project Roles'),
      operationId: 'updateProjectRole',
      summary: 'Update Project Role',
      description: 'Replaces a custom role\'s name and policies; `description` left out is kept, null clears it. System roles: 403.',
      params: ProjectRoleParams,
      body: RoleBody,
      response: { 200: ProjectRoleResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const { projectId, roleId } = request.params
    const role = app.access.updateRole(callerOf(request), projectId, roleId, request.body)
    return { success: true as const, data: { role: toProjectRole(role) } }
  })

  app.delete('/projects/:projectId/roles/:roleId', {
    schema: {
      tags: tag('Project Roles'),
      operationId: 'deleteProjectRole',
      summary: 'Delete Project Role',
      description: 'Deletes a custom role that no member holds and no pending invitation names (409 otherwise). System roles: 403.',
      params: ProjectRoleParams,
      response: { 200: DeletedResponse, ...errors(401, 403, 404, 409) }
    }
  }, async (request) => {
    const { projectId, roleId } = request.params
    const id = app.access.deleteRole(callerOf(request), projectId, roleId)
    return { success: true as const, data: { id, deleted: true as const } }
  })
}

export default projectRoles
