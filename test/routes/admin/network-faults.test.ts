// Network faults through a listening server and real clients: resets, hangs, malformed bodies,
// headers on the answer, rate limits; their scoping, validation, listing and journal entries.
import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { App } from '../../../src/app.js'
import type { Fault, JournalEntry } from '../../../src/admin-client.js'
import { build, seedOrg, type SeededOrg, type TeardownTarget } from '../../helpers/build.js'

interface Server {
  app: App
  base: string
  port: number
}

async function listening (t: TeardownTarget): Promise<Server> {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  return { app, base: `http://127.0.0.1:${port}`, port }
}

/**
 * A control call as the SDKs make one: always `Content-Type: application/json`, and a body-less
 * call (a DELETE, a reset with no options) with an empty body, `Content-Length: 0`.
 */
async function control (s: Server, method: string, path: string, body?: object): Promise<{ status: number, body: any }> {
  const res = await fetch(`${s.base}/__admin${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? (method === 'GET' ? undefined : '') : JSON.stringify(body)
  })
  return { status: res.status, body: await res.json() }
}

async function addFault (s: Server, body: object): Promise<Fault> {
  const res = await control(s, 'POST', '/faults', body)
  if (res.status !== 201) throw new Error(`POST /__admin/faults: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.data
}

async function faults (s: Server): Promise<Fault[]> {
  return (await control(s, 'GET', '/faults')).body.data
}

async function journal (s: Server): Promise<JournalEntry[]> {
  return (await control(s, 'GET', '/journal')).body.data
}

/** A /v1 call with fetch, as an SDK makes it. */
function v1 (s: Server, key: string | null, path = '/v1/organization', init: RequestInit = {}): Promise<Response> {
  return fetch(`${s.base}${path}`, {
    ...init,
    headers: { accept: 'application/json', 'content-type': 'application/json', ...(key === null ? {} : { CONFIDENT_API_KEY: key }), ...(init.headers as Record<string, string> | undefined) }
  })
}

/** The error fetch rejects with, and the code of its cause. */
async function fetchFailure (promise: Promise<Response>): Promise<{ name: string, code: string | undefined }> {
  try {
    const res = await promise
    throw new Error(`expected a network error, got ${res.status} ${await res.text()}`)
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } }
    return { name: e.name, code: e.cause?.code }
  }
}

interface RawAnswer { status: number, headers: IncomingMessage['headers'], body: string }

/** A GET over node:http on a connection of its own (no agent, no keep-alive pool), optionally given up by a signal. */
function rawGet (s: Server, path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: s.port, path, method: 'GET', headers, agent: false, ...(signal === undefined ? {} : { signal }) }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** The server's side of the next connection made to it. */
function nextConnection (s: Server): Promise<Socket> {
  return new Promise((resolve) => s.app.server.once('connection', resolve))
}

/** Polls until the condition holds, for at most `ms`. */
async function eventually (condition: () => boolean | Promise<boolean>, ms = 3000): Promise<boolean> {
  const end = performance.now() + ms
  while (performance.now() < end) {
    if (await condition()) return true
    await sleep(10)
  }
  return condition()
}

function orgOf (s: Server): SeededOrg {
  return seedOrg(s.app)
}

t.test('reset: the connection is closed with no answer; fetch and node:http see ECONNRESET', async (t) => {
  const s = await listening(t)
  const o = orgOf(s)
  const fault = await addFault(s, { path: '/v1/organization', action: 'reset', times: 2 })
  t.same(fault, {
    id: fault.id, method: '*', path: '/v1/organization', status: null, error: null, delayMs: 0, remaining: 2, organizationId: null, hits: 0, action: 'reset', headers: {}, rateLimit: null, pending: 0
  }, 'listed with its action; no status: it answers nothing')

  const viaFetch = await fetchFailure(v1(s, o.key))
  t.equal(viaFetch.name, 'TypeError', 'fetch failed')
  t.equal(viaFetch.code, 'ECONNRESET', 'with a connection reset')

  const viaHttp = await rawGet(s, '/v1/organization', { CONFIDENT_API_KEY: o.key }).then(
    (res) => ({ answered: res.status }), (err: Error & { code?: string }) => ({ code: err.code, message: err.message }))
  t.match(viaHttp, { code: 'ECONNRESET', message: /ECONNRESET|socket hang up/ }, 'node:http: the request errors, no response')

  t.same(await faults(s), [], 'used up after two')
  const after = await v1(s, o.key)
  t.equal(after.status, 200, 'then the real answer')
  t.equal(((await after.json()) as any).data.organization.id, o.organizationId)
  t.equal(s.app.faults.pending, 0)
})

