// Isolation: organization A's key gets 404 (never data, never a change) for every resource of organization B, on every /v1 endpoint.
import t from 'tap'
import type { App } from '../../../src/app.js'
import { systemRoleId } from '../../../src/fixtures/apply.js'
import { servedRoutes } from '../../../scripts/vendor-coverage.js'
import { build, json, seedOrg, type SeededOrg } from '../../helpers/build.js'

interface Tenant {
  org: SeededOrg
  userId: string
  invitationId: number
  orgInvitationId: number
  customProjectRole: string
  customOrgRole: string
}

async function tenant (app: App, label: string): Promise<Tenant> {
  const org = seedOrg(app, {
    members: [{ email: `owner@${label}.example`, role: 'Owner' }, { email: `member@${label}.example` }],
    roles: [{ name: 'Auditor' }],
    projects: [{ name: 'Main', roles: [{ name: 'Reviewer' }], members: [{ email: `owner@${label}.example`, role: 'Owner' }, { email: `member@${label}.example` }] }]
  })
  const headers = { CONFIDENT_API_KEY: org.key }
  const invited = await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers, payload: { emails: [`guest@${label}.example`] } })
  const orgInvited = await app.inject({ method: 'POST', url: '/v1/organization/invitations', headers, payload: { emails: [`org-guest@${label}.example`] } })
  const members = json(await app.inject({ url: `/v1/projects/${org.projectId}/members`, headers })).data.members as Array<{ id: string, email: string }>
  const roles = json(await app.inject({ url: '/v1/organization/roles', headers })).data.roles as Array<{ id: string, name: string }>
  return {
    org,
    userId: members.find((m) => m.email === `member@${label}.example`)!.id,
    invitationId: json(invited).data.invitations[0].id,
    orgInvitationId: json(orgInvited).data.invitations[0].id,
    customProjectRole: org.roles['Main/Reviewer']!,
    customOrgRole: roles.find((r) => r.name === 'Auditor')!.id
  }
}

/** Everything B's key can read: compared before and after A's attempts. */
async function everything (app: App, b: Tenant) {
  const urls = ['/v1/organization', '/v1/projects', `/v1/projects/${b.org.projectId}`, `/v1/projects/${b.org.projectId}/invitations`,
    `/v1/projects/${b.org.projectId}/members`, `/v1/projects/${b.org.projectId}/roles`, '/v1/organization/invitations',
    '/v1/organization/members', '/v1/organization/roles', '/v1/organization/governance-policies']
  const out: Record<string, unknown> = {}
  for (const url of urls) out[url] = json(await app.inject({ url, headers: { CONFIDENT_API_KEY: b.org.key } }))
  return out
}

