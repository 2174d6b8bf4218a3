// GET, PUT and DELETE /v1/organization/members[/:userId] through app.inject: shapes, paging, ownership, removal cascading to projects.
import t from 'tap'
import { and, eq, isNull } from 'drizzle-orm'
import type { App } from '../../../../src/app.js'
import { organizationInvitations, organizationMembers, projectInvitations, projectMembers, roles, users } from '../../../../src/db/schema.js'
import { systemRoleId } from '../../../../src/domain/roles.js'
import { build, json, seedOrg } from '../../../helpers/build.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

interface Member {
  id: string
  email: string
  name: string | null
  image: string | null
  organizationRole: { id: string, name: string } | null
}

const OWNER = systemRoleId('ORGANIZATION', 'Owner')
const ADMIN = systemRoleId('ORGANIZATION', 'Admin')
const MEMBER = systemRoleId('ORGANIZATION', 'Member')
const PROJECT_OWNER = systemRoleId('PROJECT', 'Owner')

function headers (key: string | undefined) {
  return key === undefined ? {} : { CONFIDENT_API_KEY: key }
}

function list (app: App, key: string | undefined, query = '') {
  return app.inject({ method: 'GET', url: `/v1/organization/members${query}`, headers: headers(key) })
}

function update (app: App, key: string | undefined, userId: string, body: unknown) {
  return app.inject({ method: 'PUT', url: `/v1/organization/members/${userId}`, headers: headers(key), payload: body as object })
}

function remove (app: App, key: string | undefined, userId: string) {
  return app.inject({ method: 'DELETE', url: `/v1/organization/members/${userId}`, headers: headers(key) })
}

function userId (app: App, email: string): string {
  return app.db.select({ id: users.id }).from(users).where(eq(users.email, email)).get()!.id
}

function customOrgRole (app: App, organizationId: string, name: string): string {
  return app.db.select({ id: roles.id }).from(roles)
    .where(and(eq(roles.organizationId, organizationId), isNull(roles.projectId), eq(roles.name, name))).get()!.id
}

/** email → role name (system roles) or id (custom roles), for every member of the organization. */
function rolesIn (app: App, organizationId: string): Record<string, string> {
  const rows = app.db.select({ email: users.email, roleId: organizationMembers.roleId }).from(organizationMembers)
    .innerJoin(users, eq(users.id, organizationMembers.userId)).where(eq(organizationMembers.organizationId, organizationId)).all()
  const names = { [OWNER]: 'Owner', [ADMIN]: 'Admin', [MEMBER]: 'Member' }
  return Object.fromEntries(rows.map((r) => [r.email, names[r.roleId] ?? r.roleId]))
}

/** Emails of a project's members. */
function projectEmails (app: App, projectId: string): string[] {
  return app.db.select({ email: users.email }).from(projectMembers).innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, projectId)).all().map((r) => r.email).sort()
}

/** An organization with an Owner, an Admin and a Member, a custom role and two projects. */
function team (app: App) {
  return seedOrg(app, {
    roles: [{ name: 'Auditor' }],
    members: [
      { email: 'olivia@example.com', name: 'Olivia', image: 'https://img.example/olivia.png', role: 'Owner' },
      { email: 'adam@example.com', name: 'Adam', role: 'Admin' },
      { email: 'mia@example.com' }
    ],
    projects: [
      { name: 'Main', members: [{ email: 'olivia@example.com', role: 'Owner' }, { email: 'mia@example.com', role: 'Manager' }] },
      { name: 'Other', members: [{ email: 'adam@example.com', role: 'Owner' }, { email: 'mia@example.com' }] }
    ]
  })
}

