// /__admin/organizations/:organizationId/clock: one organization's clock, apart from the server clock and
// the others'. Its trial rule and timestamps read it; resets, deletion and imports drop it.
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { App } from '../../../src/app.js'
import { Clock } from '../../../src/domain/clock.js'
import { policies, roles, organizationMembers } from '../../../src/db/schema.js'
import { eq } from 'drizzle-orm'
import { AdminApiError, startServer } from '../../../src/index.js'
import { T0, build, json, seedOrg, type SeededOrg } from '../../helpers/build.js'

const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()
const JSON_TYPE = { 'content-type': 'application/json' }

function orgClock (app: App, organizationId: string, action?: string, payload?: object) {
  const url = `/__admin/organizations/${encodeURIComponent(organizationId)}/clock`
  return action === undefined
    ? app.inject({ method: 'GET', url })
    : app.inject({ method: 'POST', url: `${url}/${action}`, ...(payload === undefined ? {} : { payload }) })
}

function serverClock (app: App, action?: string, payload?: object) {
  return action === undefined
    ? app.inject({ method: 'GET', url: '/__admin/clock' })
    : app.inject({ method: 'POST', url: `/__admin/clock/${action}`, ...(payload === undefined ? {} : { payload }) })
}

async function stateOf (app: App, organizationId: string): Promise<{ now: string, frozen: boolean }> {
  const res = await orgClock(app, organizationId)
  t.equal(res.statusCode, 200)
  return json(res).data
}

function v1 (app: App, key: string, method: 'GET' | 'POST', url: string, payload?: object) {
  return app.inject({ method, url, headers: { CONFIDENT_API_KEY: key }, ...(payload === undefined ? {} : { payload }) })
}

const invite = (app: App, org: SeededOrg, emails: string[]) => v1(app, org.key, 'POST', `/v1/projects/${org.projectId}/invitations`, { emails })

t.test('an organization without a clock of its own reads the server clock, and follows its moves', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  t.same(await stateOf(app, org.organizationId), { now: iso(T0), frozen: true })
  await serverClock(app, 'advance', { by: '2h' })
  t.same(await stateOf(app, org.organizationId), { now: iso(T0 + 2 * 3_600_000), frozen: true }, 'the server clock moved it')
  const created = json(await invite(app, org, ['follows@example.com'])).data.invitations[0]
  t.equal(created.created_at, iso(T0 + 2 * 3_600_000))
})

t.test('two organizations: one frozen and advanced past its trial end cannot invite, the other still can', async (t) => {
  const app = await build(t)
  const trial = { plan: 'TRIAL' as const, trialEndsAt: iso(T0 + DAY) }
  const a = seedOrg(app, trial)
  const b = seedOrg(app, trial)
  t.equal((await invite(app, a, ['a1@example.com'])).statusCode, 200)
  t.equal((await invite(app, b, ['b1@example.com'])).statusCode, 200)

  const frozen = await orgClock(app, a.organizationId, 'freeze')
  t.same(json(frozen), { success: true, data: { now: iso(T0), frozen: true } })
  const advanced = await orgClock(app, a.organizationId, 'advance', { by: '2d' })
  t.same(json(advanced).data, { now: iso(T0 + 2 * DAY), frozen: true })

  const refused = await invite(app, a, ['a2@example.com'])
  t.equal(refused.statusCode, 403, 'A is past its trial on its own clock')
  t.same(json(refused), { success: false, error: 'Inviting members is not available on the Free plan outside of the trial period', deprecated: false })
  t.equal((await invite(app, b, ['b2@example.com'])).statusCode, 200, 'B, on the server clock, is still in its trial')
  t.same(json(await serverClock(app)).data, { now: iso(T0), frozen: true }, 'the server clock did not move')

  // Resending is the same rule on the same clock.
  const pendingOfA = json(await v1(app, a.key, 'GET', `/v1/projects/${a.projectId}/invitations`)).data.invitations[0]
  t.equal((await app.inject({ method: 'PUT', url: `/v1/projects/${a.projectId}/invitations/${pendingOfA.id}`, headers: { CONFIDENT_API_KEY: a.key } })).statusCode, 403)

  // Back inside the trial on A's clock only.
  await orgClock(app, a.organizationId, 'set', { to: iso(T0 + DAY - 1) })
  t.equal((await invite(app, a, ['a3@example.com'])).statusCode, 200, 'one millisecond before the end')
  await orgClock(app, a.organizationId, 'advance', { ms: 1 })
  t.equal((await invite(app, a, ['a4@example.com'])).statusCode, 403, 'at the end')
  // The organization invitations of /v1/organization/invitations follow the same clock.
  t.equal((await v1(app, a.key, 'POST', '/v1/organization/invitations', { emails: ['o@example.com'] })).statusCode, 403)
  t.equal((await v1(app, b.key, 'POST', '/v1/organization/invitations', { emails: ['o@example.com'] })).statusCode, 200)
})

