// /__admin/journal: what /v1 received (keys redacted everywhere), bounded by CONFIDENT_MOCK_JOURNAL_SIZE, filtered, cleared.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import type { App } from '../../../src/app.js'
import type { JournalEntry as Entry } from '../../../src/admin-client.js'
import { T0, build, json, seedOrg } from '../../helpers/build.js'

const iso = (ms: number) => new Date(ms).toISOString()

async function journal (app: App, query = ''): Promise<Entry[]> {
  const res = await app.inject({ method: 'GET', url: `/__admin/journal${query}` })
  if (res.statusCode !== 200) throw new Error(`GET /__admin/journal${query}: ${res.statusCode} ${res.body}`)
  return json(res).data
}

t.test('an entry records the request and its answer, oldest first', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  t.same(await journal(app), [], 'empty at first')

  const created = await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations?source=test&n=2`,
    headers: { CONFIDENT_API_KEY: org.key, 'x-trace': 'abc-123' },
    payload: { emails: ['a@example.com'] }
  })
  t.equal(created.statusCode, 200)
  await app.inject({ method: 'POST', url: '/__admin/clock/advance', payload: { by: '5m' } })
  const missing = await app.inject({ method: 'GET', url: '/v1/organization' })
  t.equal(missing.statusCode, 401)
  const invalid = await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.invalidKey } })
  t.equal(invalid.statusCode, 401)
  const projectKey = await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.projectKey } })
  t.equal(projectKey.statusCode, 403)

  const entries = await journal(app)
  t.equal(entries.length, 4)
  t.same(entries.map((e) => e.id), [...entries.map((e) => e.id)].sort((a, b) => a - b), 'oldest first')
  t.ok(entries.every((e, i) => i === 0 || e.id > entries[i - 1]!.id), 'ids increase')
  const [first, second, third, fourth] = entries
  t.match(first, {
    time: iso(T0),
    method: 'POST',
    path: `/v1/projects/${org.projectId}/invitations`,
    query: { source: 'test', n: '2' },
    status: 200,
    organizationId: org.organizationId,
    body: { emails: ['a@example.com'] },
    headers: { confident_api_key: '[redacted]', 'x-trace': 'abc-123', 'content-type': 'application/json' }
  })
  t.same(first!.query, { source: 'test', n: '2' }, 'the query, as strings')
  t.same(first!.body, { emails: ['a@example.com'] })
  t.type(first!.durationMs, 'number')
  t.ok(first!.durationMs >= 0)
  t.match(second, { time: iso(T0 + 300_000), method: 'GET', path: '/v1/organization', query: {}, status: 401, organizationId: null, body: null }, 'no key: 401, no organization; time is the server clock')
  t.equal(second!.organizationId, null)
  t.equal(second!.headers['confident_api_key'], undefined, 'no key header was sent')
  t.match(third, { status: 401, organizationId: null, headers: { confident_api_key: '[redacted]' } }, 'an invalid key: 401, no organization')
  t.equal(third!.organizationId, null)
  t.match(fourth, { status: 403, organizationId: org.organizationId }, 'a project key: 403, recorded with the organization it belongs to')
})

t.test('control calls and /health are not journaled', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await app.inject({ method: 'GET', url: '/health' })
  await app.inject({ method: 'GET', url: '/__admin/clock' })
  await app.inject({ method: 'GET', url: '/__admin/outbox' })
  await app.inject({ method: 'POST', url: '/__admin/clock/advance', payload: { ms: 1 } })
  await app.inject({ method: 'GET', url: '/__admin/journal' })
  await app.inject({ method: 'GET', url: '/__admin/nothing-here' })
  t.same(await journal(app), [])
  await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key } })
  t.same((await journal(app)).map((e) => e.path), ['/v1/organization'], 'a /v1 request is')
  const unknown = await app.inject({ method: 'GET', url: '/v1/no/such/route?x=1', headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(unknown.statusCode, 404)
  t.match((await journal(app)).at(-1), { method: 'GET', path: '/v1/no/such/route', query: { x: '1' }, status: 404 }, 'so is a request to an unknown /v1 route')
})

t.test('/v1 itself with a query string is journaled, as faults see it', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await app.inject({ method: 'GET', url: '/v1?x=1', headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 404)
  const entries = await journal(app)
  t.equal(entries.length, 1)
  t.match(entries[0], { method: 'GET', path: '/v1', query: { x: '1' }, status: 404, organizationId: org.organizationId })
  t.same(entries[0]!.query, { x: '1' })
})

t.test('the key never appears: header, body, query, path segment, another minted key', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const other = seedOrg(app)
  const stranger = 'confident_org_' + randomBytes(16).toString('hex')
  const strangerProject = 'confident_proj_' + randomBytes(16).toString('hex')
  const secrets = [org.key, other.key, other.projectKey, stranger, strangerProject]

  const res = await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations?k=${org.key}&${org.key}=1&other=${stranger}&note=before-${org.key}-after`,
    headers: { CONFIDENT_API_KEY: org.key, authorization: `Bearer ${org.key}`, 'x-note': `my key is ${org.key}`, 'x-other': other.key },
    payload: {
      emails: ['a@example.com'],
      note: org.key,
      nested: { list: [`prefix ${org.key} suffix`, { deep: stranger }], [org.key]: 'as a property name' },
      otherKey: other.key,
      otherProjectKey: other.projectKey,
      strangerProject
    }
  })
  t.equal(res.statusCode, 200, 'the request itself succeeds')
  const inPath = await app.inject({ method: 'GET', url: `/v1/projects/${org.key}/invitations`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(inPath.statusCode, 404)
  const strangerInPath = await app.inject({ method: 'GET', url: `/v1/projects/${stranger}/members?x=${other.key}`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(strangerInPath.statusCode, 404)
  const wrongKey = await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: stranger } })
  t.equal(wrongKey.statusCode, 401)

  const res2 = await app.inject({ method: 'GET', url: '/__admin/journal' })
  const text = res2.body
  const entries = json(res2).data as Entry[]
  t.equal(entries.length, 4)
  for (const [i, secret] of secrets.entries()) {
    t.notOk(text.includes(secret), `secret ${i} is not in the journal`)
    t.notOk(JSON.stringify(entries).includes(secret), `secret ${i} is not in the parsed entries`)
  }
  t.notOk(/confident_(org|proj)_[0-9a-f]{32}/.test(text), 'nothing of the minted format at all')
  // The rest stays readable.
  t.match(entries[0], {
    query: { k: '[redacted]', '[redacted]': '1', other: '[redacted]', note: 'before-[redacted]-after' },
    headers: { confident_api_key: '[redacted]', authorization: '[redacted]', 'x-note': 'my key is [redacted]', 'x-other': '[redacted]' },
    body: { emails: ['a@example.com'], note: '[redacted]', nested: { list: ['prefix [redacted] suffix', { deep: '[redacted]' }], '[redacted]': 'as a property name' } }
  })
  t.equal(entries[1]!.path, '/v1/projects/[redacted]/invitations', 'a path segment')
  t.equal(entries[2]!.path, '/v1/projects/[redacted]/members')
})

