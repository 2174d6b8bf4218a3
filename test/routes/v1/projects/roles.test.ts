// /v1/projects/:projectId/roles[/:roleId] through app.inject: the list (system roles, then the project's own), create, update, delete.
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { App } from '../../../../src/app.js'
import { policies, projectInvitations, roles } from '../../../../src/db/schema.js'
import { systemRoleId } from '../../../../src/domain/roles.js'
import { build, json, seedOrg, T0 } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

const REVIEWER_ID = '5f0c8d7e-2a41-4c55-9d0e-6b1f3a2c9e11'

t.test('lists Owner, Manager, Member, then the custom roles in creation order, each with its policies by name', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    policies: [{ name: 'Org-wide', permissions: ['billing:read'] }],
    roles: [{ name: 'Auditor', policies: ['Org-wide'] }],
    projects: [
      {
        name: 'Main',
        policies: [{ name: 'View traces', permissions: ['traces:read'] }, { name: 'Annotate', permissions: ['traces:read', 'traces:write'] }],
        roles: [
          { name: 'Reviewer', id: REVIEWER_ID, description: 'Reviews traces', policies: ['View traces', 'Annotate'] },
          { name: 'Bystander' }
        ]
      },
      { name: 'Other', roles: [{ name: 'Elsewhere' }] }
    ]
  })
  seedOrg(app, { projects: [{ name: 'Main', roles: [{ name: 'Foreign' }] }] })
  const res = await app.inject({ url: `/v1/projects/${org.projectId}/roles`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listProjectRoles', body)
  t.same(Object.keys(body.data), ['roles'])
  const policyId = (name: string) => app.db.select({ id: policies.id }).from(policies).where(eq(policies.name, name)).get()!.id
  t.same(body.data.roles, [
    { id: systemRoleId('PROJECT', 'Owner'), name: 'Owner', description: null, projectId: null, policies: [] },
    { id: systemRoleId('PROJECT', 'Manager'), name: 'Manager', description: null, projectId: null, policies: [] },
    { id: systemRoleId('PROJECT', 'Member'), name: 'Member', description: null, projectId: null, policies: [] },
    {
      id: REVIEWER_ID,
      name: 'Reviewer',
      description: 'Reviews traces',
      projectId: org.projectId,
      policies: [{ id: policyId('Annotate'), name: 'Annotate' }, { id: policyId('View traces'), name: 'View traces' }]
    },
    { id: org.roles['Main/Bystander'], name: 'Bystander', description: null, projectId: org.projectId, policies: [] }
  ], "not organization roles, not another project's, not another organization's")
  for (const role of body.data.roles) t.same(Object.keys(role), ['id', 'name', 'description', 'projectId', 'policies'])
})

t.test('a project without custom roles lists the three system roles', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await app.inject({ url: `/v1/projects/${org.projectId}/roles`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'listProjectRoles', json(res))
  t.same(json(res).data.roles.map((r: { name: string }) => r.name), ['Owner', 'Manager', 'Member'])
})

t.test("an unknown project or another organization's is a 404", async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const other = seedOrg(app, { projects: [{ name: 'Main', roles: [{ name: 'Secret' }] }] })
  for (const id of [other.projectId, 'cnosuchproject00000000000']) {
    const res = await app.inject({ url: `/v1/projects/${id}/roles`, headers: { CONFIDENT_API_KEY: org.key } })
    t.equal(res.statusCode, 404)
    t.same(json(res), { success: false, error: 'Project not found', deprecated: false })
  }
})

t.test('key failures', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await assertKeyFailures(t, app, org, { method: 'GET', url: `/v1/projects/${org.projectId}/roles` })
})

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

// As the official SDKs send them: Content-Type: application/json on every request, body or not.
const headers = (key: string) => ({ CONFIDENT_API_KEY: key, 'content-type': 'application/json' })
const url = (projectId: string, roleId?: string) => `/v1/projects/${projectId}/roles${roleId === undefined ? '' : `/${roleId}`}`

