// Faults: make matching /v1 requests answer an error, wait first, reset, hang, answer a malformed
// body or be rate limited, every time or N times.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Deleted, FaultBody, FaultIdParams, FaultSchema } from '../../schemas/admin.js'
import { Success, errors } from '../../schemas/common.js'
import { tag } from '../tags.js'

const TAGS = tag('Control: faults')

const adminFaults: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/faults', {
    schema: {
      tags: TAGS,
      operationId: 'addFault',
      summary: 'Make matching /v1 requests fail with `status` and `error`, wait `delayMs` first, reset, hang, answer a malformed body, or be rate limited (reset removes every fault)',
      body: FaultBody,
      response: { 201: Success(FaultSchema), ...errors(400) }
    }
  }, async (request, reply) => {
    // The checks and defaults the console's form goes through too (src/services/faults.ts).
    const fault = app.faults.add(request.body)
    reply.code(201)
    return { success: true as const, data: fault }
  })

  app.get('/faults', {
    schema: { tags: TAGS, operationId: 'listFaults', summary: 'Active faults, with their hits, remaining uses, held requests and rate-limit windows', response: { 200: Success(Type.Array(FaultSchema)) } }
  }, async () => ({ success: true as const, data: app.faults.list() }))

  app.delete('/faults/:faultId', {
    schema: {
      tags: TAGS,
      operationId: 'removeFault',
      summary: 'Remove one fault',
      params: FaultIdParams,
      response: { 200: Success(Type.Object({ id: Type.Integer() })), ...errors(400, 404) }
    }
  }, async (request) => {
    app.faults.remove(request.params.faultId)
    return { success: true as const, data: { id: request.params.faultId } }
  })

  app.delete('/faults', {
    schema: { tags: TAGS, operationId: 'clearFaults', summary: 'Remove every fault', response: { 200: Deleted } }
  }, async () => ({ success: true as const, data: { deleted: app.faults.clear() } }))
}

export default adminFaults
