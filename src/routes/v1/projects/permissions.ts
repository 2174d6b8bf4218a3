// Project permissions: /v1/projects/:projectId/permissions (list the project permission catalogue).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { ProjectIdParams, errors } from '../../../schemas/common.js'
import { PermissionListResponse } from '../../../schemas/permissions.js'
import { tag } from '../../tags.js'

const projectPermissions: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/projects/:projectId/permissions', {
    schema: {
      tags: tag('Project Permissions'),
      operationId: 'listProjectPermissions',
      summary: 'List Project Permissions',
      description: 'The project permission catalogue, by name.',
      params: ProjectIdParams,
      response: { 200: PermissionListResponse, ...errors(401, 403, 404) }
    }
  }, async (request) => {
    const permissions = app.organization.projectPermissions(callerOf(request), request.params.projectId)
    return { success: true as const, data: { permissions } }
  })
}

export default projectPermissions
