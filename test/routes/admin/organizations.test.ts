// /__admin/organizations: tenants made in one call (fixtures format) with clear keys; changed, listed, removed.
import t from 'tap'
import { build, json, T0 } from '../../helpers/build.js'
import type { App } from '../../../src/app.js'

function create (app: App, payload: object) {
  return app.inject({ method: 'POST', url: '/__admin/organizations', payload })
}

function v1 (app: App, key: string, url: string, payload?: object) {
  return app.inject({ method: payload === undefined ? 'GET' : 'POST', url, headers: { CONFIDENT_API_KEY: key }, ...(payload === undefined ? {} : { payload }) })
}

t.test('an empty document makes a TEAM organization with a minted key that works on /v1', async (t) => {
  const app = await build(t)
  const res = await create(app, {})
  t.equal(res.statusCode, 201)
  const tenant = json(res).data
  t.match(tenant, { name: `Organization ${tenant.id}`, plan: 'TEAM', trialEndsAt: null, createdAt: new Date(T0).toISOString() })
  t.match(tenant.apiKey, /^confident_org_[0-9a-f]{32}$/)
  t.same(tenant.apiKeys, [{ key: tenant.apiKey, name: 'default', projectId: null, valid: true }])
  t.same([tenant.projects, tenant.roles, tenant.members], [[], [], []])

  const org = await v1(app, tenant.apiKey, '/v1/organization')
  t.equal(org.statusCode, 200)
  t.equal(json(org).data.organization.id, tenant.id)
  t.equal(json(org).data.organization.plan, 'TEAM')
})

t.test('a full document: projects with roles, members, keys of its own; ids and keys come back', async (t) => {
  const app = await build(t)
  const res = await create(app, {
    name: 'Tenant A',
    plan: 'TRIAL',
    trialEndsAt: '2026-02-01T00:00:00Z',
    apiKeys: [{ key: 'confident_org_11111111111111111111111111111111', name: 'mine' }, { key: 'confident_proj_22222222222222222222222222222222', project: 'Web' }],
    members: [{ email: 'Owner@A.example', role: 'Owner' }, { email: 'dev@a.example' }],
    roles: [{ name: 'Auditor' }],
    projects: [{ name: 'Web', roles: [{ name: 'Reviewer' }], members: [{ email: 'owner@a.example', role: 'Owner' }] }, { name: 'Api' }]
  })
  t.equal(res.statusCode, 201)
  const tenant = json(res).data
  t.equal(tenant.apiKey, 'confident_org_11111111111111111111111111111111', 'the given organization key; none minted')
  t.equal(tenant.apiKeys.length, 2)
  const web = tenant.projects.find((p: { name: string }) => p.name === 'Web')
  t.same(tenant.apiKeys[1], { key: 'confident_proj_22222222222222222222222222222222', name: null, projectId: web.id, valid: true })
  t.same(tenant.projects.map((p: { name: string }) => p.name).sort(), ['Api', 'Web'])
  t.same(web.roles.map((r: { name: string }) => r.name), ['Reviewer'])
  t.same(tenant.roles.map((r: { name: string }) => r.name), ['Auditor'])
  t.same(tenant.members.map((m: { email: string, role: string }) => [m.email, m.role]), [['owner@a.example', 'Owner'], ['dev@a.example', 'Member']])
  t.equal(tenant.trialEndsAt, '2026-02-01T00:00:00.000Z')

  // The ids returned are the ones /v1 shows, and the custom role invites.
  const invited = await v1(app, tenant.apiKey, `/v1/projects/${web.id}/invitations`, { emails: ['x@a.example'], projectRoleId: web.roles[0].id })
  t.equal(invited.statusCode, 200)
  t.equal(json(invited).data.invitations[0].projectRoleId, web.roles[0].id)
  t.equal((await v1(app, 'confident_proj_22222222222222222222222222222222', '/v1/organization')).statusCode, 403, 'the project key is a project key')
})

t.test('an organization key given as invalid does not count: one is minted', async (t) => {
  const app = await build(t)
  const tenant = json(await create(app, { apiKeys: [{ key: 'confident_org_33333333333333333333333333333333', valid: false }] })).data
  t.not(tenant.apiKey, 'confident_org_33333333333333333333333333333333')
  t.equal(tenant.apiKeys.length, 2)
  t.equal((await v1(app, tenant.apiKey, '/v1/organization')).statusCode, 200)
  t.equal((await v1(app, 'confident_org_33333333333333333333333333333333', '/v1/organization')).statusCode, 401)
})

