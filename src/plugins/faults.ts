// Faults: make matching /v1 requests fail, wait first, reset the connection, hang, answer a body
// that is not JSON, or be rate limited; every time, or N times. The faults are the faults service's
// (src/services/faults.ts); this plugin asks it before every /v1 request and makes the answer.
import { setMaxListeners } from 'node:events'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { pathOf } from '../http/glob.js'
import { envelope } from '../domain/errors.js'
import { isVendorUrl } from '../http/prefixes.js'
import { GAVE_UP_STATUS, RESET_STATUS, reportUnanswered, unanswered } from './connections.js'

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

export default fp(async (app) => {
  const { faults } = app

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

  /** The fault this request meets, if any, made: its answer, a wait, a reset or a hang. */
  async function inject (request: FastifyRequest, reply: FastifyReply) {
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
  }

  // Before authentication, so a fault can stand in for any answer, a 401 included. A callback
  // hook: with no fault set (every request but a test's few) it costs no promise. After inject(),
  // done() goes on as an async hook's resolution did: Fastify runs no further hook once an answer
  // is sent or the reply hijacked.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (faults.size === 0 || !isVendorUrl(request.url)) return done()
    inject(request, reply).then(() => done(), done)
  })
}, { name: 'faults', dependencies: ['services', 'auth'] })
