// /v1/projects/:projectId/policies[/:policyId] through app.inject: list, create, update, delete a project's policies.
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { App } from '../../../../src/app.js'
import { policies } from '../../../../src/db/schema.js'
import { permissionId } from '../../../../src/domain/roles.js'
import { build, json, seedOrg, T0 } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const TRACES_READ = permissionId('PROJECT', 'traces:read')
const TRACES_WRITE = permissionId('PROJECT', 'traces:write')
const BILLING_READ = permissionId('ORGANIZATION', 'billing:read')

// As the official SDKs send them: Content-Type: application/json on every request, body or not.
const headers = (key: string) => ({ CONFIDENT_API_KEY: key, 'content-type': 'application/json' })
const url = (projectId: string, policyId?: string) => `/v1/projects/${projectId}/policies${policyId === undefined ? '' : `/${policyId}`}`

function list (app: App, key: string, projectId: string) {
  return app.inject({ method: 'GET', url: url(projectId), headers: headers(key) })
}
function create (app: App, key: string, projectId: string, payload: unknown) {
  return app.inject({ method: 'POST', url: url(projectId), headers: headers(key), payload: JSON.stringify(payload) })
}
function update (app: App, key: string, projectId: string, policyId: string, payload: unknown) {
  return app.inject({ method: 'PUT', url: url(projectId, policyId), headers: headers(key), payload: JSON.stringify(payload) })
}
function remove (app: App, key: string, projectId: string, policyId: string) {
  return app.inject({ method: 'DELETE', url: url(projectId, policyId), headers: headers(key) })
}

const policyIdNamed = (app: App, name: string) => app.db.select({ id: policies.id }).from(policies).where(eq(policies.name, name)).get()!.id

/** An organization with projects Main and Other, each with a policy, an organization policy, and another organization with a project policy. */
function seedTwoProjects (app: App) {
  const org = seedOrg(app, {
    policies: [{ name: 'Org policy', permissions: ['billing:read'] }],
    projects: [
      { name: 'Main', policies: [{ name: 'View', description: 'Reads traces', permissions: ['traces:write', 'traces:read'] }, { name: 'Empty' }] },
      { name: 'Other', policies: [{ name: 'Other project policy' }] }
    ]
  })
  const foreign = seedOrg(app, { projects: [{ name: 'Main', policies: [{ name: 'Foreign policy' }] }] })
  return { org, foreign }
}

t.test('GET lists the project\'s policies in creation order, each with its permissions by name', async (t) => {
  const app = await build(t)
  const { org } = seedTwoProjects(app)
  const res = await list(app, org.key, org.projectId)
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listProjectPolicies', body)
  t.same(Object.keys(body.data), ['policies'])
  t.same(body.data.policies, [
    {
      id: policyIdNamed(app, 'View'),
      name: 'View',
      description: 'Reads traces',
      permissions: [{ id: TRACES_READ, name: 'traces:read' }, { id: TRACES_WRITE, name: 'traces:write' }]
    },
    { id: policyIdNamed(app, 'Empty'), name: 'Empty', description: null, permissions: [] }
  ], "not the organization's, not another project's")
  const other = json(await list(app, org.key, org.projects.Other!))
  t.same(other.data.policies.map((p: { name: string }) => p.name), ['Other project policy'])
})

t.test('POST creates a project policy from the project permission catalogue', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const catalogue = json(await app.inject({ url: `/v1/projects/${org.projectId}/permissions`, headers: headers(org.key) })).data.permissions
  const res = await create(app, org.key, org.projectId, { name: 'Tracing', permissionIds: catalogue.map((p: { id: string }) => p.id) })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'createProjectPolicy', body)
  const { policy } = body.data
  t.match(policy.id, UUID)
  t.equal(policy.name, 'Tracing')
  t.equal(policy.description, null)
  t.same(policy.permissions, [{ id: TRACES_READ, name: 'traces:read' }, { id: TRACES_WRITE, name: 'traces:write' }])
  t.same(app.db.select().from(policies).where(eq(policies.id, policy.id)).get(), {
    id: policy.id, organizationId: org.organizationId, projectId: org.projectId, name: 'Tracing', description: null, createdAt: T0
  })
  t.same(json(await list(app, org.key, org.projectId)).data.policies, [policy])
})

t.test('POST: each permission id must name a project permission; the first that does not is the 400', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const cases: Array<[string, string[], string]> = [
    ['an organization permission', [TRACES_READ, BILLING_READ], `permissionIds[1] (${JSON.stringify(BILLING_READ)}) is not a permission of the project catalogue`],
    ['an unknown id', [TRACES_READ, TRACES_READ, 'x'], 'permissionIds[2] ("x") is not a permission of the project catalogue']
  ]
  for (const [name, permissionIds, error] of cases) {
    const res = await create(app, org.key, org.projectId, { name: 'P', permissionIds })
    t.equal(res.statusCode, 400, name)
    t.same(json(res), { success: false, error, deprecated: false }, name)
  }
  t.equal(app.db.select().from(policies).all().length, 0)
})

t.test('POST: a name another policy of the project has is a 409; the organization\'s and other projects\' names do not count', async (t) => {
  const app = await build(t)
  const { org } = seedTwoProjects(app)
  const taken = await create(app, org.key, org.projectId, { name: 'View', permissionIds: [] })
  t.equal(taken.statusCode, 409)
  t.same(json(taken), { success: false, error: 'A policy named "View" already exists in this project', deprecated: false })
  for (const name of ['Org policy', 'Other project policy', 'Foreign policy', 'view']) {
    t.equal((await create(app, org.key, org.projectId, { name, permissionIds: [] })).statusCode, 200, name)
  }
})

