// The connections plugin: an early answer reaches a client still sending its body, and close() is
// not held by a connection that never carried a request.
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyReply } from 'fastify'
import fp from 'fastify-plugin'

/** How much more of a body the server reads, and for how long, before it answers anyway. */
export interface DrainLimits {
  /** Bytes read past the answer's decision. */
  bytes: number
  /** Time without a chunk. */
  idleMs: number
  /** Time in all. */
  totalMs: number
}

/**
 * The largest body accepted (a snapshot import) is read whole; a client that stalls holds an
 * answer a second, one that sends slowly five seconds.
 */
export const DRAIN_LIMITS: DrainLimits = { bytes: 64 * 1024 * 1024, idleMs: 1000, totalMs: 5000 }

export interface ConnectionsOptions {
  /** DRAIN_LIMITS unless given. */
  drain?: DrainLimits
}

/**
 * The status the journal records for requests that got no answer: a reset (nginx's 444, "no
 * response"), and a request whose client left before its answer (nginx's 499, "client closed
 * request"): a hung one, or one whose body was being read.
 */
export const RESET_STATUS = 444
export const GAVE_UP_STATUS = 499

/** An error as a write on a closed connection meets it. */
export function unanswered (message: string): Error {
  return Object.assign(new Error(message), { code: 'ECONNRESET' })
}

/**
 * Runs the onResponse hooks (the journal) for a response that ended with no answer. Fastify runs
 * them when a response finishes or fails, but a connection closed before anything was written
 * only closes the response: this reports the failure a write on it would have met. With no
 * listener left (no journal and no logger, or one that already heard of it) nothing is reported.
 */
export function reportUnanswered (reply: FastifyReply, message: string): void {
  if (reply.raw.listenerCount('error') > 0) reply.raw.emit('error', unanswered(message))
}

/** How a drain ended: the body's end, a limit or the server closing, or the client leaving. */
type Drained = 'read' | 'cut' | 'gone'

/**
 * Reads and discards the rest of a request body, until its end, a limit, `stop` being called
 * (kept in `running` meanwhile), or the client closing the connection.
 */
function drain (raw: IncomingMessage, limits: DrainLimits, running: Set<() => void>): Promise<Drained> {
  return new Promise((resolve) => {
    let seen = 0
    const finish = (how: Drained) => {
      clearTimeout(idle)
      clearTimeout(total)
      running.delete(stop)
      raw.off('data', onData).off('end', onEnd).off('close', onGone).off('error', onGone)
      resolve(how)
    }
    const stop = () => finish('cut')
    const onEnd = () => finish('read')
    const onGone = () => finish(raw.complete ? 'read' : 'gone')
    const idle = setTimeout(stop, limits.idleMs)
    const total = setTimeout(stop, limits.totalMs)
    const onData = (chunk: Buffer) => {
      seen += chunk.length
      if (seen > limits.bytes) stop()
      else idle.refresh()
    }
    running.add(stop)
    raw.on('data', onData).once('end', onEnd).once('close', onGone).once('error', onGone)
    raw.resume()
  })
}

export default fp<ConnectionsOptions>(async (app, opts) => {
  const limits = opts.drain ?? DRAIN_LIMITS
  // An answer sent before the body has arrived (401 before any parsing, 413 on a Content-Length
  // over the limit, 404, a fault) is followed by a close when either side asked for one. Closing
  // a socket with unread bytes makes the kernel send a reset, which can overtake the answer: the
  // client's next write fails (EPIPE) and the 413 or 401 is lost, one time in six for a 2 MiB
  // body. So the rest of the body is read first, as a server behind a proxy would have it.
  // (`complete` is Node's: app.inject's requests have none, and nothing to drain. A callback
  // hook, not an async one: the common case costs no promise.) A client that leaves meanwhile got
  // no answer, and is journaled and logged as one (499). Closing the server cuts every drain short
  // and starts none, so none holds a shutdown.
  const running = new Set<() => void>()
  let closing = false
  app.addHook('onSend', (request, reply, payload, done) => {
    if (closing || request.raw.complete !== false || request.raw.destroyed) return done(null, payload)
    drain(request.raw, limits, running).then((how) => {
      if (how === 'gone') {
        reply.code(GAVE_UP_STATUS)
        reportUnanswered(reply, 'The client closed the connection before its answer was sent')
      }
      done(null, payload)
    }).catch(done)
  })
  // A client that aborts a request often opens a spare connection at once and sends nothing on it
  // (undici does). Node's closeIdleConnections() leaves such a connection open, so close(), and
  // with it SIGTERM, would wait for the client or for headersTimeout (60 s, then up to 30 s more).
  // They are destroyed when the server closes; a connection that has carried a request is closed
  // by Node as ever once its answer is sent.
  const fresh = new Set<Socket>()
  app.server.on('connection', (socket: Socket) => {
    fresh.add(socket)
    socket.once('close', () => fresh.delete(socket))
  })
  app.server.on('request', (request: { socket: Socket }) => fresh.delete(request.socket))
  app.addHook('preClose', async () => {
    closing = true
    for (const stop of running) stop()
    for (const socket of fresh) socket.destroy()
    fresh.clear()
  })
}, { name: 'connections' })
