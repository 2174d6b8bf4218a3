// createAdminClient: every method against a running server, over HTTP, to the /__admin contract.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { AdminApiError, createAdminClient, startServer, type RunningServer } from '../../src/index.js'

const BOOT = '2030-01-01T00:00:00.000Z'
const HOUR = 3_600_000

/** One server per test, frozen at BOOT, closed after it. */
async function server (t: { teardown: (fn: () => unknown) => void }, options: Parameters<typeof startServer>[0] = {}): Promise<RunningServer> {
  const s = await startServer({ clock: BOOT, ...options })
  t.teardown(() => s.close())
  return s
}

async function v1 (s: RunningServer, key: string, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { CONFIDENT_API_KEY: key }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${s.url}/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, body: await res.json() as any }
}

/** Resolves with the AdminApiError a call rejects with (fails the test when it resolves or throws something else). */
async function refusal (t: { ok: (value: unknown, message: string) => unknown }, call: Promise<unknown>): Promise<AdminApiError> {
  const err = await call.then(() => null, (e: unknown) => e)
  t.ok(err instanceof AdminApiError, 'rejects with an AdminApiError')
  return err as AdminApiError
}

t.test('organizations.create with nothing: a generated name, plan TEAM, a minted organization key', async (t) => {
  const s = await server(t)
  const org = await s.admin.organizations.create()
  t.type(org.id, 'string')
  t.type(org.name, 'string')
  t.ok(org.name.length > 0)
  t.equal(org.plan, 'TEAM')
  t.equal(org.trialEndsAt, null)
  t.match(org.apiKey, /^confident_org_[0-9a-f]{32}$/)
  t.same(org.apiKeys, [{ key: org.apiKey, name: org.apiKeys[0]!.name, projectId: null, valid: true }])
  const me = await v1(s, org.apiKey, 'GET', '/organization')
  t.equal(me.status, 200)
  t.equal(me.body.data.organization.id, org.id)
  t.equal(me.body.data.organization.name, org.name)
})

t.test('organizations.create with a document: projects, roles, members; a Date for trialEndsAt', async (t) => {
  const s = await server(t)
  const org = await s.admin.organizations.create({
    name: 'Acme',
    plan: 'TRIAL',
    trialEndsAt: new Date('2030-02-01T00:00:00.000Z'),
    members: [{ email: 'olivia@acme.example', role: 'Owner' }],
    roles: [{ name: 'Auditor' }],
    projects: [{ name: 'Website', roles: [{ name: 'Reviewer' }] }]
  })
  t.equal(org.name, 'Acme')
  t.equal(org.plan, 'TRIAL')
  t.equal(org.trialEndsAt, '2030-02-01T00:00:00.000Z')
  t.same(org.roles.map((r) => r.name), ['Auditor'])
  t.same(org.members.map((m) => [m.email, m.role]), [['olivia@acme.example', 'Owner']])
  t.equal(org.projects.length, 1)
  t.equal(org.projects[0]!.name, 'Website')
  t.ok(org.projects[0]!.roles.some((r) => r.name === 'Reviewer'))
  const projects = await v1(s, org.apiKey, 'GET', '/projects')
  t.same(projects.body.data.projects.map((p: { id: string }) => p.id), [org.projects[0]!.id])
})

t.test('organizations.create: a taken id is a 409, a bad document a 400, as AdminApiError with the envelope message', async (t) => {
  const s = await server(t)
  const first = await s.admin.organizations.create({ name: 'Taken' })
  const taken = await refusal(t, s.admin.organizations.create({ id: first.id, name: 'Taken' }))
  t.equal(taken.status, 409)
  t.equal(taken.name, 'AdminApiError')
  t.equal(taken.method, 'POST')
  t.equal(taken.path, '/__admin/organizations')
  t.type(taken.message, 'string')
  t.ok(taken.message.length > 0)
  t.equal(taken.message, (taken.body as { error: string }).error, 'the message is the envelope\'s error')

  const bad = await refusal(t, s.admin.organizations.create({ plan: 'GOLD' as any }))
  t.equal(bad.status, 400)
})