t.test('POST: invalid bodies are a 400 naming the field', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const cases: Array<[string, unknown, RegExp]> = [
    ['no name', { permissionIds: [] }, /^body must have required property 'name'$/],
    ['no permissionIds', { name: 'A' }, /^body must have required property 'permissionIds'$/],
    ['name too long', { name: 'n'.repeat(201), permissionIds: [] }, /^body\.name must NOT have more than 200 characters$/],
    ['permissionIds of objects', { name: 'A', permissionIds: [{ id: TRACES_READ }] }, /^body\.permissionIds\[0\] must be string$/]
  ]
  for (const [name, payload, error] of cases) {
    const res = await create(app, org.key, org.projectId, payload)
    t.equal(res.statusCode, 400, name)
    t.match(json(res), { success: false, error, deprecated: false }, name)
  }
})

t.test('PUT replaces name and permissions; description: absent keeps it, null clears it', async (t) => {
  const app = await build(t)
  const { org } = seedTwoProjects(app)
  const id = policyIdNamed(app, 'View')
  const kept = await update(app, org.key, org.projectId, id, { name: 'View', permissionIds: [TRACES_READ] })
  t.equal(kept.statusCode, 200, 'its own name is fine')
  assertVendorResponse(t, 'updateProjectPolicy', json(kept))
  t.same(json(kept).data.policy, { id, name: 'View', description: 'Reads traces', permissions: [{ id: TRACES_READ, name: 'traces:read' }] })
  const cleared = await update(app, org.key, org.projectId, id, { name: 'Look', description: null, permissionIds: [] })
  t.equal(cleared.statusCode, 200)
  t.same(json(cleared).data.policy, { id, name: 'Look', description: null, permissions: [] })
  const taken = await update(app, org.key, org.projectId, id, { name: 'Empty', permissionIds: [] })
  t.equal(taken.statusCode, 409)
  t.equal(json(taken).error, 'A policy named "Empty" already exists in this project')
  const bad = await update(app, org.key, org.projectId, id, { name: 'Look', permissionIds: [BILLING_READ] })
  t.equal(bad.statusCode, 400)
  t.equal(json(bad).error, `permissionIds[0] (${JSON.stringify(BILLING_READ)}) is not a permission of the project catalogue`)
})

t.test('DELETE removes the policy, also from the project roles that granted it', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    projects: [{ name: 'Main', policies: [{ name: 'View' }, { name: 'Keep' }], roles: [{ name: 'Viewer', policies: ['View', 'Keep'] }] }]
  })
  const id = policyIdNamed(app, 'View')
  const res = await remove(app, org.key, org.projectId, id)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'deleteProjectPolicy', json(res))
  t.same(json(res), { success: true, data: { id, deleted: true } })
  t.same(json(await list(app, org.key, org.projectId)).data.policies.map((p: { name: string }) => p.name), ['Keep'])
  const roles = json(await app.inject({ url: `/v1/projects/${org.projectId}/roles`, headers: headers(org.key) })).data.roles
  t.same(roles.find((r: { name: string }) => r.name === 'Viewer').policies, [{ id: policyIdNamed(app, 'Keep'), name: 'Keep' }])
})

t.test("PUT and DELETE: the organization's policy, another project's, another organization's, or an unknown id is a 404", async (t) => {
  const app = await build(t)
  const { org } = seedTwoProjects(app)
  const ids = [['organization policy', 'Org policy'], ['other project', 'Other project policy'], ['foreign', 'Foreign policy']]
    .map(([name, policy]) => [name!, policyIdNamed(app, policy!)] as const)
  for (const [name, id] of [...ids, ['unknown', 'nope'] as const]) {
    const put = await update(app, org.key, org.projectId, id, { name: 'X', permissionIds: [] })
    t.equal(put.statusCode, 404, `PUT ${name}`)
    t.same(json(put), { success: false, error: 'Policy not found', deprecated: false }, `PUT ${name}`)
    const del = await remove(app, org.key, org.projectId, id)
    t.equal(del.statusCode, 404, `DELETE ${name}`)
    t.same(json(del), { success: false, error: 'Policy not found', deprecated: false }, `DELETE ${name}`)
  }
  t.equal(app.db.select().from(policies).all().length, 5, 'nothing was deleted')
})

t.test("every route: an unknown project or another organization's is a 404 before anything else", async (t) => {
  const app = await build(t)
  const { org, foreign } = seedTwoProjects(app)
  const policyId = policyIdNamed(app, 'View')
  for (const projectId of [foreign.projectId, 'cnosuchproject00000000000']) {
    const requests = [
      list(app, org.key, projectId),
      create(app, org.key, projectId, { name: 'X', permissionIds: ['not a permission'] }),
      update(app, org.key, projectId, policyId, { name: 'X', permissionIds: ['not a permission'] }),
      remove(app, org.key, projectId, policyId)
    ]
    for (const res of await Promise.all(requests)) {
      t.equal(res.statusCode, 404)
      t.same(json(res), { success: false, error: 'Project not found', deprecated: false })
    }
  }
})

t.test('key failures', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main', policies: [{ name: 'View' }] }] })
  const id = policyIdNamed(app, 'View')
  await assertKeyFailures(t, app, org, { method: 'GET', url: url(org.projectId) })
  await assertKeyFailures(t, app, org, { method: 'POST', url: url(org.projectId), payload: { name: 'A', permissionIds: [] } })
  await assertKeyFailures(t, app, org, { method: 'PUT', url: url(org.projectId, id), payload: { name: 'A', permissionIds: [] } })
  await assertKeyFailures(t, app, org, { method: 'DELETE', url: url(org.projectId, id) })
})
