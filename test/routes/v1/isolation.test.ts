// Isolation: organization A's key gets 404 (never data, never a change) for every resource of organization B, on every /v1 endpoint.
import t from 'tap'
import type { App } from '../../../src/app.js'
import { VENDOR_PREFIX } from '../../../src/http/prefixes.js'
import { systemRoleId } from '../../../src/domain/roles.js'
import { keyDigest, newKey } from '../../../src/domain/keys.js'
import { build, json, seedOrg, type SeededOrg } from '../../helpers/build.js'
import { assertEachRouteCovered, routeKey, servedKeys, servedUnder } from '../../helpers/routes.js'

interface Tenant {
  org: SeededOrg
  userId: string
  invitationId: number
  orgInvitationId: number
  customProjectRole: string
  customOrgRole: string
  /** A custom organization role and a custom project role nobody holds: deletable by their owner. */
  spareOrgRole: string
  spareProjectRole: string
  /** A second valid organization key (so that the first is not the last), and the project key. */
  spareKeyId: number
  projectKeyId: number
  orgPolicyId: string
  projectPolicyId: string
  governancePolicyId: string
  name: string
}

async function tenant (app: App, label: string): Promise<Tenant> {
  const spareKey = newKey('organization')
  const org = seedOrg(app, {
    members: [{ email: `owner@${label}.example`, role: 'Owner' }, { email: `member@${label}.example` }],
    apiKeys: [{ key: spareKey, name: 'spare' }],
    policies: [{ name: 'Billing', permissions: ['billing:read'] }],
    roles: [{ name: 'Auditor', policies: ['Billing'] }, { name: 'Spare' }],
    governancePolicies: [{ name: 'Strict', controls: [{ name: 'No PII', type: 'RUNTIME' }] }],
    projects: [{
      name: 'Main',
      governancePolicy: 'Strict',
      policies: [{ name: 'Tracing', permissions: ['traces:read'] }],
      roles: [{ name: 'Reviewer', policies: ['Tracing'] }, { name: 'Unused' }],
      members: [{ email: `owner@${label}.example`, role: 'Owner' }, { email: `member@${label}.example` }]
    }]
  })
  const headers = { CONFIDENT_API_KEY: org.key }
  const invited = await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers, payload: { emails: [`guest@${label}.example`] } })
  const orgInvited = await app.inject({ method: 'POST', url: '/v1/organization/invitations', headers, payload: { emails: [`org-guest@${label}.example`] } })
  const members = json(await app.inject({ url: `/v1/projects/${org.projectId}/members`, headers })).data.members as Array<{ id: string, email: string }>
  const roles = json(await app.inject({ url: '/v1/organization/roles', headers })).data.roles as Array<{ id: string, name: string }>
  const one = <T> (sql: string, ...args: unknown[]) => app.sqlite.prepare(sql).get(...args) as T
  return {
    org,
    userId: members.find((m) => m.email === `member@${label}.example`)!.id,
    invitationId: json(invited).data.invitations[0].id,
    orgInvitationId: json(orgInvited).data.invitations[0].id,
    customProjectRole: org.roles['Main/Reviewer']!,
    customOrgRole: roles.find((r) => r.name === 'Auditor')!.id,
    spareOrgRole: roles.find((r) => r.name === 'Spare')!.id,
    spareProjectRole: org.roles['Main/Unused']!,
    spareKeyId: one<{ id: number }>('select id from api_keys where digest = ?', keyDigest(spareKey)).id,
    projectKeyId: one<{ id: number }>('select id from api_keys where digest = ?', keyDigest(org.projectKey)).id,
    orgPolicyId: one<{ id: string }>('select id from policies where organization_id = ? and project_id is null', org.organizationId).id,
    projectPolicyId: one<{ id: string }>('select id from policies where project_id = ?', org.projectId).id,
    governancePolicyId: one<{ id: string }>('select id from governance_policies where organization_id = ?', org.organizationId).id,
    name: one<{ name: string }>('select name from organizations where id = ?', org.organizationId).name
  }
}

/** Everything B's key can read: compared before and after A's attempts. */
async function everything (app: App, b: Tenant) {
  const pB = b.org.projectId
  const urls = ['/v1/organization', '/v1/projects', `/v1/projects/${pB}`, `/v1/projects/${pB}/invitations`,
    `/v1/projects/${pB}/members`, `/v1/projects/${pB}/roles`, '/v1/organization/invitations',
    '/v1/organization/members', '/v1/organization/roles', '/v1/organization/governance-policies',
    '/v1/organization/api-keys', `/v1/organization/api-keys/${b.spareKeyId}`, `/v1/projects/${pB}/api-keys`, `/v1/projects/${pB}/api-keys/${b.projectKeyId}`,
    '/v1/organization/policies', `/v1/projects/${pB}/policies`, `/v1/organization/governance-policies/${b.governancePolicyId}/projects`]
  const out: Record<string, unknown> = {}
  for (const url of urls) {
    const res = await app.inject({ url, headers: { CONFIDENT_API_KEY: b.org.key } })
    // Each of B's reads works: a 404 here (a route not there yet) would make "unchanged" mean nothing.
    if (res.statusCode !== 200) throw new Error(`B's own GET ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`)
    out[url] = json(res)
  }
  return out
}

