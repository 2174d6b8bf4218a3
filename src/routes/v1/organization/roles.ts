// Organization roles: /v1/organization/roles[/:roleId] (list: the system organization roles, then the organization's own; create, update, delete custom ones).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { errors } from '../../../schemas/common.js'
import { DeletedResponse } from '../../../schemas/policies.js'
import { OrganizationRoleListResponse, OrganizationRoleResponse, RoleBody, RoleIdParams } from '../../../schemas/roles.js'
import { toOrganizationRole } from '../presenters.js'
import { tag } from '../../tags.js'

const organizationRoles: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organization/roles', {
    schema: {
      tags: tag('Organization Roles'),
      operationId: 'listRoles',
      summary: 'List Organization Roles',
      description: 'The system organization roles (Owner, Admin, Member) then the organization\'s custom roles, each with its policies.',
      response: { 200: OrganizationRoleListResponse, ...errors(401, 403) }
    }
  }, async (request) => {
    const roles = app.organization.organizationRoles(callerOf(request))
    return { success: true as const, data: { roles: roles.map(toOrganizationRole) } }
  })

  app.post('/organization/roles', {
    schema: {
      tags: tag('Organization Roles'),
      operationId: 'createRole',
      summary: 'Create Organization Role',
      description: 'Creates a custom organization role from the organization\'s own policies; it can be given at once to members ' +
        'and invitees. A policy id of a project or another organization: 400; a name another organization role (system ones included) has: 409.',
      body: RoleBody,
      response: { 200: OrganizationRoleResponse, ...errors(400, 401, 403, 409, 413, 415) }
    }
  }, async (request) => {
    const role = app.access.createRole(callerOf(request), null, request.body)
    return { success: true as const, data: { role: toOrganizationRole(role) } }
  })

  app.put('/organization/roles/:roleId', {
    schema: {
      tags: tag('Organization Roles'),
      operationId: 'updateRole',
      summary: 'Update Organization Role',
      description: 'Replaces a custom role\'s name and policies; `description` left out is kept, null clears it. System roles: 403.',
      params: RoleIdParams,
      body: RoleBody,
      response: { 200: OrganizationRoleResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const role = app.access.updateRole(callerOf(request), null, request.params.roleId, request.body)
    return { success: true as const, data: { role: toOrganizationRole(role) } }
  })

  app.delete('/organization/roles/:roleId', {
    schema: {
      tags: tag('Organization Roles'),
      operationId: 'deleteRole',
      summary: 'Delete Organization Role',
      description: 'Deletes a custom role that no member holds and no pending invitation names (409 otherwise). System roles: 403.',
      params: RoleIdParams,
      response: { 200: DeletedResponse, ...errors(401, 403, 404, 409) }
    }
  }, async (request) => {
    const id = app.access.deleteRole(callerOf(request), null, request.params.roleId)
    return { success: true as const, data: { id, deleted: true as const } }
  })
}

export default organizationRoles
