// Over a real socket, what app.inject cannot show: bytes that are not UTF-8, framing Node's parser refuses, a body shorter than its Content-Length, bodies over the limit.
import { connect, type Socket } from 'node:net'
import { PassThrough } from 'node:stream'
import fc from 'fast-check'
import t from 'tap'
import type { App } from '../../src/app.js'
import { clientErrorHandler } from '../../src/plugins/error-handler.js'
import { build, seedOrg, type SeededOrg } from '../helpers/build.js'
import { fcParameters, INVALID_UTF8, withDuplicateKey, withInvalidUtf8, str, arr } from '../helpers/hostile.js'

/** Raw requests per run of the property. */
const RUNS = 40
/** Every answer within this long (loopback, an in-memory database: milliseconds in practice). */
const ANSWER_MS = 5000

interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

interface Exchange {
  /** Final responses, in order (interim 1xx left out). */
  responses: RawResponse[]
  /** Whether the server closed the connection. */
  closed: boolean
  ms: number
}

/** Splits what the server sent into responses (each has a Content-Length: Fastify and the client error handler always send one). */
function parseResponses (data: Buffer): { responses: RawResponse[], complete: boolean } {
  const responses: RawResponse[] = []
  let rest = data
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n')
    if (end === -1) return { responses, complete: false }
    const [statusLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n')
    const status = Number(statusLine!.split(' ')[1])
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
    const length = Number(headers['content-length'] ?? 0)
    if (rest.length < end + 4 + length) return { responses, complete: false }
    if (status >= 200) responses.push({ status, headers, body: rest.subarray(end + 4, end + 4 + length).toString('utf8') })
    rest = rest.subarray(end + 4 + length)
  }
  return { responses, complete: true }
}

/**
 * Writes the chunks (one write each), then waits until `expect` final responses have arrived, the
 * server closes, or `waitMs` passes. With `halfClose`, ends the client side after writing.
 */
function exchange (port: number, chunks: Array<string | Buffer>, opts: { expect?: number, waitMs?: number, halfClose?: boolean } = {}): Promise<Exchange> {
  const { expect = 1, waitMs = ANSWER_MS, halfClose = false } = opts
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const socket: Socket = connect(port, '127.0.0.1')
    let data = Buffer.alloc(0)
    let done = false
    const finish = (closed: boolean) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ responses: parseResponses(data).responses, closed, ms: Date.now() - started })
    }
    const timer = setTimeout(() => finish(false), waitMs)
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk)
      if (halfClose) socket.end()
    })
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk])
      const parsed = parseResponses(data)
      if (parsed.responses.length >= expect && parsed.complete) finish(false)
    })
    socket.on('end', () => finish(true))
    socket.on('close', () => finish(true))
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The server may reset a connection it refused while we were still writing.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') finish(true)
      else if (!done) reject(err)
    })
  })
}

function isEnvelope (body: string, message?: RegExp): boolean {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>
    return Object.keys(parsed).sort().join(',') === 'deprecated,error,success' && parsed['success'] === false && parsed['deprecated'] === false &&
      typeof parsed['error'] === 'string' && parsed['error'] !== '' && (message === undefined || message.test(parsed['error']))
  } catch {
    return false
  }
}

async function listening (t: Parameters<typeof build>[0]): Promise<{ app: App, port: number, org: SeededOrg }> {
  const app = await build(t)
  const org = seedOrg(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, port: (app.server.address() as { port: number }).port, org }
}

const invitations = (app: App) => (app.sqlite.prepare('select count(*) as n from project_invitations').get() as { n: number }).n

