// Signing in to the console with the admin token, and out again.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ConsoleAuth } from '../auth.js'
import { redirectTo } from '../links.js'

const Next = Type.Optional(Type.String({ maxLength: 2000 }))

const signIn: FastifyPluginAsyncTypebox<{ auth: ConsoleAuth }> = async (app, { auth }) => {
  app.get('/sign-in', { schema: { hide: true, querystring: Type.Object({ next: Next }) } }, async (request, reply) => {
    if (!auth.required) return reply.redirect(redirectTo(request, ''), 303)
    return reply.page('sign-in', { title: 'Sign in', next: request.query.next ?? '', failed: false })
  })

  app.post('/sign-in', {
    schema: { hide: true, body: Type.Object({ token: Type.String({ maxLength: 512 }), next: Next }) }
  }, async (request, reply) => {
    if (!auth.required) return reply.redirect(redirectTo(request, ''), 303)
    const next = request.body.next ?? ''
    if (!auth.tokenMatches(request.body.token)) {
      return reply.code(401).page('sign-in', { title: 'Sign in', next, failed: true })
    }
    auth.signIn(request, reply)
    return reply.redirect(redirectTo(request, next), 303)
  })

  app.post('/sign-out', { schema: { hide: true } }, async (request, reply) => {
    auth.signOut(request, reply)
    return reply.redirect(redirectTo(request, 'sign-in'), 303)
  })
}

export default signIn
