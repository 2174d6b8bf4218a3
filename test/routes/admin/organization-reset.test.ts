// POST /__admin/organizations/:organizationId/reset: one organization made again from the document that made
// it (a tenant's, or its boot fixtures entry), with the same ids and keys; the others untouched.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { App } from '../../../src/app.js'
import { DEMO_ORG_KEY, DEMO_ORGANIZATION_ID, DEMO_PROJECT_ID } from '../../../src/boot-state/demo.js'
import type { Fixtures } from '../../../src/boot-state/schema.js'
import { buildApp } from '../../../src/app.js'
import { Clock } from '../../../src/domain/clock.js'
import { defaultConfig } from '../../../src/config.js'
import { MIGRATIONS_FOLDER } from '../../../src/paths.js'
import { T0, build, json } from '../../helpers/build.js'

const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()
const JSON_TYPE = { 'content-type': 'application/json' }

const call = (app: App, key: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url, headers: { CONFIDENT_API_KEY: key }, ...(payload === undefined ? {} : { payload }) })

const reset = (app: App, organizationId: string) =>
  app.inject({ method: 'POST', url: `/__admin/organizations/${encodeURIComponent(organizationId)}/reset`, headers: JSON_TYPE, payload: '' })

/** A tenant with some of everything, and no organization key of its own: one is minted. */
const DOCUMENT = {
  name: 'Resettable',
  plan: 'TRIAL',
  trialEndsAt: iso(T0 + 10 * DAY),
  apiKeys: [{ key: 'confident_proj_50505050505050505050505050505050', project: 'Web', name: 'web' }, { key: 'confident_org_60606060606060606060606060606060', valid: false }],
  members: [{ email: 'owner@reset.example', role: 'Owner' }, { email: 'dev@reset.example', role: 'Auditor' }],
  policies: [{ name: 'Billing', permissions: ['billing:read'] }],
  roles: [{ name: 'Auditor', policies: ['Billing'] }, { name: 'Implicit', policies: ['billing:write'] }],
  governancePolicies: [{ name: 'Strict', controls: [{ name: 'Evals', type: 'PRE_DEPLOYMENT_EVALS' }] }],
  projects: [
    {
      name: 'Web',
      governancePolicy: 'Strict',
      roles: [{ name: 'Reviewer', policies: ['traces:read'] }],
      policies: [{ name: 'Read', permissions: ['traces:read'] }],
      members: [{ email: 'owner@reset.example', role: 'Owner' }],
      invitations: [{ email: 'invited@reset.example' }, { email: 'declined@reset.example', status: 'DECLINED' }]
    },
    { name: 'Api' }
  ],
  invitations: [{ email: 'org-invited@reset.example', createdAt: '2025-12-01T00:00:00Z' }]
}

/** Everything /v1 and the control API show of an organization, read with its key. */
async function reads (app: App, key: string, organizationId: string) {
  const out: Record<string, unknown> = {}
  const projects = json(await call(app, key, 'GET', '/v1/projects')).data.projects as Array<{ id: string }>
  const urls = ['/v1/organization', '/v1/projects', '/v1/organization/api-keys', '/v1/organization/members', '/v1/organization/roles',
    '/v1/organization/policies', '/v1/organization/invitations', '/v1/organization/governance-policies']
  for (const p of projects) {
    for (const part of ['', '/members', '/roles', '/policies', '/invitations', '/api-keys']) urls.push(`/v1/projects/${p.id}${part}`)
  }
  for (const url of urls) {
    const res = await call(app, key, 'GET', url)
    out[url] = [res.statusCode, json(res).data]
  }
  out['outbox'] = json(await app.inject({ url: `/__admin/outbox?organizationId=${organizationId}` })).data
  out['summary'] = json(await app.inject({ url: '/__admin/organizations' })).data.find((o: { id: string }) => o.id === organizationId)
  return out
}

