// /v1/organization/governance-policies through app.inject: the list (controls, project counts), assign, unassign, and a policy's projects.
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { App } from '../../../../src/app.js'
import { projects as projectsTable } from '../../../../src/db/schema.js'
import { build, json, seedOrg, type SeededOrg } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

const GATE_ID = '7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6'
const CONTROL_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'

const list = (app: Awaited<ReturnType<typeof build>>, key: string) =>
  app.inject({ url: '/v1/organization/governance-policies', headers: { CONFIDENT_API_KEY: key } })

t.test('an organization without governance policies gets an empty list', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await list(app, org.key)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'listGovernancePolicies', json(res))
  t.same(json(res), { success: true, data: { governancePolicies: [] } })
})

t.test('lists the policies in declared order, with their controls in order and the number of enrolled projects', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    governancePolicies: [
      {
        id: GATE_ID,
        name: 'Release Gate',
        description: 'Before production',
        controls: [
          { id: CONTROL_ID, name: 'Evaluated', type: 'PRE_DEPLOYMENT_EVALS' },
          { name: 'Red-teamed', type: 'PRE_DEPLOYMENT_RED_TEAMING' },
          { name: 'Monitored', type: 'RUNTIME' },
          { name: 'On call', type: 'OPERATIONAL' }
        ]
      },
      { name: 'Unused' }
    ],
    projects: [{ name: 'Main', governancePolicy: 'Release Gate' }, { name: 'B', governancePolicy: 'Release Gate' }, { name: 'C', governancePolicy: null }, { name: 'D' }]
  })
  seedOrg(app, { governancePolicies: [{ name: 'Foreign' }], projects: [{ name: 'Main', governancePolicy: 'Foreign' }] })
  const res = await list(app, org.key)
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listGovernancePolicies', body)
  t.same(Object.keys(body.data), ['governancePolicies'])
  const [gate, unused, ...rest] = body.data.governancePolicies
  t.same(rest, [], "not another organization's")
  t.same(Object.keys(gate), ['id', 'name', 'description', 'projectsCount', 'controls'])
  t.equal(gate.id, GATE_ID)
  t.equal(gate.name, 'Release Gate')
  t.equal(gate.description, 'Before production')
  t.equal(gate.projectsCount, 2)
  t.same(gate.controls.map((c: { name: string, type: string }) => [c.name, c.type]), [
    ['Evaluated', 'PRE_DEPLOYMENT_EVALS'], ['Red-teamed', 'PRE_DEPLOYMENT_RED_TEAMING'], ['Monitored', 'RUNTIME'], ['On call', 'OPERATIONAL']
  ])
  t.equal(gate.controls[0].id, CONTROL_ID)
  for (const control of gate.controls) t.same(Object.keys(control), ['id', 'name', 'type'])
  t.match(gate.controls[1].id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'generated ids are UUIDs')
  t.match(unused, { name: 'Unused', description: null, projectsCount: 0, controls: [] })

  // Projects show their enrollment too.
  const projects = json(await app.inject({ url: '/v1/projects', headers: { CONFIDENT_API_KEY: org.key } })).data.projects
  t.same(projects.map((p: { governancePolicy: unknown }) => p.governancePolicy),
    [{ id: GATE_ID, name: 'Release Gate' }, { id: GATE_ID, name: 'Release Gate' }, null, null])
})

t.test('key failures', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { governancePolicies: [{ id: A_ID, name: 'A' }] })
  await assertKeyFailures(t, app, org, { method: 'GET', url: '/v1/organization/governance-policies' })
  await assertKeyFailures(t, app, org, { method: 'POST', url: `/v1/organization/governance-policies/${A_ID}/assign`, payload: { projectIds: [org.projectId] } })
  await assertKeyFailures(t, app, org, { method: 'POST', url: `/v1/organization/governance-policies/${A_ID}/unassign`, payload: { projectIds: [org.projectId] } })
  await assertKeyFailures(t, app, org, { method: 'GET', url: `/v1/organization/governance-policies/${A_ID}/projects` })
  t.equal(policyOf(app, org.projectId), null, 'nothing was assigned')
})

const A_ID = '1a1a1a1a-1a1a-4a1a-8a1a-1a1a1a1a1a1a'
const B_ID = '2b2b2b2b-2b2b-4b2b-8b2b-2b2b2b2b2b2b'
const FOREIGN_ID = '3c3c3c3c-3c3c-4c3c-8c3c-3c3c3c3c3c3c'

/** As the official SDKs send every request: a JSON Content-Type, the body (if any) as JSON text. */
function send (app: App, key: string, method: 'GET' | 'POST', url: string, payload?: unknown) {
  return app.inject({
    method,
    url,
    headers: { CONFIDENT_API_KEY: key, 'content-type': 'application/json' },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) })
  })
}

