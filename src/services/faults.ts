// Control plane: the faults, in memory. What a fault body means (the checks the schema cannot make, the
// defaults), the active faults in the order added, and which of them a /v1 request takes; the faults
// plugin (src/plugins/faults.ts) asks before every /v1 request and makes the answer.
import { performance } from 'node:perf_hooks'
import type { Static } from 'typebox'
import { BadDocumentError, FaultNotFoundError } from '../domain/errors.js'
import { compileGlob, type PathMatcher } from '../http/glob.js'
import type { FAULT_ACTIONS, FaultBody, FaultSchema } from '../schemas/admin.js'

export type FaultBodyDocument = Static<typeof FaultBody>

/** reset: no answer, the connection closed; hang: no answer until the client gives up; malformed: a body that is not JSON. */
export type FaultAction = typeof FAULT_ACTIONS[number]

export interface RateLimitSpec {
  /** Matching requests let through per window. */
  limit: number
  /** The window's length in real-time milliseconds, counted from the first request in it. */
  windowMs: number
}

export interface FaultSpec {
  /** An HTTP method, or "*" for any. */
  method: string
  /** A path pattern: `*` is one segment, `**` any run of them. */
  path: string
  /** The status of the fault's answer, as given (see `answerStatus` for the defaults). */
  status: number | null
  error: string | null
  delayMs: number
  action: FaultAction | null
  /** Set on the fault's answer. */
  headers: Record<string, string>
  /** Only requests over the limit are faulted; those under it go on to the next faults. */
  rateLimit: RateLimitSpec | null
  /** How many more requests it applies to; null for every one until removed. */
  times: number | null
  /** Only requests made with a key of this organization. */
  organizationId: string | null
}

/** An active fault, as the control API shows it; `remaining` is null when it lasts until removed. */
export type Fault = Static<typeof FaultSchema>

