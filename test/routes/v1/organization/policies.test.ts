// /v1/organization/policies[/:policyId] through app.inject: list, create, update, delete the organization's own policies.
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { App } from '../../../../src/app.js'
import { policies } from '../../../../src/db/schema.js'
import { permissionId } from '../../../../src/domain/roles.js'
import { build, json, seedOrg, T0 } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const BILLING_READ = permissionId('ORGANIZATION', 'billing:read')
const BILLING_WRITE = permissionId('ORGANIZATION', 'billing:write')
const TRACES_READ = permissionId('PROJECT', 'traces:read')

// As the official SDKs send them: Content-Type: application/json on every request, body or not.
const headers = (key: string) => ({ CONFIDENT_API_KEY: key, 'content-type': 'application/json' })

function list (app: App, key: string) {
  return app.inject({ method: 'GET', url: '/v1/organization/policies', headers: headers(key) })
}
function create (app: App, key: string, payload: unknown) {
  return app.inject({ method: 'POST', url: '/v1/organization/policies', headers: headers(key), payload: JSON.stringify(payload) })
}
function update (app: App, key: string, policyId: string, payload: unknown) {
  return app.inject({ method: 'PUT', url: `/v1/organization/policies/${policyId}`, headers: headers(key), payload: JSON.stringify(payload) })
}
function remove (app: App, key: string, policyId: string) {
  return app.inject({ method: 'DELETE', url: `/v1/organization/policies/${policyId}`, headers: headers(key) })
}

const policyIdNamed = (app: App, name: string) => app.db.select({ id: policies.id }).from(policies).where(eq(policies.name, name)).get()!.id

t.test('GET lists the organization\'s own policies in creation order, each with its permissions by name', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    policies: [
      { name: 'Zeta', description: 'Last by name, first made', permissions: ['billing:write', 'billing:read'] },
      { name: 'Alpha' }
    ],
    projects: [{ name: 'Main', policies: [{ name: 'Project only', permissions: ['traces:read'] }] }]
  })
  seedOrg(app, { policies: [{ name: 'Foreign' }] })
  app.clock.advance(1000)
  const made = json(await create(app, org.key, { name: 'Made later', permissionIds: [] })).data.policy

  const res = await list(app, org.key)
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listPolicies', body)
  t.same(Object.keys(body), ['success', 'data'])
  t.same(Object.keys(body.data), ['policies'])
  t.same(body.data.policies, [
    {
      id: policyIdNamed(app, 'Zeta'),
      name: 'Zeta',
      description: 'Last by name, first made',
      permissions: [{ id: BILLING_READ, name: 'billing:read' }, { id: BILLING_WRITE, name: 'billing:write' }]
    },
    { id: policyIdNamed(app, 'Alpha'), name: 'Alpha', description: null, permissions: [] },
    { id: made.id, name: 'Made later', description: null, permissions: [] }
  ], "not a project's, not another organization's")
  for (const policy of body.data.policies) t.same(Object.keys(policy), ['id', 'name', 'description', 'permissions'])
})

t.test('GET with no policies is an empty list', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await list(app, org.key)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'listPolicies', json(res))
  t.same(json(res), { success: true, data: { policies: [] } })
})