t.test('reset of a POST: nothing is created, and a delay may come first', async (t) => {
  const s = await listening(t)
  const o = orgOf(s)
  const url = `/v1/projects/${o.projectId}/invitations`
  await addFault(s, { method: 'POST', path: '/v1/projects/*/invitations', action: 'reset', delayMs: 150, times: 1 })
  const started = performance.now()
  const failure = await fetchFailure(v1(s, o.key, url, { method: 'POST', body: JSON.stringify({ emails: ['reset@example.com'] }) }))
  const elapsed = performance.now() - started
  t.equal(failure.code, 'ECONNRESET')
  t.ok(elapsed >= 140, `reset after the delay (${elapsed.toFixed(0)} ms)`)
  const listed = await (await v1(s, o.key, url)).json() as any
  t.same(listed.data.invitations, [], 'no invitation')
  t.same((await control(s, 'GET', '/outbox')).body.data, [], 'no email')
  const retried = await v1(s, o.key, url, { method: 'POST', body: JSON.stringify({ emails: ['reset@example.com'] }) })
  t.match({ status: retried.status, body: await retried.json() }, { status: 200, body: { data: { invitations: [{ email: 'reset@example.com' }] } } }, 'the retry goes through')
})

t.test('hang: the client gives up, the server lets go of the request', async (t) => {
  const s = await listening(t)
  const o = orgOf(s)
  const fault = await addFault(s, { path: '/v1/organization', action: 'hang', times: 2 })
  t.same({ ...fault, id: 0 }, {
    id: 0, method: '*', path: '/v1/organization', status: null, error: null, delayMs: 0, remaining: 2, organizationId: null, hits: 0, action: 'hang', headers: {}, rateLimit: null, pending: 0
  })

  // fetch with AbortSignal.timeout: it gives up; meanwhile the fault shows the request it holds.
  const started = performance.now()
  const waiting = fetchFailure(v1(s, o.key, '/v1/organization', { signal: AbortSignal.timeout(400) }))
  t.ok(await eventually(async () => (await faults(s))[0]?.pending === 1), 'held: pending 1')
  t.equal(s.app.faults.pending, 1)
  const failure = await waiting
  t.equal(failure.name, 'TimeoutError', 'the client timed out')
  t.ok(performance.now() - started >= 390, 'no answer came before it gave up')
  t.ok(await eventually(() => s.app.faults.pending === 0), 'the server no longer holds it')
  t.same((await faults(s)).map((f) => [f.hits, f.pending, f.remaining]), [[1, 0, 1]])

  // node:http with AbortSignal.timeout, on a connection of its own: once it gives up, that connection is closed.
  const connection = nextConnection(s)
  const raw = rawGet(s, '/v1/organization', { CONFIDENT_API_KEY: o.key }, AbortSignal.timeout(300)).then(
    (res) => ({ answered: res.status }), (err: Error) => ({ name: err.name }))
  const socket = await connection
  t.ok(await eventually(() => s.app.faults.pending === 1), 'held')
  t.same(await raw, { name: 'AbortError' }, 'node:http got no answer either')
  t.ok(await eventually(() => s.app.faults.pending === 0), 'nothing held')
  t.ok(await eventually(() => socket.destroyed), 'the server closed its side of the connection')
  t.same(await faults(s), [], 'used up after two')
  const after = await v1(s, o.key)
  t.equal(after.status, 200, 'then the real answer')
  await after.arrayBuffer()
  // The aborted requests' connections are gone or idle: nothing they left holds the close (a
  // connection that never sent a request is test/plugins/connections.test.ts's). A hang guard with room to
  // spare, not a speed target.
  const closing = performance.now()
  await s.app.close()
  const took = performance.now() - closing
  t.ok(took < 5000, `closed in ${took.toFixed(0)} ms, not held by the client's spare connection`)
})

