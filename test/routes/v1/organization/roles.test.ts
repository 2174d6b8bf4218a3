// /v1/organization/roles[/:roleId] through app.inject: the list (system roles, then the organization's own), create, update, delete.
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { App } from '../../../../src/app.js'
import { organizationInvitations, policies, roles } from '../../../../src/db/schema.js'
import { systemRoleId } from '../../../../src/domain/roles.js'
import { build, json, seedOrg, T0 } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

t.test('lists Owner, Admin, Member, then the custom roles in creation order, each with its policies by name', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    policies: [{ name: 'Manage billing', permissions: ['billing:read', 'billing:write'] }, { name: 'Read billing', permissions: ['billing:read'] }],
    roles: [
      { name: 'Billing Manager', description: 'Billing only', policies: ['Read billing', 'Manage billing'] },
      { name: 'Auditor', policies: ['Read billing'] }
    ],
    projects: [{ name: 'Main', roles: [{ name: 'Project only' }] }]
  })
  seedOrg(app, { roles: [{ name: 'Foreign' }] })
  const res = await app.inject({ url: '/v1/organization/roles', headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listRoles', body)
  t.same(Object.keys(body.data), ['roles'])
  const policy = (name: string) => ({ id: app.db.select({ id: policies.id }).from(policies).where(eq(policies.name, name)).get()!.id, name })
  const roleId = (name: string) => app.db.select({ id: roles.id }).from(roles).where(eq(roles.name, name)).get()!.id
  t.same(body.data.roles, [
    { id: systemRoleId('ORGANIZATION', 'Owner'), name: 'Owner', description: null, organizationId: null, policies: [] },
    { id: systemRoleId('ORGANIZATION', 'Admin'), name: 'Admin', description: null, organizationId: null, policies: [] },
    { id: systemRoleId('ORGANIZATION', 'Member'), name: 'Member', description: null, organizationId: null, policies: [] },
    {
      id: roleId('Billing Manager'),
      name: 'Billing Manager',
      description: 'Billing only',
      organizationId: org.organizationId,
      policies: [policy('Manage billing'), policy('Read billing')]
    },
    { id: roleId('Auditor'), name: 'Auditor', description: null, organizationId: org.organizationId, policies: [policy('Read billing')] }
  ], "not project roles, not another organization's")
  for (const role of body.data.roles) t.same(Object.keys(role), ['id', 'name', 'description', 'organizationId', 'policies'])
})

t.test('an organization without custom roles lists the three system roles', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await app.inject({ url: '/v1/organization/roles', headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'listRoles', json(res))
  t.same(json(res).data.roles.map((r: { name: string }) => r.name), ['Owner', 'Admin', 'Member'])
})

t.test('key failures', async (t) => {
  const app = await build(t)
  await assertKeyFailures(t, app, seedOrg(app), { method: 'GET', url: '/v1/organization/roles' })
})

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

// As the official SDKs send them: Content-Type: application/json on every request, body or not.
const headers = (key: string) => ({ CONFIDENT_API_KEY: key, 'content-type': 'application/json' })

function listRoles (app: App, key: string) {
  return app.inject({ method: 'GET', url: '/v1/organization/roles', headers: headers(key) })
}
function createRole (app: App, key: string, payload: unknown) {
  return app.inject({ method: 'POST', url: '/v1/organization/roles', headers: headers(key), payload: JSON.stringify(payload) })
}
function updateRole (app: App, key: string, roleId: string, payload: unknown) {
  return app.inject({ method: 'PUT', url: `/v1/organization/roles/${roleId}`, headers: headers(key), payload: JSON.stringify(payload) })
}
function deleteRole (app: App, key: string, roleId: string) {
  return app.inject({ method: 'DELETE', url: `/v1/organization/roles/${roleId}`, headers: headers(key) })
}

const policyIdNamed = (app: App, name: string) => app.db.select({ id: policies.id }).from(policies).where(eq(policies.name, name)).get()!.id
const roleIdNamed = (app: App, name: string) => app.db.select({ id: roles.id }).from(roles).where(eq(roles.name, name)).get()!.id

