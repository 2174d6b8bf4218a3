// What a fault body means: the checks the schema cannot make, and the spec the faults plugin adds; one place for the control API and the console.
import type { Static } from 'typebox'
import { checkBody } from '../http/check-body.js'
import { BadDocumentError } from '../domain/errors.js'
import { FaultBody } from '../schemas/admin.js'

export type FaultBodyDocument = Static<typeof FaultBody>

/** An HTTP token (RFC 9110): the characters a header name may have. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}$/
/** The answer's framing is the server's: a fault that set these would break the connection, not the answer. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding'])

/** The checks the schema cannot make: combinations that contradict each other, and header names. */
export function checkFault (b: FaultBodyDocument): void {
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

/**
 * A body the schema accepted, checked (checkFault) and turned into what `app.faults.add` takes:
 * every absent field given its default. POST /__admin/faults and the console's form both add
 * faults through it.
 */
export function faultSpec (b: FaultBodyDocument) {
  checkFault(b)
  return {
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
  }
}

/** A document not yet checked against the schema (the console's form): the schema's check, then `faultSpec`. */
export function faultSpecOf (doc: unknown) {
  return faultSpec(checkBody(FaultBody, doc))
}