t.test('hang: closing the server ends a hung request with a 503, promptly', async (t) => {
  const s = await listening(t)
  const o = orgOf(s)
  await addFault(s, { path: '/v1/**', action: 'hang' })
  const viaFetch = v1(s, o.key).then(async (res) => ({ status: res.status, headers: res.headers.get('connection'), body: await res.json() }))
  const viaHttp = rawGet(s, '/v1/projects', { CONFIDENT_API_KEY: o.key })
  t.ok(await eventually(() => s.app.faults.pending === 2), 'both held')
  const started = performance.now()
  await s.app.close()
  const took = performance.now() - started
  // A hang guard, not a speed target: without the cut the close would never end.
  t.ok(took < 3000, `closed in ${took.toFixed(0)} ms`)
  t.same(await viaFetch, { status: 503, headers: 'close', body: { success: false, error: 'The server is shutting down', deprecated: false } })
  const raw = await viaHttp
  t.equal(raw.status, 503)
  t.same(JSON.parse(raw.body), { success: false, error: 'The server is shutting down', deprecated: false })
  t.equal(s.app.faults.pending, 0)
})

t.test('malformed: a JSON content type, a body cut short; the status is 200 or the fault\'s', async (t) => {
  const s = await listening(t)
  const o = orgOf(s)
  const ok = await addFault(s, { path: '/v1/organization', action: 'malformed', times: 1 })
  t.equal(ok.status, 200, 'listed with the status it answers')
  const res = await v1(s, o.key)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^application\/json/)
  const text = await res.text()
  t.equal(Number(res.headers.get('content-length')), Buffer.byteLength(text), 'the framing is sound: the whole body arrived')
  t.throws(() => JSON.parse(text), SyntaxError, 'JSON.parse fails on it')
  t.match(text, /^\{"success":true/, 'the start of an envelope')

  await addFault(s, { path: '/v1/organization', action: 'malformed', status: 502, headers: { 'X-Upstream': 'broken' }, times: 1 })
  const bad = await v1(s, o.key)
  t.equal(bad.status, 502)
  t.equal(bad.headers.get('x-upstream'), 'broken')
  await t.rejects(bad.json(), SyntaxError, 'res.json() rejects')

  const raw = await rawGet(s, '/v1/organization', { CONFIDENT_API_KEY: o.key })
  t.equal(raw.status, 200, 'used up: the real answer')
  t.equal(JSON.parse(raw.body).data.organization.id, o.organizationId)
})

t.test('headers: set on the answer; they replace the server\'s own', async (t) => {
  const s = await listening(t)
  const o = orgOf(s)
  const fault = await addFault(s, { path: '/v1/organization', status: 429, error: 'Slow down', headers: { 'Retry-After': '2', 'X-RateLimit-Remaining': '0' } })
  t.same(fault.headers, { 'Retry-After': '2', 'X-RateLimit-Remaining': '0' }, 'listed as given')
  const res = await v1(s, o.key)
  t.equal(res.status, 429)
  t.equal(res.headers.get('retry-after'), '2')
  t.equal(res.headers.get('x-ratelimit-remaining'), '0')
  t.match(res.headers.get('content-type'), /^application\/json/)
  t.same(await res.json(), { success: false, error: 'Slow down', deprecated: false })

  await control(s, 'DELETE', '/faults')
  await addFault(s, { path: '/v1/organization', status: 502, headers: { 'content-type': 'text/html' }, times: 1 })
  const html = await rawGet(s, '/v1/organization', { CONFIDENT_API_KEY: o.key })
  t.equal(html.status, 502)
  t.equal(html.headers['content-type'], 'text/html', 'the fault\'s content type')
  t.same(JSON.parse(html.body), { success: false, error: 'Bad Gateway', deprecated: false }, 'the envelope still')
})