t.test('organizations.list, update and delete', async (t) => {
  const s = await server(t)
  const org = await s.admin.organizations.create({ name: 'Listed' })
  const listed = await s.admin.organizations.list()
  const entry = listed.find((o) => o.id === org.id)
  t.same(entry, { id: org.id, name: 'Listed', plan: 'TEAM', trialEndsAt: null, createdAt: BOOT })
  t.ok(listed.some((o) => o.name === 'Demo Organization'), 'beside the demo organization')

  const trial = await s.admin.organizations.update(org.id, { plan: 'TRIAL', trialEndsAt: new Date('2030-01-02T00:00:00.000Z') })
  t.same(trial, { id: org.id, name: 'Listed', plan: 'TRIAL', trialEndsAt: '2030-01-02T00:00:00.000Z', createdAt: BOOT })
  const cleared = await s.admin.organizations.update(org.id, { trialEndsAt: null })
  t.equal(cleared.trialEndsAt, null)
  t.equal(cleared.plan, 'TRIAL')
  t.equal((await refusal(t, s.admin.organizations.update('cnosuchorganization000000', { plan: 'FREE' }))).status, 404)

  t.same(await s.admin.organizations.delete(org.id), { id: org.id })
  t.notOk((await s.admin.organizations.list()).some((o) => o.id === org.id))
  t.equal((await v1(s, org.apiKey, 'GET', '/organization')).status, 401, 'its key is gone with it')
  t.equal((await refusal(t, s.admin.organizations.delete(org.id))).status, 404)
})

t.test('reset: back to the boot fixtures, or to empty', async (t) => {
  const s = await server(t)
  const org = await s.admin.organizations.create({ name: 'Doomed' })
  await s.admin.clock.advance('1d')

  const back = await s.admin.reset()
  t.equal(back.to, 'fixtures')
  t.equal(back.organizationIds.length, 1)
  const after = await s.admin.organizations.list()
  t.same(after.map((o) => o.name), ['Demo Organization'])
  t.notOk(after.some((o) => o.id === org.id))
  t.same(await s.admin.clock.get(), { now: BOOT, frozen: true }, 'the clock is back at boot')

  const empty = await s.admin.reset({ to: 'empty' })
  t.same(empty, { to: 'empty', organizationIds: [] })
  t.same(await s.admin.organizations.list(), [])
})

t.test('snapshot.export and snapshot.import: the state comes back as it was', async (t) => {
  const s = await server(t)
  const kept = await s.admin.organizations.create({ name: 'Kept' })
  const snapshot = await s.admin.snapshot.export()
  t.equal(snapshot.format, 'confident-mock-snapshot')
  t.equal(snapshot.version, 1)
  t.type(snapshot.schema, 'string')
  t.equal(snapshot.exportedAt, BOOT)
  t.type(snapshot.tables, 'object')
  t.ok(Array.isArray(snapshot.tables['organizations']))

  const later = await s.admin.organizations.create({ name: 'Later' })
  await s.admin.organizations.delete(kept.id)
  const restored = await s.admin.snapshot.import(snapshot)
  t.equal(restored.tables['organizations'], snapshot.tables['organizations']!.length)
  const names = (await s.admin.organizations.list()).map((o) => o.name).sort()
  t.same(names, ['Demo Organization', 'Kept'])
  t.equal((await v1(s, kept.apiKey, 'GET', '/organization')).status, 200, 'its key works again')
  t.equal((await v1(s, later.apiKey, 'GET', '/organization')).status, 401)

  const refused = await refusal(t, s.admin.snapshot.import({ ...snapshot, version: 2 as 1 }))
  t.equal(refused.status, 400)
  t.match(refused.message, /version/)
})