function listRoles (app: App, key: string, projectId: string) {
  return app.inject({ method: 'GET', url: url(projectId), headers: headers(key) })
}
function createRole (app: App, key: string, projectId: string, payload: unknown) {
  return app.inject({ method: 'POST', url: url(projectId), headers: headers(key), payload: JSON.stringify(payload) })
}
function updateRole (app: App, key: string, projectId: string, roleId: string, payload: unknown) {
  return app.inject({ method: 'PUT', url: url(projectId, roleId), headers: headers(key), payload: JSON.stringify(payload) })
}
function deleteRole (app: App, key: string, projectId: string, roleId: string) {
  return app.inject({ method: 'DELETE', url: url(projectId, roleId), headers: headers(key) })
}

const policyIdNamed = (app: App, name: string) => app.db.select({ id: policies.id }).from(policies).where(eq(policies.name, name)).get()!.id
const roleIdNamed = (app: App, name: string) => app.db.select({ id: roles.id }).from(roles).where(eq(roles.name, name)).get()!.id

/** Projects Main and Other with policies and roles, an organization policy and role, and another organization's project. */
function seedProjects (app: App) {
  const org = seedOrg(app, {
    policies: [{ name: 'Org policy' }],
    roles: [{ name: 'Org role' }],
    projects: [
      { name: 'Main', policies: [{ name: 'View', permissions: ['traces:read'] }, { name: 'Annotate', permissions: ['traces:write'] }] },
      { name: 'Other', policies: [{ name: 'Other policy' }], roles: [{ name: 'Other role' }] }
    ]
  })
  const foreign = seedOrg(app, { projects: [{ name: 'Main', policies: [{ name: 'Foreign policy' }], roles: [{ name: 'Foreign role' }] }] })
  return { org, foreign }
}

t.test('POST creates a custom project role from the project\'s policies and answers it', async (t) => {
  const app = await build(t)
  const { org } = seedProjects(app)
  const view = policyIdNamed(app, 'View')
  const annotate = policyIdNamed(app, 'Annotate')
  const res = await createRole(app, org.key, org.projectId, { name: 'Analyst', description: 'Read-only project access', policyIds: [view, annotate, view] })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'createProjectRole', body)
  t.same(Object.keys(body.data), ['role'])
  const { role } = body.data
  t.match(role.id, UUID)
  t.same(Object.keys(role), ['id', 'name', 'description', 'projectId', 'policies'])
  t.equal(role.name, 'Analyst')
  t.equal(role.description, 'Read-only project access')
  t.equal(role.projectId, org.projectId)
  t.same(role.policies, [{ id: annotate, name: 'Annotate' }, { id: view, name: 'View' }], 'by name, a repeated id once')
  t.same(app.db.select().from(roles).where(eq(roles.id, role.id)).get(), {
    id: role.id, scope: 'PROJECT', name: 'Analyst', description: 'Read-only project access', organizationId: org.organizationId, projectId: org.projectId, createdAt: T0
  })
  t.same(json(await listRoles(app, org.key, org.projectId)).data.roles.at(-1), role, 'listed after the system roles')
  t.same(json(await listRoles(app, org.key, org.projects.Other!)).data.roles.map((r: { name: string }) => r.name),
    ['Owner', 'Manager', 'Member', 'Other role'], 'not in another project')
})

t.test('POST: description may be left out or null; policyIds may be empty', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  for (const [name, payload] of [['absent', { name: 'A', policyIds: [] }], ['null', { name: 'B', description: null, policyIds: [] }]] as const) {
    const res = await createRole(app, org.key, org.projectId, payload)
    t.equal(res.statusCode, 200, name)
    assertVendorResponse(t, 'createProjectRole', json(res))
    t.equal(json(res).data.role.description, null, name)
    t.same(json(res).data.role.policies, [], name)
  }
})

t.test('POST: invalid bodies are a 400 naming the field', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const cases: Array<[string, unknown, RegExp]> = [
    ['no name', { policyIds: [] }, /^body must have required property 'name'$/],
    ['no policyIds', { name: 'A' }, /^body must have required property 'policyIds'$/],
    ['empty name', { name: '', policyIds: [] }, /^body\.name must NOT have fewer than 1 characters$/],
    ['name too long', { name: 'n'.repeat(201), policyIds: [] }, /^body\.name must NOT have more than 200 characters$/],
    ['description not a string', { name: 'A', description: ['x'], policyIds: [] }, /^body\.description must be string$/],
    ['policyIds null', { name: 'A', policyIds: null }, /^body\.policyIds must be array$/],
    ['too many policyIds', { name: 'A', policyIds: Array.from({ length: 201 }, () => 'p') }, /^body\.policyIds must NOT have more than 200 items$/]
  ]
  for (const [name, payload, error] of cases) {
    const res = await createRole(app, org.key, org.projectId, payload)
    t.equal(res.statusCode, 400, name)
    t.match(json(res), { success: false, error, deprecated: false }, name)
  }
})