t.test('rateLimit: N pass, the next gets 429 with Retry-After, a new window passes again', async (t) => {
  const s = await listening(t)
  const o = orgOf(s)
  const fault = await addFault(s, { path: '/v1/organization', rateLimit: { limit: 3, windowMs: 400 } })
  t.same({ ...fault, id: 0 }, {
    id: 0, method: '*', path: '/v1/organization', status: 429, error: null, delayMs: 0, remaining: null, organizationId: null, hits: 0, action: null, headers: {}, rateLimit: { limit: 3, windowMs: 400, used: 0, resetsInMs: null }, pending: 0
  }, 'listed: a 429, no window open')

  for (let i = 1; i <= 3; i++) {
    const res = await v1(s, o.key)
    t.equal(res.status, 200, `request ${i} passes`)
    t.equal(res.headers.get('retry-after'), null)
    await res.arrayBuffer()
  }
  const limited = await v1(s, o.key)
  t.equal(limited.status, 429, 'request 4 is over the limit')
  t.equal(limited.headers.get('retry-after'), '1', 'Retry-After: the seconds left in the window, rounded up')
  t.same(await limited.json(), { success: false, error: 'Too Many Requests', deprecated: false })
  t.equal((await v1(s, o.key)).status, 429, 'and so is request 5')

  const [listed] = await faults(s)
  t.equal(listed!.hits, 2, 'hits: the requests over the limit')
  t.equal(listed!.rateLimit!.used, 3, 'used: the requests let through')
  t.ok(listed!.rateLimit!.resetsInMs! > 0 && listed!.rateLimit!.resetsInMs! <= 400, `resetsInMs ${listed!.rateLimit!.resetsInMs}`)

  t.ok(await eventually(async () => (await faults(s))[0]!.rateLimit!.resetsInMs === null, 2000), 'the window ends')
  t.same((await faults(s))[0]!.rateLimit, { limit: 3, windowMs: 400, used: 0, resetsInMs: null })
  const again = await v1(s, o.key)
  t.equal(again.status, 200, 'a new window lets requests through again')
  t.equal(((await again.json()) as any).data.organization.id, o.organizationId)
  t.equal((await faults(s))[0]!.rateLimit!.used, 1)
})

t.test('rateLimit: Retry-After counts the whole window down; the fault\'s own status, headers, times', async (t) => {
  const s = await listening(t)
  const o = orgOf(s)
  await addFault(s, { path: '/v1/organization', rateLimit: { limit: 1, windowMs: 2500 } })
  t.equal((await v1(s, o.key)).status, 200)
  const limited = await v1(s, o.key)
  t.equal(limited.status, 429)
  t.equal(limited.headers.get('retry-after'), '3', '2.5 s left, rounded up')
  await control(s, 'DELETE', '/faults')

  // times counts the requests it faults: two 429s, then it is gone.
  await addFault(s, { path: '/v1/organization', rateLimit: { limit: 1, windowMs: 60_000 }, status: 503, error: 'Quota exceeded', times: 2 })
  t.equal((await v1(s, o.key)).status, 200, 'within the limit')
  for (let i = 1; i <= 2; i++) {
    const res = await v1(s, o.key)
    t.equal(res.status, 503, `over the limit ${i}: the fault's status`)
    t.same(await res.json(), { success: false, error: 'Quota exceeded', deprecated: false })
    t.equal(res.headers.get('retry-after'), '60')
  }
  t.same(await faults(s), [], 'expired after two')
  t.equal((await v1(s, o.key)).status, 200)

  // Its own Retry-After wins; over the limit it may reset instead.
  await addFault(s, { path: '/v1/organization', rateLimit: { limit: 1, windowMs: 60_000 }, headers: { 'Retry-After': '7' }, times: 1 })
  await v1(s, o.key)
  t.equal((await v1(s, o.key)).headers.get('retry-after'), '7')
  await addFault(s, { path: '/v1/organization', rateLimit: { limit: 1, windowMs: 60_000 }, action: 'reset', times: 1 })
  t.equal((await v1(s, o.key)).status, 200)
  t.equal((await fetchFailure(v1(s, o.key))).code, 'ECONNRESET', 'over the limit: reset')
})

