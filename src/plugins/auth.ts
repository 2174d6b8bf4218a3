// The auth plugin: resolves the CONFIDENT_API_KEY header to the calling organization (src/services/credentials.ts).
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import type { Caller } from '../domain/vocabulary.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** An onRequest hook for the scopes that need an organization key. */
    authenticate: onRequestHookHandler
    /**
     * The organization whose valid key a request carries, read before (or without) authenticate:
     * for faults limited to one organization and for the journal. Null for no key or an invalid one.
     */
    keyOrganization: (request: FastifyRequest) => string | null
  }
  interface FastifyRequest {
    caller: Caller | null
  }
}

/** Header names arrive lower-cased from Node. */
export const API_KEY_HEADER = 'confident_api_key'

/** The API key header's value, if it has exactly one. */
function keyOf (request: FastifyRequest): string | undefined {
  const key = request.headers[API_KEY_HEADER]
  return typeof key === 'string' ? key : undefined
}

export default fp(async (app) => {
  app.decorateRequest('caller', null)
  app.decorate('keyOrganization', (request: FastifyRequest) => app.credentials.organizationOf(keyOf(request)))
  // A callback hook: on every /v1 request, and an async one would cost a promise and a turn.
  app.decorate('authenticate', function (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
    try {
      request.caller = app.credentials.authenticate(keyOf(request))
    } catch (error) {
      return done(error as Error)
    }
    done()
  } as onRequestHookHandler)
}, { name: 'auth', dependencies: ['services'] })

/** The caller of a request that passed `authenticate`. */
export function callerOf (request: FastifyRequest): Caller {
  if (request.caller === null) throw new Error('route is not behind authenticate')
  return request.caller
}