t.test('snapshot: one server\'s export imports into another', async (t) => {
  const a = await server(t)
  const b = await server(t)
  const org = await a.admin.organizations.create({ name: 'Travels' })
  await b.admin.snapshot.import(await a.admin.snapshot.export())
  t.ok((await b.admin.organizations.list()).some((o) => o.id === org.id))
  t.equal((await v1(b, org.apiKey, 'GET', '/organization')).status, 200)
})

t.test('clock: get, advance by ms or duration, set, freeze, unfreeze, reset', async (t) => {
  const s = await server(t)
  t.same(await s.admin.clock.get(), { now: BOOT, frozen: true })
  t.same(await s.admin.clock.advance(1500), { now: '2030-01-01T00:00:01.500Z', frozen: true })
  t.same(await s.admin.clock.advance('36h'), { now: '2030-01-02T12:00:01.500Z', frozen: true })
  t.same(await s.admin.clock.set(new Date('2031-01-01T00:00:00.000Z')), { now: '2031-01-01T00:00:00.000Z', frozen: true })
  t.same(await s.admin.clock.set('2032-01-01T02:00:00+02:00'), { now: '2032-01-01T00:00:00.000Z', frozen: true })

  const running = await s.admin.clock.unfreeze()
  t.equal(running.frozen, false)
  const runningAt = Date.parse(running.now)
  t.ok(Math.abs(runningAt - Date.parse('2032-01-01T00:00:00.000Z')) < HOUR, 'runs on from where it was')

  const frozen = await s.admin.clock.freeze()
  t.equal(frozen.frozen, true)
  t.ok(Date.parse(frozen.now) >= runningAt)
  t.same(await s.admin.clock.freeze('2033-03-03T03:03:03.000Z'), { now: '2033-03-03T03:03:03.000Z', frozen: true })
  t.same(await s.admin.clock.reset(), { now: BOOT, frozen: true })

  t.equal((await refusal(t, s.admin.clock.advance('3 weeks'))).status, 400)
  t.throws(() => s.admin.clock.set('not a time'), TypeError, 'a bad time is refused before any request')
})

t.test('clock: a server started on real time is running and resets to running', async (t) => {
  const s = await startServer()
  t.teardown(() => s.close())
  const state = await s.admin.clock.get()
  t.equal(state.frozen, false)
  t.ok(Math.abs(Date.parse(state.now) - Date.now()) < 60_000)
  await s.admin.clock.freeze('2020-01-01T00:00:00.000Z')
  t.equal((await s.admin.clock.reset()).frozen, false)
})