t.test('POST', async (t) => {
  t.test('creates a policy from the permission catalogue and answers it', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const catalogue = json(await app.inject({ url: '/v1/organization/permissions', headers: headers(org.key) })).data.permissions
    const ids = catalogue.map((p: { id: string }) => p.id)
    const res = await create(app, org.key, { name: 'Billing', description: 'All of billing', permissionIds: [...ids].reverse() })
    t.equal(res.statusCode, 200)
    const body = json(res)
    assertVendorResponse(t, 'createPolicy', body)
    t.same(Object.keys(body.data), ['policy'])
    const { policy } = body.data
    t.match(policy.id, UUID, 'the id is a UUID')
    t.equal(policy.name, 'Billing')
    t.equal(policy.description, 'All of billing')
    t.same(policy.permissions, [{ id: BILLING_READ, name: 'billing:read' }, { id: BILLING_WRITE, name: 'billing:write' }], 'by name')
    const row = app.db.select().from(policies).where(eq(policies.id, policy.id)).get()!
    t.same(row, {
      id: policy.id, organizationId: org.organizationId, projectId: null, name: 'Billing', description: 'All of billing', createdAt: T0
    }, 'an organization-level policy, created at the server clock')
    t.same(json(await list(app, org.key)).data.policies, [policy], 'listed')
  })

  t.test('description may be left out or null; an empty permission list is a policy without permissions', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    for (const [name, payload] of [['absent', { name: 'A', permissionIds: [] }], ['null', { name: 'B', description: null, permissionIds: [] }]] as const) {
      const res = await create(app, org.key, payload)
      t.equal(res.statusCode, 200, name)
      assertVendorResponse(t, 'createPolicy', json(res))
      t.equal(json(res).data.policy.description, null, name)
      t.same(json(res).data.policy.permissions, [], name)
    }
  })

  t.test('a permission id given twice counts once; unknown body fields are ignored', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const res = await create(app, org.key, { name: 'Twice', permissionIds: [BILLING_READ, BILLING_READ], extra: true })
    t.equal(res.statusCode, 200)
    t.same(json(res).data.policy.permissions, [{ id: BILLING_READ, name: 'billing:read' }])
  })

  t.test('invalid bodies are a 400 naming the field, and nothing is created', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const cases: Array<[string, unknown, RegExp]> = [
      ['no name', { permissionIds: [] }, /^body must have required property 'name'$/],
      ['no permissionIds', { name: 'A' }, /^body must have required property 'permissionIds'$/],
      ['empty name', { name: '', permissionIds: [] }, /^body\.name must NOT have fewer than 1 characters$/],
      ['name too long', { name: 'n'.repeat(201), permissionIds: [] }, /^body\.name must NOT have more than 200 characters$/],
      ['name not a string', { name: 7, permissionIds: [] }, /^body\.name must be string$/],
      ['description too long', { name: 'A', description: 'd'.repeat(2001), permissionIds: [] }, /^body\.description must NOT have more than 2000 characters$/],
      ['description a number', { name: 'A', description: 3, permissionIds: [] }, /^body\.description must be string$/],
      ['permissionIds not an array', { name: 'A', permissionIds: BILLING_READ }, /^body\.permissionIds must be array$/],
      ['permissionIds of numbers', { name: 'A', permissionIds: [1] }, /^body\.permissionIds\[0\] must be string$/],
      ['too many permissionIds', { name: 'A', permissionIds: Array.from({ length: 201 }, () => BILLING_READ) }, /^body\.permissionIds must NOT have more than 200 items$/],
      ['body an array', [{ name: 'A', permissionIds: [] }], /^Request body must be a JSON object$/]
    ]
    for (const [name, payload, error] of cases) {
      const res = await create(app, org.key, payload)
      t.equal(res.statusCode, 400, name)
      t.match(json(res), { success: false, error, deprecated: false }, name)
    }
    const empty = await app.inject({ method: 'POST', url: '/v1/organization/policies', headers: headers(org.key) })
    t.equal(empty.statusCode, 400, 'no body at all')
    t.equal(app.db.select().from(policies).all().length, 0, 'nothing was created')
  })

  t.test('each permission id must name an organization permission: the first that does not is the 400', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const cases: Array<[string, string[], string]> = [
      ['a project permission', [BILLING_READ, TRACES_READ], `permissionIds[1] (${JSON.stringify(TRACES_READ)}) is not a permission of the organization catalogue`],
      ['an unknown id', ['nope', TRACES_READ], 'permissionIds[0] ("nope") is not a permission of the organization catalogue'],
      ['after a repeat', [BILLING_READ, BILLING_READ, 'x"y'], 'permissionIds[2] ("x\\"y") is not a permission of the organization catalogue']
    ]
    for (const [name, permissionIds, error] of cases) {
      const res = await create(app, org.key, { name: 'P', permissionIds })
      t.equal(res.statusCode, 400, name)
      t.same(json(res), { success: false, error, deprecated: false }, name)
    }
    t.equal(app.db.select().from(policies).all().length, 0, 'nothing was created')
  })

  t.test('a name another organization policy has is a 409; names compare exactly, and other owners do not count', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, {
      policies: [{ name: 'Billing' }],
      projects: [{ name: 'Main', policies: [{ name: 'Project name' }] }]
    })
    seedOrg(app, { policies: [{ name: 'Elsewhere' }] })
    const taken = await create(app, org.key, { name: 'Billing', permissionIds: [] })
    t.equal(taken.statusCode, 409)
    t.same(json(taken), { success: false, error: 'A policy named "Billing" already exists in this organization', deprecated: false })
    for (const name of ['billing', 'Billing ', 'Project name', 'Elsewhere']) {
      t.equal((await create(app, org.key, { name, permissionIds: [] })).statusCode, 200, name)
    }
  })

  t.test('key failures', async (t) => {
    const app = await build(t)
    await assertKeyFailures(t, app, seedOrg(app), { method: 'POST', url: '/v1/organization/policies', payload: { name: 'A', permissionIds: [] } })
  })
})