/** An organization with two policies of its own and a project policy, and another organization with a policy and a role. */
function seedWithPolicies (app: App) {
  const org = seedOrg(app, {
    policies: [{ name: 'Read billing', permissions: ['billing:read'] }, { name: 'Manage billing', permissions: ['billing:write'] }],
    projects: [{ name: 'Main', policies: [{ name: 'Project policy' }], roles: [{ name: 'Project role' }] }]
  })
  const foreign = seedOrg(app, { policies: [{ name: 'Foreign policy' }], roles: [{ name: 'Foreign role' }] })
  return { org, foreign }
}

t.test('POST', async (t) => {
  t.test('creates a custom organization role from the organization\'s policies and answers it', async (t) => {
    const app = await build(t)
    const { org } = seedWithPolicies(app)
    const read = policyIdNamed(app, 'Read billing')
    const manage = policyIdNamed(app, 'Manage billing')
    const res = await createRole(app, org.key, { name: 'Accountant', description: 'Does the books', policyIds: [read, manage, read] })
    t.equal(res.statusCode, 200)
    const body = json(res)
    assertVendorResponse(t, 'createRole', body)
    t.same(Object.keys(body.data), ['role'])
    const { role } = body.data
    t.match(role.id, UUID, 'the id is a UUID')
    t.same(Object.keys(role), ['id', 'name', 'description', 'organizationId', 'policies'])
    t.equal(role.name, 'Accountant')
    t.equal(role.description, 'Does the books')
    t.equal(role.organizationId, org.organizationId)
    t.same(role.policies, [{ id: manage, name: 'Manage billing' }, { id: read, name: 'Read billing' }], 'by name, a repeated id once')
    t.same(app.db.select().from(roles).where(eq(roles.id, role.id)).get(), {
      id: role.id, scope: 'ORGANIZATION', name: 'Accountant', description: 'Does the books', organizationId: org.organizationId, projectId: null, createdAt: T0
    })
    const listed = json(await listRoles(app, org.key)).data.roles
    t.same(listed.at(-1), role, 'listed last, after the system roles')
  })

  t.test('description may be left out or null; policyIds may be empty', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    for (const [name, payload] of [['absent', { name: 'A', policyIds: [] }], ['null', { name: 'B', description: null, policyIds: [] }]] as const) {
      const res = await createRole(app, org.key, payload)
      t.equal(res.statusCode, 200, name)
      assertVendorResponse(t, 'createRole', json(res))
      t.equal(json(res).data.role.description, null, name)
      t.same(json(res).data.role.policies, [], name)
    }
  })

  t.test('invalid bodies are a 400 naming the field, and nothing is created', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const before = app.db.select().from(roles).all().length
    const cases: Array<[string, unknown, RegExp]> = [
      ['no name', { policyIds: [] }, /^body must have required property 'name'$/],
      ['no policyIds', { name: 'A' }, /^body must have required property 'policyIds'$/],
      ['empty name', { name: '', policyIds: [] }, /^body\.name must NOT have fewer than 1 characters$/],
      ['name too long', { name: 'n'.repeat(201), policyIds: [] }, /^body\.name must NOT have more than 200 characters$/],
      ['name null', { name: null, policyIds: [] }, /^body\.name must be string$/],
      ['description too long', { name: 'A', description: 'd'.repeat(2001), policyIds: [] }, /^body\.description must NOT have more than 2000 characters$/],
      ['policyIds not an array', { name: 'A', policyIds: 'p' }, /^body\.policyIds must be array$/],
      ['policyIds of numbers', { name: 'A', policyIds: [3] }, /^body\.policyIds\[0\] must be string$/],
      ['too many policyIds', { name: 'A', policyIds: Array.from({ length: 201 }, () => 'p') }, /^body\.policyIds must NOT have more than 200 items$/],
      ['body an array', [], /^Request body must be a JSON object$/]
    ]
    for (const [name, payload, error] of cases) {
      const res = await createRole(app, org.key, payload)
      t.equal(res.statusCode, 400, name)
      t.match(json(res), { success: false, error, deprecated: false }, name)
    }
    t.equal(app.db.select().from(roles).all().length, before, 'nothing was created')
  })

  t.test('each policy id must name a policy of the organization itself: the first that does not is the 400', async (t) => {
    const app = await build(t)
    const { org } = seedWithPolicies(app)
    const read = policyIdNamed(app, 'Read billing')
    const cases: Array<[string, string[], string]> = [
      ["a project's policy", [read, policyIdNamed(app, 'Project policy')], `policyIds[1] (${JSON.stringify(policyIdNamed(app, 'Project policy'))}) does not name a policy of this organization`],
      ["another organization's policy", [policyIdNamed(app, 'Foreign policy')], `policyIds[0] (${JSON.stringify(policyIdNamed(app, 'Foreign policy'))}) does not name a policy of this organization`],
      ['an unknown id', [read, read, 'nope'], 'policyIds[2] ("nope") does not name a policy of this organization']
    ]
    for (const [name, policyIds, error] of cases) {
      const res = await createRole(app, org.key, { name: 'R', policyIds })
      t.equal(res.statusCode, 400, name)
      t.same(json(res), { success: false, error, deprecated: false }, name)
    }
    t.equal(app.db.select().from(roles).where(eq(roles.name, 'R')).all().length, 0, 'nothing was created')
  })

  t.test('a name another organization role has, a system role\'s included, is a 409; names compare exactly', async (t) => {
    const app = await build(t)
    const { org } = seedWithPolicies(app)
    t.equal((await createRole(app, org.key, { name: 'Auditor', policyIds: [] })).statusCode, 200)
    for (const name of ['Auditor', 'Owner', 'Admin', 'Member']) {
      const res = await createRole(app, org.key, { name, policyIds: [] })
      t.equal(res.statusCode, 409, name)
      t.same(json(res), { success: false, error: `A role named "${name}" already exists in this organization`, deprecated: false }, name)
    }
    for (const name of ['auditor', 'owner', 'Manager', 'Project role', 'Foreign role']) {
      t.equal((await createRole(app, org.key, { name, policyIds: [] })).statusCode, 200, `${name}: not an organization role of this organization`)
    }
  })

  t.test('key failures', async (t) => {
    const app = await build(t)
    await assertKeyFailures(t, app, seedOrg(app), { method: 'POST', url: '/v1/organization/roles', payload: { name: 'A', policyIds: [] } })
  })
})