t.test('GET lists members in the vendor shape, field by field', async (t) => {
  const app = await build(t)
  const org = team(app)
  const auditor = customOrgRole(app, org.organizationId, 'Auditor')
  app.state.apply({
    organizations: [{ id: org.organizationId, name: `again ${org.organizationId}`, plan: 'TEAM', roles: [{ name: 'Auditor' }], members: [{ email: 'audrey@example.com', role: 'Auditor' }] }]
  }, app.clock.now(), { force: true })
  team(app) // another organization, sharing people, listed nowhere here

  const res = await list(app, org.key)
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listMembers', body)
  t.same(Object.keys(body), ['success', 'data'])
  t.equal(body.success, true)
  t.same(Object.keys(body.data), ['members', 'total'])
  t.equal(body.data.total, 4)
  const byEmail = Object.fromEntries((body.data.members as Member[]).map((m) => [m.email, m]))
  t.same(byEmail['olivia@example.com'], {
    id: userId(app, 'olivia@example.com'),
    email: 'olivia@example.com',
    name: 'Olivia',
    image: 'https://img.example/olivia.png',
    organizationRole: { id: OWNER, name: 'Owner' }
  })
  t.same(byEmail['adam@example.com'], {
    id: userId(app, 'adam@example.com'), email: 'adam@example.com', name: 'Adam', image: null, organizationRole: { id: ADMIN, name: 'Admin' }
  })
  t.same(byEmail['mia@example.com'], {
    id: userId(app, 'mia@example.com'), email: 'mia@example.com', name: null, image: null, organizationRole: { id: MEMBER, name: 'Member' }
  })
  t.same(byEmail['audrey@example.com']!.organizationRole, { id: auditor, name: 'Auditor' })
  for (const m of body.data.members as Member[]) t.same(Object.keys(m), ['id', 'email', 'name', 'image', 'organizationRole'])
})

t.test('GET orders by join time, then user id, and pages', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { members: [{ email: 'b@example.com' }, { email: 'a@example.com' }, { email: 'c@example.com' }] })
  app.clock.advance(1000)
  app.state.apply({
    organizations: [{ id: org.organizationId, name: `later ${org.organizationId}`, plan: 'TEAM', members: [{ email: '0-late@example.com' }] }]
  }, app.clock.now(), { force: true })
  const sameTime = ['a@example.com', 'b@example.com', 'c@example.com'].map((e) => userId(app, e)).sort()
  const ids = [...sameTime, userId(app, '0-late@example.com')]
  t.same(json(await list(app, org.key)).data.members.map((m: Member) => m.id), ids)

  const cases: Array<[string, string[]]> = [
    ['?page=1&pageSize=3', ids.slice(0, 3)],
    ['?page=2&pageSize=3', ids.slice(3)],
    ['?page=2&pageSize=2', ids.slice(2, 4)],
    ['?page=3&pageSize=2', []],
    ['?pageSize=100', ids]
  ]
  for (const [query, wanted] of cases) {
    const res = await list(app, org.key, query)
    t.equal(res.statusCode, 200, query)
    assertVendorResponse(t, 'listMembers', json(res))
    t.same(json(res).data.members.map((m: Member) => m.id), wanted, query)
    t.equal(json(res).data.total, 4, `${query}: total`)
  }
})

t.test('GET: the default page size is 25', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { members: Array.from({ length: 26 }, (_, i) => ({ email: `m${i}@example.com` })) })
  const first = json(await list(app, org.key)).data
  t.equal(first.members.length, 25)
  t.equal(first.total, 26)
  t.equal(json(await list(app, org.key, '?page=2')).data.members.length, 1)
})

t.test('GET: page and pageSize out of range are 400s naming the parameter', async (t) => {
  const app = await build(t)
  const org = team(app)
  const cases: Array<[string, string]> = [
    ['?page=0', 'querystring.page must be >= 1'],
    ['?page=x', 'querystring.page must be integer'],
    ['?pageSize=0', 'querystring.pageSize must be >= 1'],
    ['?pageSize=101', 'querystring.pageSize must be <= 100'],
    ['?pageSize=2.5', 'querystring.pageSize must be integer']
  ]
  for (const [query, error] of cases) {
    const res = await list(app, org.key, query)
    t.equal(res.statusCode, 400, query)
    t.same(json(res), { success: false, error, deprecated: false }, query)
  }
})