const assign = (app: App, key: string, policyId: string, payload: unknown) =>
  send(app, key, 'POST', `/v1/organization/governance-policies/${policyId}/assign`, payload)
const unassign = (app: App, key: string, policyId: string, payload: unknown) =>
  send(app, key, 'POST', `/v1/organization/governance-policies/${policyId}/unassign`, payload)
const projectsOf = (app: App, key: string, policyId: string, query = '') =>
  send(app, key, 'GET', `/v1/organization/governance-policies/${policyId}/projects${query}`)

function policyOf (app: App, projectId: string): string | null {
  return app.db.select({ id: projectsTable.governancePolicyId }).from(projectsTable).where(eq(projectsTable.id, projectId)).get()!.id
}

async function counts (app: App, key: string): Promise<Record<string, number>> {
  const res = await list(app, key)
  return Object.fromEntries(json(res).data.governancePolicies.map((p: { name: string, projectsCount: number }) => [p.name, p.projectsCount]))
}

interface World {
  app: App
  org: SeededOrg
  other: SeededOrg
  p: Record<string, string>
}

/** An organization with policies A (Main, P2) and B (P4), P3 and P5 on none; another organization with its own policy and project. */
async function world (t: Parameters<typeof build>[0]): Promise<World> {
  const app = await build(t)
  const org = seedOrg(app, {
    governancePolicies: [{ id: A_ID, name: 'A' }, { id: B_ID, name: 'B' }],
    projects: [
      { name: 'Main', governancePolicy: 'A' },
      { name: 'P2', governancePolicy: 'A' },
      { name: 'P3' },
      { name: 'P4', governancePolicy: 'B' },
      { name: 'P5' }
    ]
  })
  const other = seedOrg(app, { governancePolicies: [{ id: FOREIGN_ID, name: 'A' }], projects: [{ name: 'Main', governancePolicy: 'A' }] })
  return { app, org, other, p: org.projects }
}

t.test('assign: enrolls projects, moves them off another policy, reports the rest as not found, counts repeats once', async (t) => {
  const { app, org, other, p } = await world(t)
  t.same(await counts(app, org.key), { A: 2, B: 1 })
  const res = await assign(app, org.key, B_ID, {
    projectIds: [p.P2!, 'cnosuchproject00000000000', p.P3!, other.projectId, p.P4!, p.P2!, 'cnosuchproject00000000000'],
    note: 'unknown fields are ignored'
  })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'assignProjectsToGovernancePolicy', body)
  t.same(Object.keys(body), ['success', 'data'])
  t.equal(body.success, true)
  t.same(Object.keys(body.data), ['governancePolicy', 'assignedProjectIds', 'notFoundProjectIds', 'count'])
  t.same(body.data.governancePolicy, { id: B_ID, name: 'B' })
  t.same(body.data.assignedProjectIds, [p.P2, p.P3, p.P4], 'request order; P4 was already on B and still counts; P2 once')
  t.same(body.data.notFoundProjectIds, ['cnosuchproject00000000000', other.projectId], "unknown and another organization's, once each")
  t.equal(body.data.count, 3)

  t.equal(policyOf(app, p.P2!), B_ID, 'P2 moved from A to B')
  t.equal(policyOf(app, p.P3!), B_ID)
  t.equal(policyOf(app, p.P4!), B_ID)
  t.equal(policyOf(app, p.Main!), A_ID, 'not named, not moved')
  t.equal(policyOf(app, p.P5!), null)
  t.equal(policyOf(app, other.projectId), FOREIGN_ID, "another organization's project is untouched")
  t.same(await counts(app, org.key), { A: 1, B: 3 }, "A's projectsCount drops, B's grows")
  t.same(await counts(app, other.key), { A: 1 })

  const projects = json(await send(app, org.key, 'GET', '/v1/projects')).data.projects
  t.same(projects.find((x: { id: string }) => x.id === p.P2).governancePolicy, { id: B_ID, name: 'B' }, 'GET /v1/projects shows the move')
})

t.test('assign: nothing found is still a 200 with count 0', async (t) => {
  const { app, org, other } = await world(t)
  const res = await assign(app, org.key, A_ID, { projectIds: [other.projectId] })
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'assignProjectsToGovernancePolicy', json(res))
  t.same(json(res).data, { governancePolicy: { id: A_ID, name: 'A' }, assignedProjectIds: [], notFoundProjectIds: [other.projectId], count: 0 })
  t.same(await counts(app, org.key), { A: 2, B: 1 })
})

