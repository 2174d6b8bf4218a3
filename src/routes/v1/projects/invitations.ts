// Project invitations: /v1/projects/:projectId/invitations[/:invitationId] (list, create, resend, revoke).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { InProjectParams, ProjectIdParams, errors } from '../../../schemas/common.js'
import {
  CreateProjectInvitationsBody,
  DeletedInvitationResponse,
  InvitationIdParams,
  ProjectInvitationListResponse,
  ProjectInvitationResponse,
  ProjectInvitationSchema,
  type InvitationRoutesOptions
} from '../../../schemas/invitations.js'
import { LIST_PAGE, sendList } from '../../../http/stream-list.js'
import { toProjectInvitation } from '../presenters.js'
import { tag } from '../../tags.js'

const tags = tag('Project Invitations')
const OneInvitationParams = InProjectParams(InvitationIdParams)

const projectInvitations: FastifyPluginAsyncTypebox<InvitationRoutesOptions> = async (app, opts) => {
  app.get('/projects/:projectId/invitations', {
    schema: {
      tags,
      operationId: 'listProjectInvitations',
      summary: 'List Project Invitations',
      description: 'The project\'s PENDING and DECLINED invitations, by id ascending.',
      params: ProjectIdParams,
      response: { 200: ProjectInvitationListResponse, ...errors(401, 403, 404) }
    }
  }, async (request, reply) => {
    // The vendor's list has no pages: a long one is answered as a stream (src/http/stream-list.ts).
    const pages = app.invitations.pages('PROJECT', callerOf(request), request.params.projectId, LIST_PAGE)
    return sendList(reply, 'invitations', { first: pages.first, after: (last) => pages.after(last.id) }, toProjectInvitation, ProjectInvitationSchema)
  })

  app.post('/projects/:projectId/invitations', {
    schema: {
      tags,
      operationId: 'createProjectInvitations',
      summary: 'Create Project Invitations',
      description: 'Invites each address to the project. Addresses are lower-cased and de-duplicated; members and addresses with a PENDING invitation are skipped. Answers only the invitations this request created, possibly none.',
      params: ProjectIdParams,
      body: CreateProjectInvitationsBody(opts.maxEmails),
      response: { 200: ProjectInvitationListResponse, ...errors(400, 401, 403, 404, 413, 415) }
    }
  }, async (request) => {
    const { emails, projectRoleId } = request.body
    const rows = await app.invitations.create('PROJECT', callerOf(request), request.params.projectId, emails, projectRoleId ?? null)
    return { success: true as const, data: { invitations: rows.map(toProjectInvitation) } }
  })

  app.put('/projects/:projectId/invitations/:invitationId', {
    schema: {
      tags,
      operationId: 'resendProjectInvitation',
      summary: 'Resend Project Invitation',
      description: 'Records one more invitation email with the same token. Only a PENDING invitation can be resent (409 otherwise); the plan rule applies.',
      params: OneInvitationParams,
      response: { 200: ProjectInvitationResponse, ...errors(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const { projectId, invitationId } = request.params
    const row = app.invitations.resend('PROJECT', callerOf(request), projectId, invitationId)
    return { success: true as const, data: { invitation: toProjectInvitation(row) } }
  })

  app.delete('/projects/:projectId/invitations/:invitationId', {
    schema: {
      tags,
      operationId: 'deleteProjectInvitation',
      summary: 'Revoke Project Invitation',
      description: 'Revokes a PENDING or DECLINED invitation, whose token stops working; an ACCEPTED one is a 409.',
      params: OneInvitationParams,
      response: { 200: DeletedInvitationResponse, ...errors(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const { projectId, invitationId } = request.params
    const id = app.invitations.revoke('PROJECT', callerOf(request), projectId, invitationId)
    return { success: true as const, data: { id, deleted: true as const } }
  })
}

export default projectInvitations