t.test('POST: each policy id must name a policy of this project: the first that does not is the 400', async (t) => {
  const app = await build(t)
  const { org } = seedProjects(app)
  const view = policyIdNamed(app, 'View')
  const cases: Array<[string, string]> = [
    ["the organization's policy", policyIdNamed(app, 'Org policy')],
    ["another project's policy", policyIdNamed(app, 'Other policy')],
    ["another organization's project policy", policyIdNamed(app, 'Foreign policy')],
    ['an unknown id', 'nope']
  ]
  for (const [name, id] of cases) {
    const res = await createRole(app, org.key, org.projectId, { name: 'R', policyIds: [view, id] })
    t.equal(res.statusCode, 400, name)
    t.same(json(res), { success: false, error: `policyIds[1] (${JSON.stringify(id)}) does not name a policy of this project`, deprecated: false }, name)
  }
  t.equal(app.db.select().from(roles).where(eq(roles.name, 'R')).all().length, 0, 'nothing was created')
})

t.test('POST: a name another role of the project has, a system role\'s included, is a 409; names compare exactly', async (t) => {
  const app = await build(t)
  const { org } = seedProjects(app)
  t.equal((await createRole(app, org.key, org.projectId, { name: 'Reviewer', policyIds: [] })).statusCode, 200)
  for (const name of ['Reviewer', 'Owner', 'Manager', 'Member']) {
    const res = await createRole(app, org.key, org.projectId, { name, policyIds: [] })
    t.equal(res.statusCode, 409, name)
    t.same(json(res), { success: false, error: `A role named "${name}" already exists in this project`, deprecated: false }, name)
  }
  for (const name of ['reviewer', 'Admin', 'Org role', 'Other role', 'Foreign role']) {
    t.equal((await createRole(app, org.key, org.projectId, { name, policyIds: [] })).statusCode, 200, `${name}: not a role of this project`)
  }
})

t.test('PUT replaces name and policies; description: absent keeps it, null clears it, a string sets it', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    projects: [{ name: 'Main', policies: [{ name: 'View' }, { name: 'Annotate' }], roles: [{ name: 'Reviewer', description: 'Kept', policies: ['View'] }, { name: 'Taken' }] }]
  })
  const id = roleIdNamed(app, 'Reviewer')
  const view = policyIdNamed(app, 'View')
  const annotate = policyIdNamed(app, 'Annotate')
  const steps: Array<[string, Record<string, unknown>, { name: string, description: string | null, policies: string[] }]> = [
    ['own name, absent description', { name: 'Reviewer', policyIds: [annotate] }, { name: 'Reviewer', description: 'Kept', policies: [annotate] }],
    ['rename, new description', { name: 'Editor', description: 'New', policyIds: [view, annotate] }, { name: 'Editor', description: 'New', policies: [annotate, view] }],
    ['null description, no policies', { name: 'Editor', description: null, policyIds: [] }, { name: 'Editor', description: null, policies: [] }]
  ]
  for (const [name, payload, wanted] of steps) {
    const res = await updateRole(app, org.key, org.projectId, id, payload)
    t.equal(res.statusCode, 200, name)
    const body = json(res)
    assertVendorResponse(t, 'updateProjectRole', body)
    t.same(body.data.role, {
      id, name: wanted.name, description: wanted.description, projectId: org.projectId, policies: body.data.role.policies
    }, name)
    t.same(body.data.role.policies.map((p: { id: string }) => p.id), wanted.policies, name)
    const listed = json(await listRoles(app, org.key, org.projectId)).data.roles
    t.same(listed.find((r: { id: string }) => r.id === id), body.data.role, `${name}: the list agrees`)
  }
  for (const name of ['Taken', 'Manager']) {
    const res = await updateRole(app, org.key, org.projectId, id, { name, policyIds: [] })
    t.equal(res.statusCode, 409, name)
    t.equal(json(res).error, `A role named "${name}" already exists in this project`, name)
  }
})

