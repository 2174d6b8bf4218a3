// The journal's hook: every request received on /v1, as it ends, handed to the journal service
// (src/services/journal.ts), which redacts its keys and keeps the last N for tests to inspect.
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { isVendorUrl } from '../http/prefixes.js'

export default fp(async (app) => {
  const { journal } = app
  if (journal.size === 0) return
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    // A CORS preflight (src/plugins/cors.ts) is the browser's question, not the client's request.
    if (!isVendorUrl(request.url) || (request as { corsPreflightEnabled?: boolean }).corsPreflightEnabled === true) return
    journal.record({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body,
      status: reply.statusCode,
      organizationId: request.caller?.organizationId ?? app.keyOrganization(request),
      durationMs: reply.elapsedTime
    })
  })
}, { name: 'journal', dependencies: ['services', 'auth'] })