t.test("timestamps written for an organization carry its time; another organization's carry the server's", async (t) => {
  const app = await build(t)
  const a = seedOrg(app, { members: [{ email: 'owner@a.example', role: 'Owner' }] })
  const b = seedOrg(app)
  const AT = '2031-07-08T09:10:11.000Z'
  await orgClock(app, a.organizationId, 'set', { to: AT })

  const inv = await invite(app, a, ['when@example.com'])
  t.equal(json(inv).data.invitations[0].created_at, AT, 'a project invitation')
  const outbox = json(await app.inject({ url: `/__admin/outbox?organizationId=${a.organizationId}` })).data
  t.same(outbox.map((e: { sentAt: string }) => e.sentAt), [AT], 'its email')
  const orgInv = await v1(app, a.key, 'POST', '/v1/organization/invitations', { emails: ['org@example.com'] })
  t.equal(json(orgInv).data.invitations[0].created_at, AT, 'an organization invitation')
  const project = await v1(app, a.key, 'POST', '/v1/projects', { name: 'Timed', email: 'owner@a.example' })
  t.equal(json(project).data.project.created_at, AT, 'a project')
  t.equal(json(project).data.apiKey.created_at, AT, "and the project's key")
  const key = await v1(app, a.key, 'POST', '/v1/organization/api-keys', { name: 'Timed' })
  t.equal(json(key).data.apiKey.created_at, AT, 'an organization key')
  const permission = json(await v1(app, a.key, 'GET', '/v1/organization/permissions')).data.permissions[0].id
  const policy = json(await v1(app, a.key, 'POST', '/v1/organization/policies', { name: 'Timed', permissionIds: [permission] })).data.policy
  const role = json(await v1(app, a.key, 'POST', '/v1/organization/roles', { name: 'Timed', policyIds: [policy.id] })).data.role
  t.equal(app.db.select({ at: policies.createdAt }).from(policies).where(eq(policies.id, policy.id)).get()!.at, Date.parse(AT), 'a policy')
  t.equal(app.db.select({ at: roles.createdAt }).from(roles).where(eq(roles.id, role.id)).get()!.at, Date.parse(AT), 'a role')

  // The invitee accepts: they join at the inviting organization's time.
  const email = json(await app.inject({ url: '/__admin/outbox?to=when@example.com' })).data[0]
  t.equal((await app.inject({ method: 'POST', url: '/__admin/invitations/accept', payload: { token: email.token } })).statusCode, 200)
  const joined = app.db.select({ at: organizationMembers.createdAt }).from(organizationMembers)
    .where(eq(organizationMembers.organizationId, a.organizationId)).all().map((m) => m.at)
  t.ok(joined.includes(Date.parse(AT)), 'the new member joined at A\'s time')

  const other = await invite(app, b, ['other@example.com'])
  t.equal(json(other).data.invitations[0].created_at, iso(T0), 'B writes the server clock\'s time')
  const otherProject = await v1(app, b.key, 'POST', '/v1/projects', { name: 'Untimed' })
  t.equal(json(otherProject).data.project.created_at, iso(T0))
})

t.test("once it has a clock of its own, the server clock's moves do not change it; its reset makes it follow again", async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const other = seedOrg(app)
  await orgClock(app, org.organizationId, 'set', { to: '2030-01-01T00:00:00Z' })
  for (const [action, body] of [['advance', { by: '31d' }], ['set', { to: '2040-01-01T00:00:00Z' }], ['unfreeze', undefined], ['freeze', { at: '2041-01-01T00:00:00Z' }], ['reset', undefined]] as const) {
    t.equal((await serverClock(app, action, body)).statusCode, 200, `server ${action}`)
    t.same(await stateOf(app, org.organizationId), { now: '2030-01-01T00:00:00.000Z', frozen: true }, `the organization's clock stays after the server's ${action}`)
  }
  t.same(await stateOf(app, other.organizationId), json(await serverClock(app)).data, 'the other organization reads the server clock')

  const reset = await orgClock(app, org.organizationId, 'reset')
  t.equal(reset.statusCode, 200)
  t.same(json(reset).data, { now: iso(T0), frozen: true }, 'reset answers the server clock, which it follows again')
  await serverClock(app, 'advance', { by: '1h' })
  t.same(await stateOf(app, org.organizationId), { now: iso(T0 + 3_600_000), frozen: true }, 'and follows its moves')
})

