// Organization invitations: /v1/organization/invitations[/:invitationId] (list, create, resend, revoke).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { errors } from '../../../schemas/common.js'
import {
  CreateOrganizationInvitationsBody,
  DeletedInvitationResponse,
  InvitationIdParams,
  OrganizationInvitationListResponse,
  OrganizationInvitationResponse,
  OrganizationInvitationSchema,
  type InvitationRoutesOptions
} from '../../../schemas/invitations.js'
import { LIST_PAGE, sendList } from '../../../http/stream-list.js'
import { toOrganizationInvitation } from '../presenters.js'
import { tag } from '../../tags.js'

const tags = tag('Organization Invitations')

const organizationInvitations: FastifyPluginAsyncTypebox<InvitationRoutesOptions> = async (app, opts) => {
  app.get('/organization/invitations', {
    schema: {
      tags,
      operationId: 'listInvitations',
      summary: 'List Organization Invitations',
      description: 'The organization\'s PENDING and DECLINED invitations, by id ascending.',
      response: { 200: OrganizationInvitationListResponse, ...errors(401, 403) }
    }
  }, async (request, reply) => {
    const caller = callerOf(request)
    // The vendor's list has no pages: a long one is answered as a stream (src/http/stream-list.ts).
    const pages = app.invitations.pages('ORGANIZATION', caller, caller.organizationId, LIST_PAGE)
    return sendList(reply, 'invitations', { first: pages.first, after: (last) => pages.after(last.id) }, toOrganizationInvitation, OrganizationInvitationSchema)
  })

  app.post('/organization/invitations', {
    schema: {
      tags,
      operationId: 'createInvitations',
      summary: 'Create Organization Invitations',
      description: 'Invites each address to the organization. Addresses are lower-cased and de-duplicated; members and addresses with a PENDING invitation are skipped. Answers only the invitations this request created, possibly none.',
      body: CreateOrganizationInvitationsBody(opts.maxEmails),
      response: { 200: OrganizationInvitationListResponse, ...errors(400, 401, 403, 413, 415) }
    }
  }, async (request) => {
    const caller = callerOf(request)
    const { emails, organizationRoleId } = request.body
    const rows = await app.invitations.create('ORGANIZATION', caller, caller.organizationId, emails, organizationRoleId ?? null)
    return { success: true as const, data: { invitations: rows.map(toOrganizationInvitation) } }
  })

  app.put('/organization/invitations/:invitationId', {
    schema: {
      tags,
      operationId: 'resendInvitation',
      summary: 'Resend Organization Invitation',
      description: 'Records one more invitation email with the same token. Only a PENDING invitation can be resent (409 otherwise); the plan rule applies.',
      params: InvitationIdParams,
      response: { 200: OrganizationInvitationResponse, ...errors(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const caller = callerOf(request)
    const row = app.invitations.resend('ORGANIZATION', caller, caller.organizationId, request.params.invitationId)
    return { success: true as const, data: { invitation: toOrganizationInvitation(row) } }
  })

  app.delete('/organization/invitations/:invitationId', {
    schema: {
      tags,
      operationId: 'deleteInvitation',
      summary: 'Revoke Organization Invitation',
      description: 'Revokes a PENDING or DECLINED invitation, whose token stops working; an ACCEPTED one is a 409.',
      params: InvitationIdParams,
      response: { 200: DeletedInvitationResponse, ...errors(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const caller = callerOf(request)
    const id = app.invitations.revoke('ORGANIZATION', caller, caller.organizationId, request.params.invitationId)
    return { success: true as const, data: { id, deleted: true as const } }
  })
}

export default organizationInvitations
