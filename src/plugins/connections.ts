// The connections plugin: close() is not held by a connection that never carried a request.
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'

/**
 * A client that aborts a request often opens a spare connection at once and sends nothing on it
 * (undici does). Node's closeIdleConnections() leaves such a connection open, so close(), and with
 * it SIGTERM, would wait for the client or for headersTimeout (60 s, then up to 30 s more). They are
 * destroyed when the server closes; a connection that has carried a request is closed by Node as
 * ever once its answer is sent.
 */
export default fp(async (app) => {
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
