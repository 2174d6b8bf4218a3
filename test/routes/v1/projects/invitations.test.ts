// POST and GET /v1/projects/:projectId/invitations through app.inject: every check, skip rule and shape.
import t from 'tap'
import { and, eq, isNull, or } from 'drizzle-orm'
import { invitationEmails, projectInvitations, roles } from '../../../../src/db/schema.js'
import { T0, build, json, seedOrg } from '../../../helpers/build.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'
import type { App } from '../../../../src/app.js'

const DAY = 24 * 60 * 60 * 1000

/** Every 200 these helpers see is checked against the vendor's schema. */
async function checked (res: Awaited<ReturnType<App['inject']>>, operationId: string) {
  if (res.statusCode === 200) assertVendorResponse(t, operationId, json(res))
  return res
}

async function invite (app: App, key: string | undefined, projectId: string, body: unknown) {
  return checked(await app.inject({
    method: 'POST',
    url: `/v1/projects/${projectId}/invitations`,
    headers: key === undefined ? {} : { CONFIDENT_API_KEY: key },
    payload: body as object
  }), 'createProjectInvitations')
}

async function list (app: App, key: string, projectId: string) {
  return checked(await app.inject({ method: 'GET', url: `/v1/projects/${projectId}/invitations`, headers: { CONFIDENT_API_KEY: key } }), 'listProjectInvitations')
}

function emailsOf (res: { body: string }): string[] {
  return json(res).data.invitations.map((i: { email: string }) => i.email)
}

t.test('creates invitations: exact vendor shape, byte for byte', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await invite(app, org.key, org.projectId, { emails: ['carol@example.com', 'dave@example.com'] })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.body, JSON.stringify({
    success: true,
    data: {
      invitations: [
        { id: 1, email: 'carol@example.com', status: 'PENDING', created_at: '2026-01-15T12:00:00.000Z', projectRoleId: null },
        { id: 2, email: 'dave@example.com', status: 'PENDING', created_at: '2026-01-15T12:00:00.000Z', projectRoleId: null }
      ]
    }
  }))
  assertVendorResponse(t, 'createProjectInvitations', json(res))
})

t.test('created_at comes from the server clock', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  app.clock.advance(DAY + 1)
  const res = await invite(app, org.key, org.projectId, { emails: ['a@example.com'] })
  t.equal(json(res).data.invitations[0].created_at, new Date(T0 + DAY + 1).toISOString())
})

t.test('a role id given is returned and stored; system and custom project roles are accepted', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main', roles: [{ name: 'Reviewer', policies: ['traces:read'] }] }] })
  for (const roleId of [org.roles['Manager']!, org.roles['Member']!, org.roles['Main/Reviewer']!]) {
    const email = `person-${roleId.slice(0, 8)}@example.com`
    const res = await invite(app, org.key, org.projectId, { emails: [email], projectRoleId: roleId })
    t.equal(res.statusCode, 200)
    const [created] = json(res).data.invitations
    t.equal(created.projectRoleId, roleId)
    t.equal(created.email, email)
    assertVendorResponse(t, 'createProjectInvitations', json(res))
  }
  const listed = json(await list(app, org.key, org.projectId)).data.invitations
  t.same(listed.map((i: { projectRoleId: string }) => i.projectRoleId), [org.roles['Manager'], org.roles['Member'], org.roles['Main/Reviewer']])
})