t.test('rateLimit: a request within the limit goes on to the next faults', async (t) => {
  const s = await listening(t)
  const o = orgOf(s)
  await addFault(s, { path: '/v1/**', rateLimit: { limit: 2, windowMs: 60_000 } })
  await addFault(s, { path: '/v1/organization', status: 500, times: 1 })
  t.equal((await v1(s, o.key)).status, 500, 'counted by the rate limit, then faulted by the next')
  t.equal((await v1(s, o.key, '/v1/projects')).status, 200, 'the second within the limit: the real answer')
  t.equal((await v1(s, o.key)).status, 429, 'the third: over the limit')
  t.same((await faults(s)).map((f) => f.rateLimit?.used ?? null), [2], 'the 500 fault was used up')
})

t.test('scoping: organization, method and path, as for any fault', async (t) => {
  const s = await listening(t)
  const a = orgOf(s)
  const b = orgOf(s)
  await addFault(s, { path: '/v1/organization', rateLimit: { limit: 1, windowMs: 60_000 }, organizationId: a.organizationId })
  t.equal((await v1(s, a.key)).status, 200, 'a: within its limit')
  for (let i = 0; i < 3; i++) t.equal((await v1(s, b.key)).status, 200, `b: not limited, not counted (${i})`)
  t.equal((await v1(s, a.key)).status, 429, 'a: over the limit')
  t.equal((await v1(s, null)).status, 401, 'no key: not its organization, the real 401')
  t.same((await faults(s)).map((f) => [f.hits, f.rateLimit?.used]), [[1, 1]], 'only a counted')
  await control(s, 'DELETE', '/faults')

  const url = `/v1/projects/${a.projectId}/invitations`
  await addFault(s, { method: 'POST', path: '/v1/projects/*/invitations', action: 'reset' })
  t.equal((await v1(s, a.key, url)).status, 200, 'a GET passes a POST reset')
  t.equal((await v1(s, a.key, `/v1/projects/${a.projectId}/members`)).status, 200, 'another path passes')
  t.equal((await fetchFailure(v1(s, a.key, url, { method: 'POST', body: JSON.stringify({ emails: ['x@example.com'] }) }))).code, 'ECONNRESET', 'the POST is reset')
  await control(s, 'DELETE', '/faults')

  await addFault(s, { method: 'GET', path: '/v1/projects/**', action: 'hang', organizationId: b.organizationId })
  t.equal((await v1(s, a.key, `/v1/projects/${a.projectId}`)).status, 200, 'another organization passes a scoped hang')
  t.equal((await v1(s, b.key, '/v1/organization')).status, 200, 'outside the path: passes')
  const hung = await rawGet(s, `/v1/projects/${b.projectId}`, { CONFIDENT_API_KEY: b.key }, AbortSignal.timeout(200)).then(
    (res) => ({ answered: res.status }), (err: Error) => ({ name: err.name }))
  t.same(hung, { name: 'AbortError' }, 'b hangs, until it gives up')
  t.ok(await eventually(() => s.app.faults.pending === 0))
})