t.test('unassign: takes off projects on this policy, skips every other id', async (t) => {
  const { app, org, other, p } = await world(t)
  const res = await unassign(app, org.key, A_ID, {
    projectIds: [p.P4!, p.P2!, 'cnosuchproject00000000000', other.projectId, p.P5!, p.P2!, p.Main!]
  })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'unassignProjectsFromGovernancePolicy', body)
  t.same(Object.keys(body), ['success', 'data'])
  t.equal(body.success, true)
  t.same(Object.keys(body.data), ['governancePolicy', 'unassignedProjectIds', 'skippedProjectIds', 'count'])
  t.same(body.data.governancePolicy, { id: A_ID, name: 'A' })
  t.same(body.data.unassignedProjectIds, [p.P2, p.Main], 'request order, P2 once')
  t.same(body.data.skippedProjectIds, [p.P4, 'cnosuchproject00000000000', other.projectId, p.P5],
    "on another policy, unknown, another organization's (even though it is on that organization's policy), on none")
  t.equal(body.data.count, 2)
  t.equal(policyOf(app, p.P2!), null)
  t.equal(policyOf(app, p.Main!), null)
  t.equal(policyOf(app, p.P4!), B_ID, 'a project on another policy stays there')
  t.equal(policyOf(app, other.projectId), FOREIGN_ID)
  t.same(await counts(app, org.key), { A: 0, B: 1 })

  const again = await unassign(app, org.key, A_ID, { projectIds: [p.P2!] })
  t.equal(again.statusCode, 200)
  assertVendorResponse(t, 'unassignProjectsFromGovernancePolicy', json(again))
  t.same(json(again).data, { governancePolicy: { id: A_ID, name: 'A' }, unassignedProjectIds: [], skippedProjectIds: [p.P2], count: 0 }, 'unassigning twice skips')
})