t.test('outbox.list and outbox.clear, with filters; invitations.accept and decline by token', async (t) => {
  const s = await server(t)
  const org = await s.admin.organizations.create({ name: 'Mailer', projects: [{ name: 'Web' }] })
  const projectId = org.projects[0]!.id
  const invited = await v1(s, org.apiKey, 'POST', `/projects/${projectId}/invitations`, { emails: ['ann@example.com', 'bob@example.com'] })
  t.equal(invited.status, 200)
  const orgInvite = await v1(s, org.apiKey, 'POST', '/organization/invitations', { emails: ['cat@example.com'] })
  t.equal(orgInvite.status, 200)

  const all = await s.admin.outbox.list({ organizationId: org.id })
  t.same(all.map((e) => [e.kind, e.to]), [['PROJECT', 'ann@example.com'], ['PROJECT', 'bob@example.com'], ['ORGANIZATION', 'cat@example.com']])
  const ann = all[0]!
  t.same({ ...ann, id: 0, token: '', text: '', html: '' }, {
    id: 0,
    kind: 'PROJECT',
    to: 'ann@example.com',
    organizationId: org.id,
    projectId,
    invitationId: invited.body.data.invitations[0].id,
    token: '',
    sentAt: BOOT,
    subject: 'You\'re invited to join Web in Mailer on Confident AI',
    text: '',
    html: '',
    acceptUrl: `${s.url}/invite/${ann.token}`,
    delivery: null,
    deliveryError: null
  })
  t.ok(ann.text.includes(`\n${ann.acceptUrl}\n`), 'the text carries the link')
  t.same((await s.admin.outbox.list({ to: 'bob@example.com' })).map((e) => e.to), ['bob@example.com'])
  t.same((await s.admin.outbox.list({ kind: 'ORGANIZATION', organizationId: org.id })).map((e) => e.to), ['cat@example.com'])
  t.same((await s.admin.outbox.list({ projectId })).map((e) => e.to), ['ann@example.com', 'bob@example.com'])
  t.same((await s.admin.outbox.list({ invitationId: ann.invitationId, projectId })).map((e) => e.to), ['ann@example.com'])

  const accepted = await s.admin.invitations.accept(ann.token)
  t.equal(accepted.kind, 'PROJECT')
  t.equal(accepted.projectId, projectId)
  t.equal(accepted.invitation.email, 'ann@example.com')
  t.equal(accepted.invitation.status, 'ACCEPTED')
  const members = await v1(s, org.apiKey, 'GET', `/projects/${projectId}/members`)
  t.ok(members.body.data.members.some((m: { email: string }) => m.email === 'ann@example.com'))
  t.equal((await refusal(t, s.admin.invitations.accept(ann.token))).status, 409, 'a used token')
  t.equal((await refusal(t, s.admin.invitations.accept('pi_1_forged'))).status, 404)

  const cat = all[2]!
  const declined = await s.admin.invitations.decline(cat.token)
  t.equal(declined.kind, 'ORGANIZATION')
  t.equal(declined.organizationId, org.id)
  t.equal(declined.invitation.status, 'DECLINED')

  t.same(await s.admin.outbox.clear({ to: 'bob@example.com' }), { deleted: 1 })
  t.same((await s.admin.outbox.list({ organizationId: org.id })).map((e) => e.to), ['ann@example.com', 'cat@example.com'])
  t.same(await s.admin.outbox.clear(), { deleted: 2 })
  t.same(await s.admin.outbox.list(), [])
})

t.test('journal.list with filters, and journal.clear', async (t) => {
  const s = await server(t)
  const org = await s.admin.organizations.create({ name: 'Logged', projects: [{ name: 'Web' }] })
  const projectId = org.projects[0]!.id
  await v1(s, org.apiKey, 'GET', '/organization')
  await v1(s, org.apiKey, 'POST', `/projects/${projectId}/invitations`, { emails: ['dan@example.com'] })
  await v1(s, 'confident_org_00000000000000000000000000000000', 'GET', '/projects')

  const all = await s.admin.journal.list()
  t.same(all.map((e) => `${e.method} ${e.path} ${e.status}`), [
    'GET /v1/organization 200',
    `POST /v1/projects/${projectId}/invitations 200`,
    'GET /v1/projects 401'
  ])
  const post = all[1]!
  t.equal(post.organizationId, org.id)
  t.same(post.body, { emails: ['dan@example.com'] })
  t.equal(post.time, BOOT)
  t.type(post.durationMs, 'number')
  const keyHeader = Object.entries(post.headers).find(([name]) => name.toLowerCase() === 'confident_api_key')
  t.ok(keyHeader, 'the key header is recorded')
  t.not(keyHeader![1], org.apiKey, 'but not its value')

  t.same((await s.admin.journal.list({ method: 'POST', path: '/v1/projects/*/invitations' })).map((e) => e.id), [post.id])
  t.same((await s.admin.journal.list({ status: 401 })).map((e) => e.path), ['/v1/projects'])
  t.same((await s.admin.journal.list({ organizationId: org.id })).length, 2)
  t.same((await s.admin.journal.list({ path: '/v1/**' })).length, 3)
  t.same((await s.admin.journal.list({ limit: 1 })).map((e) => e.path), ['/v1/projects'], 'the most recent')
  t.same((await s.admin.journal.list({ since: post.id })).map((e) => e.path), ['/v1/projects'])

  t.same(await s.admin.journal.clear(), { deleted: 3 })
  t.same(await s.admin.journal.list(), [])
})