t.test('PUT and DELETE: system project roles are a 403; any other role not this project\'s own is a 404', async (t) => {
  const app = await build(t)
  const { org } = seedProjects(app)
  for (const name of ['Owner', 'Manager', 'Member']) {
    const id = systemRoleId('PROJECT', name)
    const error = { success: false, error: `The system role ${name} cannot be modified or deleted`, deprecated: false }
    const put = await updateRole(app, org.key, org.projectId, id, { name: 'Renamed', policyIds: [] })
    t.equal(put.statusCode, 403, `PUT ${name}`)
    t.same(json(put), error, `PUT ${name}`)
    const del = await deleteRole(app, org.key, org.projectId, id)
    t.equal(del.statusCode, 403, `DELETE ${name}`)
    t.same(json(del), error, `DELETE ${name}`)
  }
  const notOurs: Array<[string, string]> = [
    ["another project's role", roleIdNamed(app, 'Other role')],
    ["another organization's project role", roleIdNamed(app, 'Foreign role')],
    ['a custom organization role', roleIdNamed(app, 'Org role')],
    ['a system organization role', systemRoleId('ORGANIZATION', 'Admin')],
    ['an unknown id', 'nope']
  ]
  for (const [name, id] of notOurs) {
    const put = await updateRole(app, org.key, org.projectId, id, { name: 'Renamed', policyIds: [] })
    t.equal(put.statusCode, 404, `PUT ${name}`)
    t.same(json(put), { success: false, error: 'Role not found', deprecated: false }, `PUT ${name}`)
    const del = await deleteRole(app, org.key, org.projectId, id)
    t.equal(del.statusCode, 404, `DELETE ${name}`)
    t.same(json(del), { success: false, error: 'Role not found', deprecated: false }, `DELETE ${name}`)
  }
  t.equal(app.db.select().from(roles).where(eq(roles.name, 'Renamed')).all().length, 0, 'nothing was renamed')
})

t.test('PUT: a policy id not of this project is a 400, and nothing changes', async (t) => {
  const app = await build(t)
  const { org } = seedProjects(app)
  const id = json(await createRole(app, org.key, org.projectId, { name: 'R', policyIds: [] })).data.role.id
  const other = policyIdNamed(app, 'Other policy')
  const res = await updateRole(app, org.key, org.projectId, id, { name: 'R2', policyIds: [other] })
  t.equal(res.statusCode, 400)
  t.equal(json(res).error, `policyIds[0] (${JSON.stringify(other)}) does not name a policy of this project`)
  t.equal(app.db.select({ name: roles.name }).from(roles).where(eq(roles.id, id)).get()!.name, 'R')
})

t.test('DELETE: a role members hold or pending invitations name is a 409 saying how many; once given up, 200', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    projects: [{
      name: 'Main',
      roles: [{ name: 'Busy' }],
      members: [{ email: 'a@example.com', role: 'Busy' }],
      invitations: [
        { email: 'p1@example.com', role: 'Busy' },
        { email: 'p2@example.com', role: 'Busy' },
        { email: 'gone@example.com', role: 'Busy', status: 'DECLINED' }
      ]
    }]
  })
  const id = roleIdNamed(app, 'Busy')
  const inUse = async (holders: string) => {
    const res = await deleteRole(app, org.key, org.projectId, id)
    t.equal(res.statusCode, 409, holders)
    t.same(json(res), {
      success: false,
      error: `This role is still held by ${holders}: give them another role (or revoke the invitations) first`,
      deprecated: false
    }, holders)
  }
  await inUse('1 member and 2 pending invitations')
  const members = json(await app.inject({ url: `/v1/projects/${org.projectId}/members`, headers: headers(org.key) })).data.members
  const reassigned = await app.inject({
    method: 'PUT', url: `/v1/projects/${org.projectId}/members/${members[0].id}`, headers: headers(org.key), payload: JSON.stringify({ roleId: systemRoleId('PROJECT', 'Member') })
  })
  t.equal(reassigned.statusCode, 200)
  await inUse('2 pending invitations')
  for (const email of ['p1@example.com', 'p2@example.com']) {
    const invitation = app.db.select().from(projectInvitations).where(eq(projectInvitations.email, email)).get()!
    const revoked = await app.inject({ method: 'DELETE', url: `/v1/projects/${org.projectId}/invitations/${invitation.id}`, headers: headers(org.key) })
    t.equal(revoked.statusCode, 200, `revoke ${email}`)
    if (email === 'p1@example.com') await inUse('1 pending invitation')
  }
  const res = await deleteRole(app, org.key, org.projectId, id)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'deleteProjectRole', json(res))
  t.same(json(res), { success: true, data: { id, deleted: true } })
  t.equal(app.db.select().from(projectInvitations).where(eq(projectInvitations.email, 'gone@example.com')).get()!.roleId, null,
    'the declined invitation now names no role')
  t.same(json(await listRoles(app, org.key, org.projectId)).data.roles.map((r: { name: string }) => r.name), ['Owner', 'Manager', 'Member'])
})

