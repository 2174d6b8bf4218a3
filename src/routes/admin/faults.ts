// Faults: make matching /v1 requests answer an error or wait first, every time or N times.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { BadDocumentError, FaultNotFoundError } from '../../errors.js'
import { Deleted, FaultBody, FaultIdParams, FaultSchema } from '../../schemas/admin.js'
import { Success, errors } from '../../schemas/common.js'
import { tag } from '../tags.js'

const TAGS = tag('Control: faults')

const adminFaults: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/faults', {
    schema: {
      tags: TAGS,
      operationId: 'addFault',
      summary: 'Make matching /v1 requests fail with `status` and `error`, or wait `delayMs` first (reset removes every fault)',
      body: FaultBody,
      response: { 201: Success(FaultSchema), ...errors(400) }
    }
  }, async (request, reply) => {
    const b = request.body
    if (b.status === undefined && (b.delayMs ?? 0) === 0) throw new BadDocumentError('A fault needs a status, a delayMs above 0, or both')
    if (b.error !== undefined && b.status === undefined) throw new BadDocumentError('body.error is the message of an error status: give body.status too')
    const fault = app.faults.add({
      method: b.method ?? '*',
      path: b.path,
      status: b.status ?? null,
      error: b.error ?? null,
      delayMs: b.delayMs ?? 0,
      times: b.times ?? null,
      organizationId: b.organizationId ?? null
    })
    reply.code(201)
    return { success: true as const, data: fault }
  })

  app.get('/faults', {
    schema: { tags: TAGS, operationId: 'listFaults', summary: 'Active faults, with their hits and remaining uses', response: { 200: Success(Type.Array(FaultSchema)) } }
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
    if (!app.faults.remove(request.params.faultId)) throw new FaultNotFoundError()
    return { success: true as const, data: { id: request.params.faultId } }
  })

  app.delete('/faults', {
    schema: { tags: TAGS, operationId: 'clearFaults', summary: 'Remove every fault', response: { 200: Deleted } }
  }, async () => ({ success: true as const, data: { deleted: app.faults.clear() } }))
}

export default adminFaults
