// /v1/organization/invitations[/:invitationId]: the same rules as project invitations, at organization level.
import { and, eq, isNull, or } from 'drizzle-orm'
import t from 'tap'
import type { App } from '../../../../src/app.js'
import { invitationEmails, organizationInvitations, roles } from '../../../../src/db/schema.js'
import { T0, build, json, seedOrg, type SeededOrg } from '../../../helpers/build.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

function invite (app: App, key: string | undefined, body: unknown) {
  return app.inject({
    method: 'POST',
    url: '/v1/organization/invitations',
    headers: key === undefined ? {} : { CONFIDENT_API_KEY: key },
    payload: body as object
  })
}

function call (app: App, method: 'GET' | 'PUT' | 'DELETE', key: string, id?: number | string) {
  return app.inject({ method, url: `/v1/organization/invitations${id === undefined ? '' : `/${id}`}`, headers: { CONFIDENT_API_KEY: key } })
}

function orgRoles (app: App, org: SeededOrg): Record<string, string> {
  return Object.fromEntries(app.db.select({ id: roles.id, name: roles.name }).from(roles)
    .where(and(eq(roles.scope, 'ORGANIZATION'), or(isNull(roles.organizationId), eq(roles.organizationId, org.organizationId)))).all()
    .map((r) => [r.name, r.id]))
}

t.test('creates organization invitations in the vendor shape, skipping members and pending addresses', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { members: [{ email: 'member@example.com' }], invitations: [{ email: 'pending@example.com' }, { email: 'declined@example.com', status: 'DECLINED' }] })
  const admin = orgRoles(app, org)['Admin']!
  const res = await invite(app, org.key, {
    emails: ['New@Example.com', 'member@EXAMPLE.com', 'pending@example.com', 'declined@example.com', 'new@example.com'],
    organizationRoleId: admin
  })
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'createInvitations', json(res))
  const created = json(res).data.invitations
  t.same(Object.keys(created[0]), ['id', 'email', 'status', 'created_at', 'organizationRoleId'])
  t.same(created.map((i: { email: string, status: string, organizationRoleId: string, created_at: string }) => [i.email, i.status, i.organizationRoleId, i.created_at]), [
    ['new@example.com', 'PENDING', admin, new Date(T0).toISOString()],
    ['declined@example.com', 'PENDING', admin, new Date(T0).toISOString()]
  ])
  const sent = app.db.select().from(invitationEmails).all()
  t.same(sent.map((e) => [e.kind, e.to, e.organizationId, e.projectId]),
    [['ORGANIZATION', 'new@example.com', org.organizationId, null], ['ORGANIZATION', 'declined@example.com', org.organizationId, null]])

  const listed = await call(app, 'GET', org.key)
  assertVendorResponse(t, 'listInvitations', json(listed))
  t.same(json(listed).data.invitations.map((i: { email: string, status: string }) => `${i.email}:${i.status}`),
    ['pending@example.com:PENDING', 'declined@example.com:DECLINED', 'new@example.com:PENDING', 'declined@example.com:PENDING'])
})

t.test('the checks: key, body, plan, role (organization roles only, never Owner)', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { roles: [{ name: 'Auditor' }] })
  const other = seedOrg(app, { roles: [{ name: 'Foreign' }] })
  const free = seedOrg(app, { plan: 'FREE' })
  const mine = orgRoles(app, org)
  const cases: Array<[string, string | undefined, unknown, number, string | RegExp]> = [
    ['no key', undefined, { emails: [] }, 401, /Missing API key/],
    ['project key', org.projectKey, { emails: [] }, 403, /organization API key/],
    ['empty emails', org.key, { emails: [] }, 400, 'body.emails must NOT have fewer than 1 items'],
    ['role not a uuid', org.key, { emails: ['a@x.io'], organizationRoleId: 'admin' }, 400, 'body.organizationRoleId must be a valid uuid'],
    ['free plan (before the role)', free.key, { emails: ['a@x.io'], organizationRoleId: '00000000-0000-4000-8000-000000000000' }, 403, /Free plan/],
    ['unknown role', org.key, { emails: ['a@x.io'], organizationRoleId: '00000000-0000-4000-8000-000000000000' }, 400, 'organizationRoleId does not name a role available to this organization'],
    ['a project role', org.key, { emails: ['a@x.io'], organizationRoleId: org.roles['Manager'] }, 400, 'organizationRoleId does not name a role available to this organization'],
    ['another organization\'s custom role', org.key, { emails: ['a@x.io'], organizationRoleId: orgRoles(app, other)['Foreign'] }, 400, 'organizationRoleId does not name a role available to this organization'],
    ['Owner', org.key, { emails: ['a@x.io'], organizationRoleId: mine['Owner'] }, 400, 'The Owner role cannot be assigned to invitees']
  ]
  for (const [name, key, body, status, error] of cases) {
    const res = await invite(app, key, body)
    t.equal(res.statusCode, status, name)
    t.match(json(res), { success: false, error, deprecated: false }, name)
  }
  t.equal(app.db.select().from(organizationInvitations).all().length, 0)
  const custom = await invite(app, org.key, { emails: ['a@x.io'], organizationRoleId: mine['Auditor'] })
  t.equal(custom.statusCode, 200, 'a custom organization role is accepted')
})

t.test('resend and revoke', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { invitations: [{ email: 'declined@example.com', status: 'DECLINED' }, { email: 'accepted@example.com', status: 'ACCEPTED' }] })
  const other = seedOrg(app, { invitations: [{ email: 'theirs@example.com' }] })
  const ids = Object.fromEntries(app.db.select().from(organizationInvitations).all().map((r) => [r.email, r.id]))
  const [created] = json(await invite(app, org.key, { emails: ['carol@example.com'] })).data.invitations

  const resent = await call(app, 'PUT', org.key, created.id)
  t.equal(resent.statusCode, 200)
  t.equal(resent.body, JSON.stringify({ success: true, data: { invitation: created } }))
  assertVendorResponse(t, 'resendInvitation', json(resent))
  t.equal(app.db.select().from(invitationEmails).where(eq(invitationEmails.invitationId, created.id)).all().length, 2)
  t.equal((await call(app, 'PUT', org.key, ids['declined@example.com']!)).statusCode, 409)
  t.equal((await call(app, 'PUT', org.key, ids['theirs@example.com']!)).statusCode, 404, 'another organization\'s invitation')
  t.equal((await call(app, 'PUT', org.key, 'x')).statusCode, 400)

  const revoked = await call(app, 'DELETE', org.key, created.id)
  t.equal(revoked.body, JSON.stringify({ success: true, data: { id: created.id, deleted: true } }))
  assertVendorResponse(t, 'deleteInvitation', json(revoked))
  t.equal((await call(app, 'DELETE', org.key, ids['declined@example.com']!)).statusCode, 200)
  t.equal((await call(app, 'DELETE', org.key, ids['accepted@example.com']!)).statusCode, 409)
  t.equal((await call(app, 'DELETE', org.key, ids['theirs@example.com']!)).statusCode, 404)
  t.equal((await call(app, 'DELETE', other.key, ids['theirs@example.com']!)).statusCode, 200, 'its own organization may')
})
