// The invitee's page, where the emailed link leads: what the invitation is for, with Accept and Decline. The token in the link is the capability.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { redirectTo } from '../links.js'

const Params = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) })

const DECISIONS = { accept: 'ACCEPTED', decline: 'DECLINED' } as const

const invitee: FastifyPluginAsyncTypebox = async (app) => {
  // Opening the link changes nothing (mail scanners and link previews open links too): the
  // invitee decides on the page.
  app.get('/invite/:token', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const invitation = app.invitations.describe(request.params.token)
    return reply.page('invitee', { title: 'Invitation', invitation, token: request.params.token })
  })

  app.post('/invite/:token', {
    schema: { hide: true, params: Params, body: Type.Object({ decision: Type.Enum(['accept', 'decline']) }) }
  }, async (request, reply) => {
    app.invitations.respond(request.params.token, DECISIONS[request.body.decision])
    // Back to the page, which now shows the outcome: a reload does not send the decision again.
    return reply.redirect(redirectTo(request, `invite/${encodeURIComponent(request.params.token)}`), 303)
  })
}

export default invitee