t.test('the key never appears: as a header name', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key, [org.key]: 'x' } })
  t.equal(res.statusCode, 200)
  const listed = await app.inject({ method: 'GET', url: '/__admin/journal' })
  t.equal(json(listed).data.length, 1)
  t.notOk(listed.body.includes(org.key), 'a header named like the key is scrubbed, as a body property name is')
})

t.test('the key never appears: inside a deeply nested body', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  let nested: Record<string, unknown> = { secret: org.key }
  for (let i = 0; i < 70; i++) nested = { d: nested }
  const res = await app.inject({ method: 'POST', url: '/v1/organization/invitations', headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['x@example.com'], extra: nested } })
  t.equal(res.statusCode, 200, 'the server accepts the body')
  const listed = await app.inject({ method: 'GET', url: '/__admin/journal' })
  t.equal(json(listed).data.length, 1)
  t.notOk(listed.body.includes(org.key), 'the key 70 levels down is not in the journal')
})

t.test('the key never appears: percent-encoded in the path', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const encoded = org.key.replace(/_/g, '%5F')
  const res = await app.inject({ method: 'GET', url: `/v1/projects/${encoded}/invitations`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 404, 'the router decodes it: the key reached the handler as the project id')
  const listed = await app.inject({ method: 'GET', url: '/__admin/journal' })
  const [entry] = json(listed).data as Entry[]
  t.notOk(listed.body.includes(org.key))
  t.notOk(decodeURIComponent(entry!.path).includes(org.key), `the journaled path does not decode to the key: ${entry!.path}`)
})