t.test('a role made through the API is at once usable: a project invitation and a member role change take it', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main', members: [{ email: 'member@example.com' }] }] })
  const catalogue = json(await app.inject({ url: `/v1/projects/${org.projectId}/permissions`, headers: headers(org.key) })).data.permissions
  const tracesRead = catalogue.find((p: { name: string }) => p.name === 'traces:read')
  const policyRes = await app.inject({
    method: 'POST', url: `/v1/projects/${org.projectId}/policies`, headers: headers(org.key), payload: JSON.stringify({ name: 'View traces', permissionIds: [tracesRead.id] })
  })
  t.equal(policyRes.statusCode, 200)
  const policy = json(policyRes).data.policy
  const roleRes = await createRole(app, org.key, org.projectId, { name: 'Trace viewer', policyIds: [policy.id] })
  t.equal(roleRes.statusCode, 200)
  const role = json(roleRes).data.role

  const invited = await app.inject({
    method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: headers(org.key), payload: JSON.stringify({ emails: ['new@example.com'], projectRoleId: role.id })
  })
  t.equal(invited.statusCode, 200)
  assertVendorResponse(t, 'createProjectInvitations', json(invited))
  t.equal(json(invited).data.invitations.length, 1)
  t.equal(json(invited).data.invitations[0].projectRoleId, role.id)

  const members = json(await app.inject({ url: `/v1/projects/${org.projectId}/members`, headers: headers(org.key) })).data.members
  const changed = await app.inject({
    method: 'PUT', url: `/v1/projects/${org.projectId}/members/${members[0].id}`, headers: headers(org.key), payload: JSON.stringify({ roleId: role.id })
  })
  t.equal(changed.statusCode, 200)
  t.same(json(changed).data.member.projectRole, { id: role.id, name: 'Trace viewer' })

  const otherProject = await app.inject({
    method: 'POST', url: '/v1/projects', headers: headers(org.key), payload: JSON.stringify({ name: 'Second' })
  })
  const secondId = json(otherProject).data.project.id
  const elsewhere = await app.inject({
    method: 'POST', url: `/v1/projects/${secondId}/invitations`, headers: headers(org.key), payload: JSON.stringify({ emails: ['x@example.com'], projectRoleId: role.id })
  })
  t.equal(elsewhere.statusCode, 400, "another project cannot use this project's role")
})

t.test("POST, PUT, DELETE: an unknown project or another organization's is a 404 before anything else", async (t) => {
  const app = await build(t)
  const { org, foreign } = seedProjects(app)
  const roleId = systemRoleId('PROJECT', 'Owner')
  for (const projectId of [foreign.projectId, 'cnosuchproject00000000000']) {
    const requests = [
      createRole(app, org.key, projectId, { name: 'Owner', policyIds: ['nope'] }),
      updateRole(app, org.key, projectId, roleId, { name: 'X', policyIds: [] }),
      deleteRole(app, org.key, projectId, roleId)
    ]
    for (const res of await Promise.all(requests)) {
      t.equal(res.statusCode, 404)
      t.same(json(res), { success: false, error: 'Project not found', deprecated: false })
    }
  }
})

t.test('POST, PUT, DELETE key failures', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main', roles: [{ name: 'R' }] }] })
  const id = roleIdNamed(app, 'R')
  await assertKeyFailures(t, app, org, { method: 'POST', url: url(org.projectId), payload: { name: 'A', policyIds: [] } })
  await assertKeyFailures(t, app, org, { method: 'PUT', url: url(org.projectId, id), payload: { name: 'A', policyIds: [] } })
  await assertKeyFailures(t, app, org, { method: 'DELETE', url: url(org.projectId, id) })
})