t.test('PUT', async (t) => {
  t.test('replaces name and policies; description: absent keeps it, null clears it, a string sets it', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, {
      policies: [{ name: 'Read billing' }, { name: 'Manage billing' }],
      roles: [{ name: 'Accountant', description: 'Kept', policies: ['Read billing'] }]
    })
    const id = roleIdNamed(app, 'Accountant')
    const read = policyIdNamed(app, 'Read billing')
    const manage = policyIdNamed(app, 'Manage billing')
    const steps: Array<[string, Record<string, unknown>, { name: string, description: string | null, policies: string[] }]> = [
      ['own name, absent description', { name: 'Accountant', policyIds: [manage] }, { name: 'Accountant', description: 'Kept', policies: [manage] }],
      ['rename, new description', { name: 'Bookkeeper', description: 'New', policyIds: [read, manage] }, { name: 'Bookkeeper', description: 'New', policies: [manage, read] }],
      ['null description, no policies', { name: 'Bookkeeper', description: null, policyIds: [] }, { name: 'Bookkeeper', description: null, policies: [] }]
    ]
    for (const [name, payload, wanted] of steps) {
      const res = await updateRole(app, org.key, id, payload)
      t.equal(res.statusCode, 200, name)
      const body = json(res)
      assertVendorResponse(t, 'updateRole', body)
      t.same(Object.keys(body.data), ['role'], name)
      t.equal(body.data.role.id, id, name)
      t.equal(body.data.role.name, wanted.name, name)
      t.equal(body.data.role.description, wanted.description, name)
      t.equal(body.data.role.organizationId, org.organizationId, name)
      t.same(body.data.role.policies.map((p: { id: string }) => p.id), wanted.policies, name)
      t.same(json(await listRoles(app, org.key)).data.roles.at(-1), body.data.role, `${name}: the list agrees`)
    }
  })

  t.test('a name of another organization role or of a system role is a 409; a bad policy id a 400', async (t) => {
    const app = await build(t)
    const { org } = seedWithPolicies(app)
    const a = json(await createRole(app, org.key, { name: 'A', policyIds: [] })).data.role.id
    await createRole(app, org.key, { name: 'B', policyIds: [] })
    for (const name of ['B', 'Admin']) {
      const res = await updateRole(app, org.key, a, { name, policyIds: [] })
      t.equal(res.statusCode, 409, name)
      t.equal(json(res).error, `A role named "${name}" already exists in this organization`, name)
    }
    const projectPolicy = policyIdNamed(app, 'Project policy')
    const bad = await updateRole(app, org.key, a, { name: 'A2', policyIds: [projectPolicy] })
    t.equal(bad.statusCode, 400)
    t.equal(json(bad).error, `policyIds[0] (${JSON.stringify(projectPolicy)}) does not name a policy of this organization`)
    t.equal(app.db.select({ name: roles.name }).from(roles).where(eq(roles.id, a)).get()!.name, 'A', 'nothing changed')
  })

  t.test('key failures', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { roles: [{ name: 'R' }] })
    await assertKeyFailures(t, app, org, { method: 'PUT', url: `/v1/organization/roles/${roleIdNamed(app, 'R')}`, payload: { name: 'A', policyIds: [] } })
  })
})

