// POST /__admin/invitations/accept|decline: the invitee's answer, by the token of the recorded email.
import { and, eq } from 'drizzle-orm'
import t from 'tap'
import type { InvitationKind } from '../../../src/domain/vocabulary.js'
import type { App } from '../../../src/app.js'
import { invitationEmails, organizationMembers, projectMembers, roles, users } from '../../../src/db/schema.js'
import { build, json, seedOrg } from '../../helpers/build.js'

function respond (app: App, action: 'accept' | 'decline', token: unknown) {
  return app.inject({ method: 'POST', url: `/__admin/invitations/${action}`, payload: { token } as object })
}

function tokenOf (app: App, kind: InvitationKind, invitationId: number): string {
  return app.db.select().from(invitationEmails)
    .where(and(eq(invitationEmails.kind, kind), eq(invitationEmails.invitationId, invitationId))).get()!.token
}

function roleName (app: App, roleId: string) {
  return app.db.select({ name: roles.name }).from(roles).where(eq(roles.id, roleId)).get()!.name
}

function membershipOf (app: App, email: string, organizationId: string, projectId: string) {
  const user = app.db.select().from(users).where(eq(users.email, email)).get()
  if (user === undefined) return { org: null, project: null }
  const org = app.db.select().from(organizationMembers)
    .where(and(eq(organizationMembers.userId, user.id), eq(organizationMembers.organizationId, organizationId))).get()
  const project = app.db.select().from(projectMembers)
    .where(and(eq(projectMembers.userId, user.id), eq(projectMembers.projectId, projectId))).get()
  return { org: org === undefined ? null : roleName(app, org.roleId), project: project === undefined ? null : roleName(app, project.roleId) }
}

t.test('accepting a project invitation makes a project member with the role, and an organization Member', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main', roles: [{ name: 'Reviewer' }] }] })
  const res = await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations`,
    headers: { CONFIDENT_API_KEY: org.key },
    payload: { emails: ['carol@example.com', 'dave@example.com'], projectRoleId: org.roles['Main/Reviewer'] }
  })
  const [carol, dave] = json(res).data.invitations
  t.same(membershipOf(app, 'carol@example.com', org.organizationId, org.projectId), { org: null, project: null })

  const accepted = await respond(app, 'accept', tokenOf(app, 'PROJECT', carol.id))
  t.equal(accepted.statusCode, 200)
  t.same(json(accepted), { success: true, data: { kind: 'PROJECT', organizationId: null, projectId: org.projectId, invitation: { ...carol, status: 'ACCEPTED' } } })
  t.same(membershipOf(app, 'carol@example.com', org.organizationId, org.projectId), { org: 'Member', project: 'Reviewer' })

  const declined = await respond(app, 'decline', tokenOf(app, 'PROJECT', dave.id))
  t.equal(declined.statusCode, 200)
  t.equal(json(declined).data.invitation.status, 'DECLINED')
  t.same(membershipOf(app, 'dave@example.com', org.organizationId, org.projectId), { org: null, project: null })

  const listed = json(await app.inject({ url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key } }))
  t.same(listed.data.invitations.map((i: { email: string, status: string }) => `${i.email}:${i.status}`), ['dave@example.com:DECLINED'],
    'ACCEPTED is no longer listed; DECLINED stays')

  const again = await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations`,
    headers: { CONFIDENT_API_KEY: org.key },
    payload: { emails: ['carol@example.com', 'dave@example.com'] }
  })
  t.same(json(again).data.invitations.map((i: { email: string }) => i.email), ['dave@example.com'], 'the new member is skipped; the decliner invited again')
})

t.test('an existing organization member keeps their organization role; a null role means Member', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { members: [{ email: 'adam@example.com', role: 'Admin' }], projects: [{ name: 'Main', invitations: [{ email: 'adam@example.com' }] }] })
  const listed = await app.inject({ method: 'GET', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key } })
  const invitationId = json(listed).data.invitations[0].id
  // A fixtures invitation has sent no email yet: resending records one, with its token.
  await app.inject({ method: 'PUT', url: `/v1/projects/${org.projectId}/invitations/${invitationId}`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal((await respond(app, 'accept', tokenOf(app, 'PROJECT', invitationId))).statusCode, 200)
  t.same(membershipOf(app, 'adam@example.com', org.organizationId, org.projectId), { org: 'Admin', project: 'Member' })
})

t.test('accepting an organization invitation gives the invited organization role', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const admin = app.db.select().from(roles).where(and(eq(roles.scope, 'ORGANIZATION'), eq(roles.name, 'Admin'))).get()!.id
  const res = await app.inject({ method: 'POST', url: '/v1/organization/invitations', headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['boss@example.com'], organizationRoleId: admin } })
  const [invitation] = json(res).data.invitations
  const accepted = await respond(app, 'accept', tokenOf(app, 'ORGANIZATION', invitation.id))
  t.same(json(accepted), { success: true, data: { kind: 'ORGANIZATION', organizationId: org.organizationId, projectId: null, invitation: { ...invitation, status: 'ACCEPTED' } } })
  t.same(membershipOf(app, 'boss@example.com', org.organizationId, org.projectId), { org: 'Admin', project: null })
})

t.test('bad, used and revoked tokens', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['a@example.com', 'b@example.com'] } })
  const [a, b] = json(res).data.invitations
  const tokenA = tokenOf(app, 'PROJECT', a.id)
  const tokenB = tokenOf(app, 'PROJECT', b.id)
  t.equal((await respond(app, 'accept', tokenA)).statusCode, 200)
  const cases: Array<[string, 'accept' | 'decline', unknown, number, string | RegExp]> = [
    ['used: accept twice', 'accept', tokenA, 409, 'Invitation is ACCEPTED, not PENDING'],
    ['used: decline after accept', 'decline', tokenA, 409, 'Invitation is ACCEPTED, not PENDING'],
    ['malformed', 'accept', 'not-a-token', 404, 'No invitation has this token'],
    ['forged MAC', 'accept', tokenB.slice(0, -4) + 'AAAA', 404, 'No invitation has this token'],
    ['another invitation\'s MAC', 'accept', tokenA.replace(`_${a.id}_`, `_${b.id}_`), 404, 'No invitation has this token'],
    ['organization prefix', 'accept', tokenB.replace(/^pi_/, 'oi_'), 404, 'No invitation has this token'],
    ['empty', 'accept', '', 400, 'body.token must NOT have fewer than 1 characters'],
    ['not a string', 'decline', 42, 400, 'body.token must be string']
  ]
  for (const [name, action, token, status, error] of cases) {
    const r = await respond(app, action, token)
    t.equal(r.statusCode, status, name)
    t.match(json(r), { success: false, error, deprecated: false }, name)
  }
  await app.inject({ method: 'DELETE', url: `/v1/projects/${org.projectId}/invitations/${b.id}`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal((await respond(app, 'accept', tokenB)).statusCode, 404, 'a revoked invitation\'s token stops working')
})
