// What the invitee does through the emailed link, as a server operation: accept or decline by token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { INVITATION_KINDS } from '../../domain/vocabulary.js'
import { Success, errors } from '../../schemas/common.js'
import { OrganizationInvitationSchema, ProjectInvitationSchema } from '../../schemas/invitations.js'
import type { Responded } from '../../services/invitations.js'
import { toOrganizationInvitation, toProjectInvitation } from '../v1/presenters.js'
import { tag } from '../tags.js'

const TokenBody = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200, description: 'The token from the recorded invitation email' })
})

const RespondedResponse = Success(Type.Object({
  kind: Type.Enum(INVITATION_KINDS),
  organizationId: Type.Union([Type.String(), Type.Null()], { description: 'Set for an organization invitation' }),
  projectId: Type.Union([Type.String(), Type.Null()], { description: 'Set for a project invitation' }),
  invitation: Type.Union([ProjectInvitationSchema, OrganizationInvitationSchema])
}))

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
        body: TokenBody,
        response: { 200: RespondedResponse, ...errors(400, 404, 409) }
      }
    }, async (request) => present(app.invitations.respond(request.body.token, decision)))
  }
}

export default adminInvitations