t.test('a bad fault is a 400 in the envelope, and nothing is added', async (t) => {
  const s = await listening(t)
  const cases: Array<[string, object, string | RegExp]> = [
    ['reset with a status', { path: '/v1/**', action: 'reset', status: 503 }, 'action "reset" sends no answer: body.status cannot be given with it'],
    ['hang with an error', { path: '/v1/**', action: 'hang', error: 'x' }, 'action "hang" sends no answer: body.error cannot be given with it'],
    ['reset with headers', { path: '/v1/**', action: 'reset', headers: { 'Retry-After': '1' } }, 'action "reset" sends no answer: body.headers cannot be given with it'],
    ['hang with a delay', { path: '/v1/**', action: 'hang', delayMs: 10 }, 'action "hang" never answers: body.delayMs has nothing to delay'],
    ['malformed with an error', { path: '/v1/**', action: 'malformed', error: 'x' }, /^action "malformed" answers a body that is not JSON: body\.error/],
    ['headers on a delay alone', { path: '/v1/**', delayMs: 10, headers: { 'Retry-After': '1' } }, 'body.headers go on the fault\'s own answer: give body.status, action "malformed" or a body.rateLimit'],
    ['headers alone', { path: '/v1/**', headers: { 'Retry-After': '1' } }, /^body\.headers go on the fault's own answer/],
    ['nothing to do', { path: '/v1/**', times: 1 }, 'A fault needs a status, an action, a delayMs above 0 or a rateLimit'],
    ['an unknown action', { path: '/v1/**', action: 'explode' }, /^body\.action /],
    ['an action in capitals', { path: '/v1/**', action: 'RESET' }, /^body\.action /],
    ['a header name with a space', { path: '/v1/**', status: 429, headers: { 'Retry After': '1' } }, 'body.headers: "Retry After" is not a header name'],
    ['an empty header name', { path: '/v1/**', status: 429, headers: { '': '1' } }, 'body.headers: "" is not a header name'],
    ['a header value with CR LF', { path: '/v1/**', status: 429, headers: { 'X-A': 'a\r\nSet-Cookie: b' } }, /^body\.headers\.X-A must match pattern/],
    ['a header value past Latin-1', { path: '/v1/**', status: 429, headers: { 'X-A': '€' } }, /^body\.headers\.X-A must match pattern/],
    ['a header value as a number', { path: '/v1/**', status: 429, headers: { 'Retry-After': 2 } }, /^body\.headers\.Retry-After must be string/],
    ['Content-Length', { path: '/v1/**', status: 429, headers: { 'Content-Length': '3' } }, 'body.headers: Content-Length is the server\'s to set'],
    ['Transfer-Encoding', { path: '/v1/**', status: 429, headers: { 'transfer-encoding': 'chunked' } }, 'body.headers: transfer-encoding is the server\'s to set'],
    ['a header twice', { path: '/v1/**', status: 429, headers: { 'Retry-After': '1', 'retry-after': '2' } }, 'body.headers: retry-after is given twice (header names ignore case)'],
    ['21 headers', { path: '/v1/**', status: 429, headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-${i}`, 'v'])) }, /^body\.headers must NOT have more than 20 properties/],
    ['limit 0', { path: '/v1/**', rateLimit: { limit: 0, windowMs: 100 } }, /^body\.rateLimit\.limit /],
    ['windowMs 0', { path: '/v1/**', rateLimit: { limit: 1, windowMs: 0 } }, /^body\.rateLimit\.windowMs /],
    ['windowMs over a day', { path: '/v1/**', rateLimit: { limit: 1, windowMs: 86_400_001 } }, /^body\.rateLimit\.windowMs /],
    ['no windowMs', { path: '/v1/**', rateLimit: { limit: 1 } }, /required property 'windowMs'/],
    ['an unknown rateLimit field', { path: '/v1/**', rateLimit: { limit: 1, windowMs: 10, burst: 2 } }, /additional properties/],
    ['rateLimit as a number', { path: '/v1/**', rateLimit: 5 }, /^body\.rateLimit must be object/]
  ]
  for (const [name, body, error] of cases) {
    const res = await control(s, 'POST', '/faults', body)
    t.equal(res.status, 400, name)
    t.match(res.body, { success: false, error, deprecated: false }, name)
  }
  t.same(await faults(s), [], 'nothing was added')

  // What may go together does.
  for (const body of [
    { path: '/v1/**', action: 'reset', delayMs: 10 },
    { path: '/v1/**', action: 'malformed', status: 500, delayMs: 1, headers: { 'Retry-After': '1' } },
    { path: '/v1/**', rateLimit: { limit: 1, windowMs: 1 }, error: 'Slow down' },
    { path: '/v1/**', rateLimit: { limit: 1, windowMs: 1 }, action: 'hang' },
    { path: '/v1/**', action: 'hang', delayMs: 0 }
  ]) t.equal((await control(s, 'POST', '/faults', body)).status, 201, JSON.stringify(body))
})

t.test('listed with the new fields; DELETE (sent as the SDKs send it) and reset remove them', async (t) => {
  const s = await listening(t)
  const r = await addFault(s, { path: '/v1/**', action: 'reset' })
  const m = await addFault(s, { method: 'get', path: '/v1/organization', action: 'malformed', status: 503, delayMs: 5, times: 4, headers: { 'Retry-After': '1' } })
  const l = await addFault(s, { path: '/v1/projects', rateLimit: { limit: 5, windowMs: 1000 }, organizationId: 'org-x' })
  t.same(await faults(s), [r, m, l], 'in order, as added')
  t.same(m, {
    id: m.id, method: 'GET', path: '/v1/organization', status: 503, error: null, delayMs: 5, remaining: 4, organizationId: null, hits: 0, action: 'malformed', headers: { 'Retry-After': '1' }, rateLimit: null, pending: 0
  })

  const removed = await control(s, 'DELETE', `/faults/${r.id}`)
  t.same(removed, { status: 200, body: { success: true, data: { id: r.id } } }, 'DELETE one with Content-Type: application/json and Content-Length: 0')
  t.same((await faults(s)).map((f) => f.id), [m.id, l.id])
  const reset = await control(s, 'POST', '/reset')
  t.equal(reset.status, 200, 'reset with an empty JSON body')
  t.same(await faults(s), [], 'reset removes every fault')
  await addFault(s, { path: '/v1/**', action: 'hang' })
  t.same(await control(s, 'DELETE', '/faults'), { status: 200, body: { success: true, data: { deleted: 1 } } })
})

t.test('the journal records faulted requests: answered ones with their status, unanswered under 444 and 499', async (t) => {
  const s = await listening(t)
  const o = orgOf(s)
  await addFault(s, { path: '/v1/organization', status: 503, times: 1 })
  await addFault(s, { path: '/v1/organization', action: 'malformed', times: 1 })
  await addFault(s, { method: 'POST', path: '/v1/projects', action: 'reset', times: 1 })
  await addFault(s, { path: '/v1/projects/*', action: 'hang', times: 1 })
  await addFault(s, { path: '/v1/organization/members', rateLimit: { limit: 1, windowMs: 60_000 } })

  await (await v1(s, o.key)).arrayBuffer()
  await (await v1(s, o.key)).arrayBuffer()
  await fetchFailure(v1(s, o.key, '/v1/projects', { method: 'POST', body: JSON.stringify({ name: 'Never' }) }))
  t.same(await rawGet(s, `/v1/projects/${o.projectId}`, { CONFIDENT_API_KEY: o.key }, AbortSignal.timeout(200)).catch((err: Error) => err.name), 'AbortError')
  await (await v1(s, o.key, '/v1/organization/members')).arrayBuffer()
  await (await v1(s, o.key, '/v1/organization/members')).arrayBuffer()

  t.ok(await eventually(async () => (await journal(s)).length === 6), 'six entries')
  // In the order the server finished them: it may see the hung request's client leave after the next request.
  const entries = await journal(s)
  const byStatus = (status: number) => entries.filter((e) => e.status === status)
  t.same(entries.map((e) => [e.method, e.path, e.status]).sort(), [
    ['GET', '/v1/organization', 503],
    ['GET', '/v1/organization', 200],
    ['POST', '/v1/projects', 444],
    ['GET', `/v1/projects/${o.projectId}`, 499],
    ['GET', '/v1/organization/members', 200],
    ['GET', '/v1/organization/members', 429]
  ].sort())
  t.same(entries.filter((e) => e.path === '/v1/organization').map((e) => e.status), [503, 200], 'the status fault, then the malformed 200')
  t.same(entries.filter((e) => e.path === '/v1/organization/members').map((e) => e.status), [200, 429], 'within the limit, then over it')
  for (const e of entries) {
    t.equal(e.organizationId, o.organizationId, `${e.status}: the organization of its key`)
    t.equal(e.headers['confident_api_key'], '[redacted]')
  }
  t.equal(byStatus(444)[0]!.body, null, 'a reset request\'s body is not read')
  t.ok(byStatus(499)[0]!.durationMs >= 190, `the hung request lasted until the client gave up (${byStatus(499)[0]!.durationMs} ms)`)
  t.same(((await (await v1(s, o.key, '/v1/projects')).json()) as any).data.projects.map((p: { name: string }) => p.name), ['Main'], 'the reset POST created nothing')
})
