// GET, PUT and DELETE /v1/projects/:projectId/members[/:userId] through app.inject: shapes, paging, ownership, removal.
import t from 'tap'
import { and, eq, isNull } from 'drizzle-orm'
import type { App } from '../../../../src/app.js'
import { invitationEmails, organizationInvitations, organizationMembers, projectInvitations, projectMembers, roles, users } from '../../../../src/db/schema.js'
import { systemRoleId } from '../../../../src/domain/roles.js'
import { build, json, seedOrg } from '../../../helpers/build.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

interface Member {
  id: string
  email: string
  name: string | null
  image: string | null
  projectRole: { id: string, name: string } | null
}

const OWNER = systemRoleId('PROJECT', 'Owner')
const MANAGER = systemRoleId('PROJECT', 'Manager')
const MEMBER = systemRoleId('PROJECT', 'Member')
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000'

function headers (key: string | undefined) {
  return key === undefined ? {} : { CONFIDENT_API_KEY: key }
}

function list (app: App, key: string | undefined, projectId: string, query = '') {
  return app.inject({ method: 'GET', url: `/v1/projects/${projectId}/members${query}`, headers: headers(key) })
}

function update (app: App, key: string | undefined, projectId: string, userId: string, body: unknown) {
  return app.inject({ method: 'PUT', url: `/v1/projects/${projectId}/members/${userId}`, headers: headers(key), payload: body as object })
}