t.test('skip rules', async (t) => {
  t.test('duplicates in one request count once, compared without case; first occurrence keeps its place', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const res = await invite(app, org.key, org.projectId, {
      emails: ['Zed@Example.com', 'amy@example.com', 'zed@example.com', 'AMY@EXAMPLE.COM', 'bob@example.com']
    })
    t.equal(res.statusCode, 200)
    t.same(emailsOf(res), ['zed@example.com', 'amy@example.com', 'bob@example.com'])
  })

  t.test('an address with a PENDING invitation is skipped, whatever its case', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    await invite(app, org.key, org.projectId, { emails: ['carol@example.com'] })
    const res = await invite(app, org.key, org.projectId, { emails: ['CAROL@example.com', 'dave@example.com'] })
    t.same(emailsOf(res), ['dave@example.com'])
  })

  t.test('a member of the project is skipped; a member of the organization only is not', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, {
      members: [{ email: 'orgonly@example.com' }],
      projects: [{ name: 'Main', members: [{ email: 'Member@Example.com', role: 'Manager' }] }]
    })
    const res = await invite(app, org.key, org.projectId, { emails: ['member@example.com', 'MEMBER@example.com', 'orgonly@example.com'] })
    t.same(emailsOf(res), ['orgonly@example.com'])
  })

  t.test('a DECLINED address is invited again; an ACCEPTED one who is no longer a member too', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, {
      projects: [{
        name: 'Main',
        invitations: [
          { email: 'declined@example.com', status: 'DECLINED' },
          { email: 'left@example.com', status: 'ACCEPTED' }
        ]
      }]
    })
    const res = await invite(app, org.key, org.projectId, { emails: ['declined@example.com', 'left@example.com'] })
    t.equal(res.statusCode, 200)
    const created = json(res).data.invitations
    t.same(created.map((i: { email: string, status: string }) => [i.email, i.status]),
      [['declined@example.com', 'PENDING'], ['left@example.com', 'PENDING']])
    // The declined one is still listed beside the new pending one.
    const listed = json(await list(app, org.key, org.projectId)).data.invitations
    t.same(listed.map((i: { email: string, status: string }) => `${i.email}:${i.status}`),
      ['declined@example.com:DECLINED', 'declined@example.com:PENDING', 'left@example.com:PENDING'])
  })

  t.test('all skipped: 200 with an empty list, nothing stored', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { projects: [{ name: 'Main', members: [{ email: 'm@example.com' }] }] })
    await invite(app, org.key, org.projectId, { emails: ['p@example.com'] })
    const res = await invite(app, org.key, org.projectId, { emails: ['M@example.com', 'p@example.com'] })
    t.equal(res.statusCode, 200)
    t.equal(res.body, '{"success":true,"data":{"invitations":[]}}')
    assertVendorResponse(t, 'createProjectInvitations', json(res))
    t.equal(app.db.select().from(projectInvitations).all().length, 1)
  })

  t.test('the same address may be pending in two projects', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { projects: [{ name: 'Main' }, { name: 'Other' }] })
    t.same(emailsOf(await invite(app, org.key, org.projects['Main']!, { emails: ['x@example.com'] })), ['x@example.com'])
    t.same(emailsOf(await invite(app, org.key, org.projects['Other']!, { emails: ['x@example.com'] })), ['x@example.com'])
  })
})

t.test('each created invitation records one email, with its token', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main', members: [{ email: 'm@example.com' }] }] })
  const res = await invite(app, org.key, org.projectId, { emails: ['a@example.com', 'm@example.com', 'b@example.com'] })
  const created = json(res).data.invitations as Array<{ id: number, email: string }>
  const emails = app.db.select().from(invitationEmails).where(eq(invitationEmails.projectId, org.projectId)).all()
  t.same(emails.map((e) => [e.invitationId, e.to, e.kind, e.organizationId, e.createdAt]),
    created.map((c) => [c.id, c.email, 'PROJECT', org.organizationId, T0]))
  for (const [i, email] of emails.entries()) {
    t.ok(app.tokens.matches(email.token, { kind: 'PROJECT', id: created[i]!.id, email: created[i]!.email, createdAt: T0 }),
      'the email carries the invitation\'s token')
  }
  t.equal(new Set(emails.map((e) => e.token)).size, emails.length, 'one token per invitation')
  for (const email of emails) t.notMatch(res.body, email.token, 'the token never appears in the response')
})

t.test('check 1: authentication', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const cases = [
    { name: 'missing header', key: undefined, status: 401, error: /Missing API key/ },
    { name: 'empty header', key: '', status: 401, error: /Missing API key/ },
    { name: 'unknown key', key: 'confident_org_ffffffffffffffffffffffffffffffff', status: 401, error: /^Invalid API key$/ },
    { name: 'key marked invalid', key: org.invalidKey, status: 401, error: /^Invalid API key$/ },
    { name: 'project key', key: org.projectKey, status: 403, error: /requires an organization API key/ }
  ]
  for (const c of cases) {
    // The body is invalid too: authentication is checked first.
    const res = await invite(app, c.key, org.projectId, { emails: [] })
    t.equal(res.statusCode, c.status, c.name)
    t.match(json(res), { success: false, error: c.error, deprecated: false }, c.name)
    t.same(Object.keys(json(res)), ['success', 'error', 'deprecated'])
  }
  t.equal(app.db.select().from(projectInvitations).all().length, 0)
})

