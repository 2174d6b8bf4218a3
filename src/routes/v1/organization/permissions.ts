// Organization permissions: /v1/organization/permissions (list the organization permission catalogue).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors } from '../../../schemas/common.js'
import { PermissionListResponse } from '../../../schemas/permissions.js'
import { tag } from '../../tags.js'

const organizationPermissions: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organization/permissions', {
    schema: {
      tags: tag('Organization Permissions'),
      operationId: 'listPermissions',
      summary: 'List Organization Permissions',
      description: 'The organization permission catalogue, by name.',
      response: { 200: PermissionListResponse, ...errors(401, 403) }
    }
  }, async () => {
    return { success: true as const, data: { permissions: app.organization.organizationPermissions() } }
  })
}

export default organizationPermissions