t.test('authentication comes first on every organization members endpoint', async (t) => {
  const app = await build(t)
  const org = team(app)
  const mia = userId(app, 'mia@example.com')
  const cases = [
    { name: 'missing header', key: undefined, status: 401, error: /Missing API key/ },
    { name: 'unknown key', key: 'confident_org_ffffffffffffffffffffffffffffffff', status: 401, error: /^Invalid API key$/ },
    { name: 'key marked invalid', key: org.invalidKey, status: 401, error: /^Invalid API key$/ },
    { name: 'project key', key: org.projectKey, status: 403, error: /requires an organization API key/ }
  ]
  for (const c of cases) {
    for (const res of [
      await list(app, c.key, '?pageSize=1000'),
      await update(app, c.key, mia, {}),
      await remove(app, c.key, mia)
    ]) {
      t.equal(res.statusCode, c.status, c.name)
      t.match(json(res), { success: false, error: c.error, deprecated: false }, c.name)
    }
  }
  t.same(rolesIn(app, org.organizationId), { 'olivia@example.com': 'Owner', 'adam@example.com': 'Admin', 'mia@example.com': 'Member' })
})

t.test('PUT changes a member\'s role to a system or a custom organization role', async (t) => {
  const app = await build(t)
  const org = team(app)
  const mia = userId(app, 'mia@example.com')
  const auditor = customOrgRole(app, org.organizationId, 'Auditor')
  const res = await update(app, org.key, mia, { roleId: auditor })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'updateMemberRole', body)
  t.same(body, {
    success: true,
    data: { member: { id: mia, email: 'mia@example.com', name: null, image: null, organizationRole: { id: auditor, name: 'Auditor' } } }
  })
  t.equal(rolesIn(app, org.organizationId)['mia@example.com'], auditor)

  const admin = json(await update(app, org.key, mia, { roleId: ADMIN }))
  t.same(admin.data.member.organizationRole, { id: ADMIN, name: 'Admin' })
  const listed = (json(await list(app, org.key)).data.members as Member[]).find((m) => m.id === mia)!
  t.same(listed.organizationRole, { id: ADMIN, name: 'Admin' })
  t.same(projectEmails(app, org.projectId), ['mia@example.com', 'olivia@example.com'], 'project roles are another matter')
})

t.test('PUT Owner transfers ownership: the previous Owner becomes Admin', async (t) => {
  const app = await build(t)
  const org = team(app)
  const other = team(app)
  const mia = userId(app, 'mia@example.com')
  const res = await update(app, org.key, mia, { roleId: OWNER })
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'updateMemberRole', json(res))
  t.same(json(res).data.member, { id: mia, email: 'mia@example.com', name: null, image: null, organizationRole: { id: OWNER, name: 'Owner' } })
  t.same(rolesIn(app, org.organizationId), { 'olivia@example.com': 'Admin', 'adam@example.com': 'Admin', 'mia@example.com': 'Owner' })
  t.same(rolesIn(app, other.organizationId), { 'olivia@example.com': 'Owner', 'adam@example.com': 'Admin', 'mia@example.com': 'Member' },
    'the same people in another organization keep their roles')
  const mainOwner = app.db.select({ userId: projectMembers.userId }).from(projectMembers)
    .where(and(eq(projectMembers.projectId, org.projectId), eq(projectMembers.roleId, PROJECT_OWNER))).all()
  t.same(mainOwner, [{ userId: userId(app, 'olivia@example.com') }], 'project ownership does not move')

  const same = await update(app, org.key, mia, { roleId: OWNER })
  t.equal(same.statusCode, 200, 'Owner to Owner changes nothing')
  t.same(rolesIn(app, org.organizationId), { 'olivia@example.com': 'Admin', 'adam@example.com': 'Admin', 'mia@example.com': 'Owner' })
})

t.test('PUT cannot move the Owner off the Owner role: 409', async (t) => {
  const app = await build(t)
  const org = team(app)
  const res = await update(app, org.key, userId(app, 'olivia@example.com'), { roleId: ADMIN })
  t.equal(res.statusCode, 409)
  t.same(json(res), {
    success: false,
    error: 'The organization Owner keeps the Owner role until ownership is transferred: give the Owner role to another member',
    deprecated: false
  })
  t.equal(rolesIn(app, org.organizationId)['olivia@example.com'], 'Owner')
})