/** Changes everything the API can change in the organization; returns a key minted on the way. */
async function mess (app: App, tenant: any): Promise<string> {
  const web = tenant.projects.find((p: { name: string }) => p.name === 'Web').id as string
  const ok = async (res: Awaited<ReturnType<App['inject']>>, what: string) => {
    if (res.statusCode >= 300) throw new Error(`${what}: ${res.statusCode} ${res.body}`)
    return json(res).data
  }
  await ok(await call(app, tenant.apiKey, 'POST', `/v1/projects/${web}/invitations`, { emails: ['new@reset.example'] }), 'invite')
  await ok(await call(app, tenant.apiKey, 'POST', '/v1/organization/invitations', { emails: ['org-new@reset.example'] }), 'org invite')
  const email = (await ok(await app.inject({ url: '/__admin/outbox?to=new@reset.example' }), 'outbox'))[0]
  await ok(await app.inject({ method: 'POST', url: '/__admin/invitations/accept', payload: { token: email.token } }), 'accept')
  await ok(await call(app, tenant.apiKey, 'POST', '/v1/projects', { name: 'Later' }), 'project')
  await ok(await call(app, tenant.apiKey, 'DELETE', `/v1/projects/${tenant.projects.find((p: { name: string }) => p.name === 'Api').id}`), 'delete project')
  const minted = await ok(await call(app, tenant.apiKey, 'POST', '/v1/organization/api-keys', { name: 'Later' }), 'key')
  const permission = (await ok(await call(app, tenant.apiKey, 'GET', '/v1/organization/permissions'), 'permissions')).permissions[0].id
  const policy = (await ok(await call(app, tenant.apiKey, 'POST', '/v1/organization/policies', { name: 'Later', permissionIds: [permission] }), 'policy')).policy
  await ok(await call(app, tenant.apiKey, 'POST', '/v1/organization/roles', { name: 'Later', policyIds: [policy.id] }), 'role')
  await ok(await call(app, tenant.apiKey, 'PUT', '/v1/organization', { name: 'Renamed' }), 'rename')
  await ok(await app.inject({ method: 'PATCH', url: `/__admin/organizations/${tenant.id}`, payload: { plan: 'FREE', trialEndsAt: null } }), 'patch')
  return minted.apiKey.value as string
}

t.test('a reset makes the tenant again: the same ids, the same keys (the minted one too), the same answers', async (t) => {
  const app = await build(t)
  const created = await app.inject({ method: 'POST', url: '/__admin/organizations', payload: DOCUMENT })
  t.equal(created.statusCode, 201, created.body)
  const tenant = json(created).data
  const other = json(await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: 'Bystander', projects: [{ name: 'P' }] } })).data
  await call(app, other.apiKey, 'POST', `/v1/projects/${other.projects[0].id}/invitations`, { emails: ['bystander@example.com'] })

  const before = await reads(app, tenant.apiKey, tenant.id)
  const otherBefore = await reads(app, other.apiKey, other.id)
  const minted = await mess(app, tenant)
  t.notSame(await reads(app, tenant.apiKey, tenant.id), before, 'the mess changed it')

  const res = await reset(app, tenant.id)
  t.equal(res.statusCode, 200, res.body)
  const data = json(res).data
  t.same(await reads(app, tenant.apiKey, tenant.id), before, 'every read answers as right after the create, ids and times included')
  t.same(await reads(app, other.apiKey, other.id), otherBefore, "the other organization's data is untouched")
  t.equal((await call(app, minted, 'GET', '/v1/organization')).statusCode, 401, 'a key minted after the create is gone')
  t.equal((await call(app, 'confident_proj_50505050505050505050505050505050', 'GET', '/v1/organization')).statusCode, 403, 'the project key is back, a project key')
  t.equal((await call(app, 'confident_org_60606060606060606060606060606060', 'GET', '/v1/organization')).statusCode, 401, 'the invalid key, invalid')

  // The answer: the create's, but no key in clear (only digests were kept).
  t.same(Object.keys(data).sort(), ['apiKeys', 'createdAt', 'id', 'members', 'name', 'plan', 'projects', 'roles', 'trialEndsAt'])
  t.match(data, { id: tenant.id, name: 'Resettable', plan: 'TRIAL', trialEndsAt: tenant.trialEndsAt, createdAt: tenant.createdAt })
  t.same(data.projects, tenant.projects, 'the same projects, with their roles and ids')
  t.same(data.roles, tenant.roles)
  t.same(data.members, tenant.members)
  t.same(data.apiKeys.map((k: any) => [k.name, k.projectId, k.valid, k.redacted]),
    tenant.apiKeys.map((k: any) => [k.name, k.projectId, k.valid, `${'*'.repeat(15)}${k.key.slice(-6)}`]))
  for (const k of tenant.apiKeys) t.notMatch(res.body, k.key, 'no clear key in the answer')
  const ids = (json(await call(app, tenant.apiKey, 'GET', '/v1/organization/api-keys')).data.apiKeys as Array<{ id: number }>).map((k) => k.id)
  t.same(data.apiKeys.filter((k: any) => k.projectId === null).map((k: any) => k.id), ids, 'key ids as /v1 shows them')

  t.same(json(await reset(app, tenant.id)).data, data, 'a second reset answers the same')
  t.same(await reads(app, tenant.apiKey, tenant.id), before, 'and changes nothing more')
})