function remove (app: App, key: string | undefined, projectId: string, userId: string) {
  return app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/members/${userId}`, headers: headers(key) })
}

function customOrgRole (app: App, organizationId: string, name: string): string {
  return app.db.select({ id: roles.id }).from(roles)
    .where(and(eq(roles.organizationId, organizationId), isNull(roles.projectId), eq(roles.name, name))).get()!.id
}

function userId (app: App, email: string): string {
  return app.db.select({ id: users.id }).from(users).where(eq(users.email, email)).get()!.id
}

/** email → role name, for every member of the project, straight from the database. */
function rolesIn (app: App, projectId: string): Record<string, string> {
  const rows = app.db.select({ email: users.email, roleId: projectMembers.roleId }).from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId)).where(eq(projectMembers.projectId, projectId)).all()
  const names = { [OWNER]: 'Owner', [MANAGER]: 'Manager', [MEMBER]: 'Member' }
  return Object.fromEntries(rows.map((r) => [r.email, names[r.roleId] ?? r.roleId]))
}

/** An organization with an Owner, a Manager and a Member in its project "Main", plus a custom role. */
function team (app: App) {
  return seedOrg(app, {
    members: [{ email: 'olivia@example.com', name: 'Olivia', image: 'https://img.example/olivia.png', role: 'Owner' }],
    projects: [{
      name: 'Main',
      roles: [{ name: 'Reviewer' }],
      members: [
        { email: 'olivia@example.com', role: 'Owner' },
        { email: 'max@example.com', name: 'Max', role: 'Manager' },
        { email: 'mia@example.com' }
      ]
    }, { name: 'Other', roles: [{ name: 'Elsewhere' }], members: [{ email: 'otto@example.com', role: 'Owner' }] }]
  })
}

t.test('GET lists members in the vendor shape, field by field', async (t) => {
  const app = await build(t)
  const org = team(app)
  const res = await list(app, org.key, org.projectId)
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listProjectMembers', body)
  t.same(Object.keys(body), ['success', 'data'])
  t.equal(body.success, true)
  t.same(Object.keys(body.data), ['members', 'total'])
  t.equal(body.data.total, 3)
  const byEmail = Object.fromEntries((body.data.members as Member[]).map((m) => [m.email, m]))
  t.same(byEmail['olivia@example.com'], {
    id: userId(app, 'olivia@example.com'),
    email: 'olivia@example.com',
    name: 'Olivia',
    image: 'https://img.example/olivia.png',
    projectRole: { id: OWNER, name: 'Owner' }
  })
  t.same(byEmail['max@example.com'], {
    id: userId(app, 'max@example.com'), email: 'max@example.com', name: 'Max', image: null, projectRole: { id: MANAGER, name: 'Manager' }
  })
  t.same(byEmail['mia@example.com'], {
    id: userId(app, 'mia@example.com'), email: 'mia@example.com', name: null, image: null, projectRole: { id: MEMBER, name: 'Member' }
  })
  for (const m of body.data.members as Member[]) t.same(Object.keys(m), ['id', 'email', 'name', 'image', 'projectRole'])
  t.notOk(byEmail['otto@example.com'], 'another project\'s member is not listed')
})

t.test('GET orders by join time, then user id', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main', members: [{ email: 'b@example.com' }, { email: 'a@example.com' }, { email: 'c@example.com' }] }] })
  app.clock.advance(1000)
  // The same organization and project again, later: the newcomer joins at the new time.
  app.state.apply({
    organizations: [{ id: org.organizationId, name: `later ${org.organizationId}`, plan: 'TEAM', projects: [{ id: org.projectId, name: 'Main', members: [{ email: '0-first-by-name@example.com' }] }] }]
  }, app.clock.now(), { force: true })
  const members = json(await list(app, org.key, org.projectId)).data.members as Member[]
  const sameTime = ['a@example.com', 'b@example.com', 'c@example.com'].map((e) => userId(app, e)).sort()
  t.same(members.map((m) => m.id), [...sameTime, userId(app, '0-first-by-name@example.com')])
})

t.test('GET pages: page and pageSize, defaults 1 and 25, total whatever the page', async (t) => {
  const app = await build(t)
  const emails = Array.from({ length: 30 }, (_, i) => `p${String(i).padStart(2, '0')}@example.com`)
  const org = seedOrg(app, { projects: [{ name: 'Main', members: emails.map((email) => ({ email })) }] })
  const all = json(await list(app, org.key, org.projectId, '?pageSize=100')).data
  t.equal(all.members.length, 30)
  t.equal(all.total, 30)
  const ids = (all.members as Member[]).map((m) => m.id)

  const first = json(await list(app, org.key, org.projectId)).data
  t.same(first.members.map((m: Member) => m.id), ids.slice(0, 25), 'default page size is 25')
  t.equal(first.total, 30)
  const second = json(await list(app, org.key, org.projectId, '?page=2')).data
  t.same(second.members.map((m: Member) => m.id), ids.slice(25), 'page 2 holds the rest')
  t.equal(second.total, 30)

  const cases: Array<[string, string[]]> = [
    ['?page=3&pageSize=7', ids.slice(14, 21)],
    ['?page=5&pageSize=7', ids.slice(28, 30)],
    ['?page=1&pageSize=1', ids.slice(0, 1)],
    ['?page=2&pageSize=30', []],
    ['?page=6&pageSize=6', []],
    ['?page=100000', []],
    ['?page=9007199254740991&pageSize=100', []]
  ]
  for (const [query, wanted] of cases) {
    const res = await list(app, org.key, org.projectId, query)
    t.equal(res.statusCode, 200, query)
    const body = json(res)
    assertVendorResponse(t, 'listProjectMembers', body)
    t.same(body.data.members.map((m: Member) => m.id), wanted, query)
    t.equal(body.data.total, 30, `${query}: total`)
  }
})

t.test('GET with no members: an empty list and a total of 0', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await list(app, org.key, org.projectId)
  t.equal(res.body, '{"success":true,"data":{"members":[],"total":0}}')
})

t.test('GET: page and pageSize out of range are 400s naming the parameter', async (t) => {
  const app = await build(t)
  const org = team(app)
  const cases: Array<[string, string]> = [
    ['?page=0', 'querystring.page must be >= 1'],
    ['?page=-1', 'querystring.page must be >= 1'],
    ['?page=1.5', 'querystring.page must be integer'],
    ['?page=abc', 'querystring.page must be integer'],
    ['?pageSize=0', 'querystring.pageSize must be >= 1'],
    ['?pageSize=101', 'querystring.pageSize must be <= 100'],
    ['?pageSize=ten', 'querystring.pageSize must be integer']
  ]
  for (const [query, error] of cases) {
    // The project does not exist either: the query is checked first.
    const res = await list(app, org.key, 'cdoesnotexist000000000000', query)
    t.equal(res.statusCode, 400, query)
    t.same(json(res), { success: false, error, deprecated: false }, query)
  }
})

t.test('authentication comes first on every members endpoint', async (t) => {
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
      await list(app, c.key, org.projectId, '?page=0'),
      await update(app, c.key, org.projectId, mia, { roleId: 'not-a-uuid' }),
      await remove(app, c.key, org.projectId, mia)
    ]) {
      t.equal(res.statusCode, c.status, c.name)
      t.match(json(res), { success: false, error: c.error, deprecated: false }, c.name)
    }
  }
  t.same(rolesIn(app, org.projectId), { 'olivia@example.com': 'Owner', 'max@example.com': 'Manager', 'mia@example.com': 'Member' }, 'nothing changed')
})

t.test('another organization\'s project, or none, is a 404 on every members endpoint', async (t) => {
  const app = await build(t)
  const mine = team(app)
  const theirs = team(app)
  const mia = userId(app, 'mia@example.com')
  for (const projectId of ['cdoesnotexist000000000000', theirs.projectId]) {
    for (const res of [
      await list(app, mine.key, projectId),
      await update(app, mine.key, projectId, mia, { roleId: MANAGER }),
      await remove(app, mine.key, projectId, mia)
    ]) {
      t.equal(res.statusCode, 404)
      t.same(json(res), { success: false, error: 'Project not found', deprecated: false })
    }
  }
  t.same(rolesIn(app, theirs.projectId), { 'olivia@example.com': 'Owner', 'max@example.com': 'Manager', 'mia@example.com': 'Member' })
})

t.test('PUT changes a member\'s role to a system or a custom project role', async (t) => {
  const app = await build(t)
  const org = team(app)
  const mia = userId(app, 'mia@example.com')
  const reviewer = org.roles['Main/Reviewer']!

  const res = await update(app, org.key, org.projectId, mia, { roleId: reviewer })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'updateProjectMemberRole', body)
  t.same(body, {
    success: true,
    data: { member: { id: mia, email: 'mia@example.com', name: null, image: null, projectRole: { id: reviewer, name: 'Reviewer' } } }
  })
  t.equal(rolesIn(app, org.projectId)['mia@example.com'], reviewer, 'stored')

  const back = json(await update(app, org.key, org.projectId, mia, { roleId: MANAGER, note: 'unknown fields are ignored' }))
  t.same(back.data.member.projectRole, { id: MANAGER, name: 'Manager' })
  const listed = (json(await list(app, org.key, org.projectId)).data.members as Member[]).find((m) => m.id === mia)!
  t.same(listed.projectRole, { id: MANAGER, name: 'Manager' }, 'the list shows the new role')
})

t.test('PUT with the role the member already has: 200, nothing changes', async (t) => {
  const app = await build(t)
  const org = team(app)
  for (const [email, roleId, name] of [['mia@example.com', MEMBER, 'Member'], ['olivia@example.com', OWNER, 'Owner']] as const) {
    const res = await update(app, org.key, org.projectId, userId(app, email), { roleId })
    t.equal(res.statusCode, 200, email)
    t.same(json(res).data.member.projectRole, { id: roleId, name }, email)
  }
  t.same(rolesIn(app, org.projectId), { 'olivia@example.com': 'Owner', 'max@example.com': 'Manager', 'mia@example.com': 'Member' })
})

t.test('PUT Owner transfers ownership: the previous Owner becomes Manager', async (t) => {
  const app = await build(t)
  const org = team(app)
  const mia = userId(app, 'mia@example.com')
  const res = await update(app, org.key, org.projectId, mia, { roleId: OWNER })
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'updateProjectMemberRole', json(res))
  t.same(json(res).data.member, { id: mia, email: 'mia@example.com', name: null, image: null, projectRole: { id: OWNER, name: 'Owner' } })
  t.same(rolesIn(app, org.projectId), { 'olivia@example.com': 'Manager', 'max@example.com': 'Manager', 'mia@example.com': 'Owner' })
  t.same(rolesIn(app, org.projects['Other']!), { 'otto@example.com': 'Owner' }, 'another project keeps its Owner')
  const orgRole = app.db.select({ roleId: organizationMembers.roleId }).from(organizationMembers)
    .where(and(eq(organizationMembers.organizationId, org.organizationId), eq(organizationMembers.userId, userId(app, 'olivia@example.com')))).get()!
  t.equal(orgRole.roleId, systemRoleId('ORGANIZATION', 'Owner'), 'the organization role is another matter')

  // And back: the new Owner may hand it on.
  const olivia = userId(app, 'olivia@example.com')
  t.equal((await update(app, org.key, org.projectId, olivia, { roleId: OWNER })).statusCode, 200)
  t.same(rolesIn(app, org.projectId), { 'olivia@example.com': 'Owner', 'max@example.com': 'Manager', 'mia@example.com': 'Manager' })
})

t.test('PUT Owner when fixtures left several Owners or none', async (t) => {
  const app = await build(t)
  const many = seedOrg(app, {
    projects: [{ name: 'Main', members: [{ email: 'o1@example.com', role: 'Owner' }, { email: 'o2@example.com', role: 'Owner' }, { email: 'm@example.com' }] }]
  })
  t.equal((await update(app, many.key, many.projectId, userId(app, 'm@example.com'), { roleId: OWNER })).statusCode, 200)
  t.same(rolesIn(app, many.projectId), { 'o1@example.com': 'Manager', 'o2@example.com': 'Manager', 'm@example.com': 'Owner' }, 'every Owner is demoted')

  const none = seedOrg(app, { projects: [{ name: 'Main', members: [{ email: 'n1@example.com' }, { email: 'n2@example.com' }] }] })
  t.equal((await update(app, none.key, none.projectId, userId(app, 'n1@example.com'), { roleId: OWNER })).statusCode, 200)
  t.same(rolesIn(app, none.projectId), { 'n1@example.com': 'Owner', 'n2@example.com': 'Member' }, 'no one to demote')
})

t.test('PUT cannot move the Owner off the Owner role: 409', async (t) => {
  const app = await build(t)
  const org = team(app)
  const olivia = userId(app, 'olivia@example.com')
  for (const roleId of [MANAGER, MEMBER, org.roles['Main/Reviewer']!]) {
    const res = await update(app, org.key, org.projectId, olivia, { roleId })
    t.equal(res.statusCode, 409)
    t.same(json(res), {
      success: false,
      error: 'The project Owner keeps the Owner role until ownership is transferred: give the Owner role to another member',
      deprecated: false
    })
  }
  t.same(rolesIn(app, org.projectId), { 'olivia@example.com': 'Owner', 'max@example.com': 'Manager', 'mia@example.com': 'Member' })
})

t.test('PUT: the body must hold a role id available to this project', async (t) => {
  const app = await build(t)
  const org = team(app)
  const theirs = team(app)
  const auditors = seedOrg(app, { roles: [{ name: 'Auditor' }] })
  const mia = userId(app, 'mia@example.com')
  const schemaCases: Array<[string, unknown, string]> = [
    ['no roleId', {}, 'body must have required property \'roleId\''],
    ['roleId not a uuid', { roleId: 'project-role-uuid-2' }, 'body.roleId must be a valid uuid'],
    ['roleId null', { roleId: null }, 'body.roleId must be string'],
    ['roleId a number', { roleId: 7 }, 'body.roleId must be string'],
    ['body an array', [MANAGER], 'Request body must be a JSON object']
  ]
  for (const [name, body, error] of schemaCases) {
    // The project is unknown too: the body is checked first.
    const res = await update(app, org.key, 'cdoesnotexist000000000000', mia, body)
    t.equal(res.statusCode, 400, name)
    t.same(json(res), { success: false, error, deprecated: false }, name)
  }
  const roleCases: Array<[string, string]> = [
    ['unknown role', UNKNOWN_UUID],
    ['another project\'s custom role', org.roles['Other/Elsewhere']!],
    ['another organization\'s custom role', theirs.roles['Main/Reviewer']!],
    ['an organization role', systemRoleId('ORGANIZATION', 'Admin')],
    ['a custom organization role', customOrgRole(app, auditors.organizationId, 'Auditor')]
  ]
  for (const [name, roleId] of roleCases) {
    const res = await update(app, org.key, org.projectId, mia, { roleId })
    t.equal(res.statusCode, 400, name)
    t.same(json(res), { success: false, error: 'roleId does not name a role available to this project', deprecated: false }, name)
  }
  t.same(rolesIn(app, org.projectId), { 'olivia@example.com': 'Owner', 'max@example.com': 'Manager', 'mia@example.com': 'Member' })
})

t.test('PUT and DELETE: a user who is not a member of this project is a 404', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    members: [{ email: 'orgonly@example.com' }],
    projects: [{ name: 'Main', members: [{ email: 'in@example.com' }] }, { name: 'Other', members: [{ email: 'other@example.com' }] }]
  })
  const theirs = seedOrg(app, { projects: [{ name: 'Theirs', members: [{ email: 'stranger@example.com' }] }] })
  const cases: Array<[string, string]> = [
    ['unknown user', 'cnosuchuser00000000000000'],
    ['an organization member outside the project', userId(app, 'orgonly@example.com')],
    ['a member of another project', userId(app, 'other@example.com')],
    ['a member of another organization', userId(app, 'stranger@example.com')]
  ]
  for (const [name, id] of cases) {
    for (const res of [await update(app, org.key, org.projectId, id, { roleId: MANAGER }), await remove(app, org.key, org.projectId, id)]) {
      t.equal(res.statusCode, 404, name)
      t.same(json(res), { success: false, error: 'Member not found', deprecated: false }, name)
    }
  }
  t.same(rolesIn(app, theirs.projectId), { 'stranger@example.com': 'Member' })
})

t.test('PUT: malformed bodies get the error envelope', async (t) => {
  const app = await build(t)
  const org = team(app)
  const url = `/v1/projects/${org.projectId}/members/${userId(app, 'mia@example.com')}`
  const cases = [
    { contentType: 'application/json', payload: '{"roleId": ', status: 400, error: 'Request body is not valid JSON' },
    { contentType: 'text/plain', payload: MANAGER, status: 415, error: 'Unsupported Content-Type: send the body as application/json' }
  ]
  for (const c of cases) {
    const res = await app.inject({ method: 'PUT', url, headers: { CONFIDENT_API_KEY: org.key, 'content-type': c.contentType }, payload: c.payload })
    t.equal(res.statusCode, c.status, c.contentType)
    t.same(json(res), { success: false, error: c.error, deprecated: false })
  }
})

t.test('DELETE removes the member and clears their PENDING invitations to this project only', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    members: [{ email: 'mia@example.com' }],
    invitations: [{ email: 'mia@example.com' }],
    projects: [{
      name: 'Main',
      members: [{ email: 'olivia@example.com', role: 'Owner' }, { email: 'Mia@Example.com', name: 'Mia' }],
      // A pending invitation can outlive a membership made by other means (fixtures, the real service's UI).
      invitations: [{ email: 'mia@example.com' }, { email: 'keep@example.com' }]
    }, {
      name: 'Other',
      members: [{ email: 'mia@example.com' }],
      invitations: [{ email: 'mia@example.com', status: 'PENDING' }]
    }]
  })
  const mia = userId(app, 'mia@example.com')
  const res = await remove(app, org.key, org.projectId, mia)
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'removeProjectMember', body)
  t.equal(res.body, JSON.stringify({ success: true, data: { id: mia, removed: true } }))

  t.same(rolesIn(app, org.projectId), { 'olivia@example.com': 'Owner' })
  const listed = json(await list(app, org.key, org.projectId)).data
  t.equal(listed.total, 1)
  t.same(listed.members.map((m: Member) => m.email), ['olivia@example.com'])

  const pending = app.db.select({ projectId: projectInvitations.projectId, email: projectInvitations.email }).from(projectInvitations)
    .where(eq(projectInvitations.status, 'PENDING')).all()
  t.same(pending.map((p) => `${p.projectId === org.projectId ? 'Main' : 'Other'}:${p.email}`).sort(),
    ['Main:keep@example.com', 'Other:mia@example.com'], 'only their invitation to this project is gone')
  t.equal(app.db.select().from(organizationInvitations).all().length, 1, 'the organization invitation stays')
  t.same(rolesIn(app, org.projects['Other']!), { 'mia@example.com': 'Member' }, 'other projects are untouched')
  t.ok(app.db.select().from(organizationMembers)
    .where(and(eq(organizationMembers.organizationId, org.organizationId), eq(organizationMembers.userId, mia))).get(),
  'still an organization member')
  t.ok(app.db.select().from(users).where(eq(users.id, mia)).get(), 'the user remains')

  const again = await remove(app, org.key, org.projectId, mia)
  t.equal(again.statusCode, 404, 'a second removal finds no member')
})

t.test('DELETE keeps DECLINED and ACCEPTED invitations as history', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    projects: [{
      name: 'Main',
      members: [{ email: 'mia@example.com' }],
      invitations: [{ email: 'mia@example.com', status: 'ACCEPTED' }]
    }, { name: 'Other', invitations: [{ email: 'mia@example.com', status: 'DECLINED' }] }]
  })
  t.equal((await remove(app, org.key, org.projectId, userId(app, 'mia@example.com'))).statusCode, 200)
  t.same(app.db.select({ status: projectInvitations.status }).from(projectInvitations).all().map((r) => r.status).sort(), ['ACCEPTED', 'DECLINED'])
})

t.test('a removed member can be invited again', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main', members: [{ email: 'mia@example.com' }] }] })
  const invite = () => app.inject({
    method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['mia@example.com'] }
  })
  t.same(json(await invite()).data.invitations, [], 'a member is skipped')
  t.equal((await remove(app, org.key, org.projectId, userId(app, 'mia@example.com'))).statusCode, 200)
  t.same(json(await invite()).data.invitations.map((i: { email: string }) => i.email), ['mia@example.com'], 'a former member is invited')
})

t.test('DELETE cannot remove the project Owner: 409, nothing changes', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    projects: [{ name: 'Main', members: [{ email: 'olivia@example.com', role: 'Owner' }], invitations: [{ email: 'olivia@example.com' }] }]
  })
  const res = await remove(app, org.key, org.projectId, userId(app, 'olivia@example.com'))
  t.equal(res.statusCode, 409)
  t.same(json(res), { success: false, error: 'The project Owner cannot be removed: transfer ownership to another member first', deprecated: false })
  t.same(rolesIn(app, org.projectId), { 'olivia@example.com': 'Owner' })
  t.equal(app.db.select().from(projectInvitations).all().length, 1, 'the pending invitation stays')
})

t.test('whoever accepts an invitation is listed after earlier members, with the invited role', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main', roles: [{ name: 'Reviewer' }], members: [{ email: 'olivia@example.com', role: 'Owner' }] }] })
  const reviewer = org.roles['Main/Reviewer']!
  const invited = await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations`,
    headers: { CONFIDENT_API_KEY: org.key },
    payload: { emails: ['carol@example.com'], projectRoleId: reviewer }
  })
  const [invitation] = json(invited).data.invitations
  const { token } = app.db.select().from(invitationEmails).where(eq(invitationEmails.invitationId, invitation.id)).get()!
  app.clock.advance(1000)
  const accepted = await app.inject({ method: 'POST', url: '/__admin/invitations/accept', payload: { token } })
  t.equal(accepted.statusCode, 200)

  const listed = json(await list(app, org.key, org.projectId))
  assertVendorResponse(t, 'listProjectMembers', listed)
  t.same(listed.data.members.map((m: Member) => [m.email, m.projectRole!.name]), [['olivia@example.com', 'Owner'], ['carol@example.com', 'Reviewer']])
  t.equal(listed.data.total, 2)
})