t.test('check 2: the body must match the schema (checked before the project)', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_MAX_EMAILS: 3 } })
  const org = seedOrg(app)
  const cases: Array<[string, unknown, RegExp]> = [
    ['no emails', {}, /body must have required property 'emails'/],
    ['emails not an array', { emails: 'a@example.com' }, /body\.emails must be array/],
    ['emails empty', { emails: [] }, /body\.emails must NOT have fewer than 1 items/],
    ['emails over the limit', { emails: ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io'] }, /body\.emails must NOT have more than 3 items/],
    ['an address not a string', { emails: ['a@x.io', 7] }, /body\.emails\[1\] must be string/],
    ['an invalid address', { emails: ['a@x.io', 'not-an-email'] }, /body\.emails\[1\] must be a valid email/],
    ['an address too long', { emails: [`${'a'.repeat(250)}@x.io`] }, /body\.emails\[0\] must NOT have more than 254 characters/],
    ['projectRoleId not a uuid', { emails: ['a@x.io'], projectRoleId: 'project-role-uuid-2' }, /body\.projectRoleId must be a valid uuid/],
    ['projectRoleId null', { emails: ['a@x.io'], projectRoleId: null }, /body\.projectRoleId must be string/],
    ['body an array', ['a@x.io'], /Request body must be a JSON object/]
  ]
  for (const [name, body, error] of cases) {
    const res = await invite(app, org.key, 'no-such-project', body)
    t.equal(res.statusCode, 400, name)
    t.match(json(res), { success: false, error, deprecated: false }, name)
  }
  t.equal(app.db.select().from(projectInvitations).all().length, 0)
})