t.test('a reset clears the organization\'s journal entries, its faults and its clock, not the other\'s', async (t) => {
  const app = await build(t)
  const a = json(await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: 'A', plan: 'TRIAL', trialEndsAt: iso(T0 + DAY), projects: [{ name: 'P' }] } })).data
  const b = json(await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: 'B', plan: 'TRIAL', trialEndsAt: iso(T0 + DAY), projects: [{ name: 'P' }] } })).data
  await call(app, a.apiKey, 'GET', '/v1/organization')
  await call(app, b.apiKey, 'GET', '/v1/organization')
  await app.inject({ method: 'POST', url: `/__admin/organizations/${a.id}/clock/advance`, payload: { by: '2d' } })
  await app.inject({ method: 'POST', url: `/__admin/organizations/${b.id}/clock/advance`, payload: { by: '2d' } })
  t.equal((await call(app, a.apiKey, 'POST', `/v1/projects/${a.projects[0].id}/invitations`, { emails: ['x@example.com'] })).statusCode, 403, 'A is past its trial')
  await app.inject({ method: 'POST', url: '/__admin/faults', payload: { path: '/v1/never', status: 418, organizationId: a.id } })
  const kept = json(await app.inject({ method: 'POST', url: '/__admin/faults', payload: { path: '/v1/never', status: 418, organizationId: b.id } })).data
  const unscoped = json(await app.inject({ method: 'POST', url: '/__admin/faults', payload: { path: '/v1/never', status: 418 } })).data

  t.equal((await reset(app, a.id)).statusCode, 200)
  const journal = json(await app.inject({ url: '/__admin/journal' })).data as Array<{ organizationId: string | null }>
  t.same([...new Set(journal.map((e) => e.organizationId))], [b.id], "A's entries are gone, B's stay")
  t.same(json(await app.inject({ url: `/__admin/organizations/${a.id}/clock` })).data, { now: iso(T0), frozen: true }, 'A follows the server clock again')
  t.equal((await call(app, a.apiKey, 'POST', `/v1/projects/${a.projects[0].id}/invitations`, { emails: ['x@example.com'] })).statusCode, 200, 'and is inside its trial')
  t.same(json(await app.inject({ url: `/__admin/organizations/${b.id}/clock` })).data, { now: iso(T0 + 2 * DAY), frozen: true }, "B's clock is its own still")
  t.equal((await call(app, b.apiKey, 'POST', `/v1/projects/${b.projects[0].id}/invitations`, { emails: ['x@example.com'] })).statusCode, 403)
  t.same(json(await app.inject({ url: '/__admin/faults' })).data.map((f: { id: number }) => f.id), [kept.id, unscoped.id], "the fault scoped to A is gone; B's and the server-wide one stay")
})

t.test('a member shared with another organization keeps the name that organization shows', async (t) => {
  const app = await build(t)
  const create = async (name: string, person: string) => json(await app.inject({
    method: 'POST', url: '/__admin/organizations', payload: { name, members: [{ email: 'alice@example.com', name: person, role: 'Admin' }] }
  })).data
  const a = await create('A', 'Alice from A')
  const b = await create('B', 'Alice from B')
  const namesIn = async (org: { apiKey: string }) => json(await call(app, org.apiKey, 'GET', '/v1/organization/members')).data.members
    .map((m: { email: string, name: string | null }) => `${m.email} ${m.name}`)
  const before = await namesIn(b)
  t.same(before.filter((m: string) => m.startsWith('alice@')), ['alice@example.com Alice from B'])
  t.equal((await reset(app, a.id)).statusCode, 200)
  t.same(await namesIn(b), before, "B's members are as they were: users are shared, a reset of A does not rewrite them")
})