t.test('the journal holds at most CONFIDENT_MOCK_JOURNAL_SIZE entries, the most recent', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_JOURNAL_SIZE: 5 } })
  const org = seedOrg(app)
  for (let i = 1; i <= 12; i++) {
    const res = await app.inject({ method: 'GET', url: `/v1/organization?n=${i}`, headers: { CONFIDENT_API_KEY: org.key } })
    t.equal(res.statusCode, 200)
    const entries = await journal(app)
    t.equal(entries.length, Math.min(i, 5), `after request ${i}: ${Math.min(i, 5)} entries`)
    t.same(entries.map((e) => e.query['n']), Array.from({ length: Math.min(i, 5) }, (_, j) => String(i - Math.min(i, 5) + j + 1)), `after request ${i}: the most recent, oldest first`)
  }
  const entries = await journal(app)
  t.same(entries.map((e) => e.id), [8, 9, 10, 11, 12], 'ids 8 to 12')
  t.same(entries.map((e) => e.query['n']), ['8', '9', '10', '11', '12'])
  t.same((await journal(app, '?since=9')).map((e) => e.id), [10, 11, 12], 'since works on the ring')
  t.same((await journal(app, '?limit=2')).map((e) => e.id), [11, 12], 'limit works on the ring')
})

t.test('size 0 records nothing', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_JOURNAL_SIZE: 0 } })
  const org = seedOrg(app)
  for (let i = 0; i < 3; i++) {
    t.equal((await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key } })).statusCode, 200)
  }
  await app.inject({ method: 'GET', url: '/v1/organization' })
  t.same(await journal(app), [])
  t.same(json(await app.inject({ method: 'DELETE', url: '/__admin/journal' })).data, { deleted: 0 })
})

t.test('filters: method, path glob, status, organizationId, since, limit', async (t) => {
  const app = await build(t)
  const a = seedOrg(app)
  const b = seedOrg(app)
  const calls: Array<[string, string, string | null, object?]> = [
    ['POST', `/v1/projects/${a.projectId}/invitations`, a.key, { emails: ['x@example.com'] }], // 200
    ['GET', `/v1/projects/${a.projectId}/invitations`, a.key], // 200
    ['GET', `/v1/projects/${a.projectId}/members`, a.key], // 200
    ['POST', `/v1/projects/${b.projectId}/invitations`, b.key, { emails: ['y@example.com'] }], // 200
    ['POST', `/v1/projects/${b.projectId}/invitations`, a.key, { emails: ['z@example.com'] }], // 404: another organization's project
    ['GET', '/v1/organization', null], // 401
    ['GET', '/v1/organization/invitations', b.key], // 200
    ['DELETE', `/v1/projects/${a.projectId}/invitations/1`, a.key] // 200
  ]
  for (const [method, url, key, payload] of calls) {
    await app.inject({ method: method as 'GET', url, headers: key === null ? {} : { CONFIDENT_API_KEY: key }, ...(payload === undefined ? {} : { payload }) })
  }
  const all = await journal(app)
  t.equal(all.length, calls.length)
  t.same(all.map((e) => e.status), [200, 200, 200, 200, 404, 401, 200, 200])
  const ids = (entries: Entry[]) => entries.map((e) => e.id)
  const pick = (...positions: number[]) => positions.map((p) => all[p]!.id)

  t.same(ids(await journal(app, '?method=POST')), pick(0, 3, 4), 'method')
  t.same(ids(await journal(app, '?method=post')), pick(0, 3, 4), 'method, any case')
  t.same(ids(await journal(app, '?method=DELETE')), pick(7), 'method DELETE')
  t.same(ids(await journal(app, '?path=/v1/projects/*/invitations')), pick(0, 1, 3, 4), '* is one segment')
  t.same(ids(await journal(app, `?path=/v1/projects/${a.projectId}/*`)), pick(0, 1, 2), '* at the end: one segment, not the invitation id')
  t.same(ids(await journal(app, '?path=/v1/**')), pick(0, 1, 2, 3, 4, 5, 6, 7), '** is any run of segments')
  t.same(ids(await journal(app, '?path=/v1/projects/**')), pick(0, 1, 2, 3, 4, 7))
  t.same(ids(await journal(app, '?path=/v1/organization')), pick(5), 'a plain path matches itself only')
  t.same(ids(await journal(app, '?path=/v1/*')), pick(5), '/v1/* is one segment under /v1')
  t.same(ids(await journal(app, '?status=200')), pick(0, 1, 2, 3, 6, 7), 'status')
  t.same(ids(await journal(app, '?status=404')), pick(4))
  t.same(ids(await journal(app, '?status=401')), pick(5))
  t.same(ids(await journal(app, `?organizationId=${a.organizationId}`)), pick(0, 1, 2, 4, 7), 'organizationId a (the 404 was a\'s key)')
  t.same(ids(await journal(app, `?organizationId=${b.organizationId}`)), pick(3, 6), 'organizationId b')
  t.same(ids(await journal(app, `?since=${all[5]!.id}`)), pick(6, 7), 'since: ids after it')
  t.same(ids(await journal(app, `?since=${all[7]!.id}`)), [], 'since the last: nothing')
  t.same(ids(await journal(app, '?limit=3')), pick(5, 6, 7), 'limit: the most recent, oldest first')
  t.same(ids(await journal(app, '?limit=100')), ids(all))
  t.same(ids(await journal(app, `?method=POST&organizationId=${a.organizationId}`)), pick(0, 4), 'method and organizationId')
  t.same(ids(await journal(app, '?method=POST&status=200&limit=1')), pick(3), 'method, status and limit')
  t.same(ids(await journal(app, `?path=/v1/projects/*/invitations&since=${all[1]!.id}&limit=1`)), pick(4), 'path, since and limit')

  const bad: Array<[string, string | RegExp]> = [
    ['?limit=0', /^querystring\.limit /],
    ['?status=abc', /^querystring\.status /],
    ['?since=-1', /^querystring\.since /],
    ['?verb=GET', /additional properties/]
  ]
  for (const [query, error] of bad) {
    const res = await app.inject({ method: 'GET', url: `/__admin/journal${query}` })
    t.equal(res.statusCode, 400, query)
    t.match(json(res), { success: false, error, deprecated: false }, query)
  }
})

