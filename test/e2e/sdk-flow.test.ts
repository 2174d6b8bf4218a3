// End to end: what an SDK user does over HTTP against a running server: a policy and a role from the permission
// catalogue, an invitation with that role, a key rotation, governance enrollment, and tidying up.
import t from 'tap'
import { assertVendorResponse } from '../helpers/vendor.js'
import { startServer, workspace } from '../helpers/server-process.js'

const GOVERNANCE_ID = '5e5e5e5e-5e5e-4e5e-8e5e-5e5e5e5e5e5e'
const FOREIGN_GOVERNANCE_ID = '6f6f6f6f-6f6f-4f6f-8f6f-6f6f6f6f6f6f'

t.test('policy and role, invite and accept, rotate a key, governance, delete role and policy', async (t) => {
  const { database, fixtures } = workspace(t)
  const server = await startServer({ CONFIDENT_MOCK_DATABASE: database, CONFIDENT_MOCK_FIXTURES: fixtures })
  t.teardown(() => server.stop())

  /**
   * One call as the official SDKs make it: `Content-Type: application/json` on every request (GET and
   * DELETE included), the key in CONFIDENT_API_KEY; a 200 body is checked against the vendor's schema.
   */
  async function call (operationId: string | null, method: string, path: string, body?: unknown, key: string | null = apiKey) {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' }
    if (key !== null) headers['CONFIDENT_API_KEY'] = key
    const res = await fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const json = await res.json() as any
    if (res.status === 200 && operationId !== null) assertVendorResponse(t, operationId, json)
    return { status: res.status, body: json }
  }

  // 0. A tenant made through the control API, with a governance policy; and a second one, to stay out of.
  let apiKey: string | null = null
  const tenant = await call(null, 'POST', '/__admin/organizations', {
    name: 'SDK Co',
    plan: 'TEAM',
    members: [{ email: 'owner@sdk.example', name: 'Olive', role: 'Owner' }],
    governancePolicies: [{ id: GOVERNANCE_ID, name: 'Release Gate', controls: [{ name: 'Evaluated', type: 'PRE_DEPLOYMENT_EVALS' }] }],
    projects: [{ name: 'Web', members: [{ email: 'owner@sdk.example', role: 'Owner' }] }, { name: 'Api' }]
  }, null)
  t.equal(tenant.status, 201, 'the control API answers 201 for a new tenant')
  apiKey = tenant.body.data.apiKey as string
  const projectIds = Object.fromEntries(tenant.body.data.projects.map((p: { id: string, name: string }) => [p.name, p.id]))
  const web = projectIds.Web as string
  const api = projectIds.Api as string
  const foreign = await call(null, 'POST', '/__admin/organizations', {
    name: 'Elsewhere',
    governancePolicies: [{ id: FOREIGN_GOVERNANCE_ID, name: 'Release Gate' }],
    projects: [{ name: 'Web', governancePolicy: 'Release Gate' }]
  }, null)
  t.equal(foreign.status, 201)
  const foreignProject = foreign.body.data.projects[0].id as string

  // 1. A project policy from the permission catalogue.
  const permissions = await call('listProjectPermissions', 'GET', `/v1/projects/${web}/permissions`)
  t.equal(permissions.status, 200)
  const catalogue = permissions.body.data.permissions as Array<{ id: string, name: string }>
  t.ok(catalogue.length >= 2, 'the catalogue lists permissions')
  const picked = catalogue.slice(0, 2)
  const policy = await call('createProjectPolicy', 'POST', `/v1/projects/${web}/policies`,
    { name: 'Trace readers', description: 'Reads traces', permissionIds: picked.map((p) => p.id) })
  t.equal(policy.status, 200)
  t.match(policy.body.data.policy, { name: 'Trace readers', description: 'Reads traces' })
  t.same(policy.body.data.policy.permissions, picked.map(({ id, name }) => ({ id, name })), 'its permissions, as {id, name}')
  const policyId = policy.body.data.policy.id as string

  // 2. A project role on it.
  const role = await call('createProjectRole', 'POST', `/v1/projects/${web}/roles`, { name: 'Reviewer', policyIds: [policyId] })
  t.equal(role.status, 200)
  t.match(role.body.data.role, { name: 'Reviewer', description: null, projectId: web })
  t.same(role.body.data.role.policies, [{ id: policyId, name: 'Trace readers' }])
  const roleId = role.body.data.role.id as string
  const roles = await call('listProjectRoles', 'GET', `/v1/projects/${web}/roles`)
  t.same(roles.body.data.roles.map((r: { name: string }) => r.name), ['Owner', 'Manager', 'Member', 'Reviewer'])
  const memberRoleId = roles.body.data.roles.find((r: { name: string }) => r.name === 'Member').id as string

  // 3. Invite with the role; accept through the emailed token, read from the outbox.
  const invited = await call('createProjectInvitations', 'POST', `/v1/projects/${web}/invitations`,
    { emails: ['Dana@SDK.example'], projectRoleId: roleId })
  t.equal(invited.status, 200)
  t.same(invited.body.data.invitations.map((i: { email: string, status: string, projectRoleId: string }) => [i.email, i.status, i.projectRoleId]),
    [['dana@sdk.example', 'PENDING', roleId]])
  const outbox = await call(null, 'GET', '/__admin/outbox?to=dana%40sdk.example', undefined, null)
  t.equal(outbox.status, 200)
  t.equal(outbox.body.data.length, 1, 'one email')
  const accepted = await call(null, 'POST', '/__admin/invitations/accept', { token: outbox.body.data[0].token }, null)
  t.equal(accepted.status, 200)
  t.equal(accepted.body.data.invitation.status, 'ACCEPTED')

  // 4. The member holds the role.
  const members = await call('listProjectMembers', 'GET', `/v1/projects/${web}/members`)
  t.equal(members.status, 200)
  t.equal(members.body.data.total, 2)
  t.same(members.body.data.members.map((m: { email: string, projectRole: unknown }) => [m.email, m.projectRole]),
    [['owner@sdk.example', { id: roles.body.data.roles[0].id, name: 'Owner' }], ['dana@sdk.example', { id: roleId, name: 'Reviewer' }]])
  const dana = members.body.data.members[1].id as string

  // 5. Rotate the organization key: a new one, then the old one invalidated with the new one.
  const oldKey = apiKey
  const created = await call('createOrganizationApiKey', 'POST', '/v1/organization/api-keys', { name: 'Rotated' })
  t.equal(created.status, 200)
  const newKey = created.body.data.apiKey.value as string
  t.match(newKey, /^confident_org_[0-9a-f]{32}$/, 'the clear key, shown this once')
  t.match(created.body.data.apiKey, { name: 'Rotated', valid: true })
  const keys = await call('listOrganizationApiKeys', 'GET', '/v1/organization/api-keys', undefined, newKey)
  t.equal(keys.status, 200)
  const old = keys.body.data.apiKeys.find((k: { value: string }) => k.value === '*'.repeat(15) + oldKey.slice(-6))
  t.ok(old, 'the old key is listed, redacted')
  const invalidated = await call('updateOrganizationApiKey', 'PUT', `/v1/organization/api-keys/${old.id}`, { valid: false }, newKey)
  t.equal(invalidated.status, 200)
  t.match(invalidated.body.data.apiKey, { id: old.id, valid: false })
  t.equal((await call(null, 'GET', '/v1/organization', undefined, oldKey)).status, 401, 'the old key is refused')
  apiKey = newKey
  const organization = await call('getOrganization', 'GET', '/v1/organization')
  t.equal(organization.status, 200, 'the new key works')
  t.equal(organization.body.data.organization.name, 'SDK Co')

  // 6. Governance: enroll both projects (and name one of another organization), list them, take one off.
  const policies = await call('listGovernancePolicies', 'GET', '/v1/organization/governance-policies')
  t.same(policies.body.data.governancePolicies.map((p: { id: string, projectsCount: number }) => [p.id, p.projectsCount]), [[GOVERNANCE_ID, 0]])
  const assigned = await call('assignProjectsToGovernancePolicy', 'POST', `/v1/organization/governance-policies/${GOVERNANCE_ID}/assign`,
    { projectIds: [web, foreignProject, api, web] })
  t.equal(assigned.status, 200)
  t.same(assigned.body.data, {
    governancePolicy: { id: GOVERNANCE_ID, name: 'Release Gate' },
    assignedProjectIds: [web, api],
    notFoundProjectIds: [foreignProject],
    count: 2
  })
  const listed = await call('listGovernancePolicyProjects', 'GET', `/v1/organization/governance-policies/${GOVERNANCE_ID}/projects?page=1&pageSize=25`)
  t.equal(listed.status, 200)
  t.same(listed.body.data, { projects: [{ id: api, name: 'Api' }, { id: web, name: 'Web' }], total: 2 }, 'by name')
  const secondPage = await call('listGovernancePolicyProjects', 'GET', `/v1/organization/governance-policies/${GOVERNANCE_ID}/projects?page=2&pageSize=1`)
  t.same(secondPage.body.data, { projects: [{ id: web, name: 'Web' }], total: 2 })
  const unassigned = await call('unassignProjectsFromGovernancePolicy', 'POST', `/v1/organization/governance-policies/${GOVERNANCE_ID}/unassign`,
    { projectIds: [api, foreignProject] })
  t.same(unassigned.body.data, {
    governancePolicy: { id: GOVERNANCE_ID, name: 'Release Gate' },
    unassignedProjectIds: [api],
    skippedProjectIds: [foreignProject],
    count: 1
  })
  const counted = await call('listGovernancePolicies', 'GET', '/v1/organization/governance-policies')
  t.equal(counted.body.data.governancePolicies[0].projectsCount, 1)
  const foreignPolicy = await call(null, 'GET', `/v1/organization/governance-policies/${FOREIGN_GOVERNANCE_ID}/projects`)
  t.equal(foreignPolicy.status, 404, "another organization's governance policy is not found")
  const renamed = await call('updateOrganization', 'PUT', '/v1/organization', { name: 'SDK Co Renamed' })
  t.equal(renamed.status, 200)
  t.equal(renamed.body.data.organization.name, 'SDK Co Renamed')
  const sameAsAnother = await call(null, 'PUT', '/v1/organization', { name: 'Elsewhere' })
  t.same([sameAsAnother.status, sameAsAnother.body.data.organization.name], [200, 'Elsewhere'], "another organization's name too: names are not unique, no tenant learns another's")

  // 7. The role cannot go while Dana holds it; once she is a Member, it can, and then its policy.
  const inUse = await call(null, 'DELETE', `/v1/projects/${web}/roles/${roleId}`)
  t.equal(inUse.status, 409, 'a role someone holds is not deleted')
  t.same(Object.keys(inUse.body).sort(), ['deprecated', 'error', 'success'])
  const demoted = await call('updateProjectMemberRole', 'PUT', `/v1/projects/${web}/members/${dana}`, { roleId: memberRoleId })
  t.equal(demoted.status, 200)
  t.same(demoted.body.data.member.projectRole, { id: memberRoleId, name: 'Member' })
  const roleGone = await call('deleteProjectRole', 'DELETE', `/v1/projects/${web}/roles/${roleId}`)
  t.equal(roleGone.status, 200)
  t.same(roleGone.body, { success: true, data: { id: roleId, deleted: true } })
  const policyGone = await call('deleteProjectPolicy', 'DELETE', `/v1/projects/${web}/policies/${policyId}`)
  t.equal(policyGone.status, 200)
  t.same(policyGone.body, { success: true, data: { id: policyId, deleted: true } })
  const after = await call('listProjectRoles', 'GET', `/v1/projects/${web}/roles`)
  t.same(after.body.data.roles.map((r: { name: string }) => r.name), ['Owner', 'Manager', 'Member'])
})
