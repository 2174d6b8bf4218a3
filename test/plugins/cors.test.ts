// CORS (CONFIDENT_MOCK_CORS): what a browser sends, over a real listening server: preflights answered
// before auth, faults and the journal; the answers (errors too) readable by an allowed origin only.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import t from 'tap'
import { corsOrigins, loadConfig } from '../../src/config.js'
import { build, seedOrg, type TeardownTarget } from '../helpers/build.js'

const CONSOLE = 'http://localhost:5173'

interface Answer {
  statusCode: number
  headers: IncomingHttpHeaders
  text: string
  json: () => unknown
}

/** One request as a browser's network stack sends it (node:http: no header is forbidden here). */
function request (url: string, opts: { method?: string, headers?: Record<string, string>, body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve({ statusCode: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) }))
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

async function listening (t: TeardownTarget, cors: string | undefined) {
  const app = await build(t, { config: cors === undefined ? {} : { CONFIDENT_MOCK_CORS: cors } })
  const org = seedOrg(app)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, org, base }
}

/** A browser's preflight for a call with the vendor key header and a JSON body. */
const preflight = (base: string, path: string, origin: string, method = 'POST', headers = 'confident_api_key,content-type') =>
  request(`${base}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers }
  })

t.test('a preflight from an allowed origin is answered 204 before authentication, with the headers a console needs', async (t) => {
  const { base, org, app } = await listening(t, `${CONSOLE}, https://admin.example.com`)
  const res = await preflight(base, `/v1/projects/${org.projectId}/invitations`, CONSOLE)
  t.equal(res.statusCode, 204, 'no key sent, yet no 401: the preflight never reaches auth')
  t.equal(res.text, '')
  t.equal(res.headers['access-control-allow-origin'], CONSOLE, 'the origin is echoed, not *')
  t.match(String(res.headers.vary), /Origin/, 'Vary: Origin, since the answer depends on it')
  const allowed = String(res.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/)
  for (const h of ['confident_api_key', 'content-type', 'x-admin-token', 'authorization']) t.ok(allowed.includes(h), `${h} allowed`)
  const methods = String(res.headers['access-control-allow-methods']).split(/,\s*/)
  for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) t.ok(methods.includes(m), `${m} allowed`)
  t.equal(res.headers['access-control-max-age'], '600')
  t.equal(res.headers['access-control-allow-credentials'], undefined, 'no cookies: credentials not allowed')

  const admin = await preflight(base, '/__admin/organizations', 'https://admin.example.com', 'POST', 'x-admin-token,content-type')
  t.equal(admin.statusCode, 204, 'the control API too')
  t.equal(admin.headers['access-control-allow-origin'], 'https://admin.example.com')
  t.equal((await app.inject({ method: 'GET', url: '/__admin/journal' })).json().data.length, 0, 'preflights are not journaled')
})

t.test('the real call after the preflight: answers and errors carry the CORS headers', async (t) => {
  const { base, org, app } = await listening(t, CONSOLE)
  const ok = await request(`${base}/v1/projects/${org.projectId}/invitations`, {
    method: 'POST',
    headers: { origin: CONSOLE, 'content-type': 'application/json', CONFIDENT_API_KEY: org.key },
    body: JSON.stringify({ emails: ['browser@example.com'] })
  })
  t.equal(ok.statusCode, 200)
  t.equal(ok.headers['access-control-allow-origin'], CONSOLE)
  t.match(String(ok.headers['access-control-expose-headers']), /Retry-After/, 'Retry-After readable by the console')
  t.equal((ok.json() as { data: { invitations: unknown[] } }).data.invitations.length, 1)

  const denied = await request(`${base}/v1/organization`, { headers: { origin: CONSOLE, CONFIDENT_API_KEY: 'confident_org_nope' } })
  t.equal(denied.statusCode, 401)
  t.equal(denied.headers['access-control-allow-origin'], CONSOLE, 'an error is readable too, so the console can show its message')
  t.match(denied.json(), { success: false, error: String })

  const journal = (await app.inject({ method: 'GET', url: '/__admin/journal' })).json().data as Array<{ method: string }>
  t.same(journal.map((e) => e.method), ['POST', 'GET'], 'the calls are journaled as ever')
})