t.test('PUT and DELETE: system organization roles are a 403; roles that are not this organization\'s own are a 404', async (t) => {
  const app = await build(t)
  const { org } = seedWithPolicies(app)
  for (const name of ['Owner', 'Admin', 'Member']) {
    const id = systemRoleId('ORGANIZATION', name)
    const error = { success: false, error: `The system role ${name} cannot be modified or deleted`, deprecated: false }
    const put = await updateRole(app, org.key, id, { name: 'Renamed', policyIds: [] })
    t.equal(put.statusCode, 403, `PUT ${name}`)
    t.same(json(put), error, `PUT ${name}`)
    const del = await deleteRole(app, org.key, id)
    t.equal(del.statusCode, 403, `DELETE ${name}`)
    t.same(json(del), error, `DELETE ${name}`)
  }
  const notOurs: Array<[string, string]> = [
    ["another organization's role", roleIdNamed(app, 'Foreign role')],
    ["a project's custom role", roleIdNamed(app, 'Project role')],
    ['a system project role', systemRoleId('PROJECT', 'Manager')],
    ['an unknown id', 'nope']
  ]
  for (const [name, id] of notOurs) {
    const put = await updateRole(app, org.key, id, { name: 'Renamed', policyIds: [] })
    t.equal(put.statusCode, 404, `PUT ${name}`)
    t.same(json(put), { success: false, error: 'Role not found', deprecated: false }, `PUT ${name}`)
    const del = await deleteRole(app, org.key, id)
    t.equal(del.statusCode, 404, `DELETE ${name}`)
    t.same(json(del), { success: false, error: 'Role not found', deprecated: false }, `DELETE ${name}`)
  }
  t.equal(app.db.select().from(roles).where(eq(roles.name, 'Renamed')).all().length, 0, 'nothing was renamed')
})

