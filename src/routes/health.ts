// GET /health: no auth; 200 once the app is ready and its database answers a real read, 503 in the envelope when it does not.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ErrorEnvelope } from '../domain/errors.js'
import { Success } from '../schemas/common.js'
import { tag } from './tags.js'

const health: FastifyPluginAsyncTypebox = async (app) => {
  // The reason the last check failed, so that a failing database is logged once, not every 10 s.
  let failing: string | null = null

  app.get('/health', {
    // A container's health check asks every 10 s: its requests are not worth two info lines each.
    logLevel: 'warn',
    // Written as it is (the answer is fixed): a health check right after launch, as a container's or
    // the benchmark's, does not wait for a serializer to compile.
    serializerCompiler: () => (data) => JSON.stringify(data),
    schema: {
      tags: tag('Server'),
      operationId: 'health',
      summary: 'Health check',
      description: 'Reads the first row of every table: 503 when that read fails, or once any request has found the ' +
        'database file damaged. For container health checks and Kubernetes readiness and liveness probes.',
      response: { 200: Success(Type.Object({ status: Type.Literal('ok') })), 503: Type.Ref('ErrorEnvelope') }
    }
  }, async (request, reply) => {
    const reason = app.dbHealth.check()
    if (reason === null) {
      if (failing !== null) request.log.warn({ was: failing }, 'the database answers again')
      failing = null
      return { success: true as const, data: { status: 'ok' as const } }
    }
    if (failing !== reason) request.log.error({ reason }, 'health check failed: the database does not answer')
    failing = reason
    // The envelope written out: routes import no runtime code of the domain (test/app/architecture.test.ts).
    const body: ErrorEnvelope = { success: false, error: reason, deprecated: false }
    return reply.code(503).send(body)
  })
}

export default health
