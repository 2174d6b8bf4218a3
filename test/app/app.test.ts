// App-wide behaviour: the error envelope for unknown routes and failures, health, logging without secrets.
import { Writable } from 'node:stream'
import t from 'tap'
import { buildApp, loggerOptions } from '../../src/app.js'
import { Clock } from '../../src/domain/clock.js'
import { defaultConfig } from '../../src/config.js'
import { T0, build, json, seedOrg } from '../helpers/build.js'

/** A stream for pino that keeps every line written to it. */
function logCapture () {
  const lines: string[] = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      lines.push(chunk.toString())
      done()
    }
  })
  return { lines, stream }
}

t.test('unknown routes answer 404 in the envelope, with or without a key', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  for (const [method, url, headers] of [
    ['GET', '/nothing/here?x=1', {}],
    ['POST', '/v1/organization', { CONFIDENT_API_KEY: org.key }],
    ['DELETE', `/v1/projects/${org.projectId}/invitations`, { CONFIDENT_API_KEY: org.key }],
    ['GET', '/v2/projects', {}]
  ] as const) {
    const res = await app.inject({ method, url, headers })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.same(json(res), { success: false, error: `Route ${method} ${url.split('?')[0]} not found`, deprecated: false })
  }
})

t.test('GET /health needs no key', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 200)
  t.same(json(res), { success: true, data: { status: 'ok' } })
})

t.test('an unexpected failure is a generic 500 to the client and complete in the log; keys never logged', async (t) => {
  const { lines, stream } = logCapture()
  const config = defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:', LOG_LEVEL: 'info' })
  const app = await buildApp(config, {
    logger: { ...loggerOptions(config), stream },
    clock: new Clock(T0),
    fixtures: { organizations: [] }
  })
  t.teardown(() => app.close())
  const org = seedOrg(app)
  const ok = await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations`,
    headers: { CONFIDENT_API_KEY: org.key },
    payload: { emails: ['a@example.com'] }
  })
  t.equal(ok.statusCode, 200)
  const refused = await app.inject({ method: 'GET', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.invalidKey } })
  t.equal(refused.statusCode, 401)

  app.sqlite.close() // the database going away mid-run
  const res = await app.inject({ method: 'GET', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 500)
  t.same(json(res), { success: false, error: 'An unexpected error occurred', deprecated: false })
  t.notMatch(res.body, /database/i, 'no internals in the response')

  const log = lines.join('')
  t.match(log, /The database connection is not open/, 'the detail is in the log')
  t.notMatch(log, org.key, 'the organization key is never logged')
  t.notMatch(log, org.invalidKey, 'nor a refused one')
})

t.test('the logger redacts the key header if headers are ever logged', async (t) => {
  const { lines, stream } = logCapture()
  const config = defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:' })
  // A request serializer that does log headers, as a user's debugging might add.
  const app = await buildApp(config, {
    logger: { ...loggerOptions(config), stream, serializers: { req: (req: { headers: unknown }) => ({ headers: req.headers }) } },
    fixtures: { organizations: [] }
  })
  t.teardown(() => app.close())
  const key = 'confident_org_7e57ab1e7e57ab1e7e57ab1e7e57ab1e'
  await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: key, authorization: 'Bearer x-secret' } })
  const log = lines.join('')
  t.match(log, /"confident_api_key":"\[redacted\]"/, 'the header is logged, redacted')
  t.notMatch(log, key)
  t.notMatch(log, 'x-secret')
})

t.test('a key or the admin token put in a URL never reaches the log', async (t) => {
  const { lines, stream } = logCapture()
  const token = 'admin-token-in-the-url-0123456789'
  const config = defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:', LOG_LEVEL: 'trace', CONFIDENT_MOCK_ADMIN_TOKEN: token })
  const app = await buildApp(config, { logger: { ...loggerOptions(config), stream }, clock: new Clock(T0), fixtures: { organizations: [] } })
  t.teardown(() => app.close())
  const org = seedOrg(app, { apiKeys: [{ key: 'an-unformatted-key-0123456789' }] })
  const urls: Array<[string, Record<string, string>]> = [
    [`/v1/organization?key=${org.key}`, { CONFIDENT_API_KEY: org.key }],
    [`/v1/${org.key}/invitations`, { CONFIDENT_API_KEY: org.key }],
    ['/v1/organization?key=an-unformatted-key-0123456789', { CONFIDENT_API_KEY: 'an-unformatted-key-0123456789' }],
    [`/v1/organization?other=${org.invalidKey}`, {}],
    [`/__admin/clock?token=${token}`, {}],
    [`/__admin/clock?token=${token}`, { 'x-admin-token': token }],
    [`/__admin/${token}`, { authorization: `Bearer ${token}` }]
  ]
  for (const [url, headers] of urls) await app.inject({ url, headers })
  const log = lines.join('')
  t.match(log, /"url":"\/v1\/organization\?key=\[redacted\]"/, 'the request line is logged, the key replaced')
  for (const secret of [org.key, org.invalidKey, 'an-unformatted-key-0123456789', token]) {
    t.notOk(log.includes(secret), `${secret.slice(0, 12)}… is not in the log`)
  }
})