t.test("A's key: 404 for every resource of B, and B unchanged", async (t) => {
  const app = await build(t)
  const a = await tenant(app, 'a')
  const b = await tenant(app, 'b')
  const before = await everything(app, b)
  const pA = a.org.projectId
  const pB = b.org.projectId
  const cases: Array<[string, string, object | undefined]> = [
    ['GET', `/v1/projects/${pB}`, undefined],
    ['PUT', `/v1/projects/${pB}`, { name: 'Taken over' }],
    ['DELETE', `/v1/projects/${pB}`, undefined],
    ['GET', `/v1/projects/${pB}/invitations`, undefined],
    ['POST', `/v1/projects/${pB}/invitations`, { emails: ['intruder@a.example'] }],
    ['PUT', `/v1/projects/${pB}/invitations/${b.invitationId}`, undefined],
    ['DELETE', `/v1/projects/${pB}/invitations/${b.invitationId}`, undefined],
    ['PUT', `/v1/projects/${pA}/invitations/${b.invitationId}`, undefined],
    ['DELETE', `/v1/projects/${pA}/invitations/${b.invitationId}`, undefined],
    ['GET', `/v1/projects/${pB}/members`, undefined],
    ['PUT', `/v1/projects/${pB}/members/${b.userId}`, { roleId: systemRoleId('PROJECT', 'Manager') }],
    ['DELETE', `/v1/projects/${pB}/members/${b.userId}`, undefined],
    ['PUT', `/v1/projects/${pA}/members/${b.userId}`, { roleId: systemRoleId('PROJECT', 'Manager') }],
    ['DELETE', `/v1/projects/${pA}/members/${b.userId}`, undefined],
    ['GET', `/v1/projects/${pB}/roles`, undefined],
    ['GET', `/v1/projects/${pB}/permissions`, undefined],
    ['PUT', `/v1/organization/invitations/${b.orgInvitationId}`, undefined],
    ['DELETE', `/v1/organization/invitations/${b.orgInvitationId}`, undefined],
    ['PUT', `/v1/organization/members/${b.userId}`, { roleId: systemRoleId('ORGANIZATION', 'Admin') }],
    ['DELETE', `/v1/organization/members/${b.userId}`, undefined]
  ]
  const secrets = [b.org.organizationId, 'member@b.example', 'guest@b.example', 'org-guest@b.example']
  for (const [method, url, payload] of cases) {
    const res = await app.inject({ method: method as 'GET', url, headers: { CONFIDENT_API_KEY: a.org.key }, ...(payload === undefined ? {} : { payload }) })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.same(Object.keys(json(res)).sort(), ['deprecated', 'error', 'success'], `${method} ${url}: only the error envelope`)
    for (const secret of secrets) t.notOk(res.body.includes(secret), `${method} ${url}: nothing of B in the answer`)
  }

  // B's role ids in A's requests: refused as roles A cannot use, never applied.
  const foreignRole = await app.inject({
    method: 'POST',
    url: `/v1/projects/${pA}/invitations`,
    headers: { CONFIDENT_API_KEY: a.org.key },
    payload: { emails: ['x@a.example'], projectRoleId: b.customProjectRole }
  })
  t.equal(foreignRole.statusCode, 400)
  t.equal(json(foreignRole).error, 'projectRoleId does not name a role available to this project')
  const foreignOrgRole = await app.inject({
    method: 'POST',
    url: '/v1/organization/invitations',
    headers: { CONFIDENT_API_KEY: a.org.key },
    payload: { emails: ['x@a.example'], organizationRoleId: b.customOrgRole }
  })
  t.equal(foreignOrgRole.statusCode, 400)
  const foreignMemberRole = await app.inject({
    method: 'PUT', url: `/v1/projects/${pA}/members/${a.userId}`, headers: { CONFIDENT_API_KEY: a.org.key }, payload: { roleId: b.customProjectRole }
  })
  t.equal(foreignMemberRole.statusCode, 400)

  t.same(await everything(app, b), before, "nothing of B's changed")
})

t.test('every /v1 route refuses a project key (403), an invalid, unknown or missing key (401)', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const routes = servedRoutes(app).filter((r) => r.path.startsWith('/v1/'))
  t.ok(routes.length >= 25, `${routes.length} routes`)
  for (const route of routes) {
    const url = route.path.replace('{projectId}', org.projectId).replace(/\{\w+\}/g, '1')
    const attempt = (headers: Record<string, string>) => app.inject({ method: route.method as 'GET', url, headers, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }) })
    t.equal((await attempt({ CONFIDENT_API_KEY: org.projectKey })).statusCode, 403, `${route.method} ${route.path} with a project key`)
    t.equal((await attempt({ CONFIDENT_API_KEY: org.invalidKey })).statusCode, 401, `${route.method} ${route.path} with a revoked key`)
    t.equal((await attempt({ CONFIDENT_API_KEY: 'confident_org_00000000000000000000000000000000' })).statusCode, 401, `${route.method} ${route.path} with an unknown key`)
    t.equal((await attempt({})).statusCode, 401, `${route.method} ${route.path} without a key`)
  }
})
