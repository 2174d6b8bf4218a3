// GET /health: no auth; answers once the app is ready (migrations applied, fixtures loaded).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Success } from '../schemas/common.js'
import { tag } from './tags.js'

const health: FastifyPluginAsyncTypebox = async (app) => {
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
      response: { 200: Success(Type.Object({ status: Type.Literal('ok') })) }
    }
  }, async () => ({ success: true as const, data: { status: 'ok' as const } }))
}

export default health