t.test('PUT: the body must hold a role id available to this organization', async (t) => {
  const app = await build(t)
  const org = team(app)
  const theirs = team(app)
  const mia = userId(app, 'mia@example.com')
  const schemaCases: Array<[string, unknown, string]> = [
    ['no roleId', {}, 'body must have required property \'roleId\''],
    ['roleId not a uuid', { roleId: 'role-uuid-1' }, 'body.roleId must be a valid uuid'],
    ['roleId null', { roleId: null }, 'body.roleId must be string']
  ]
  for (const [name, body, error] of schemaCases) {
    // The user is unknown too: the body is checked first.
    const res = await update(app, org.key, 'cnosuchuser00000000000000', body)
    t.equal(res.statusCode, 400, name)
    t.same(json(res), { success: false, error, deprecated: false }, name)
  }
  const project = seedOrg(app, { projects: [{ name: 'P', roles: [{ name: 'Reviewer' }] }] })
  const roleCases: Array<[string, string]> = [
    ['unknown role', '00000000-0000-4000-8000-000000000000'],
    ['another organization\'s custom role', customOrgRole(app, theirs.organizationId, 'Auditor')],
    ['a project role', systemRoleId('PROJECT', 'Manager')],
    ['a custom project role', project.roles['P/Reviewer']!]
  ]
  for (const [name, roleId] of roleCases) {
    const res = await update(app, org.key, mia, { roleId })
    t.equal(res.statusCode, 400, name)
    t.same(json(res), { success: false, error: 'roleId does not name a role available to this organization', deprecated: false }, name)
  }
  t.equal(rolesIn(app, org.organizationId)['mia@example.com'], 'Member')
})

t.test('PUT and DELETE: a user who is not a member of this organization is a 404', async (t) => {
  const app = await build(t)
  const org = team(app)
  const theirs = seedOrg(app, { members: [{ email: 'stranger@example.com' }] })
  for (const [name, id] of [['unknown user', 'cnosuchuser00000000000000'], ['another organization\'s member', userId(app, 'stranger@example.com')]]) {
    for (const res of [await update(app, org.key, id!, { roleId: ADMIN }), await remove(app, org.key, id!)]) {
      t.equal(res.statusCode, 404, name)
      t.same(json(res), { success: false, error: 'Member not found', deprecated: false }, name)
    }
  }
  t.same(rolesIn(app, theirs.organizationId), { 'stranger@example.com': 'Member' })
})

t.test('DELETE removes the member from the organization and all its projects, and clears their pending invitations', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    members: [{ email: 'olivia@example.com', role: 'Owner' }, { email: 'mia@example.com', role: 'Admin' }],
    invitations: [{ email: 'mia@example.com' }, { email: 'keep@example.com' }],
    projects: [
      { name: 'Main', members: [{ email: 'olivia@example.com', role: 'Owner' }, { email: 'mia@example.com', role: 'Manager' }], invitations: [{ email: 'mia@example.com' }] },
      { name: 'Other', members: [{ email: 'mia@example.com' }], invitations: [{ email: 'mia@example.com', status: 'DECLINED' }] },
      { name: 'Third', invitations: [{ email: 'mia@example.com' }, { email: 'keep@example.com' }] }
    ]
  })
  const elsewhere = seedOrg(app, {
    members: [{ email: 'mia@example.com' }],
    invitations: [{ email: 'mia@example.com' }],
    projects: [{ name: 'Theirs', members: [{ email: 'mia@example.com' }], invitations: [{ email: 'mia@example.com' }] }]
  })
  const mia = userId(app, 'mia@example.com')

  const res = await remove(app, org.key, mia)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'removeMember', json(res))
  t.equal(res.body, JSON.stringify({ success: true, data: { id: mia, removed: true } }))

  t.same(rolesIn(app, org.organizationId), { 'olivia@example.com': 'Owner' })
  t.same(json(await list(app, org.key)).data, {
    members: [{ id: userId(app, 'olivia@example.com'), email: 'olivia@example.com', name: null, image: null, organizationRole: { id: OWNER, name: 'Owner' } }],
    total: 1
  })
  for (const name of ['Main', 'Other', 'Third']) t.notOk(projectEmails(app, org.projects[name]!).includes('mia@example.com'), `gone from ${name}`)
  t.same(projectEmails(app, org.projects['Main']!), ['olivia@example.com'])

  const pendingOrg = app.db.select({ organizationId: organizationInvitations.organizationId, email: organizationInvitations.email })
    .from(organizationInvitations).where(eq(organizationInvitations.status, 'PENDING')).all()
  t.same(pendingOrg.map((p) => `${p.organizationId === org.organizationId ? 'mine' : 'theirs'}:${p.email}`).sort(),
    ['mine:keep@example.com', 'theirs:mia@example.com'])
  const projectNames = Object.fromEntries([...Object.entries(org.projects), ...Object.entries(elsewhere.projects)].map(([n, id]) => [id, n]))
  const invitations = app.db.select({ projectId: projectInvitations.projectId, email: projectInvitations.email, status: projectInvitations.status })
    .from(projectInvitations).all()
  t.same(invitations.map((i) => `${projectNames[i.projectId]}:${i.email}:${i.status}`).sort(), [
    'Other:mia@example.com:DECLINED',
    'Theirs:mia@example.com:PENDING',
    'Third:keep@example.com:PENDING'
  ], 'pending invitations to this organization\'s projects are gone; declined ones and other organizations\' stay')

  t.same(rolesIn(app, elsewhere.organizationId), { 'mia@example.com': 'Member' }, 'another organization keeps them')
  t.same(projectEmails(app, elsewhere.projectId), ['mia@example.com'])
  t.ok(app.db.select().from(users).where(eq(users.id, mia)).get(), 'the user remains')
  t.equal((await remove(app, org.key, mia)).statusCode, 404, 'a second removal finds no member')
})