t.test('the first write copies the server clock as it stands: running stays running, frozen stays frozen', async (t) => {
  const app = await build(t, { clock: new Clock() })
  const org = seedOrg(app)
  const before = Date.now()
  const advanced = json(await orgClock(app, org.organizationId, 'advance', { by: '10d' })).data
  t.equal(advanced.frozen, false, 'a running server clock gives a running copy')
  t.ok(Math.abs(Date.parse(advanced.now) - (before + 10 * DAY)) < 2_000, advanced.now)
  const frozen = json(await orgClock(app, org.organizationId, 'freeze')).data
  t.equal(frozen.frozen, true)
  await sleep(30)
  t.same(await stateOf(app, org.organizationId), frozen, 'frozen: it does not move')
  t.equal(json(await serverClock(app)).data.frozen, false, 'the server clock still runs')
  const unfrozen = json(await orgClock(app, org.organizationId, 'unfreeze')).data
  t.equal(unfrozen.frozen, false)
  t.ok(Math.abs(Date.parse(unfrozen.now) - Date.parse(frozen.now)) < 1_000, 'runs on from where it stood')
})

t.test('body-less POSTs as SDK clients send them: Content-Type JSON, an empty body', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const url = `/__admin/organizations/${org.organizationId}/clock`
  const send = (action: string) => app.inject({ method: 'POST', url: `${url}/${action}`, headers: JSON_TYPE, payload: '' })
  const unfreeze = await send('unfreeze')
  t.equal(unfreeze.statusCode, 200, unfreeze.body)
  t.equal(json(unfreeze).data.frozen, false)
  const freeze = await send('freeze')
  t.equal(freeze.statusCode, 200, freeze.body)
  t.equal(json(freeze).data.frozen, true)
  const reset = await send('reset')
  t.equal(reset.statusCode, 200, reset.body)
  t.same(json(reset).data, { now: iso(T0), frozen: true })
  const noHeader = await app.inject({ method: 'POST', url: `${url}/unfreeze` })
  t.equal(noHeader.statusCode, 200, 'and with no body and no content type')
  t.equal((await app.inject({ method: 'POST', url: `${url}/freeze`, headers: JSON_TYPE, payload: '{}' })).statusCode, 200, 'an empty object too')
})

t.test('unknown organizations are 404s; bad bodies are the server clock\'s 400s, and make no clock', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  for (const [action, body] of [[undefined, undefined], ['freeze', {}], ['unfreeze', undefined], ['set', { to: '2027-01-01T00:00:00Z' }], ['advance', { ms: 1 }], ['reset', undefined]] as const) {
    const res = await orgClock(app, 'cnosuchorganization000000', action, body)
    t.equal(res.statusCode, 404, `${action ?? 'GET'}: unknown organization`)
    t.same(json(res), { success: false, error: 'Organization not found', deprecated: false })
  }
  const cases: Array<[string, object, string | RegExp]> = [
    ['advance', { ms: 5, by: '5s' }, 'Give exactly one of body.ms and body.by'],
    ['advance', {}, 'Give exactly one of body.ms and body.by'],
    ['advance', { by: '3 days' }, /^body\.by /],
    ['advance', { ms: -1 }, /^body\.ms /],
    ['advance', { ms: 1, days: 2 }, /additional properties/],
    ['set', { to: 'next tuesday' }, /^body\.to /],
    ['set', {}, /required property 'to'/],
    ['freeze', { at: 'yesterday' }, /^body\.at /],
    ['freeze', { when: '2027-01-01T00:00:00Z' }, /additional properties/]
  ]
  for (const [action, body, error] of cases) {
    const res = await orgClock(app, org.organizationId, action, body)
    t.equal(res.statusCode, 400, `${action} ${JSON.stringify(body)}`)
    t.match(json(res), { success: false, error, deprecated: false })
  }
  t.equal((await app.inject({ method: 'GET', url: `/__admin/organizations/${'x'.repeat(201)}/clock` })).statusCode, 400, 'an id over 200 characters')
  // Still following the server clock: none of the refused calls gave it one of its own.
  await serverClock(app, 'advance', { by: '1d' })
  t.same(await stateOf(app, org.organizationId), { now: iso(T0 + DAY), frozen: true })

  await orgClock(app, org.organizationId, 'set', { to: '9999-12-31T23:59:59.000Z' })
  t.same(json(await orgClock(app, org.organizationId, 'advance', { ms: 999 })).data, { now: '9999-12-31T23:59:59.999Z', frozen: true })
  const beyond = await orgClock(app, org.organizationId, 'advance', { ms: 1 })
  t.same([beyond.statusCode, json(beyond).error], [400, 'The clock cannot go past 9999-12-31T23:59:59.999Z'], 'the same bound')
})

