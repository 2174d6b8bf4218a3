// Organization roles: /v1/organization/roles (list: the system organization roles, then the organization's own).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { errors } from '../../../schemas/common.js'
import { OrganizationRoleListResponse, type OrganizationRole } from '../../../schemas/roles.js'
import type { RoleWithPolicies } from '../../../services/organization.js'

export function toOrganizationRole (role: RoleWithPolicies): OrganizationRole {
  return { id: role.id, name: role.name, description: role.description, organizationId: role.organizationId, policies: role.policies }
}

const organizationRoles: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organization/roles', {
    schema: {
      tags: ['Organization Roles'],
      operationId: 'listRoles',
      summary: 'List Organization Roles',
      description: 'The system organization roles (Owner, Admin, Member) then the organization\'s custom roles, each with its policies.',
      response: { 200: OrganizationRoleListResponse, ...errors(401, 403) }
    }
  }, async (request) => {
    const roles = app.organization.organizationRoles(callerOf(request))
    return { success: true as const, data: { roles: roles.map(toOrganizationRole) } }
  })
}

export default organizationRoles