/** An HTTP token (RFC 9110): the characters a header name may have. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}$/
/** The answer's framing is the server's: a fault that set these would break the connection, not the answer. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding'])

/** The checks the schema cannot make: combinations that contradict each other, and header names. */
function checkFault (b: FaultBodyDocument): void {
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

/** A body the schema accepted, checked (checkFault), with every absent field given its default. */
function faultSpec (b: FaultBodyDocument): FaultSpec {
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

/**
 * The status a fault answers with, null when it makes no answer of its own: the one given; else
 * 200 for a malformed body, 429 for a rate limit that names no action; else none (a delay before
 * the real answer, a reset, a hang).
 */
function answerStatus (spec: Pick<FaultSpec, 'status' | 'action' | 'rateLimit'>): number | null {
  if (spec.status !== null) return spec.status
  if (spec.action === 'malformed') return 200
  if (spec.action === null && spec.rateLimit !== null) return 429
  return null
}

/** A rate limit's current window: when it started (performance.now()) and the requests it let through. */
interface Window { start: number, used: number }

interface Stored extends Omit<Fault, 'rateLimit'> {
  rateLimit: RateLimitSpec | null
  window: Window | null
  matches: PathMatcher
}

/** A fault taken by a request: what it does, and the request's hold on it. */
export interface TakenFault {
  fault: Fault
  /** With a rate limit: whole seconds until its window ends (for Retry-After); otherwise null. */
  retryAfter: () => number | null
  /** Counts the request as held by the fault (delayed or hanging) until the function returned is called. */
  hold: () => () => void
}

/** The active faults, in the order added, with their hits, remaining uses, held requests and rate-limit windows. */
export class Faults {
  #faults: Stored[] = []
  #nextId = 1
  #pending = 0

  /**
   * Adds a fault from a body the schema accepted (POST /__admin/faults, the console's form):
   * checked (checkFault, a 400 for a contradiction) and given its defaults.
   */
  add (body: FaultBodyDocument): Fault {
    const spec = faultSpec(body)
    const fault: Stored = {
      id: this.#nextId++,
      method: spec.method.toUpperCase(),
      path: spec.path,
      status: answerStatus(spec),
      error: spec.error,
      delayMs: spec.delayMs,
      remaining: spec.times,
      organizationId: spec.organizationId,
      hits: 0,
      action: spec.action,
      headers: { ...spec.headers },
      rateLimit: spec.rateLimit === null ? null : { ...spec.rateLimit },
      pending: 0,
      window: null,
      matches: compileGlob(spec.path)
    }
    this.#faults.push(fault)
    return present(fault, performance.now())
  }

  list (): Fault[] {
    const now = performance.now()
    return this.#faults.map((f) => present(f, now))
  }

  get size (): number {
    return this.#faults.length
  }

  get scoped (): boolean {
    return this.#faults.some((f) => f.organizationId !== null)
  }

  /** Requests held by a fault now (delayed or hanging), removed faults' included. */
  get pending (): number {
    return this.#pending
  }

  /** Removes the faults `drop` names; how many. */
  #removeWhere (drop: (fault: Stored) => boolean): number {
    const before = this.#faults.length
    this.#faults = this.#faults.filter((f) => !drop(f))
    return before - this.#faults.length
  }

  /** Removes one fault; a 404 when there is none of that id (never added, used up, or removed). */
  remove (id: number): void {
    if (this.#removeWhere((f) => f.id === id) === 0) throw new FaultNotFoundError()
  }

  clear (): number {
    return this.#removeWhere(() => true)
  }

  /** Removes the faults scoped to one organization (its reset); how many. */
  clearOrganization (organizationId: string): number {
    return this.#removeWhere((f) => f.organizationId === organizationId)
  }

  /** Removes every fault and numbers the next from 1 again (a reset). */
  reset (): void {
    this.clear()
    this.#nextId = 1
  }

  /**
   * The first fault, in the order added, that matches the request and acts on it, counted as used
   * (and dropped when used up). A rate limit counts every request that reaches it: one within the
   * limit passes it, on to the next faults; one over the limit is its to fault.
   */
  take (method: string, path: string, organizationId: string | null): TakenFault | null {
    const now = performance.now()
    const fault = this.#faults.find((f) => {
      if (!((f.method === '*' || f.method === method) && f.matches(path) &&
        (f.organizationId === null || f.organizationId === organizationId))) return false
      if (f.rateLimit === null) return true
      if (f.window === null || now >= f.window.start + f.rateLimit.windowMs) f.window = { start: now, used: 0 }
      if (f.window.used < f.rateLimit.limit) {
        f.window.used++
        return false
      }
      return true
    })
    if (fault === undefined) return null
    fault.hits++
    if (fault.remaining !== null) {
      fault.remaining--
      if (fault.remaining === 0) this.#removeWhere((f) => f === fault)
    }
    const windowEnd = fault.rateLimit === null ? null : fault.window!.start + fault.rateLimit.windowMs
    return {
      fault: present(fault, now),
      retryAfter: () => windowEnd === null ? null : Math.max(0, Math.ceil((windowEnd - performance.now()) / 1000)),
      hold: () => {
        fault.pending++
        this.#pending++
        let held = true
        return () => {
          if (!held) return
          held = false
          fault.pending--
          this.#pending--
        }
      }
    }
  }
}

function present ({ matches: _matches, window, rateLimit, ...fault }: Stored, now: number): Fault {
  const open = rateLimit !== null && window !== null && now < window.start + rateLimit.windowMs
  return {
    ...fault,
    headers: { ...fault.headers },
    rateLimit: rateLimit === null
      ? null
      : { ...rateLimit, used: open ? window.used : 0, resetsInMs: open ? Math.ceil(window.start + rateLimit.windowMs - now) : null }
  }
}

/** The faults of a server: none at boot, in memory only (a restart or a reset removes them). */
export function faultService (): Faults {
  return new Faults()
}

export type FaultService = Faults