t.test('DELETE clears the journal and answers the count; POST /__admin/reset clears it too', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  for (let i = 0; i < 3; i++) await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key } })
  const last = (await journal(app)).at(-1)!.id
  const res = await app.inject({ method: 'DELETE', url: '/__admin/journal' })
  t.equal(res.statusCode, 200)
  t.same(json(res), { success: true, data: { deleted: 3 } })
  t.same(await journal(app), [])
  t.same(json(await app.inject({ method: 'DELETE', url: '/__admin/journal' })).data, { deleted: 0 })

  await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key } })
  const after = await journal(app)
  t.equal(after.length, 1)
  t.ok(after[0]!.id > last, 'ids go on after a clear, so since stays meaningful')

  await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key } })
  t.equal((await journal(app)).length, 2)
  t.equal((await app.inject({ method: 'POST', url: '/__admin/reset', payload: { to: 'empty' } })).statusCode, 200)
  t.same(await journal(app), [], 'reset clears it')
})

t.test('an invalid JSON body is journaled with body null and status 400', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations`,
    headers: { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' },
    payload: `{"emails": ["${org.key}@example.com"`
  })
  t.equal(res.statusCode, 400)
  const entries = await journal(app)
  t.equal(entries.length, 1)
  t.match(entries[0], { method: 'POST', path: `/v1/projects/${org.projectId}/invitations`, status: 400, body: null })
  t.equal(entries[0]!.body, null)
  t.notOk(JSON.stringify(entries).includes(org.key))

  // A valid body that fails validation is journaled as sent.
  const invalid = await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: 'nope' } })
  t.equal(invalid.statusCode, 400)
  t.same((await journal(app)).at(-1)!.body, { emails: 'nope' })
})

t.test('bodies over 32 KiB are not kept (the journal\'s memory stays bounded); a full invitation request is', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const huge = '[' + Array(340_000).fill('{}').join(',') + ']'
  for (let i = 0; i < 3; i++) {
    // A route that takes a body: an unknown route reads none (src/plugins/bodyless.ts).
    await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' }, payload: huge })
  }
  const emails = Array.from({ length: 100 }, (_, i) => `${'x'.repeat(200)}${i}@example.com`)
  const full = await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails } })
  t.equal(full.statusCode, 200)
  const entries = await journal(app)
  t.same(entries.slice(0, 3).map((e) => [e.status, e.body, e.bodyOmitted]), [[400, null, true], [400, null, true], [400, null, true]])
  t.same(entries[3]!.body, { emails }, 'a 100-address request (25 KiB) is kept whole')
  t.equal(entries[3]!.bodyOmitted, false)
})

t.test('the admin token sent to /v1 (in a header, the query or the body) is redacted too', async (t) => {
  const token = 'admin-token-sent-to-v1-0123456789'
  const app = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: token } })
  const org = seedOrg(app)
  await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations?t=${token}`,
    headers: { CONFIDENT_API_KEY: org.key, authorization: `Bearer ${token}` },
    payload: { emails: ['a@example.com'], note: token }
  })
  const text = (await app.inject({ url: '/__admin/journal', headers: { 'x-admin-token': token } })).body
  t.notOk(text.includes(token))
  t.match(JSON.parse(text).data[0], { query: { t: '[redacted]' }, body: { note: '[redacted]' } })
})