t.test('PUT', async (t) => {
  t.test('replaces name and permissions; description: absent keeps it, null clears it, a string sets it', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { policies: [{ name: 'Billing', description: 'Kept', permissions: ['billing:read'] }] })
    const id = policyIdNamed(app, 'Billing')
    const steps: Array<[string, Record<string, unknown>, { name: string, description: string | null, permissions: string[] }]> = [
      ['absent description', { name: 'Billing', permissionIds: [BILLING_WRITE] }, { name: 'Billing', description: 'Kept', permissions: [BILLING_WRITE] }],
      ['rename, new description', { name: 'Money', description: 'New', permissionIds: [BILLING_WRITE, BILLING_READ] }, { name: 'Money', description: 'New', permissions: [BILLING_READ, BILLING_WRITE] }],
      ['null description, no permissions', { name: 'Money', description: null, permissionIds: [] }, { name: 'Money', description: null, permissions: [] }]
    ]
    for (const [name, payload, wanted] of steps) {
      const res = await update(app, org.key, id, payload)
      t.equal(res.statusCode, 200, name)
      const body = json(res)
      assertVendorResponse(t, 'updatePolicy', body)
      t.same(Object.keys(body.data), ['policy'], name)
      t.equal(body.data.policy.id, id, name)
      t.equal(body.data.policy.name, wanted.name, name)
      t.equal(body.data.policy.description, wanted.description, name)
      t.same(body.data.policy.permissions.map((p: { id: string }) => p.id), wanted.permissions, name)
      t.same(json(await list(app, org.key)).data.policies, [body.data.policy], `${name}: the list agrees`)
    }
  })

  t.test('a name another policy of the organization has is a 409; its own name is fine', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { policies: [{ name: 'One' }, { name: 'Two' }] })
    const res = await update(app, org.key, policyIdNamed(app, 'Two'), { name: 'One', permissionIds: [] })
    t.equal(res.statusCode, 409)
    t.same(json(res), { success: false, error: 'A policy named "One" already exists in this organization', deprecated: false })
    t.equal((await update(app, org.key, policyIdNamed(app, 'Two'), { name: 'Two', permissionIds: [] })).statusCode, 200)
  })

  t.test('a permission id that is not an organization permission is a 400, and nothing changes', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { policies: [{ name: 'Billing', permissions: ['billing:read'] }] })
    const id = policyIdNamed(app, 'Billing')
    const res = await update(app, org.key, id, { name: 'Renamed', permissionIds: [TRACES_READ] })
    t.equal(res.statusCode, 400)
    t.equal(json(res).error, `permissionIds[0] (${JSON.stringify(TRACES_READ)}) is not a permission of the organization catalogue`)
    t.same(json(await list(app, org.key)).data.policies.map((p: { name: string, permissions: unknown[] }) => [p.name, p.permissions.length]), [['Billing', 1]])
  })

  t.test("another organization's policy, a project's, or an unknown id is a 404", async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { projects: [{ name: 'Main', policies: [{ name: 'Project policy' }] }] })
    seedOrg(app, { policies: [{ name: 'Foreign' }] })
    for (const [name, id] of [['foreign', policyIdNamed(app, 'Foreign')], ['project', policyIdNamed(app, 'Project policy')], ['unknown', 'nope']] as const) {
      const res = await update(app, org.key, id, { name: 'X', permissionIds: [] })
      t.equal(res.statusCode, 404, name)
      t.same(json(res), { success: false, error: 'Policy not found', deprecated: false }, name)
    }
  })

  t.test('invalid bodies are a 400 naming the field', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { policies: [{ name: 'Billing' }] })
    const id = policyIdNamed(app, 'Billing')
    const cases: Array<[string, unknown, RegExp]> = [
      ['no name', { permissionIds: [] }, /^body must have required property 'name'$/],
      ['no permissionIds', { name: 'A' }, /^body must have required property 'permissionIds'$/],
      ['empty name', { name: '', permissionIds: [] }, /^body\.name must NOT have fewer than 1 characters$/]
    ]
    for (const [name, payload, error] of cases) {
      const res = await update(app, org.key, id, payload)
      t.equal(res.statusCode, 400, name)
      t.match(json(res), { success: false, error, deprecated: false }, name)
    }
  })

  t.test('key failures', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { policies: [{ name: 'Billing' }] })
    await assertKeyFailures(t, app, org, { method: 'PUT', url: `/v1/organization/policies/${policyIdNamed(app, 'Billing')}`, payload: { name: 'A', permissionIds: [] } })
  })
})