t.test('a taken id is a 409; a taken name is not (names are not unique): two organizations, nothing merged', async (t) => {
  const app = await build(t)
  const first = json(await create(app, { name: 'Taken', projects: [{ name: 'One' }] })).data
  const byName = await create(app, { name: 'Taken', projects: [{ name: 'Two' }] })
  t.equal(byName.statusCode, 201, 'parallel suites may each make "Taken"')
  const second = json(byName).data
  t.not(second.id, first.id)
  const byId = await create(app, { id: first.id, name: 'Other' })
  t.equal(byId.statusCode, 409)
  t.equal(json(byId).error, `An organization with id ${first.id} already exists`)
  t.same(json(await v1(app, first.apiKey, '/v1/projects')).data.projects.map((p: { name: string }) => p.name), ['One'], 'nothing was added to the first')
  t.same(json(await v1(app, second.apiKey, '/v1/projects')).data.projects.map((p: { name: string }) => p.name), ['Two'])
  t.same(json(await app.inject('/__admin/organizations')).data.map((o: { name: string }) => o.name), ['Taken', 'Taken'])
})

t.test('bad documents are 400s naming the field, and leave nothing behind', async (t) => {
  const app = await build(t)
  const cases: Array<[object, RegExp]> = [
    [{ plan: 'GOLD' }, /^body\.plan /],
    [{ members: [{ email: 'not-an-email' }] }, /^body\.members\[0\]\.email must be a valid email$/],
    [{ unknown: true }, /must NOT have additional properties/],
    [{ members: [{ email: 'a@b.example', role: 'Nope' }] }, /^body\/members\/0\/role: no role named "Nope"/],
    [{ projects: [{ name: 'P', invitations: [{ email: 'a@b.example', role: 'Owner' }] }] }, /the Owner role cannot be assigned/],
    [{ trialEndsAt: 'tomorrow' }, /^body\.trialEndsAt must be a valid date-time$/],
    [{ apiKeys: [{ key: 'short' }] }, /^body\.apiKeys\[0\]\.key /]
  ]
  for (const [doc, message] of cases) {
    const res = await create(app, doc)
    t.equal(res.statusCode, 400, JSON.stringify(doc))
    t.equal(json(res).success, false)
    t.match(json(res).error, message)
  }
  t.same(json(await app.inject('/__admin/organizations')).data, [], 'no partial organization was kept')
})

t.test('a key that belongs to another organization is refused without echoing it', async (t) => {
  const app = await build(t)
  const a = json(await create(app, {})).data
  const res = await create(app, { apiKeys: [{ key: a.apiKey }] })
  t.equal(res.statusCode, 400)
  t.match(json(res).error, /already belongs to another organization/)
  t.notMatch(res.body, a.apiKey)
})

t.test('list, change plan and trial end (the trial rule follows), delete', async (t) => {
  const app = await build(t)
  const a = json(await create(app, { name: 'A', projects: [{ name: 'P' }] })).data
  const b = json(await create(app, { name: 'B' })).data
  t.same(json(await app.inject('/__admin/organizations')).data.map((o: { name: string }) => o.name), ['A', 'B'])

  const url = `/v1/projects/${a.projects[0].id}/invitations`
  t.equal((await v1(app, a.apiKey, url, { emails: ['one@x.example'] })).statusCode, 200)

  const patch = (id: string, payload: object) => app.inject({ method: 'PATCH', url: `/__admin/organizations/${id}`, payload })
  const freeNoTrial = await patch(a.id, { plan: 'FREE', trialEndsAt: null })
  t.equal(freeNoTrial.statusCode, 200)
  t.match(json(freeNoTrial).data, { id: a.id, plan: 'FREE', trialEndsAt: null })
  t.equal((await v1(app, a.apiKey, url, { emails: ['two@x.example'] })).statusCode, 403, 'FREE without a trial may not invite')

  const inTrial = await patch(a.id, { trialEndsAt: new Date(T0 + 86_400_000).toISOString() })
  t.match(json(inTrial).data, { plan: 'FREE', trialEndsAt: new Date(T0 + 86_400_000).toISOString() }, 'the plan stays as it was')
  t.equal((await v1(app, a.apiKey, url, { emails: ['two@x.example'] })).statusCode, 200, 'inside the trial it may')

  t.equal((await patch('nope', { plan: 'TEAM' })).statusCode, 404)
  t.equal((await patch(a.id, { plan: 'GOLD' })).statusCode, 400)
  t.equal((await patch(a.id, { name: 'renamed' })).statusCode, 400)

  const removed = await app.inject({ method: 'DELETE', url: `/__admin/organizations/${a.id}` })
  t.same(json(removed), { success: true, data: { id: a.id } })
  t.equal((await v1(app, a.apiKey, '/v1/organization')).statusCode, 401, "a removed organization's key stops working")
  t.same(json(await app.inject(`/__admin/outbox?organizationId=${a.id}`)).data, [], 'its outbox went with it')
  t.equal((await app.inject({ method: 'DELETE', url: `/__admin/organizations/${a.id}` })).statusCode, 404)
  t.same(json(await app.inject('/__admin/organizations')).data.map((o: { id: string }) => o.id), [b.id])
})