t.test('deleting an organization drops its clock; POST /__admin/reset and a snapshot import drop every one', async (t) => {
  const app = await build(t)
  const made = json(await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { id: 'corgclockdeleted000000000' } })).data
  await orgClock(app, made.id, 'set', { to: '2035-01-01T00:00:00Z' })
  t.equal((await app.inject({ method: 'DELETE', url: `/__admin/organizations/${made.id}` })).statusCode, 200)
  t.equal((await orgClock(app, made.id)).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { id: made.id } })).statusCode, 201)
  t.same(await stateOf(app, made.id), { now: iso(T0), frozen: true }, 'made again with the same id, it follows the server clock')

  const a = seedOrg(app)
  const b = seedOrg(app)
  await orgClock(app, a.organizationId, 'set', { to: '2035-01-01T00:00:00Z' })
  const snapshot = json(await app.inject({ url: '/__admin/snapshot' }))
  t.equal((await app.inject({ method: 'POST', url: '/__admin/snapshot', payload: snapshot })).statusCode, 200)
  t.same(await stateOf(app, a.organizationId), { now: iso(T0), frozen: true }, 'an import drops it')

  await orgClock(app, b.organizationId, 'set', { to: '2036-01-01T00:00:00Z' })
  const reset = await app.inject({ method: 'POST', url: '/__admin/reset', headers: JSON_TYPE, payload: '' })
  t.equal(reset.statusCode, 200)
  t.equal((await orgClock(app, b.organizationId)).statusCode, 404, 'a reset to the (empty) boot fixtures removed the organization')
  t.equal((await app.inject({ method: 'POST', url: '/__admin/snapshot', payload: snapshot })).statusCode, 200)
  t.same(await stateOf(app, b.organizationId), { now: iso(T0), frozen: true }, 'imported back, it follows the server clock: the reset dropped its clock')
})

t.test('the admin client: organizations.clock(id) and organizations.reset(id), over HTTP', async (t) => {
  const s = await startServer({ clock: '2030-01-01T00:00:00.000Z' })
  t.teardown(() => s.close())
  const a = await s.admin.organizations.create({ plan: 'TRIAL', trialEndsAt: '2030-01-10T00:00:00.000Z', projects: [{ name: 'P' }] })
  const b = await s.admin.organizations.create({ plan: 'TRIAL', trialEndsAt: '2030-01-10T00:00:00.000Z', projects: [{ name: 'P' }] })
  const clock = s.admin.organizations.clock(a.id)
  t.same(await clock.get(), { now: '2030-01-01T00:00:00.000Z', frozen: true })
  t.same(await clock.advance('10d'), { now: '2030-01-11T00:00:00.000Z', frozen: true })
  t.same(await clock.set(new Date('2030-01-12T00:00:00.000Z')), { now: '2030-01-12T00:00:00.000Z', frozen: true })
  t.same(await clock.freeze('2030-01-13T00:00:00.000Z'), { now: '2030-01-13T00:00:00.000Z', frozen: true })
  t.equal((await clock.unfreeze()).frozen, false)
  t.same(await s.admin.organizations.clock(b.id).get(), await s.admin.clock.get(), 'B follows the server clock')
  const invite = (org: typeof a) => fetch(`${s.url}/v1/projects/${org.projects[0]!.id}/invitations`, {
    method: 'POST', headers: { CONFIDENT_API_KEY: org.apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ emails: ['x@example.com'] })
  }).then((res) => res.status)
  t.equal(await invite(a), 403)
  t.equal(await invite(b), 200)
  const reset = await s.admin.organizations.reset(a.id)
  t.match(reset, { id: a.id, projects: a.projects, apiKeys: [{ name: 'default', projectId: null, valid: true, redacted: `${'*'.repeat(15)}${a.apiKey.slice(-6)}` }] })
  t.same(await clock.get(), { now: '2030-01-01T00:00:00.000Z', frozen: true }, 'its clock follows the server clock again')
  t.equal(await invite(a), 200, 'the same key, inside the trial again')
  t.same(await clock.reset(), { now: '2030-01-01T00:00:00.000Z', frozen: true })
  const err = await s.admin.organizations.clock('cnosuchorganization000000').get().catch((e: unknown) => e)
  t.ok(err instanceof AdminApiError && err.status === 404, 'an unknown organization is a 404')
  t.throws(() => s.admin.organizations.reset('..'), TypeError, '".." would name /__admin/reset: refused before any request')
})
