// End to end: a client's whole invitation flow over HTTP against a running server, every step checked.
import Sqlite from 'better-sqlite3'
import t from 'tap'
import type { Fixtures } from '../../src/boot-state/schema.js'
import { assertVendorResponse } from '../helpers/vendor.js'
import { startServer, workspace } from '../helpers/server-process.js'

const KEY = 'confident_org_f10f10f10f10f10f10f10f10f10f10f1'
const FIXTURES: Fixtures = {
  organizations: [{
    name: 'Flow Co',
    plan: 'TRIAL',
    trialEndsAt: '2099-01-01T00:00:00.000Z',
    apiKeys: [{ key: KEY }],
    members: [{ email: 'owner@flow.example', name: 'Olive', role: 'Owner' }],
    projects: [{
      name: 'Web',
      members: [{ email: 'owner@flow.example', role: 'Owner' }],
      roles: [{ name: 'Reviewer', description: 'Reviews traces' }]
    }]
  }]
}

t.test('create a project, list roles, invite, resend, revoke, accept, decline, invite again, list', async (t) => {
  const { database, fixtures } = workspace(t, FIXTURES)
  const server = await startServer({ CONFIDENT_MOCK_DATABASE: database, CONFIDENT_MOCK_FIXTURES: fixtures })
  t.teardown(() => server.stop())

  /** One call as a client makes it: the status, and the body checked against the vendor when 200. */
  async function call (operationId: string | null, method: string, path: string, body?: unknown, key: string | null = KEY) {
    const headers: Record<string, string> = {}
    if (key !== null) headers['CONFIDENT_API_KEY'] = key
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const json = await res.json() as any
    if (res.status === 200 && operationId !== null) assertVendorResponse(t, operationId, json)
    return { status: res.status, body: json }
  }
  /** The token of the newest recorded email to an address, as a test reads the outbox. */
  function tokenFor (email: string): string {
    const db = new Sqlite(database, { readonly: true })
    try {
      return (db.prepare('select token from invitation_emails where to_email = ? order by id desc limit 1').get(email) as { token: string }).token
    } finally {
      db.close()
    }
  }

  // 1. A new project, owned by an organization member.
  const created = await call('createProject', 'POST', '/v1/projects', { name: 'Mobile', description: 'The app', email: 'owner@flow.example' })
  t.equal(created.status, 200)
  t.match(created.body.data.project, { name: 'Mobile', description: 'The app' })
  t.match(created.body.data.apiKey.value, /^confident_proj_[0-9a-f]{32}$/, 'the project key, shown this once')
  const mobile = created.body.data.project.id as string
  const projects = await call('listProjects', 'GET', '/v1/projects')
  t.same(projects.body.data.projects.map((p: { name: string }) => p.name).sort(), ['Mobile', 'Web'])
  const web = projects.body.data.projects.find((p: { name: string }) => p.name === 'Web').id as string
  const mobileMembers = await call('listProjectMembers', 'GET', `/v1/projects/${mobile}/members`)
  t.same(mobileMembers.body.data.members.map((m: { email: string, projectRole: { name: string } }) => [m.email, m.projectRole.name]), [['owner@flow.example', 'Owner']])

  // 2. Roles: the system ones and Web's custom Reviewer.
  const roles = await call('listProjectRoles', 'GET', `/v1/projects/${web}/roles`)
  t.equal(roles.status, 200)
  const byName = Object.fromEntries(roles.body.data.roles.map((r: { name: string, id: string }) => [r.name, r]))
  t.same(Object.keys(byName).sort(), ['Manager', 'Member', 'Owner', 'Reviewer'])
  t.equal(byName['Reviewer'].projectId, web)
  t.equal(byName['Owner'].projectId, null)
  const reviewer = byName['Reviewer'].id as string

  // 3. Invite three people with the custom role.
  const invited = await call('createProjectInvitations', 'POST', `/v1/projects/${web}/invitations`,
    { emails: ['Ann@flow.example', 'bob@flow.example', 'cat@flow.example'], projectRoleId: reviewer })
  t.equal(invited.status, 200)
  const [ann, bob, cat] = invited.body.data.invitations
  t.same(invited.body.data.invitations.map((i: { email: string, status: string, projectRoleId: string }) => [i.email, i.status, i.projectRoleId]),
    [['ann@flow.example', 'PENDING', reviewer], ['bob@flow.example', 'PENDING', reviewer], ['cat@flow.example', 'PENDING', reviewer]])

  // 4. Resend one: the same invitation back, one more email with the same token.
  const firstToken = tokenFor('ann@flow.example')
  const resent = await call('resendProjectInvitation', 'PUT', `/v1/projects/${web}/invitations/${ann.id}`)
  t.same(resent.body, { success: true, data: { invitation: ann } })
  t.equal(tokenFor('ann@flow.example'), firstToken)

  // 5. Revoke one.
  const revoked = await call('deleteProjectInvitation', 'DELETE', `/v1/projects/${web}/invitations/${cat.id}`)
  t.same(revoked.body, { success: true, data: { id: cat.id, deleted: true } })

  // 6. Accept one, decline one, as the invitees would through their emailed links.
  const accepted = await call(null, 'POST', '/__admin/invitations/accept', { token: tokenFor('ann@flow.example') }, null)
  t.equal(accepted.status, 200)
  t.same(accepted.body.data.invitation, { ...ann, status: 'ACCEPTED' })
  const declined = await call(null, 'POST', '/__admin/invitations/decline', { token: tokenFor('bob@flow.example') }, null)
  t.same(declined.body.data.invitation, { ...bob, status: 'DECLINED' })
  const catToken = await call(null, 'POST', '/__admin/invitations/accept', { token: tokenFor('cat@flow.example') }, null)
  t.equal(catToken.status, 404, 'the revoked invitation\'s token no longer works')

  // 7. Invite all three again: ann is a member now (skipped); bob declined and cat was revoked (invited).
  const again = await call('createProjectInvitations', 'POST', `/v1/projects/${web}/invitations`,
    { emails: ['ann@flow.example', 'bob@flow.example', 'cat@flow.example'], projectRoleId: reviewer })
  t.same(again.body.data.invitations.map((i: { email: string }) => i.email), ['bob@flow.example', 'cat@flow.example'])
  t.ok(again.body.data.invitations.every((i: { id: number }) => i.id > cat.id), 'new ids')

  // 8. Members and invitations as a client lists them.
  const members = await call('listProjectMembers', 'GET', `/v1/projects/${web}/members`)
  t.equal(members.body.data.total, 2)
  t.same(members.body.data.members.map((m: { email: string, projectRole: { name: string } }) => [m.email, m.projectRole.name]),
    [['owner@flow.example', 'Owner'], ['ann@flow.example', 'Reviewer']])
  const orgMembers = await call('listMembers', 'GET', '/v1/organization/members')
  t.same(orgMembers.body.data.members.map((m: { email: string, organizationRole: { name: string } }) => [m.email, m.organizationRole.name]),
    [['owner@flow.example', 'Owner'], ['ann@flow.example', 'Member']], 'ann joined the organization as Member')
  const invitations = await call('listProjectInvitations', 'GET', `/v1/projects/${web}/invitations`)
  t.same(invitations.body.data.invitations.map((i: { email: string, status: string }) => `${i.email}:${i.status}`),
    ['bob@flow.example:DECLINED', 'bob@flow.example:PENDING', 'cat@flow.example:PENDING'])

  // The organization key of another organization sees none of it.
  const noKey = await call(null, 'GET', `/v1/projects/${web}/invitations`, undefined, 'confident_org_00000000000000000000000000000000')
  t.equal(noKey.status, 401)
})