t.test("A's key: 404 for every resource of B, and B unchanged", async (t) => {
  const app = await build(t)
  const a = await tenant(app, 'a')
  const b = await tenant(app, 'b')
  const before = await everything(app, b)
  const pA = a.org.projectId
  const pB = b.org.projectId
  const policy = { name: 'Taken over', permissionIds: [] }
  const role = { name: 'Taken over', policyIds: [] }
  // [route as served, the URL with B's ids (or B's ids under A's project), a valid body].
  const cases: Array<[string, string, object | undefined]> = [
    ['GET /v1/projects/{projectId}', `/v1/projects/${pB}`, undefined],
    ['PUT /v1/projects/{projectId}', `/v1/projects/${pB}`, { name: 'Taken over' }],
    ['DELETE /v1/projects/{projectId}', `/v1/projects/${pB}`, undefined],
    ['GET /v1/projects/{projectId}/invitations', `/v1/projects/${pB}/invitations`, undefined],
    ['POST /v1/projects/{projectId}/invitations', `/v1/projects/${pB}/invitations`, { emails: ['intruder@a.example'] }],
    ['PUT /v1/projects/{projectId}/invitations/{invitationId}', `/v1/projects/${pB}/invitations/${b.invitationId}`, undefined],
    ['DELETE /v1/projects/{projectId}/invitations/{invitationId}', `/v1/projects/${pB}/invitations/${b.invitationId}`, undefined],
    ['PUT /v1/projects/{projectId}/invitations/{invitationId}', `/v1/projects/${pA}/invitations/${b.invitationId}`, undefined],
    ['DELETE /v1/projects/{projectId}/invitations/{invitationId}', `/v1/projects/${pA}/invitations/${b.invitationId}`, undefined],
    ['GET /v1/projects/{projectId}/members', `/v1/projects/${pB}/members`, undefined],
    ['PUT /v1/projects/{projectId}/members/{userId}', `/v1/projects/${pB}/members/${b.userId}`, { roleId: systemRoleId('PROJECT', 'Manager') }],
    ['DELETE /v1/projects/{projectId}/members/{userId}', `/v1/projects/${pB}/members/${b.userId}`, undefined],
    ['PUT /v1/projects/{projectId}/members/{userId}', `/v1/projects/${pA}/members/${b.userId}`, { roleId: systemRoleId('PROJECT', 'Manager') }],
    ['DELETE /v1/projects/{projectId}/members/{userId}', `/v1/projects/${pA}/members/${b.userId}`, undefined],
    ['GET /v1/projects/{projectId}/roles', `/v1/projects/${pB}/roles`, undefined],
    ['POST /v1/projects/{projectId}/roles', `/v1/projects/${pB}/roles`, role],
    ['PUT /v1/projects/{projectId}/roles/{roleId}', `/v1/projects/${pB}/roles/${b.spareProjectRole}`, role],
    ['DELETE /v1/projects/{projectId}/roles/{roleId}', `/v1/projects/${pB}/roles/${b.spareProjectRole}`, undefined],
    ['PUT /v1/projects/{projectId}/roles/{roleId}', `/v1/projects/${pA}/roles/${b.spareProjectRole}`, role],
    ['DELETE /v1/projects/{projectId}/roles/{roleId}', `/v1/projects/${pA}/roles/${b.spareProjectRole}`, undefined],
    ['GET /v1/projects/{projectId}/permissions', `/v1/projects/${pB}/permissions`, undefined],
    ['GET /v1/projects/{projectId}/api-keys', `/v1/projects/${pB}/api-keys`, undefined],
    ['POST /v1/projects/{projectId}/api-keys', `/v1/projects/${pB}/api-keys`, { name: 'intruder' }],
    ['GET /v1/projects/{projectId}/api-keys/{apiKeyId}', `/v1/projects/${pB}/api-keys/${b.projectKeyId}`, undefined],
    ['PUT /v1/projects/{projectId}/api-keys/{apiKeyId}', `/v1/projects/${pB}/api-keys/${b.projectKeyId}`, { valid: false }],
    ['DELETE /v1/projects/{projectId}/api-keys/{apiKeyId}', `/v1/projects/${pB}/api-keys/${b.projectKeyId}`, undefined],
    ['GET /v1/projects/{projectId}/api-keys/{apiKeyId}', `/v1/projects/${pA}/api-keys/${b.projectKeyId}`, undefined],
    ['PUT /v1/projects/{projectId}/api-keys/{apiKeyId}', `/v1/projects/${pA}/api-keys/${b.projectKeyId}`, { valid: false }],
    ['DELETE /v1/projects/{projectId}/api-keys/{apiKeyId}', `/v1/projects/${pA}/api-keys/${b.projectKeyId}`, undefined],
    ['GET /v1/projects/{projectId}/policies', `/v1/projects/${pB}/policies`, undefined],
    ['POST /v1/projects/{projectId}/policies', `/v1/projects/${pB}/policies`, policy],
    ['PUT /v1/projects/{projectId}/policies/{policyId}', `/v1/projects/${pB}/policies/${b.projectPolicyId}`, policy],
    ['DELETE /v1/projects/{projectId}/policies/{policyId}', `/v1/projects/${pB}/policies/${b.projectPolicyId}`, undefined],
    ['PUT /v1/projects/{projectId}/policies/{policyId}', `/v1/projects/${pA}/policies/${b.projectPolicyId}`, policy],
    ['DELETE /v1/projects/{projectId}/policies/{policyId}', `/v1/projects/${pA}/policies/${b.projectPolicyId}`, undefined],
    ['PUT /v1/organization/invitations/{invitationId}', `/v1/organization/invitations/${b.orgInvitationId}`, undefined],
    ['DELETE /v1/organization/invitations/{invitationId}', `/v1/organization/invitations/${b.orgInvitationId}`, undefined],
    ['PUT /v1/organization/members/{userId}', `/v1/organization/members/${b.userId}`, { roleId: systemRoleId('ORGANIZATION', 'Admin') }],
    ['DELETE /v1/organization/members/{userId}', `/v1/organization/members/${b.userId}`, undefined],
    ['PUT /v1/organization/roles/{roleId}', `/v1/organization/roles/${b.spareOrgRole}`, role],
    ['DELETE /v1/organization/roles/{roleId}', `/v1/organization/roles/${b.spareOrgRole}`, undefined],
    ['GET /v1/organization/api-keys/{apiKeyId}', `/v1/organization/api-keys/${b.spareKeyId}`, undefined],
    ['PUT /v1/organization/api-keys/{apiKeyId}', `/v1/organization/api-keys/${b.spareKeyId}`, { valid: false }],
    ['DELETE /v1/organization/api-keys/{apiKeyId}', `/v1/organization/api-keys/${b.spareKeyId}`, undefined],
    ['PUT /v1/organization/policies/{policyId}', `/v1/organization/policies/${b.orgPolicyId}`, policy],
    ['DELETE /v1/organization/policies/{policyId}', `/v1/organization/policies/${b.orgPolicyId}`, undefined],
    ['POST /v1/organization/governance-policies/{policyId}/assign', `/v1/organization/governance-policies/${b.governancePolicyId}/assign`, { projectIds: [pA] }],
    ['POST /v1/organization/governance-policies/{policyId}/unassign', `/v1/organization/governance-policies/${b.governancePolicyId}/unassign`, { projectIds: [pB] }],
    ['GET /v1/organization/governance-policies/{policyId}/projects', `/v1/organization/governance-policies/${b.governancePolicyId}/projects`, undefined]
  ]
  const secrets = [b.org.organizationId, 'member@b.example', 'guest@b.example', 'org-guest@b.example', b.name]
  for (const [route, url, payload] of cases) {
    const method = route.split(' ')[0]!
    const res = await app.inject({ method: method as 'GET', url, headers: { CONFIDENT_API_KEY: a.org.key }, ...(payload === undefined ? {} : { payload }) })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.same(Object.keys(json(res)).sort(), ['deprecated', 'error', 'success'], `${method} ${url}: only the error envelope`)
    for (const secret of secrets) t.notOk(res.body.includes(secret), `${method} ${url}: nothing of B in the answer`)
  }

  // The routes that name nothing in their path: A's answers show nothing of B, and B's ids or
  // names in A's bodies are refused or ignored, never applied to B.
  const headers = { CONFIDENT_API_KEY: a.org.key }
  const pathless: Record<string, { payload?: object, status: number }> = {
    'GET /v1/organization': { status: 200 },
    // B's name is free to take: names are not unique, and a 409 told A that B exists (issue 20).
    'PUT /v1/organization': { payload: { name: b.name }, status: 200 },
    'GET /v1/projects': { status: 200 },
    'POST /v1/projects': { payload: { name: 'Owned by B?', email: 'member@b.example' }, status: 400 },
    'GET /v1/organization/invitations': { status: 200 },
    'POST /v1/organization/invitations': { payload: { emails: ['x@a.example'], organizationRoleId: b.customOrgRole }, status: 400 },
    'GET /v1/organization/members': { status: 200 },
    'GET /v1/organization/roles': { status: 200 },
    'POST /v1/organization/roles': { payload: { name: 'With B policy', policyIds: [b.orgPolicyId] }, status: 400 },
    'GET /v1/organization/permissions': { status: 200 },
    'GET /v1/organization/governance-policies': { status: 200 },
    'GET /v1/organization/api-keys': { status: 200 },
    'POST /v1/organization/api-keys': { payload: { name: b.name }, status: 200 },
    'GET /v1/organization/policies': { status: 200 },
    'POST /v1/organization/policies': { payload: { name: 'Billing', permissionIds: [] }, status: 409 }
  }
  for (const [route, { payload, status }] of Object.entries(pathless)) {
    const [method, url] = route.split(' ') as [string, string]
    const res = await app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) })
    t.equal(res.statusCode, status, `${route} with B's things in the body: ${status}`)
    for (const secret of secrets.filter((s) => s !== b.name || method === 'GET')) t.notOk(res.body.includes(secret), `${route}: nothing of B in the answer`)
  }

  // Every served /v1 route has a case: with B's ids in its path, or (naming nothing there) above.
  const served = servedKeys(app, VENDOR_PREFIX)
  const keyOf = (route: string) => routeKey(route.split(' ')[0]!, route.split(' ')[1]!)
  t.ok(served.length >= 53, `${served.length} /v1 routes served`)
  assertEachRouteCovered(t, served, [...cases.map(([route]) => keyOf(route)), ...Object.keys(pathless).map(keyOf)], 'isolation case')

  // B's ids in A's requests: refused as roles A cannot use, never applied.
  const foreignRole = await app.inject({
    method: 'POST',
    url: `/v1/projects/${pA}/invitations`,
    headers,
    payload: { emails: ['x@a.example'], projectRoleId: b.customProjectRole }
  })
  t.equal(foreignRole.statusCode, 400)
  t.equal(json(foreignRole).error, 'projectRoleId does not name a role available to this project')
  const foreignMemberRole = await app.inject({ method: 'PUT', url: `/v1/projects/${pA}/members/${a.userId}`, headers, payload: { roleId: b.customProjectRole } })
  t.equal(foreignMemberRole.statusCode, 400)
  const foreignProjectPolicy = await app.inject({ method: 'POST', url: `/v1/projects/${pA}/roles`, headers, payload: { name: 'With B policy', policyIds: [b.projectPolicyId] } })
  t.equal(foreignProjectPolicy.statusCode, 400, "a project role with B's project policy: 400")
  t.match(json(foreignProjectPolicy).error, /policyIds\[0\]/)
  // B's projects in A's governance policy: not found, not enrolled; not on A's policy, skipped.
  const assigned = await app.inject({ method: 'POST', url: `/v1/organization/governance-policies/${a.governancePolicyId}/assign`, headers, payload: { projectIds: [pB, pA] } })
  t.equal(assigned.statusCode, 200)
  t.same(json(assigned).data, { governancePolicy: { id: a.governancePolicyId, name: 'Strict' }, assignedProjectIds: [pA], notFoundProjectIds: [pB], count: 1 })
  const unassigned = await app.inject({ method: 'POST', url: `/v1/organization/governance-policies/${a.governancePolicyId}/unassign`, headers, payload: { projectIds: [pB] } })
  t.equal(unassigned.statusCode, 200)
  t.same(json(unassigned).data, { governancePolicy: { id: a.governancePolicyId, name: 'Strict' }, unassignedProjectIds: [], skippedProjectIds: [pB], count: 0 })

  t.same(await everything(app, b), before, "nothing of B's changed")
})

t.test('every /v1 route refuses a project key (403), an invalid, unknown or missing key (401)', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const routes = servedUnder(app, VENDOR_PREFIX)
  t.ok(routes.length >= 53, `${routes.length} routes`)
  for (const route of routes) {
    const url = route.path.replace('{projectId}', org.projectId).replace(/\{\w+\}/g, '1')
    const attempt = (headers: Record<string, string>) => app.inject({ method: route.method as 'GET', url, headers, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }) })
    t.equal((await attempt({ CONFIDENT_API_KEY: org.projectKey })).statusCode, 403, `${route.method} ${route.path} with a project key`)
    t.equal((await attempt({ CONFIDENT_API_KEY: org.invalidKey })).statusCode, 401, `${route.method} ${route.path} with a revoked key`)
    t.equal((await attempt({ CONFIDENT_API_KEY: 'confident_org_00000000000000000000000000000000' })).statusCode, 401, `${route.method} ${route.path} with an unknown key`)
    t.equal((await attempt({})).statusCode, 401, `${route.method} ${route.path} without a key`)
  }
})