t.test('the re-made organization is applied at the time it was first made, whatever the clocks show', async (t) => {
  const app = await build(t)
  const tenant = json(await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { projects: [{ name: 'P', invitations: [{ email: 'i@example.com' }] }] } })).data
  await app.inject({ method: 'POST', url: '/__admin/clock/advance', payload: { by: '5d' } })
  await app.inject({ method: 'POST', url: `/__admin/organizations/${tenant.id}/clock/advance`, payload: { by: '9d' } })
  const data = json(await reset(app, tenant.id)).data
  t.equal(data.createdAt, iso(T0))
  const invitations = json(await call(app, tenant.apiKey, 'GET', `/v1/projects/${tenant.projects[0].id}/invitations`)).data.invitations
  t.same(invitations.map((i: { created_at: string }) => i.created_at), [iso(T0)])
})

t.test('boot fixtures and the demo organization reset to their entry in the boot document, same ids and keys', async (t) => {
  const fixtures: Fixtures = {
    organizations: [{
      name: 'Booted',
      plan: 'TEAM',
      apiKeys: [{ key: 'confident_org_b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1' }],
      roles: [{ name: 'Custom' }],
      projects: [{ name: 'No id given' }]
    }, { name: 'Other', plan: 'TEAM', apiKeys: [{ key: 'confident_org_b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2' }] }]
  }
  const app = await build(t, { fixtures })
  const key = 'confident_org_b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1'
  const orgId = json(await call(app, key, 'GET', '/v1/organization')).data.organization.id as string
  const before = await reads(app, key, orgId)
  await call(app, key, 'POST', '/v1/projects', { name: 'Extra' })
  await call(app, key, 'PUT', '/v1/organization', { name: 'Renamed' })
  t.equal((await reset(app, orgId)).statusCode, 200)
  t.same(await reads(app, key, orgId), before, 'back to the boot state, minted ids (organization, project, role) kept')

  // The demo organization, on a server without fixtures.
  const demo = await buildApp(defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:' }), { logger: false, clock: new Clock(T0) })
  t.teardown(() => demo.close())
  await call(demo, DEMO_ORG_KEY, 'POST', `/v1/projects/${DEMO_PROJECT_ID}/invitations`, { emails: ['carol@example.com'] })
  const res = await reset(demo, DEMO_ORGANIZATION_ID)
  t.equal(res.statusCode, 200, res.body)
  t.match(json(res).data, { id: DEMO_ORGANIZATION_ID, name: 'Demo Organization', projects: [{ id: DEMO_PROJECT_ID, name: 'Demo Project' }] })
  t.same(json(await call(demo, DEMO_ORG_KEY, 'GET', `/v1/projects/${DEMO_PROJECT_ID}/invitations`)).data.invitations, [], 'the invitation is gone')
})

t.test('an organization with no stored document falls back to its boot entry, or is a 409 that changes nothing', async (t) => {
  const fixtures: Fixtures = { organizations: [{ id: 'cbootwithid00000000000000', name: 'Has id', plan: 'TEAM', apiKeys: [{ key: 'confident_org_c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1' }] }] }
  const app = await build(t, { fixtures })
  const tenant = json(await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: 'Imported' } })).data
  // As a database from before documents were kept, or a snapshot without them, would have it.
  const snapshot = json(await app.inject({ url: '/__admin/snapshot' }))
  t.equal(snapshot.tables.organization_documents.length, 2, 'the snapshot carries the documents')
  snapshot.tables.organization_documents = []
  t.equal((await app.inject({ method: 'POST', url: '/__admin/snapshot', payload: snapshot })).statusCode, 200)

  const refused = await reset(app, tenant.id)
  t.equal(refused.statusCode, 409)
  t.match(json(refused), { success: false, error: new RegExp(`^Organization ${tenant.id} has no document to reset to: `), deprecated: false })
  t.equal((await call(app, tenant.apiKey, 'GET', '/v1/organization')).statusCode, 200, 'nothing changed')

  await call(app, 'confident_org_c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1', 'POST', '/v1/projects', { name: 'Extra' })
  t.equal((await reset(app, 'cbootwithid00000000000000')).statusCode, 200, 'the boot organization falls back to its entry')
  t.same(json(await call(app, 'confident_org_c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1', 'GET', '/v1/projects')).data.projects, [])
  t.equal(json(await app.inject({ url: '/__admin/snapshot' })).tables.organization_documents.length, 1, 'and has its document again')

  const unknown = await reset(app, 'cnosuchorganization000000')
  t.same([unknown.statusCode, json(unknown)], [404, { success: false, error: 'Organization not found', deprecated: false }])
  t.equal((await app.inject({ method: 'POST', url: `/__admin/organizations/${'x'.repeat(201)}/reset` })).statusCode, 400, 'an id over 200 characters')
})