t.test('unknown body fields are ignored, __proto__ and constructor too', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations`,
    headers: { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' },
    payload: '{"emails":["a@example.com"],"note":"hi","__proto__":{"x":1},"constructor":{"prototype":{"y":1}}}'
  })
  t.equal(res.statusCode, 200)
  t.same(emailsOf(res), ['a@example.com'])
})

t.test('check 3: the project must exist in the key\'s organization (before the plan)', async (t) => {
  const app = await build(t)
  const mine = seedOrg(app, { plan: 'FREE' })
  const theirs = seedOrg(app)
  for (const projectId of ['cdoesnotexist000000000000', theirs.projectId]) {
    const res = await invite(app, mine.key, projectId, { emails: ['a@example.com'] })
    t.equal(res.statusCode, 404)
    t.same(json(res), { success: false, error: 'Project not found', deprecated: false })
    const listed = await list(app, mine.key, projectId)
    t.equal(listed.statusCode, 404, 'listing another organization\'s project is a 404 too')
  }
  t.equal(app.db.select().from(projectInvitations).all().length, 0)
})

t.test('check 4: the plan rule, read against the server clock', async (t) => {
  const app = await build(t)
  const iso = (ms: number) => new Date(ms).toISOString()
  const cases = [
    { plan: 'FREE', trialEndsAt: null, status: 403 },
    { plan: 'FREE', trialEndsAt: iso(T0 + DAY), status: 200 },
    { plan: 'FREE', trialEndsAt: iso(T0 - 1), status: 403 },
    { plan: 'TRIAL', trialEndsAt: iso(T0 + 1), status: 200 },
    { plan: 'TRIAL', trialEndsAt: iso(T0), status: 403 },
    { plan: 'TRIAL', trialEndsAt: null, status: 403 },
    { plan: 'STARTER', trialEndsAt: null, status: 200 },
    { plan: 'TEAM', trialEndsAt: iso(T0 - DAY), status: 200 },
    { plan: 'PREMIUM', trialEndsAt: null, status: 200 },
    { plan: 'ENTERPRISE', trialEndsAt: null, status: 200 }
  ] as const
  for (const c of cases) {
    const org = seedOrg(app, { plan: c.plan, trialEndsAt: c.trialEndsAt })
    // The role id is unknown too: the plan is checked first.
    const res = await invite(app, org.key, org.projectId, { emails: ['a@example.com'], projectRoleId: c.status === 403 ? '00000000-0000-4000-8000-000000000000' : undefined })
    t.equal(res.statusCode, c.status, `${c.plan} trial ends ${c.trialEndsAt}`)
    if (c.status === 403) {
      t.same(json(res), { success: false, error: 'Inviting members is not available on the Free plan outside of the trial period', deprecated: false })
    }
  }

  const trial = seedOrg(app, { plan: 'TRIAL', trialEndsAt: iso(T0 + DAY) })
  t.equal((await invite(app, trial.key, trial.projectId, { emails: ['b@example.com'] })).statusCode, 200)
  app.clock.advance(DAY)
  t.equal((await invite(app, trial.key, trial.projectId, { emails: ['c@example.com'] })).statusCode, 403, 'the trial ended on the clock')
})

t.test('checks 5 and 6: the role must be this project\'s and never Owner', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    roles: [{ name: 'Auditor' }],
    projects: [{ name: 'Main' }, { name: 'Other', roles: [{ name: 'Elsewhere' }] }]
  })
  const other = seedOrg(app, { projects: [{ name: 'Theirs', roles: [{ name: 'Foreign' }] }] })
  const orgRoles = Object.fromEntries(app.db.select({ id: roles.id, name: roles.name }).from(roles)
    .where(and(eq(roles.scope, 'ORGANIZATION'), or(isNull(roles.organizationId), eq(roles.organizationId, org.organizationId)))).all()
    .map((r) => [r.name, r.id]))
  const cases: Array<[string, string, string]> = [
    ['unknown role', '00000000-0000-4000-8000-000000000000', 'projectRoleId does not name a role available to this project'],
    ['another project\'s custom role', org.roles['Other/Elsewhere']!, 'projectRoleId does not name a role available to this project'],
    ['another organization\'s custom role', other.roles['Theirs/Foreign']!, 'projectRoleId does not name a role available to this project'],
    ['an organization role', orgRoles['Admin']!, 'projectRoleId does not name a role available to this project'],
    ['a custom organization role', orgRoles['Auditor']!, 'projectRoleId does not name a role available to this project'],
    ['the Owner role', org.roles['Owner']!, 'The Owner role cannot be assigned to invitees']
  ]
  for (const [name, roleId, error] of cases) {
    const res = await invite(app, org.key, org.projectId, { emails: ['a@example.com'], projectRoleId: roleId })
    t.equal(res.statusCode, 400, name)
    t.same(json(res), { success: false, error, deprecated: false }, name)
  }
  t.equal(app.db.select().from(projectInvitations).all().length, 0)
})

t.test('the email limit is configurable and the default is 100', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const emails = (n: number) => Array.from({ length: n }, (_, i) => `user${i}@example.com`)
  t.equal((await invite(app, org.key, org.projectId, { emails: emails(101) })).statusCode, 400)
  const res = await invite(app, org.key, org.projectId, { emails: emails(100) })
  t.equal(res.statusCode, 200)
  t.equal(json(res).data.invitations.length, 100)
  t.same(emailsOf(res), emails(100), 'in request order')
})

t.test('malformed bodies get the error envelope, never Fastify\'s default shape', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const url = `/v1/projects/${org.projectId}/invitations`
  const headers = { CONFIDENT_API_KEY: org.key }
  const cases = [
    { name: 'malformed JSON', contentType: 'application/json', payload: '{"emails": [', status: 400, error: 'Request body is not valid JSON' },
    { name: 'empty JSON body', contentType: 'application/json', payload: '', status: 400, error: 'Request body is not valid JSON' },
    { name: 'text/plain', contentType: 'text/plain', payload: 'a@example.com', status: 415, error: 'Unsupported Content-Type: send the body as application/json' },
    { name: 'form encoded', contentType: 'application/x-www-form-urlencoded', payload: 'emails=a@example.com', status: 415, error: 'Unsupported Content-Type: send the body as application/json' },
    { name: 'over 1 MiB', contentType: 'application/json', payload: JSON.stringify({ emails: ['a@example.com'], pad: 'x'.repeat(1024 * 1024) }), status: 413, error: 'Request body is larger than 1 MiB' }
  ]
  for (const c of cases) {
    const res = await app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': c.contentType }, payload: c.payload })
    t.equal(res.statusCode, c.status, c.name)
    t.same(json(res), { success: false, error: c.error, deprecated: false }, c.name)
  }
  const none = await app.inject({ method: 'POST', url, headers })
  t.equal(none.statusCode, 400, 'no body at all')
  t.same(json(none), { success: false, error: 'Request body must be a JSON object', deprecated: false })
  t.equal(app.db.select().from(projectInvitations).all().length, 0)
})

t.test('GET lists PENDING and DECLINED invitations by id, never ACCEPTED', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    projects: [{
      name: 'Main',
      invitations: [
        { email: 'accepted@example.com', status: 'ACCEPTED' },
        { email: 'declined@example.com', status: 'DECLINED', createdAt: '2025-12-01T08:30:00.000Z' },
        { email: 'pending@example.com' }
      ]
    }, { name: 'Other', invitations: [{ email: 'other@example.com' }] }]
  })
  await invite(app, org.key, org.projectId, { emails: ['new@example.com'] })
  const res = await list(app, org.key, org.projectId)
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listProjectInvitations', body)
  const rows = body.data.invitations as Array<{ id: number, email: string, status: string, created_at: string }>
  t.same(rows.map((r) => [r.email, r.status]), [
    ['declined@example.com', 'DECLINED'], ['pending@example.com', 'PENDING'], ['new@example.com', 'PENDING']
  ])
  t.same(rows.map((r) => r.id), [...rows.map((r) => r.id)].sort((a, b) => a - b), 'ascending ids')
  t.equal(rows[0]!.created_at, '2025-12-01T08:30:00.000Z')
})

t.test('GET needs an organization key too', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  t.equal((await app.inject({ method: 'GET', url: `/v1/projects/${org.projectId}/invitations` })).statusCode, 401)
  t.equal((await list(app, org.projectKey, org.projectId)).statusCode, 403)
})

function emailsFor (app: App, invitationId: number) {
  return app.db.select().from(invitationEmails).where(eq(invitationEmails.invitationId, invitationId)).all()
    .filter((e) => e.kind === 'PROJECT')
}

async function one (app: App, method: 'PUT' | 'DELETE', key: string | undefined, projectId: string, invitationId: number | string) {
  return checked(await app.inject({
    method,
    url: `/v1/projects/${projectId}/invitations/${invitationId}`,
    headers: key === undefined ? {} : { CONFIDENT_API_KEY: key }
  }), method === 'PUT' ? 'resendProjectInvitation' : 'deleteProjectInvitation')
}

t.test('PUT resends a PENDING invitation: same invitation, one more email with the same token', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const [created] = json(await invite(app, org.key, org.projectId, { emails: ['carol@example.com'] })).data.invitations
  app.clock.advance(60_000)
  const res = await one(app, 'PUT', org.key, org.projectId, created.id)
  t.equal(res.statusCode, 200)
  t.equal(res.body, JSON.stringify({ success: true, data: { invitation: created } }), 'the invitation as created, byte for byte')
  assertVendorResponse(t, 'resendProjectInvitation', json(res))
  const sent = emailsFor(app, created.id)
  t.equal(sent.length, 2, 'one email at creation, one at resend')
  t.equal(sent[1]!.createdAt, T0 + 60_000, 'the resend is recorded at the clock\'s time')
  t.equal(sent[1]!.token, sent[0]!.token)
  t.equal(sent[1]!.to, 'carol@example.com')
})

t.test('PUT: errors', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    projects: [{ name: 'Main', invitations: [{ email: 'declined@example.com', status: 'DECLINED' }, { email: 'accepted@example.com', status: 'ACCEPTED' }] }, { name: 'Other', invitations: [{ email: 'o@example.com' }] }]
  })
  const other = seedOrg(app, { projects: [{ name: 'Theirs', invitations: [{ email: 't@example.com' }] }] })
  const ids = Object.fromEntries(app.db.select().from(projectInvitations).all().map((r) => [r.email, r.id]))
  const cases: Array<[string, string | undefined, string, number | string, number, string | RegExp]> = [
    ['no key', undefined, org.projectId, ids['declined@example.com']!, 401, /Missing API key/],
    ['project key', org.projectKey, org.projectId, ids['declined@example.com']!, 403, /organization API key/],
    ['unknown project', org.key, 'cnope', ids['declined@example.com']!, 404, 'Project not found'],
    ['another organization\'s project', org.key, other.projectId, ids['t@example.com']!, 404, 'Project not found'],
    ['another project\'s invitation', org.key, org.projectId, ids['o@example.com']!, 404, 'Invitation not found'],
    ['unknown id', org.key, org.projectId, 999999, 404, 'Invitation not found'],
    ['id not an integer', org.key, org.projectId, 'abc', 400, 'params.invitationId must be integer'],
    ['id zero', org.key, org.projectId, 0, 400, 'params.invitationId must be >= 1'],
    ['DECLINED', org.key, org.projectId, ids['declined@example.com']!, 409, 'Invitation is DECLINED, not PENDING'],
    ['ACCEPTED', org.key, org.projectId, ids['accepted@example.com']!, 409, 'Invitation is ACCEPTED, not PENDING']
  ]
  for (const [name, key, projectId, id, status, error] of cases) {
    const res = await one(app, 'PUT', key, projectId, id)
    t.equal(res.statusCode, status, name)
    t.match(json(res), { success: false, error, deprecated: false }, name)
  }
  t.equal(app.db.select().from(invitationEmails).all().length, 0, 'no email recorded by a refused resend')

  const free = seedOrg(app, { plan: 'FREE', projects: [{ name: 'Main', invitations: [{ email: 'p@example.com' }] }] })
  const pending = app.db.select().from(projectInvitations).where(eq(projectInvitations.projectId, free.projectId)).get()!
  const res = await one(app, 'PUT', free.key, free.projectId, pending.id)
  t.equal(res.statusCode, 403, 'the plan rule applies to resending')
})

t.test('DELETE revokes PENDING and DECLINED invitations; ACCEPTED is a 409', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    plan: 'FREE', // revoking is allowed whatever the plan
    projects: [{ name: 'Main', invitations: [{ email: 'pending@example.com' }, { email: 'declined@example.com', status: 'DECLINED' }, { email: 'accepted@example.com', status: 'ACCEPTED' }] }]
  })
  const ids = Object.fromEntries(app.db.select().from(projectInvitations).all().map((r) => [r.email, r.id]))
  for (const email of ['pending@example.com', 'declined@example.com']) {
    const res = await one(app, 'DELETE', org.key, org.projectId, ids[email]!)
    t.equal(res.statusCode, 200, email)
    t.equal(res.body, JSON.stringify({ success: true, data: { id: ids[email], deleted: true } }))
    assertVendorResponse(t, 'deleteProjectInvitation', json(res))
    t.equal((await one(app, 'DELETE', org.key, org.projectId, ids[email]!)).statusCode, 404, `${email}: gone`)
  }
  const accepted = await one(app, 'DELETE', org.key, org.projectId, ids['accepted@example.com']!)
  t.equal(accepted.statusCode, 409)
  t.same(json(accepted), { success: false, error: 'An accepted invitation cannot be revoked', deprecated: false })
  t.same(app.db.select({ email: projectInvitations.email }).from(projectInvitations).all(), [{ email: 'accepted@example.com' }])
  const other = seedOrg(app)
  t.equal((await one(app, 'DELETE', other.key, org.projectId, ids['accepted@example.com']!)).statusCode, 404, 'another organization')
  t.equal((await one(app, 'DELETE', org.projectKey, org.projectId, ids['accepted@example.com']!)).statusCode, 403, 'a project key')
})

t.test('a revoked address can be invited again, with a new id', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const [first] = json(await invite(app, org.key, org.projectId, { emails: ['again@example.com'] })).data.invitations
  await one(app, 'DELETE', org.key, org.projectId, first.id)
  const [second] = json(await invite(app, org.key, org.projectId, { emails: ['again@example.com'] })).data.invitations
  t.ok(second.id > first.id, 'ids are never reused')
})