t.test("another organization's policy, or an unknown one, is a 404 on every route; nothing changes", async (t) => {
  const { app, org, other } = await world(t)
  const notFound = { success: false, error: 'Governance policy not found', deprecated: false }
  for (const policyId of [FOREIGN_ID, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', 'x'.repeat(500)]) {
    for (const res of [
      await assign(app, org.key, policyId, { projectIds: [org.projectId] }),
      await unassign(app, org.key, policyId, { projectIds: [org.projectId] }),
      await projectsOf(app, org.key, policyId)
    ]) {
      t.equal(res.statusCode, 404, policyId)
      t.same(json(res), notFound, policyId)
    }
  }
  // The owner of the foreign policy names its own project: still a 404 for someone else's key.
  t.equal((await unassign(app, org.key, FOREIGN_ID, { projectIds: [other.projectId] })).statusCode, 404)
  t.equal(policyOf(app, org.projectId), A_ID)
  t.equal(policyOf(app, other.projectId), FOREIGN_ID)
  // The body is checked first: an invalid body on a foreign policy is a 400.
  t.equal((await assign(app, org.key, FOREIGN_ID, { projectIds: [] })).statusCode, 400, 'the body is validated before the policy is looked up')
})

t.test('assign and unassign: invalid bodies are a 400 naming the field, and nothing changes', async (t) => {
  const { app, org, p } = await world(t)
  const cases: Array<[string, unknown, RegExp]> = [
    ['projectIds missing', {}, /^body must have required property 'projectIds'$/],
    ['projectIds empty', { projectIds: [] }, /^body\.projectIds must NOT have fewer than 1 items$/],
    ['projectIds a string', { projectIds: p.P3 }, /^body\.projectIds must be array$/],
    ['projectIds null', { projectIds: null }, /^body\.projectIds must be array$/],
    ['projectIds an object', { projectIds: { 0: p.P3 } }, /^body\.projectIds must be array$/],
    ['too many ids', { projectIds: Array.from({ length: 101 }, (_, i) => `p${i}`) }, /^body\.projectIds must NOT have more than 100 items$/],
    ['an id a number', { projectIds: [p.P3, 7] }, /^body\.projectIds\[1\] must be string$/],
    ['an id null', { projectIds: [null] }, /^body\.projectIds\[0\] must be string$/],
    ['an id empty', { projectIds: [''] }, /^body\.projectIds\[0\] must NOT have fewer than 1 characters$/],
    ['an id too long', { projectIds: ['x'.repeat(501)] }, /^body\.projectIds\[0\] must NOT have more than 500 characters$/],
    ['body an array', [p.P3], /^Request body must be a JSON object$/]
  ]
  for (const route of [assign, unassign]) {
    for (const [name, payload, error] of cases) {
      const res = await route(app, org.key, A_ID, payload)
      t.equal(res.statusCode, 400, `${route === assign ? 'assign' : 'unassign'}: ${name}`)
      t.match(json(res), { success: false, error, deprecated: false }, name)
    }
    const empty = await app.inject({ method: 'POST', url: `/v1/organization/governance-policies/${A_ID}/${route === assign ? 'assign' : 'unassign'}`, headers: { CONFIDENT_API_KEY: org.key } })
    t.equal(empty.statusCode, 400, 'no body at all')
    t.equal(json(empty).error, 'Request body must be a JSON object')
  }
  t.same(await counts(app, org.key), { A: 2, B: 1 })

  // The limits themselves are allowed: 100 ids, 500 characters.
  const most = await assign(app, org.key, B_ID, { projectIds: [p.P3!, ...Array.from({ length: 98 }, (_, i) => `p${i}`), 'x'.repeat(500)] })
  t.equal(most.statusCode, 200)
  t.equal(json(most).data.count, 1)
  t.equal(json(most).data.notFoundProjectIds.length, 99)
})

t.test("GET a policy's projects: by name then id, paginated, total whatever the page", async (t) => {
  const app = await build(t)
  const names = ['echo', 'alpha', 'delta', 'Charlie', 'bravo', 'foxtrot']
  const org = seedOrg(app, {
    governancePolicies: [{ id: A_ID, name: 'A' }, { id: B_ID, name: 'B' }],
    projects: [...names.map((name) => ({ name, governancePolicy: 'A' })), { name: 'elsewhere', governancePolicy: 'B' }, { name: 'none' }]
  })
  const sorted = [...names].sort()
  t.same(sorted, ['Charlie', 'alpha', 'bravo', 'delta', 'echo', 'foxtrot'], 'names sort by code point')
  const expected = sorted.map((name) => ({ id: org.projects[name], name }))

  const all = await projectsOf(app, org.key, A_ID)
  t.equal(all.statusCode, 200)
  const body = json(all)
  assertVendorResponse(t, 'listGovernancePolicyProjects', body)
  t.same(Object.keys(body), ['success', 'data'])
  t.same(Object.keys(body.data), ['projects', 'total'])
  for (const project of body.data.projects) t.same(Object.keys(project), ['id', 'name'])
  t.same(body.data.projects, expected, 'defaults: page 1, pageSize 25')
  t.equal(body.data.total, 6)

  const pages: Array<[string, unknown[]]> = [
    ['?page=2&pageSize=2', expected.slice(2, 4)],
    ['?page=3&pageSize=2', expected.slice(4, 6)],
    ['?page=2&pageSize=4', expected.slice(4, 6)],
    ['?page=4&pageSize=2', []],
    ['?pageSize=1', expected.slice(0, 1)],
    ['?page=1&pageSize=100', expected],
    ['?page=9007199254740991&pageSize=100', []]
  ]
  for (const [query, wanted] of pages) {
    const res = await projectsOf(app, org.key, A_ID, query)
    t.equal(res.statusCode, 200, query)
    assertVendorResponse(t, 'listGovernancePolicyProjects', json(res))
    t.same(json(res).data, { projects: wanted, total: 6 }, query)
  }

  const empty = await projectsOf(app, org.key, B_ID, '?page=1')
  t.same(json(empty).data, { projects: [{ id: org.projects.elsewhere, name: 'elsewhere' }], total: 1 })

  // Assignments show at once.
  await assign(app, org.key, B_ID, { projectIds: [org.projects.alpha!, org.projects.none!] })
  t.same(json(await projectsOf(app, org.key, B_ID)).data, {
    projects: [{ id: org.projects.alpha, name: 'alpha' }, { id: org.projects.elsewhere, name: 'elsewhere' }, { id: org.projects.none, name: 'none' }],
    total: 3
  })
  t.equal(json(await projectsOf(app, org.key, A_ID, '?pageSize=1')).data.total, 5)
})

t.test("GET a policy's projects: page and pageSize out of range are 400s naming the parameter", async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { governancePolicies: [{ id: A_ID, name: 'A' }] })
  const cases: Array<[string, string]> = [
    ['?page=0', 'querystring.page must be >= 1'],
    ['?page=-1', 'querystring.page must be >= 1'],
    ['?page=1.5', 'querystring.page must be integer'],
    ['?page=abc', 'querystring.page must be integer'],
    ['?pageSize=0', 'querystring.pageSize must be >= 1'],
    ['?pageSize=101', 'querystring.pageSize must be <= 100'],
    ['?pageSize=2.5', 'querystring.pageSize must be integer'],
    ['?pageSize=ten', 'querystring.pageSize must be integer']
  ]
  for (const [query, error] of cases) {
    const res = await projectsOf(app, org.key, A_ID, query)
    t.equal(res.statusCode, 400, query)
    t.same(json(res), { success: false, error, deprecated: false }, query)
  }
  // An unknown policy with a bad query: the query is checked first.
  t.equal((await projectsOf(app, org.key, FOREIGN_ID, '?pageSize=0')).statusCode, 400)
})
