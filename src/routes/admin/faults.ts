// Faults: make matching /v1 requests answer an error, wait first, reset, hang, answer a malformed
// body or be rate limited, every time or N times.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { BadDocumentError, FaultNotFoundError } from '../../errors.js'
import { Deleted, FaultBody, FaultIdParams, FaultSchema } from '../../schemas/admin.js'
import { Success, errors } from '../../schemas/common.js'
import { tag } from '../tags.js'

const TAGS = tag('Control: faults')

/** An HTTP token (RFC 9110): the characters a header name may have. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}$/
/** The answer's framing is the server's: a fault that set these would break the connection, not the answer. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding'])

/** The checks the schema cannot make: combinations that contradict each other, and header names. */
export function checkFault (b: Static<typeof FaultBody>): void {
  const unanswered = b.action === 'reset' || b.action === 'hang'
  if (unanswered) {
    for (const field of ['status', 'error', 'headers'] as const) {
      if (b[field] !== undefined) throw new BadDocumentError(`action "${b.action}" sends no answer: body.${field} cannot be given with it`)
    }
  }
  if (b.action === 'hang' && (b.delayMs ?? 0) > 0) throw new BadDocumentError('action "hang" never answers: body.delayMs has nothing to delay')
  if (b.action === 'malformed' && b.error !== undefined) throw new BadDocumentError('action "malformed" answers a body that is not JSON: body.error, the envelope\'s message, cannot be given with it')
  if (b.status === undefined && b.action === undefined && b.rateLimit === undefined) {
    if (b.error !== undefined) throw new BadDocumentError('body.error is the message of an error status: give body.status too')
    if (b.headers !== undefined) throw new BadDocumentError('body.headers go on the fault\'s own answer: give body.status, action "malformed" or a body.rateLimit')
    if ((b.delayMs ?? 0) === 0) throw new BadDocumentError('A fault needs a status, an action, a delayMs above 0 or a rateLimit')
  }
  const seen = new Set<string>()
  for (const name of Object.keys(b.headers ?? {})) {
    const lower = name.toLowerCase()
    if (!HEADER_NAME.test(name)) throw new BadDocumentError(`body.headers: ${JSON.stringify(name)} is not a header name`)
    if (FRAMING_HEADERS.has(lower)) throw new BadDocumentError(`body.headers: ${name} is the server's to set`)
    if (seen.has(lower)) throw new BadDocumentError(`body.headers: ${name} is given twice (header names ignore case)`)
    seen.add(lower)
  }
}

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
    const b = request.body
    checkFault(b)
    const fault = app.faults.add({
      method: b.method ?? '*',
      path: b.path,
      status: b.status ?? null,
      error: b.error ?? null,
      delayMs: b.delayMs ?? 0,
      action: b.action ?? null,
      headers: b.headers ?? {},
      rateLimit: b.rateLimit ?? null,
      times: b.times ?? null,
      organizationId: b.organizationId ?? null
    })
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
    if (!app.faults.remove(request.params.faultId)) throw new FaultNotFoundError()
    return { success: true as const, data: { id: request.params.faultId } }
  })

  app.delete('/faults', {
    schema: { tags: TAGS, operationId: 'clearFaults', summary: 'Remove every fault', response: { 200: Deleted } }
  }, async () => ({ success: true as const, data: { deleted: app.faults.clear() } }))
}

export default adminFaults
