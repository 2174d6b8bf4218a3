// The connections plugin: an early answer reaches a client still sending its body, and close() is
// not held by a connection that never carried a request.
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'

/** How much more of a body the server reads, and how long it waits for its next chunk, before answering anyway. */
export interface DrainLimits {
  bytes: number
  idleMs: number
}

/** The largest body accepted (a snapshot import) is read whole; a client that stalls holds an answer a second. */
export const DRAIN_LIMITS: DrainLimits = { bytes: 64 * 1024 * 1024, idleMs: 1000 }

export interface ConnectionsOptions {
  /** DRAIN_LIMITS unless given. */
  drain?: DrainLimits
}

/**
 * Reads and discards the rest of a request body, until its end, `bytes` more, or `idleMs`
 * without a chunk.
 */
function drain (raw: IncomingMessage, limits: DrainLimits): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0
    const done = () => {
      clearTimeout(idle)
      raw.off('data', onData).off('end', done).off('close', done).off('error', done)
      resolve()
    }
    const idle = setTimeout(done, limits.idleMs)
    const onData = (chunk: Buffer) => {
      seen += chunk.length
      if (seen > limits.bytes) done()
      else idle.refresh()
    }
    raw.on('data', onData).once('end', done).once('close', done).once('error', done)
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
  // hook, not an async one: the common case costs no promise.)
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (request.raw.complete !== false || request.raw.destroyed) return done(null, payload)
    drain(request.raw, limits).then(() => done(null, payload), done)
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
    for (const socket of fresh) socket.destroy()
    fresh.clear()
  })
}, { name: 'connections' })
