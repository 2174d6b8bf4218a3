// Over a real socket: the two requests Node would answer itself with an empty body (an Expect it
// cannot meet, an HTTP/1.1 request without Host) get the status Node gives and the error envelope.
import { connect, type Socket } from 'node:net'
import t from 'tap'
import { build, json, seedOrg } from '../helpers/build.js'

interface Answer {
  status: number
  headers: Record<string, string>
  body: string
  /** Whether the server closed the connection after the answer. */
  closed: boolean
}

/** Reads one answer (its head, then Content-Length bytes) from the socket, and whether the server then closes it. */
function answer (socket: Socket, pending = ''): Promise<Answer & { rest: string }> {
  return new Promise((resolve, reject) => {
    let text = pending
    let ended = false
    const tryParse = () => {
      const end = text.indexOf('\r\n\r\n')
      if (end < 0) return false
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n')
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
      const length = Number(headers['content-length'] ?? 0)
      if (text.length < end + 4 + length && !ended) return false
      socket.off('data', onData)
      const status = Number(statusLine!.split(' ')[1])
      const body = text.slice(end + 4, end + 4 + length)
      const rest = text.slice(end + 4 + length)
      // An interim answer (100 Continue) is followed by the final one on the same connection.
      resolve({ status, headers, body, closed: ended, rest })
      return true
    }
    const onData = (chunk: Buffer) => { text += chunk.toString('latin1'); tryParse() }
    socket.on('data', onData)
    socket.once('end', () => { ended = true; if (!tryParse()) reject(new Error(`closed before an answer: ${JSON.stringify(text)}`)) })
    socket.once('error', reject)
    tryParse()
  })
}

/**
 * Whether the server ends the connection: at once after such an answer, so within 10 s even on a
 * loaded machine; an idle keep-alive connection would only be ended by Node's keep-alive timeout (72 s).
 */
const closedBy = (socket: Socket) => new Promise<boolean>((resolve) => {
  if (socket.readableEnded) return resolve(true)
  const timer = setTimeout(() => resolve(false), 10_000)
  const done = () => { clearTimeout(timer); resolve(true) }
  socket.once('end', done)
  socket.once('close', done)
})

async function exchange (port: number, request: string): Promise<Answer> {
  const socket = connect(port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  try {
    socket.write(request)
    const got = await answer(socket)
    // An answer that says it closes the connection must be followed by the close; any other is kept open (not waited on).
    const closed = got.closed || (got.headers.connection === 'close' && await closedBy(socket))
    return { status: got.status, headers: got.headers, body: got.body, closed }
  } finally {
    socket.destroy()
  }
}

t.test('an Expect other than 100-continue: 417 in the envelope, the connection closed, nothing done', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const expected = { success: false, error: 'Expectation Failed: the only Expect header this server meets is "Expect: 100-continue"', deprecated: false }

  const bare = await exchange(port, 'GET /health HTTP/1.1\r\nHost: x\r\nExpect: the-moon\r\n\r\n')
  t.equal(bare.status, 417)
  t.match(bare.headers['content-type'], /^application\/json/)
  t.same(JSON.parse(bare.body), expected)
  t.equal(bare.headers.connection, 'close')
  t.ok(bare.closed, 'the server closes the connection')

  const body = JSON.stringify({ emails: ['expect@example.com'] })
  const withBody = await exchange(port, `POST /v1/projects/${org.projectId}/invitations HTTP/1.1\r\nHost: x\r\nCONFIDENT_API_KEY: ${org.key}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: something-else\r\n\r\n${body}`)
  t.same([withBody.status, JSON.parse(withBody.body)], [417, expected], 'with a body sent at once: refused, the body not read')
  t.notOk(withBody.body.includes(org.key), 'the key is not repeated')
  const listed = await app.inject({ url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key } })
  t.notOk(listed.body.includes('expect@example.com'), 'no invitation was made')
})

t.test('Expect: 100-continue still gets 100 Continue, then the answer', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const body = JSON.stringify({ emails: ['continue@example.com'] })
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => socket.destroy())
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(`POST /v1/projects/${org.projectId}/invitations HTTP/1.1\r\nHost: x\r\nCONFIDENT_API_KEY: ${org.key}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`)
  const interim = await answer(socket)
  t.equal(interim.status, 100, 'told to go on before the body is sent')
  socket.write(body)
  const final = await answer(socket, interim.rest)
  t.equal(final.status, 200)
  t.same(JSON.parse(final.body).data.invitations.map((i: { email: string }) => i.email), ['continue@example.com'])
})

t.test('HTTP/1.1 without Host: 400 in the envelope, the connection closed; HTTP/1.0 without Host and an empty Host are served', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }

  const noHost = await exchange(port, `GET /v1/organization HTTP/1.1\r\nCONFIDENT_API_KEY: ${org.key}\r\n\r\n`)
  t.equal(noHost.status, 400)
  t.match(noHost.headers['content-type'], /^application\/json/)
  t.same(JSON.parse(noHost.body), { success: false, error: 'Bad Request: an HTTP/1.1 request must have a Host header', deprecated: false })
  t.equal(noHost.headers.connection, 'close')
  t.ok(noHost.closed)

  const old = await exchange(port, 'GET /health HTTP/1.0\r\n\r\n')
  t.same([old.status, JSON.parse(old.body)], [200, { success: true, data: { status: 'ok' } }], 'HTTP/1.0 has no Host requirement')
  const empty = await exchange(port, `GET /v1/organization HTTP/1.1\r\nHost:\r\nCONFIDENT_API_KEY: ${org.key}\r\n\r\n`)
  t.equal(empty.status, 200, 'an empty Host is a Host (RFC 9112: the authority may be empty)')
  t.equal(JSON.parse(empty.body).data.organization.id, org.organizationId)
  const console = await exchange(port, 'GET / HTTP/1.1\r\n\r\n')
  t.equal(console.status, 400, 'the console too')
  t.same(json({ body: console.body }).success, false)
})