t.test('ids in the document already in use are a 409, a key listed twice a 400; a refused tenant uses up no id', async (t) => {
  const app = await build(t)
  const U = '00000000-0000-4000-8000-000000000000'
  for (const [doc, status, message] of [
    [{ roles: [{ id: U, name: 'a' }, { id: U, name: 'b' }] }, 409, 'An id in the document is already in use (roles.id)'],
    [{ policies: [{ id: U, name: 'a' }, { id: U, name: 'b' }] }, 409, 'An id in the document is already in use (policies.id)'],
    [{ governancePolicies: [{ id: U, name: 'a' }, { id: U, name: 'b' }] }, 409, 'An id in the document is already in use (governance_policies.id)'],
    [{ projects: [{ name: 'A' }], apiKeys: [{ key: 'kkkkkkkkkkkkkkkkkkkk' }, { key: 'kkkkkkkkkkkkkkkkkkkk', project: 'A' }] }, 400, 'body.apiKeys[1]: the same key is listed twice'],
    [{ name: 'x', members: [{ email: 'a@b.example', role: 'Nope' }] }, 400, /no role named "Nope"/]
  ] as const) {
    const res = await create(app, doc)
    t.equal(res.statusCode, status, JSON.stringify(doc))
    t.match(json(res), { success: false, error: message, deprecated: false })
  }
  const after = json(await create(app, {})).data
  const fresh = await build(t)
  t.equal(after.id, json(await create(fresh, {})).data.id, 'the first tenant made has the same id as on a server that refused nothing')
})

t.test('an empty body sent as JSON counts as no options', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/__admin/organizations', headers: { 'content-type': 'application/json' }, payload: '' })
  t.equal(res.statusCode, 201)
  t.equal((await app.inject({ method: 'POST', url: '/__admin/reset', headers: { 'content-type': 'application/json' }, payload: '  ' })).statusCode, 200)
  const bad = await app.inject({ method: 'POST', url: '/__admin/reset', headers: { 'content-type': 'application/json' }, payload: '{bad' })
  t.same([bad.statusCode, json(bad).error], [400, 'Request body is not valid JSON'])
})

/** An organization of `count` members, every one of them in its project too: the size the bench times. */
function large (count: number, tag = 'm') {
  const members = Array.from({ length: count }, (_, i) => ({ email: `${tag}-${i}@large.example`, name: `Member ${i}`, ...(i % 10 === 0 ? { role: 'Admin' } : {}) }))
  return { name: `Large ${tag}`, members, projects: [{ name: 'Main', members: members.map(({ email }, i) => ({ email, ...(i % 7 === 0 ? { role: 'Manager' } : {}) })) }] }
}

t.test('a tenant of 1,000 members: every one listed once, in document order, with the role given, in the organization and its project', async (t) => {
  const app = await build(t)
  const doc = large(1000)
  const res = await create(app, doc)
  t.equal(res.statusCode, 201)
  const tenant = json(res).data
  t.equal(tenant.members.length, 1000)
  t.same(tenant.members.map((m: { email: string }) => m.email), doc.members.map((m) => m.email), 'in the order the document lists them')
  t.same(tenant.members.map((m: { role: string }) => m.role), doc.members.map((m) => m.role ?? 'Member'))
  t.equal(new Set(tenant.members.map((m: { userId: string }) => m.userId)).size, 1000, 'one user each')

  const organization = await v1(app, tenant.apiKey, '/v1/organization/members?pageSize=100&page=10')
  t.equal(organization.statusCode, 200)
  t.equal(json(organization).data.total, 1000)
  const projectRoles: string[] = []
  for (let page = 1; page <= 10; page++) {
    const listed = json(await v1(app, tenant.apiKey, `/v1/projects/${tenant.projects[0].id}/members?pageSize=100&page=${page}`)).data
    t.equal(listed.total, 1000)
    projectRoles.push(...listed.members.map((m: { projectRole: { name: string } }) => m.projectRole.name))
  }
  t.same([projectRoles.length, projectRoles.filter((name) => name === 'Manager').length], [1000, Math.ceil(1000 / 7)], 'project roles as given')

  // Made again from its stored document: the same members, ids and order.
  const again = await app.inject({ method: 'POST', url: `/__admin/organizations/${tenant.id}/reset`, headers: { 'content-type': 'application/json' }, payload: '' })
  t.equal(again.statusCode, 200)
  t.same(json(again).data.members, tenant.members)
})

t.test('a large tenant made with the same seed has the same ids; another seed, others', async (t) => {
  const ids = async (seed: string) => {
    const app = await build(t, { config: { CONFIDENT_MOCK_ID_SEED: seed } })
    const first = json(await create(app, large(300, 'a'))).data
    const second = json(await create(app, { ...large(300, 'b'), members: [...large(300, 'a').members.slice(0, 5), ...large(300, 'b').members] })).data
    return [first.id, first.projects[0].id, ...first.members.map((m: { userId: string }) => m.userId), second.id, ...second.members.map((m: { userId: string }) => m.userId)]
  }
  const one = await ids('one')
  t.same(await ids('one'), one, 'same seed, same ids, in the same order')
  t.equal(new Set(one).size, one.length - 5, 'distinct, but for the five people of the first tenant who joined the second')
  t.notSame((await ids('two'))[0], one[0], 'another seed, other ids')
})