t.test('the errors Fastify answers before any hook (a path that is not a URL, a parameter too long) carry the headers too', async (t) => {
  const { base } = await listening(t, CONSOLE)
  for (const path of ['/v1/organization%', `/v1/projects/${'p'.repeat(600)}`]) {
    const res = await request(`${base}${path}`, { headers: { origin: CONSOLE } })
    t.equal(res.statusCode, 400, path.slice(0, 30))
    t.equal(res.headers['access-control-allow-origin'], CONSOLE, 'readable by the console')
    t.match(String(res.headers.vary), /Origin/)
    t.match(res.json(), { success: false, error: String })
    const other = await request(`${base}${path}`, { headers: { origin: 'http://evil.example' } })
    t.equal(other.headers['access-control-allow-origin'], undefined, 'not by another origin')
  }
})

t.test('an origin not in the list gets no CORS header: the browser refuses it', async (t) => {
  const { base, org } = await listening(t, CONSOLE)
  const pre = await preflight(base, `/v1/projects/${org.projectId}/invitations`, 'http://evil.example')
  t.equal(pre.headers['access-control-allow-origin'], undefined)
  const call = await request(`${base}/v1/organization`, { headers: { origin: 'http://evil.example', CONFIDENT_API_KEY: org.key } })
  t.equal(call.statusCode, 200, 'the server still answers (CORS is the browser\'s check)')
  t.equal(call.headers['access-control-allow-origin'], undefined)
})

t.test('* allows any origin', async (t) => {
  const { base, org } = await listening(t, '*')
  const pre = await preflight(base, `/v1/projects/${org.projectId}`, 'http://anything.example:8080', 'DELETE')
  t.equal(pre.statusCode, 204)
  t.equal(pre.headers['access-control-allow-origin'], '*')
  const call = await request(`${base}/health`, { headers: { origin: 'http://anything.example:8080' } })
  t.equal(call.headers['access-control-allow-origin'], '*')
})

t.test('a preflight is answered before any fault', async (t) => {
  const { base, org, app } = await listening(t, CONSOLE)
  const added = await app.inject({ method: 'POST', url: '/__admin/faults', payload: { path: '/v1/**', status: 503, error: 'down' } })
  t.equal(added.statusCode, 201)
  const pre = await preflight(base, `/v1/projects/${org.projectId}/invitations`, CONSOLE)
  t.equal(pre.statusCode, 204, 'not the fault\'s 503')
  const call = await request(`${base}/v1/organization`, { headers: { origin: CONSOLE, CONFIDENT_API_KEY: org.key } })
  t.equal(call.statusCode, 503, 'the call itself is faulted')
  t.equal(call.headers['access-control-allow-origin'], CONSOLE, 'and the fault\'s answer is readable by the console')
  const faults = (await app.inject({ method: 'GET', url: '/__admin/faults' })).json().data as Array<{ hits: number }>
  t.equal(faults[0]!.hits, 1, 'the preflight did not count as a hit')
})

t.test('without CONFIDENT_MOCK_CORS there is no CORS: a preflight is an unknown route', async (t) => {
  const { base, org } = await listening(t, undefined)
  const pre = await preflight(base, `/v1/projects/${org.projectId}/invitations`, CONSOLE)
  t.equal(pre.headers['access-control-allow-origin'], undefined)
  t.not(pre.statusCode, 204)
  t.match(pre.json(), { success: false, error: String }, 'in the error envelope')
})

t.test('CONFIDENT_MOCK_CORS is checked at boot, naming what is wrong', async (t) => {
  t.equal(corsOrigins('*'), '*')
  t.same(corsOrigins('http://localhost:5173, https://admin.example.com'), ['http://localhost:5173', 'https://admin.example.com'])
  t.throws(() => loadConfig({ CONFIDENT_MOCK_CORS: 'http://localhost:5173/' }), /not an origin such as .*did you mean http:\/\/localhost:5173\?/)
  t.throws(() => loadConfig({ CONFIDENT_MOCK_CORS: 'localhost:5173' }), /"localhost:5173" is not an origin/)
  t.throws(() => loadConfig({ CONFIDENT_MOCK_CORS: ' , ' }), /comma-separated list of origins/)
  t.equal(loadConfig({ CONFIDENT_MOCK_CORS: 'https://a.example' }).CONFIDENT_MOCK_CORS, 'https://a.example')
})