t.test('faults.add, list, remove, clear: a fault answers in place of the route', async (t) => {
  const s = await server(t)
  const key = s.demo!.apiKey
  const once = await s.admin.faults.add({ method: 'GET', path: '/v1/organization', status: 503, error: 'Down for maintenance', times: 1 })
  t.type(once.id, 'number')
  t.same({ ...once, id: 0 }, {
    id: 0, method: 'GET', path: '/v1/organization', status: 503, error: 'Down for maintenance', delayMs: 0, remaining: 1, organizationId: null, hits: 0, action: null, headers: {}, rateLimit: null, pending: 0
  })

  const hit = await v1(s, key, 'GET', '/organization')
  t.equal(hit.status, 503)
  t.same(hit.body, { success: false, error: 'Down for maintenance', deprecated: false })
  t.equal((await v1(s, key, 'GET', '/organization')).status, 200, 'times: 1 is spent')

  const always = await s.admin.faults.add({ path: '/v1/projects/**', status: 500 })
  t.equal(always.method, '*')
  t.equal(always.remaining, null)
  t.equal((await v1(s, key, 'GET', `/projects/${s.demo!.projectId}`)).status, 500)
  const listed = await s.admin.faults.list()
  t.same(listed.find((f) => f.id === always.id)?.hits, 1)

  t.same(await s.admin.faults.remove(always.id), { id: always.id })
  t.equal((await v1(s, key, 'GET', `/projects/${s.demo!.projectId}`)).status, 200)
  t.equal((await refusal(t, s.admin.faults.remove(always.id))).status, 404)

  await s.admin.faults.add({ path: '/v1/**', status: 502 })
  await s.admin.faults.add({ path: '/v1/organization', delayMs: 1 })
  const cleared = await s.admin.faults.clear()
  t.ok(cleared.deleted >= 2)
  t.same(await s.admin.faults.list(), [])
  t.equal((await v1(s, key, 'GET', '/organization')).status, 200)

  t.equal((await refusal(t, s.admin.faults.add({ path: '/v1/organization', status: 200 }))).status, 400)
})

t.test('with an admin token: the client sends it; without it, every method is a 401', async (t) => {
  const s = await server(t, { adminToken: 'client-test-token' })
  t.equal((await s.admin.clock.get()).now, BOOT)
  const anonymous = createAdminClient(s.url)
  const denied = await refusal(t, anonymous.clock.get())
  t.equal(denied.status, 401)
  const wrong = await refusal(t, createAdminClient(s.url, { token: 'another-token-here' }).organizations.list())
  t.equal(wrong.status, 401)
  t.same(await createAdminClient(`${s.url}/`, { token: 'client-test-token' }).clock.get(), { now: BOOT, frozen: true }, 'a trailing slash on the base URL is fine')
})

t.test('a server that is not there: the fetch error, not an AdminApiError', async (t) => {
  const s = await startServer()
  const url = s.url
  await s.close()
  const err = await createAdminClient(url).clock.get().then(() => null, (e: unknown) => e)
  t.ok(err instanceof Error)
  t.notOk(err instanceof AdminApiError)
})

t.test('an answer that is not the envelope: AdminApiError with the status and the text', async (t) => {
  const proxy = createServer((_req, res) => {
    res.statusCode = 502
    res.setHeader('content-type', 'text/html')
    res.end('<h1>Bad Gateway</h1>')
  })
  proxy.listen(0, '127.0.0.1')
  await once(proxy, 'listening')
  t.teardown(() => proxy.close())
  const err = await refusal(t, createAdminClient(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`).clock.get())
  t.equal(err.status, 502)
  t.equal(err.message, 'GET /__admin/clock answered 502')
  t.equal(err.body, '<h1>Bad Gateway</h1>')
})
