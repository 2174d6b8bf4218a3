// Closing the server (SIGTERM, app.close()) is not held by a connection that never sent a request:
// what a client leaves behind when it opens a spare connection (undici does, after an abort).
import { once } from 'node:events'
import { connect } from 'node:net'
import t from 'tap'
import { build, type TeardownTarget } from './helpers/build.js'

/** A listening app and a client connection to it. */
async function connected (t: TeardownTarget) {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  return { app, socket }
}

t.test('a connection that sent nothing is closed with the server', async (t) => {
  const { app, socket: silent } = await connected(t)
  const ended = once(silent, 'close')
  const started = performance.now()
  await app.close()
  const took = performance.now() - started
  // A hang guard with room to spare, not a speed target: without src/plugins/connections.ts the
  // close waits for headersTimeout (60 s) and Node's next check (up to 30 s more).
  t.ok(took < 10_000, `closed in ${took.toFixed(0)} ms`)
  await ended
  t.ok(silent.destroyed, 'the client sees its connection closed')
})

t.test('a connection that carried a request is left to Node: its answer arrives whole', async (t) => {
  const { app, socket: client } = await connected(t)
  let answer = ''
  client.setEncoding('utf8')
  client.on('data', (chunk: string) => { answer += chunk })
  client.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n')
  while (!answer.includes('"status":"ok"')) await once(client, 'data')
  await app.close()
  t.match(answer, /^HTTP\/1\.1 200 OK/)
})
