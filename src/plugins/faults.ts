// Faults: make matching /v1 requests fail with a given status, or wait first; optionally N times only.
import { STATUS_CODES } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Static } from 'typebox'
import { compileGlob, pathOf, type PathMatcher } from '../glob.js'
import type { FaultSchema } from '../schemas/admin.js'
import { envelope } from '../errors.js'
import { isVendorUrl } from '../prefixes.js'

export interface FaultSpec {
  /** An HTTP method, or "*" for any. */
  method: string
  /** A path pattern: `*` is one segment, `**` any run of them. */
  path: string
  status: number | null
  error: string | null
  delayMs: number
  /** How many more requests it applies to; null for every one until removed. */
  times: number | null
  /** Only requests made with a key of this organization. */
  organizationId: string | null
}

/** An active fault, as the control API shows it; `remaining` is null when it lasts until removed. */
export type Fault = Static<typeof FaultSchema>

export class Faults {
  #faults: Array<Fault & { matches: PathMatcher }> = []
  #nextId = 1

  add (spec: FaultSpec): Fault {
    const fault = {
      id: this.#nextId++,
      method: spec.method.toUpperCase(),
      path: spec.path,
      status: spec.status,
      error: spec.error,
      delayMs: spec.delayMs,
      remaining: spec.times,
      organizationId: spec.organizationId,
      hits: 0,
      matches: compileGlob(spec.path)
    }
    this.#faults.push(fault)
    return present(fault)
  }

  list (): Fault[] {
    return this.#faults.map(present)
  }

  get size (): number {
    return this.#faults.length
  }

  get scoped (): boolean {
    return this.#faults.some((f) => f.organizationId !== null)
  }

  remove (id: number): boolean {
    const before = this.#faults.length
    this.#faults = this.#faults.filter((f) => f.id !== id)
    return this.#faults.length < before
  }

  clear (): number {
    const n = this.#faults.length
    this.#faults = []
    return n
  }

  /** Removes every fault and numbers the next from 1 again (a reset). */
  reset (): void {
    this.clear()
    this.#nextId = 1
  }

  /** The first fault matching the request, counted as used (and dropped when used up). */
  take (method: string, path: string, organizationId: string | null): Fault | null {
    const fault = this.#faults.find((f) =>
      (f.method === '*' || f.method === method) && f.matches(path) &&
      (f.organizationId === null || f.organizationId === organizationId))
    if (fault === undefined) return null
    fault.hits++
    if (fault.remaining !== null) {
      fault.remaining--
      if (fault.remaining === 0) this.#faults = this.#faults.filter((f) => f !== fault)
    }
    return present(fault)
  }
}

function present ({ matches: _matches, ...fault }: Fault & { matches: PathMatcher }): Fault {
  return { ...fault }
}

declare module 'fastify' {
  interface FastifyInstance {
    faults: Faults
  }
}

export default fp(async (app) => {
  const faults = new Faults()
  app.decorate('faults', faults)

  // A delay in progress must not hold a shutdown for up to a minute: closing cuts it short.
  const closing = new AbortController()
  app.addHook('preClose', async () => {
    closing.abort()
  })

  // Before authentication, so a fault can stand in for any answer, a 401 included.
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (faults.size === 0 || !isVendorUrl(request.url)) return
    const fault = faults.take(request.method, pathOf(request.url), faults.scoped ? app.keyOrganization(request) : null)
    if (fault === null) return
    request.log.info({ fault: fault.id }, 'injecting a fault')
    if (fault.delayMs > 0) {
      try {
        await sleep(fault.delayMs, undefined, { signal: closing.signal })
      } catch {
        return reply.code(503).header('connection', 'close').send(envelope('The server is shutting down'))
      }
    }
    if (fault.status !== null) {
      return reply.code(fault.status).send(envelope(fault.error ?? STATUS_CODES[fault.status] ?? 'Injected fault'))
    }
  })
}, { name: 'faults', dependencies: ['db', 'auth'] })
