// Faults: make matching /v1 requests fail, wait first, reset the connection, hang, answer a body
// that is not JSON, or be rate limited; every time, or N times.
import { setMaxListeners } from 'node:events'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Static } from 'typebox'
import { compileGlob, pathOf, type PathMatcher } from '../http/glob.js'
import type { FAULT_ACTIONS, FaultSchema } from '../schemas/admin.js'
import { envelope } from '../domain/errors.js'
import { isVendorUrl } from '../http/prefixes.js'
import { GAVE_UP_STATUS, RESET_STATUS, reportUnanswered, unanswered } from './connections.js'

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

/**
 * The status a fault answers with, null when it makes no answer of its own: the one given; else
 * 200 for a malformed body, 429 for a rate limit that names no action; else none (a delay before
 * the real answer, a reset, a hang).
 */
export function answerStatus (spec: Pick<FaultSpec, 'status' | 'action' | 'rateLimit'>): number | null {
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

export class Faults {
  #faults: Stored[] = []
  #nextId = 1
  #pending = 0

  add (spec: FaultSpec): Fault {
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

  remove (id: number): boolean {
    return this.#removeWhere((f) => f.id === id) > 0
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

/** What a malformed answer carries: the start of an envelope, cut off inside it. */
export function malformedBody (status: number): string {
  return status < 400 ? '{"success":true,"data":{"' : '{"success":false,"error":"'
}

const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * Closes the connection at once, with a TCP reset where the socket is TCP (the client sees
 * ECONNRESET). Under inject() there is no connection: destroying the response ends the call.
 */
function resetConnection (reply: FastifyReply, socket: Partial<Socket> | null, message: string): void {
  reply.raw.once('close', () => reportUnanswered(reply, message))
  if (socket !== null && socket.destroyed !== true) {
    try {
      socket.resetAndDestroy!()
    } catch {
      socket.destroy?.()
    }
  }
  reply.raw.destroy(unanswered(message))
}

declare module 'fastify' {
  interface FastifyInstance {
    faults: Faults
  }
}

export default fp(async (app) => {
  const faults = new Faults()
  app.decorate('faults', faults)

  // A delay or a hang in progress must not hold a shutdown: closing cuts it short with a 503.
  const closing = new AbortController()
  // One listener per request held (each removed when it ends): any number is expected, not a leak.
  setMaxListeners(0, closing.signal)
  app.addHook('preClose', async () => {
    closing.abort()
  })

  const shuttingDown = (reply: FastifyReply) =>
    reply.code(503).header('connection', 'close').send(envelope('The server is shutting down'))

  /** Never answers: waits for the client to close the connection, or for the server to close. */
  async function hang (request: FastifyRequest, reply: FastifyReply, release: () => void): Promise<FastifyReply> {
    // The body is read and dropped, so a large one cannot stall the connection into Node's request timeout.
    request.raw.resume()
    const by = await new Promise<'client' | 'server'>((resolve) => {
      if (closing.signal.aborted) return resolve('server')
      if (reply.raw.destroyed) return resolve('client')
      const onClose = () => {
        closing.signal.removeEventListener('abort', onAbort)
        resolve('client')
      }
      const onAbort = () => {
        reply.raw.removeListener('close', onClose)
        resolve('server')
      }
      reply.raw.once('close', onClose)
      closing.signal.addEventListener('abort', onAbort, { once: true })
    })
    release()
    if (by === 'server') return shuttingDown(reply)
    reply.hijack().code(GAVE_UP_STATUS)
    reportUnanswered(reply, 'The client closed the connection of a hung request')
    return reply
  }

  // Before authentication, so a fault can stand in for any answer, a 401 included.
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (faults.size === 0 || !isVendorUrl(request.url)) return
    const taken = faults.take(request.method, pathOf(request.url), faults.scoped ? app.keyOrganization(request) : null)
    if (taken === null) return
    const { fault } = taken
    request.log.info({ fault: fault.id }, 'injecting a fault')
    if (fault.action === 'hang') return hang(request, reply, taken.hold())
    if (fault.delayMs > 0) {
      const release = taken.hold()
      try {
        await sleep(fault.delayMs, undefined, { signal: closing.signal })
      } catch {
        return shuttingDown(reply)
      } finally {
        release()
      }
    }
    if (fault.action === 'reset') {
      reply.hijack().code(RESET_STATUS)
      resetConnection(reply, request.raw.socket, 'Connection reset by a fault')
      return reply
    }
    // A delay alone: the real answer follows.
    if (fault.status === null) return
    const retryAfter = taken.retryAfter()
    if (retryAfter !== null) reply.header('retry-after', String(retryAfter))
    // The fault's own headers last: they may replace Retry-After, or the content type.
    reply.type(JSON_TYPE).headers(fault.headers).code(fault.status)
    if (fault.action === 'malformed') return reply.send(malformedBody(fault.status))
    return reply.send(JSON.stringify(envelope(fault.error ?? STATUS_CODES[fault.status] ?? 'Injected fault')))
  })
}, { name: 'faults', dependencies: ['db', 'auth'] })