t.test('DELETE', async (t) => {
  t.test('deletes a role nobody holds', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { policies: [{ name: 'P' }], roles: [{ name: 'Spare', policies: ['P'] }] })
    const id = roleIdNamed(app, 'Spare')
    const res = await deleteRole(app, org.key, id)
    t.equal(res.statusCode, 200)
    const body = json(res)
    assertVendorResponse(t, 'deleteRole', body)
    t.same(body, { success: true, data: { id, deleted: true } })
    t.same(json(await listRoles(app, org.key)).data.roles.map((r: { name: string }) => r.name), ['Owner', 'Admin', 'Member'])
    t.equal(app.db.select().from(policies).all().length, 1, 'its policies stay')
    t.equal((await deleteRole(app, org.key, id)).statusCode, 404, 'a second delete finds nothing')
  })

  t.test('a role members hold or pending invitations name is a 409 saying how many; once given up, 200', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, {
      roles: [{ name: 'Busy' }],
      members: [{ email: 'owner@example.com', role: 'Owner' }, { email: 'a@example.com', role: 'Busy' }, { email: 'b@example.com', role: 'Busy' }],
      invitations: [
        { email: 'pending@example.com', role: 'Busy' },
        { email: 'declined@example.com', role: 'Busy', status: 'DECLINED' }
      ]
    })
    const id = roleIdNamed(app, 'Busy')
    const inUse = async (holders: string) => {
      const res = await deleteRole(app, org.key, id)
      t.equal(res.statusCode, 409, holders)
      t.same(json(res), {
        success: false,
        error: `This role is still held by ${holders}: give them another role (or revoke the invitations) first`,
        deprecated: false
      }, holders)
    }
    await inUse('2 members and 1 pending invitation')
    const members = json(await app.inject({ url: '/v1/organization/members', headers: headers(org.key) })).data.members
    const userId = (email: string) => members.find((m: { email: string }) => m.email === email).id
    const reassigned = await app.inject({
      method: 'PUT', url: `/v1/organization/members/${userId('a@example.com')}`, headers: headers(org.key), payload: JSON.stringify({ roleId: systemRoleId('ORGANIZATION', 'Member') })
    })
    t.equal(reassigned.statusCode, 200)
    await inUse('1 member and 1 pending invitation')
    const removed = await app.inject({ method: 'DELETE', url: `/v1/organization/members/${userId('b@example.com')}`, headers: headers(org.key) })
    t.equal(removed.statusCode, 200)
    await inUse('1 pending invitation')
    const pending = app.db.select().from(organizationInvitations).where(eq(organizationInvitations.email, 'pending@example.com')).get()!
    const revoked = await app.inject({ method: 'DELETE', url: `/v1/organization/invitations/${pending.id}`, headers: headers(org.key) })
    t.equal(revoked.statusCode, 200)
    const res = await deleteRole(app, org.key, id)
    t.equal(res.statusCode, 200, 'a DECLINED invitation does not hold the role')
    t.same(json(res), { success: true, data: { id, deleted: true } })
    const declined = app.db.select().from(organizationInvitations).where(eq(organizationInvitations.email, 'declined@example.com')).get()!
    t.equal(declined.roleId, null, 'the declined invitation now names no role')
  })

  t.test('the message counts in the plural', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, {
      roles: [{ name: 'Invited' }],
      invitations: [{ email: 'x@example.com', role: 'Invited' }, { email: 'y@example.com', role: 'Invited' }, { email: 'z@example.com', role: 'Invited' }]
    })
    const res = await deleteRole(app, org.key, roleIdNamed(app, 'Invited'))
    t.equal(res.statusCode, 409)
    t.match(json(res).error, /^This role is still held by 3 pending invitations:/)
  })

  t.test('key failures', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { roles: [{ name: 'R' }] })
    await assertKeyFailures(t, app, org, { method: 'DELETE', url: `/v1/organization/roles/${roleIdNamed(app, 'R')}` })
  })
})

t.test('a role made through the API is at once usable: an invitation and a member role change take it', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { members: [{ email: 'owner@example.com', role: 'Owner' }, { email: 'member@example.com' }] })
  const catalogue = json(await app.inject({ url: '/v1/organization/permissions', headers: headers(org.key) })).data.permissions
  const billingRead = catalogue.find((p: { name: string }) => p.name === 'billing:read')
  const policyRes = await app.inject({
    method: 'POST', url: '/v1/organization/policies', headers: headers(org.key), payload: JSON.stringify({ name: 'Read billing', permissionIds: [billingRead.id] })
  })
  t.equal(policyRes.statusCode, 200)
  const policy = json(policyRes).data.policy
  const roleRes = await createRole(app, org.key, { name: 'Billing viewer', policyIds: [policy.id] })
  t.equal(roleRes.statusCode, 200)
  const role = json(roleRes).data.role
  t.same(role.policies, [{ id: policy.id, name: 'Read billing' }])

  const invited = await app.inject({
    method: 'POST', url: '/v1/organization/invitations', headers: headers(org.key), payload: JSON.stringify({ emails: ['new@example.com'], organizationRoleId: role.id })
  })
  t.equal(invited.statusCode, 200)
  assertVendorResponse(t, 'createInvitations', json(invited))
  t.equal(json(invited).data.invitations.length, 1)
  t.equal(json(invited).data.invitations[0].organizationRoleId, role.id)

  const members = json(await app.inject({ url: '/v1/organization/members', headers: headers(org.key) })).data.members
  const member = members.find((m: { email: string }) => m.email === 'member@example.com')
  const changed = await app.inject({
    method: 'PUT', url: `/v1/organization/members/${member.id}`, headers: headers(org.key), payload: JSON.stringify({ roleId: role.id })
  })
  t.equal(changed.statusCode, 200)
  t.same(json(changed).data.member.organizationRole, { id: role.id, name: 'Billing viewer' })

  const blocked = await deleteRole(app, org.key, role.id)
  t.equal(blocked.statusCode, 409)
  t.equal(json(blocked).error, 'This role is still held by 1 member and 1 pending invitation: give them another role (or revoke the invitations) first')
})
