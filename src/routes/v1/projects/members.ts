// Project members: /v1/projects/:projectId/members (list) and /members/:userId (change role, remove).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { ProjectIdParams, errors, pageOf } from '../../../schemas/common.js'
import {
  PageQuery,
  ProjectMemberListResponse,
  ProjectMemberParams,
  ProjectMemberResponse,
  RemoveMemberResponse,
  UpdateMemberRoleBody
} from '../../../schemas/members.js'
import { toProjectMember } from '../presenters.js'
import { tag } from '../../tags.js'

const projectMembers: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/projects/:projectId/members', {
    schema: {
      tags: tag('Project Members'),
      operationId: 'listProjectMembers',
      summary: 'List Project Members',
      description: 'One page of the project\'s members with their project role, by join time; `total` counts them all.',
      params: ProjectIdParams,
      querystring: PageQuery,
      response: { 200: ProjectMemberListResponse, ...errors(400, 401, 403, 404) }
    }
  }, async (request) => {
    // The query schema fills in the defaults; pageOf only says so to the type.
    const { page, pageSize } = pageOf(request.query)
    const { members, total } = app.members.listProjectMembers(callerOf(request), request.params.projectId, page, pageSize)
    return { success: true as const, data: { members: members.map(toProjectMember), total } }
  })

  app.put('/projects/:projectId/members/:userId', {
    schema: {
      tags: tag('Project Members'),
      operationId: 'updateProjectMemberRole',
      summary: 'Update Project Member Role',
      description: 'Gives a member another project role. Giving Owner transfers ownership (the previous Owner becomes Manager); the Owner\'s own role cannot be changed directly (409).',
      params: ProjectMemberParams,
      body: UpdateMemberRoleBody,
      response: { 200: ProjectMemberResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const { projectId, userId } = request.params
    const row = app.members.updateProjectMemberRole(callerOf(request), projectId, userId, request.body.roleId)
    return { success: true as const, data: { member: toProjectMember(row) } }
  })

  app.delete('/projects/:projectId/members/:userId', {
    schema: {
      tags: tag('Project Members'),
      operationId: 'removeProjectMember',
      summary: 'Remove Project Member',
      description: 'Removes a member from the project and clears their PENDING invitations to it; the Owner cannot be removed (409).',
      params: ProjectMemberParams,
      // A DELETE may still carry a body: malformed JSON is a 400, another media type a 415.
      response: { 200: RemoveMemberResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const { projectId, userId } = request.params
    app.members.removeProjectMember(callerOf(request), projectId, userId)
    return { success: true as const, data: { id: userId, removed: true as const } }
  })
}

export default projectMembers