t.test('a document that no longer applies is a 409, and the organization stays as it was', async (t) => {
  const app = await build(t)
  const key = 'confident_org_d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1'
  const a = json(await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: 'A', apiKeys: [{ key }] } })).data
  // A second key, so that the first can go; then another tenant takes it.
  const second = json(await call(app, key, 'POST', '/v1/organization/api-keys', { name: 'second' })).data.apiKey
  const first = (json(await call(app, key, 'GET', '/v1/organization/api-keys')).data.apiKeys as Array<{ id: number }>)[0]!
  t.equal((await call(app, key, 'DELETE', `/v1/organization/api-keys/${first.id}`)).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: 'B', apiKeys: [{ key }] } })).statusCode, 201)

  const res = await reset(app, a.id)
  t.equal(res.statusCode, 409)
  t.match(json(res).error, new RegExp(`^Organization ${a.id} cannot be made again from its document: document/apiKeys/0: this key already belongs to another organization$`))
  t.notMatch(res.body, key)
  t.equal((await call(app, second.value, 'GET', '/v1/organization')).statusCode, 200, "A's key minted later still works: nothing was removed")
  t.equal(json(await call(app, second.value, 'GET', '/v1/organization')).data.organization.id, a.id)
})

t.test('documents travel in snapshots, keys as digests only: a reset on the importing server restores the same key', async (t) => {
  const source = await build(t)
  const tenant = json(await source.inject({ method: 'POST', url: '/__admin/organizations', payload: DOCUMENT })).data
  const snapshot = (await source.inject({ url: '/__admin/snapshot' })).body
  for (const k of tenant.apiKeys) t.notOk(snapshot.includes(k.key), `${k.key.slice(0, 16)}… is not in the snapshot`)
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> }
  t.equal(JSON.parse(snapshot).schema, journal.entries.at(-1)!.tag, 'the schema tag names the last migration')
  const target = await build(t, { config: { CONFIDENT_MOCK_ID_SEED: 'another seed' } })
  t.equal((await target.inject({ method: 'POST', url: '/__admin/snapshot', payload: JSON.parse(snapshot) })).statusCode, 200)
  await mess(target, tenant)
  t.equal((await reset(target, tenant.id)).statusCode, 200)
  const org = await call(target, tenant.apiKey, 'GET', '/v1/organization')
  t.same(json(org).data.organization, { id: tenant.id, name: 'Resettable', plan: 'TRIAL', created_at: tenant.createdAt })

  // A document the import cannot trust is refused, with the rest of the snapshot.
  const doc = JSON.parse(snapshot)
  const bad = (edit: (d: any) => void) => { const copy = structuredClone(doc); edit(copy.tables.organization_documents[0]); return copy }
  const cases: Array<[any, RegExp]> = [
    [bad((row) => { row.document = '{' }), /^tables\.organization_documents\[0\]\.document is not JSON$/],
    [bad((row) => { row.document = JSON.stringify({ ...JSON.parse(row.document), apiKeys: [{ key: 'confident_org_e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1' }] }) }), /^tables\.organization_documents\[0\]\.document is not an organization in the stored form: /],
    [bad((row) => { row.document = JSON.stringify({ ...JSON.parse(row.document), id: 'another' }) }), /^tables\.organization_documents\[0\]\.document must be the document of its organization_id/],
    [bad((row) => { row.organization_id = 'nope' }), /refers to a organizations row the snapshot does not have/]
  ]
  for (const [body, message] of cases) {
    const res = await target.inject({ method: 'POST', url: '/__admin/snapshot', payload: body })
    t.equal(res.statusCode, 400, String(message))
    t.match(json(res).error, message)
  }
})