t.test('DELETE cannot remove the organization Owner: 409, nothing changes', async (t) => {
  const app = await build(t)
  const org = team(app)
  const res = await remove(app, org.key, userId(app, 'olivia@example.com'))
  t.equal(res.statusCode, 409)
  t.same(json(res), { success: false, error: 'The organization Owner cannot be removed: transfer ownership to another member first', deprecated: false })
  t.same(rolesIn(app, org.organizationId), { 'olivia@example.com': 'Owner', 'adam@example.com': 'Admin', 'mia@example.com': 'Member' })
})

t.test('DELETE refuses to remove the Owner of one of its projects until that ownership is transferred', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    members: [{ email: 'olivia@example.com', role: 'Owner' }],
    invitations: [{ email: 'adam@example.com' }],
    projects: [
      { name: 'Zeta', members: [{ email: 'adam@example.com', role: 'Owner' }, { email: 'mia@example.com' }] },
      { name: 'Alpha', members: [{ email: 'adam@example.com', role: 'Owner' }], invitations: [{ email: 'adam@example.com' }] }
    ]
  })
  const adam = userId(app, 'adam@example.com')
  const refused = await remove(app, org.key, adam)
  t.equal(refused.statusCode, 409)
  t.same(json(refused), {
    success: false,
    error: 'This member is the Owner of project "Alpha": transfer its ownership before removing them from the organization',
    deprecated: false
  }, 'names the first such project by name')
  t.same(projectEmails(app, org.projects['Zeta']!), ['adam@example.com', 'mia@example.com'], 'nothing changed')
  t.equal(app.db.select().from(organizationInvitations).all().length, 1)
  t.equal(app.db.select().from(projectInvitations).all().length, 1)
  t.ok(rolesIn(app, org.organizationId)['adam@example.com'])

  // Hand both projects to someone else through the project endpoint, then the removal goes through.
  const mia = userId(app, 'mia@example.com')
  for (const name of ['Zeta', 'Alpha']) {
    if (name === 'Alpha') {
      const joined = app.state.apply({
        organizations: [{ id: org.organizationId, name: `again ${org.organizationId}`, plan: 'TEAM', projects: [{ id: org.projects['Alpha']!, name: 'Alpha', members: [{ email: 'mia@example.com' }] }] }]
      }, app.clock.now(), { force: true })
      t.ok(joined.applied)
    }
    const put = await app.inject({
      method: 'PUT', url: `/v1/projects/${org.projects[name]!}/members/${mia}`, headers: { CONFIDENT_API_KEY: org.key }, payload: { roleId: PROJECT_OWNER }
    })
    t.equal(put.statusCode, 200, `${name} handed over`)
  }
  const res = await remove(app, org.key, adam)
  t.equal(res.statusCode, 200)
  t.same(projectEmails(app, org.projects['Zeta']!), ['mia@example.com'])
  t.same(projectEmails(app, org.projects['Alpha']!), ['mia@example.com'])
  t.equal(app.db.select().from(organizationInvitations).all().length, 0)
  t.equal(app.db.select().from(projectInvitations).all().length, 0)
})