t.test('DELETE', async (t) => {
  t.test('deletes the policy: a role that granted it stays, without it', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, {
      policies: [{ name: 'Billing', permissions: ['billing:read'] }, { name: 'Other' }],
      roles: [{ name: 'Accountant', policies: ['Billing', 'Other'] }]
    })
    const id = policyIdNamed(app, 'Billing')
    const res = await remove(app, org.key, id)
    t.equal(res.statusCode, 200)
    const body = json(res)
    assertVendorResponse(t, 'deletePolicy', body)
    t.same(body, { success: true, data: { id, deleted: true } })
    t.same(json(await list(app, org.key)).data.policies.map((p: { name: string }) => p.name), ['Other'])
    const roles = json(await app.inject({ url: '/v1/organization/roles', headers: headers(org.key) })).data.roles
    t.same(roles.find((r: { name: string }) => r.name === 'Accountant').policies, [{ id: policyIdNamed(app, 'Other'), name: 'Other' }])
    const again = await remove(app, org.key, id)
    t.equal(again.statusCode, 404, 'a second delete finds nothing')
  })

  t.test("another organization's policy, a project's, or an unknown id is a 404, and nothing is deleted", async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { projects: [{ name: 'Main', policies: [{ name: 'Project policy' }] }] })
    seedOrg(app, { policies: [{ name: 'Foreign' }] })
    for (const [name, id] of [['foreign', policyIdNamed(app, 'Foreign')], ['project', policyIdNamed(app, 'Project policy')], ['unknown', 'nope']] as const) {
      const res = await remove(app, org.key, id)
      t.equal(res.statusCode, 404, name)
      t.same(json(res), { success: false, error: 'Policy not found', deprecated: false }, name)
    }
    t.equal(app.db.select().from(policies).all().length, 2)
  })

  t.test('key failures', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { policies: [{ name: 'Billing' }] })
    await assertKeyFailures(t, app, org, { method: 'DELETE', url: `/v1/organization/policies/${policyIdNamed(app, 'Billing')}` })
  })
})

t.test('GET key failures', async (t) => {
  const app = await build(t)
  await assertKeyFailures(t, app, seedOrg(app), { method: 'GET', url: '/v1/organization/policies' })
})
