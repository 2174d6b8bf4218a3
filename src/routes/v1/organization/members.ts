// Organization members: /v1/organization/members (list) and /members/:userId (change role, remove).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { errors, pageOf } from '../../../schemas/common.js'
import {
  OrganizationMemberListResponse,
  OrganizationMemberResponse,
  PageQuery,
  RemoveMemberResponse,
  UpdateMemberRoleBody,
  UserIdParams
} from '../../../schemas/members.js'
import { toOrganizationMember } from '../presenters.js'
import { tag } from '../../tags.js'

const organizationMembers: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organization/members', {
    schema: {
      tags: tag('Organization Members'),
      operationId: 'listMembers',
      summary: 'List Organization Members',
      description: 'One page of the organization\'s members with their organization role, by join time; `total` counts them all.',
      querystring: PageQuery,
      response: { 200: OrganizationMemberListResponse, ...errors(400, 401, 403) }
    }
  }, async (request) => {
    // The query schema fills in the defaults; pageOf only says so to the type.
    const { page, pageSize } = pageOf(request.query)
    const { members, total } = app.members.listMembers(callerOf(request), page, pageSize)
    return { success: true as const, data: { members: members.map(toOrganizationMember), total } }
  })

  app.put('/organization/members/:userId', {
    schema: {
      tags: tag('Organization Members'),
      operationId: 'updateMemberRole',
      summary: 'Update Organization Member Role',
      description: 'Gives a member another organization role. Giving Owner transfers ownership (the previous Owner becomes Admin); the Owner\'s own role cannot be changed directly (409).',
      params: UserIdParams,
      body: UpdateMemberRoleBody,
      response: { 200: OrganizationMemberResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const row = app.members.updateMemberRole(callerOf(request), request.params.userId, request.body.roleId)
    return { success: true as const, data: { member: toOrganizationMember(row) } }
  })

  app.delete('/organization/members/:userId', {
    schema: {
      tags: tag('Organization Members'),
      operationId: 'removeMember',
      summary: 'Remove Organization Member',
      description: 'Removes a member from the organization and its projects and clears their PENDING invitations; the Owner, or the Owner of one of its projects, cannot be removed (409).',
      params: UserIdParams,
      // A DELETE may still carry a body: malformed JSON is a 400, another media type a 415.
      response: { 200: RemoveMemberResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const { userId } = request.params
    app.members.removeMember(callerOf(request), userId)
    return { success: true as const, data: { id: userId, removed: true as const } }
  })
}

export default organizationMembers
