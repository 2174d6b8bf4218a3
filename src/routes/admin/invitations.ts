// What the invitee does through the emailed link, as a server operation: accept or decline by token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { InvitationRespondedResponse, InvitationTokenBody } from '../../schemas/admin.js'
import { errors } from '../../schemas/common.js'
import type { Responded } from '../../services/invitations.js'
import { toOrganizationInvitation, toProjectInvitation } from '../v1/presenters.js'
import { tag } from '../tags.js'

function present ({ kind, ownerId, invitation }: Responded) {
  return {
    success: true as const,
    data: kind === 'PROJECT'
      ? { kind, organizationId: null, projectId: ownerId, invitation: toProjectInvitation(invitation) }
      : { kind, organizationId: ownerId, projectId: null, invitation: toOrganizationInvitation(invitation) }
  }
}

const adminInvitations: FastifyPluginAsyncTypebox = async (app) => {
  for (const [action, decision] of [['accept', 'ACCEPTED'], ['decline', 'DECLINED']] as const) {
    app.post(`/invitations/${action}`, {
      schema: {
        tags: tag('Control: invitees'),
        operationId: `${action}Invitation`,
        summary: `${action === 'accept' ? 'Accept' : 'Decline'} an invitation as its invitee would, by the emailed token`,
        body: InvitationTokenBody,
        response: { 200: InvitationRespondedResponse, ...errors(400, 404, 409) }
      }
    }, async (request) => present(app.invitations.respond(request.body.token, decision)))
  }
}

export default adminInvitations