/** An HTTP/1.1 request as bytes; Content-Length from the body unless the headers give one. */
function request (method: string, path: string, headers: Array<[string, string]>, body: Buffer | string = ''): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')
  const all = headers.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k)) || (bytes.length === 0 && method === 'GET')
    ? headers
    : [...headers, ['Content-Length', String(bytes.length)] as [string, string]]
  return Buffer.concat([Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${all.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1'), bytes])
}

// ---------------------------------------------------------------------------------------------

/** A raw request and what it must get: a status (or any 4xx), or a refusal by the HTTP parser (400 and the connection closed). */
interface RawCase {
  description: string
  bytes: Buffer
  /** An exact status, 'reject' for any 4xx, or 'ok' for a request that may succeed. */
  expect: number | 'reject' | 'ok'
  /** Whether a 2xx creates invitations (counted against the database at the end). */
  creates?: boolean
}

function rawCase (org: SeededOrg): fc.Arbitrary<RawCase> {
  const url = `/v1/projects/${org.projectId}/invitations`
  const auth: [string, string] = ['CONFIDENT_API_KEY', org.key]
  const json: [string, string] = ['Content-Type', 'application/json']
  const body = (emails: string[]) => JSON.stringify({ emails })
  const address = fc.stringMatching(/^[a-z0-9]{1,12}$/).map((s) => `${s}@raw.example`)
  return fc.oneof(
    // Valid, so that some succeed and the count can be checked.
    address.map((e): RawCase => ({ description: 'valid', bytes: request('POST', url, [auth, json], body([e])), expect: 'ok', creates: true })),
    // Bodies that are not UTF-8, or hold a key twice: the JSON parser's 400, in the envelope.
    fc.tuple(address, fc.constantFrom(...INVALID_UTF8)).chain(([e]) => withInvalidUtf8(body([e])))
      .map((b): RawCase => ({ description: `invalid UTF-8 ${b.toString('hex').slice(0, 60)}`, bytes: request('POST', url, [auth, json], b), expect: 400 })),
    address.chain((e) => withDuplicateKey([['emails', arr([str(e)])]]))
      .map((b): RawCase => ({ description: `duplicated key ${b.slice(0, 60)}`, bytes: request('POST', url, [auth, json], b), expect: 400 })),
    // Framing Node's parser refuses: answered 400 by the client error handler, then closed.
    fc.constantFrom<[string, Buffer]>(
      ['two different Content-Lengths', request('POST', url, [auth, json, ['Content-Length', '2'], ['Content-Length', '3']], '{}')],
      ['Content-Length and Transfer-Encoding', request('POST', url, [auth, json, ['Content-Length', '2'], ['Transfer-Encoding', 'chunked']], '2\r\n{}\r\n0\r\n\r\n')],
      ['a chunk size that is not hex', request('POST', url, [auth, json, ['Transfer-Encoding', 'chunked']], 'zz\r\n{}\r\n0\r\n\r\n')],
      ['a negative Content-Length', request('POST', url, [auth, json, ['Content-Length', '-1']], '{}')],
      ['a Content-Length that is not a number', request('POST', url, [auth, json, ['Content-Length', '1e2']], '{}')],
      ['a space in a header name', request('GET', '/health', [['Bad Header', 'x']])],
      ['a NUL in a header value', request('GET', '/health', [['X-Nul', 'a\u0000b']])],
      ['a folded header line', request('GET', '/health', [['X-Fold', 'a\r\n b']])],
      ['a request line of garbage', Buffer.from('HELLO\r\n\r\n')],
      ['HTTP/2 without an upgrade', Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')],
      ['HTTP/9.9', Buffer.from('GET /health HTTP/9.9\r\nHost: x\r\n\r\n')],
      ['a bare LF line ending', Buffer.from('GET /health HTTP/1.1\nHost: x\n\n')],
      ['a space in the path', Buffer.from('GET /he alth HTTP/1.1\r\nHost: x\r\n\r\n')],
      ['a 20 KB header', request('GET', '/health', [['X-Big', 'a'.repeat(20_000)]])]
    ).map(([description, bytes]): RawCase => ({ description, bytes, expect: 'reject' })),
    // Paths with raw bytes or odd escapes: the router's 400 or 404.
    fc.constantFrom(...INVALID_UTF8).map((bad): RawCase => ({
      description: `raw bytes ${Buffer.from(bad).toString('hex')} in the path`,
      bytes: Buffer.concat([Buffer.from('GET /v1/projects/'), Buffer.from(bad), Buffer.from(`/invitations HTTP/1.1\r\nHost: x\r\nCONFIDENT_API_KEY: ${org.key}\r\n\r\n`)]),
      expect: 'reject'
    })),
    fc.constantFrom('/v1/projects/%zz', '/v1/projects/%ED%A0%80', '/__admin/%2e%2e/nothing', `/v1/projects/${'x'.repeat(600)}`, '/v1/projects/..%2F..%2Fhealth', '/v1//organization')
      .map((path): RawCase => ({ description: `path ${path.slice(0, 40)}`, bytes: request('GET', path, [auth]), expect: 'reject' })),
    // Over the limit: the announced length is refused before the body is read.
    fc.integer({ min: 1024 * 1024 + 1, max: 64 * 1024 * 1024 }).map((n): RawCase => ({
      description: `a Content-Length of ${n} announced`, bytes: request('POST', url, [auth, json, ['Content-Length', String(n)]]), expect: 413
    })),
    // Another media type, or a compressed body.
    fc.constantFrom<[string, string]>(['Content-Type', 'text/plain'], ['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Encoding', 'gzip'])
      .map((header): RawCase => ({ description: `${header.join(': ')}`, bytes: request('POST', url, [auth, header[0] === 'Content-Type' ? header : json, ...(header[0] === 'Content-Type' ? [] : [header])], '{"emails":["x@raw.example"]}'), expect: 415 }))
  )
}

t.test('raw requests: every one gets a 4xx envelope (or its 2xx) within 5 s; the database holds what the 2xx said', async (t) => {
  const { app, port, org } = await listening(t)
  const before = invitations(app)
  let created = 0
  let checked = 0
  let slowest = 0
  await fc.assert(fc.asyncProperty(rawCase(org), async (c) => {
    const { responses, closed, ms } = await exchange(port, [c.bytes])
    slowest = Math.max(slowest, ms)
    checked++
    const where = `${c.description}: ${JSON.stringify(responses).slice(0, 300)} closed=${closed} in ${ms} ms`
    if (responses.length !== 1) throw new Error(`no answer (${where})`)
    const [res] = responses as [RawResponse]
    if (!/^application\/json/.test(res.headers['content-type'] ?? '')) throw new Error(`not JSON (${where})`)
    if (c.expect === 'ok') {
      if (res.status !== 200) throw new Error(`a valid request refused (${where})`)
      if (c.creates === true) created += (JSON.parse(res.body) as { data: { invitations: unknown[] } }).data.invitations.length
      return
    }
    if (typeof c.expect === 'number' ? res.status !== c.expect : !(res.status >= 400 && res.status < 500)) throw new Error(`status ${res.status}, expected ${c.expect} (${where})`)
    if (!isEnvelope(res.body)) throw new Error(`not the envelope (${where})`)
  }), fcParameters(RUNS))
  t.ok(checked > 0, `${checked} raw requests answered; the slowest in ${slowest} ms`)
  t.equal(invitations(app) - before, created, 'the invitations stored are those the 200 answers listed')
  t.same(app.sqlite.pragma('integrity_check'), [{ integrity_check: 'ok' }], 'integrity_check')
  t.same(app.sqlite.pragma('foreign_key_check'), [], 'foreign_key_check')
})

t.test('framing and body errors answer 400 in the envelope and close the connection; a schema error keeps it for the next request', async (t) => {
  const { port, org } = await listening(t)
  const url = `/v1/projects/${org.projectId}/invitations`
  const auth: [string, string] = ['CONFIDENT_API_KEY', org.key]
  const framing = await exchange(port, [Buffer.concat([request('GET', '/health', [['X-Nul', 'a\u0000b']]), request('GET', '/health', [])])], { expect: 2 })
  t.equal(framing.responses.length, 1, 'one answer: the parser cannot read on after a framing error')
  t.equal(framing.responses[0]?.status, 400)
  t.ok(isEnvelope(framing.responses[0]?.body ?? '', /^Malformed HTTP request$/), 'the envelope')
  t.ok(framing.closed, 'the connection is closed')
  // Fastify closes the connection after a body it could not parse (Connection: close).
  for (const [what, bad, message] of [['bad JSON', '{"emails":', /^Request body is not valid JSON$/], ['bad UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), /^Request body is not valid UTF-8$/]] as const) {
    const res = await exchange(port, [Buffer.concat([request('POST', url, [auth, ['Content-Type', 'application/json']], bad), request('GET', '/health', [])])], { expect: 2 })
    t.same(res.responses.map((r) => r.status), [400], `${what}: 400, and the request behind it is not read`)
    t.ok(isEnvelope(res.responses[0]?.body ?? '', message), `${what}: the envelope`)
    t.equal(res.responses[0]?.headers['connection'], 'close', `${what}: Connection: close`)
    t.ok(res.closed, `${what}: closed`)
  }
  const pipelined = await exchange(port, [Buffer.concat([
    request('POST', url, [auth, ['Content-Type', 'application/json']], '{"emails":"not a list"}'),
    request('GET', '/health', [])
  ])], { expect: 2 })
  t.same(pipelined.responses.map((r) => r.status), [400, 200], 'a schema error, then the next request on the same connection')
  t.ok(isEnvelope(pipelined.responses[0]?.body ?? '', /^body\.emails must be array$/), pipelined.responses[0]?.body)
})

t.test('a body shorter than its Content-Length: the server waits for the rest, serves others meanwhile, and answers 400 when the client ends', async (t) => {
  const { app, port, org } = await listening(t)
  const url = `/v1/projects/${org.projectId}/invitations`
  const head = request('POST', url, [['CONFIDENT_API_KEY', org.key], ['Content-Type', 'application/json'], ['Content-Length', '100']])
  const partial = '{"emails":["short@raw.example"]'
  const before = invitations(app)

  // Left open: Fastify's requestTimeout is 0 (no limit) and Node's headersTimeout ends once the
  // headers are in, so nothing ends the wait but the client (see the report). Observed here for 1.5 s only.
  const stalled = exchange(port, [head, partial], { waitMs: 1500 })
  const other = await exchange(port, [request('GET', '/health', [])])
  t.equal(other.responses[0]?.status, 200, 'another connection is served while one upload is stalled')
  const waited = await stalled
  t.same(waited.responses, [], `no answer to the stalled upload after ${waited.ms} ms (the server still waits for its body)`)
  t.comment(`server timeouts: requestTimeout=${app.server.requestTimeout} ms, headersTimeout=${app.server.headersTimeout} ms, ` +
    `keepAliveTimeout=${app.server.keepAliveTimeout} ms, socket timeout=${app.server.timeout} ms`)

  // Half-closed: the body has ended short of its length, which Node's parser tells at once.
  const ended = await exchange(port, [head, partial], { halfClose: true })
  t.equal(ended.responses[0]?.status, 400, `answered ${ended.responses[0]?.status} in ${ended.ms} ms`)
  t.ok(isEnvelope(ended.responses[0]?.body ?? '', /^The request ended before it was complete/), 'the envelope, saying why')
  t.ok(ended.ms < ANSWER_MS, 'within the bound')
  const headersCut = await exchange(port, [Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nX-Partial: a')], { halfClose: true })
  t.equal(headersCut.responses[0]?.status, 400, 'headers cut short by the client: 400 too')

  // A body longer than its Content-Length: the rest is parsed as the next request, which is
  // malformed; Node then ends the connection with that 400, and the first request's answer is lost with it.
  const longer = await exchange(port, [request('POST', url, [['CONFIDENT_API_KEY', org.key], ['Content-Type', 'application/json'], ['Content-Length', '2']], '{}xyz\r\n\r\n')], { expect: 2 })
  t.ok(longer.responses.length >= 1 && longer.responses.every((r) => r.status === 400 && isEnvelope(r.body)), `${longer.responses.length} answer(s), each a 400 envelope`)
  t.ok(longer.closed, 'closed')
  t.equal(invitations(app), before, 'nothing stored')
})

t.test('bodies over the limit: refused with 413 whether announced or streamed', async (t) => {
  const { app, port, org } = await listening(t)
  const url = `/v1/projects/${org.projectId}/invitations`
  const headers: Array<[string, string]> = [['CONFIDENT_API_KEY', org.key], ['Content-Type', 'application/json']]
  const announced = await exchange(port, [request('POST', url, [...headers, ['Content-Length', String(2 * 1024 * 1024)]])])
  t.equal(announced.responses[0]?.status, 413, `announced: answered in ${announced.ms} ms without sending the body`)
  t.ok(isEnvelope(announced.responses[0]?.body ?? '', /^Request body is larger than 1 MiB$/))

  const expectContinue = await exchange(port, [request('POST', url, [...headers, ['Content-Length', String(2 * 1024 * 1024)], ['Expect', '100-continue']])])
  t.equal(expectContinue.responses[0]?.status, 413, `Expect: 100-continue: answered in ${expectContinue.ms} ms`)

  // Streamed in chunks with no length: read up to the limit, then refused.
  const chunk = `${(64 * 1024).toString(16)}\r\n${'a'.repeat(64 * 1024)}\r\n`
  const streamed = await exchange(port, [request('POST', url, [...headers, ['Transfer-Encoding', 'chunked']]), ...Array.from({ length: 20 }, () => chunk)])
  t.equal(streamed.responses[0]?.status, 413, `chunked past 1 MiB: answered in ${streamed.ms} ms`)
  t.ok(isEnvelope(streamed.responses[0]?.body ?? ''), 'the envelope')

  // The snapshot import's own limit is 64 MiB: 2 MiB announced is not refused for its size.
  const snapshot = await exchange(port, [request('POST', '/__admin/snapshot', [['Content-Type', 'application/json'], ['Content-Length', String(2 * 1024 * 1024)]])], { halfClose: true })
  t.equal(snapshot.responses[0]?.status, 400, 'the import reads on (then finds the body short of its length)')
  t.equal(invitations(app), 0, 'nothing stored')
})

t.test('a request whose headers never finish: 408 in the envelope (the client error handler, as Node calls it after headersTimeout)', async (t) => {
  // Node needs headersTimeout (60 s) plus up to one check interval (30 s) to give up on such a
  // connection; measured once at 90 s. Here the handler is called as Node calls it.
  const socket = new PassThrough()
  let written = ''
  socket.on('data', (chunk: Buffer) => { written += chunk.toString() })
  clientErrorHandler(Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket)
  await new Promise((resolve) => setImmediate(resolve))
  const [head, body] = written.split('\r\n\r\n') as [string, string]
  t.match(head, /^HTTP\/1\.1 408 Request Timeout\r\n/)
  t.match(head, /\r\nConnection: close/)
  t.ok(isEnvelope(body, /^Request timed out/), body)
})
