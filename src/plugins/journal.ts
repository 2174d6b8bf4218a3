// The journal's hook: every request received on /v1, as it ends, handed to the journal service
// (src/services/journal.ts), which redacts its keys and keeps the last N for tests to inspect.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { isVendorUrl } from '../http/prefixes.js'

export default fp(async (app) => {
  const { journal } = app
  if (journal.size === 0) return
  // A callback hook: an async one would cost every request a promise and a turn.
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    // A CORS preflight (src/plugins/cors.ts) is the browser's question, not the client's request.
    if (!isVendorUrl(request.url) || (request as { corsPreflightEnabled?: boolean }).corsPreflightEnabled === true) return done()
    journal.record({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body,
      status: reply.statusCode,
      organizationId: request.caller?.organizationId ?? app.keyOrganization(request),
      durationMs: reply.elapsedTime
    })
    done()
  })
}, { name: 'journal', dependencies: ['services', 'auth'] })
