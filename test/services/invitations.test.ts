// The invitation service's read of an invitation by its token (describe), for the invitee page: checked as accept and decline check it, changing nothing.
import t from 'tap'
import type { App } from '../../src/app.js'
import { build, json, seedOrg, T0 } from '../helpers/build.js'

async function tokenOf (app: App, to: string): Promise<string> {
  return json(await app.inject({ url: `/__admin/outbox?to=${to}` })).data.at(-1).token
}

/** Every stored row, as a snapshot exports them. */
async function tables (app: App): Promise<unknown> {
  return json(await app.inject({ url: '/__admin/snapshot' })).tables
}

t.test('describe: the invitation, its names and its role, in any status', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { name: 'Describe Co', projects: [{ name: 'Web', roles: [{ name: 'Reviewer' }] }] })
  const headers = { CONFIDENT_API_KEY: org.key }
  await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers, payload: { emails: ['ann@example.com'], projectRoleId: org.roles['Web/Reviewer'] } })
  await app.inject({ method: 'POST', url: '/v1/organization/invitations', headers, payload: { emails: ['boss@example.com'] } })
  const projectToken = await tokenOf(app, 'ann@example.com')
  const orgToken = await tokenOf(app, 'boss@example.com')

  const before = await tables(app)
  const project = app.invitations.describe(projectToken)
  t.same(project, {
    kind: 'PROJECT',
    status: 'PENDING',
    email: 'ann@example.com',
    organizationId: org.organizationId,
    organizationName: 'Describe Co',
    projectId: org.projectId,
    projectName: 'Web',
    roleName: 'Reviewer',
    invitationId: project.invitationId,
    createdAt: new Date(T0).toISOString()
  })
  t.same(app.invitations.describe(orgToken), {
    kind: 'ORGANIZATION',
    status: 'PENDING',
    email: 'boss@example.com',
    organizationId: org.organizationId,
    organizationName: 'Describe Co',
    projectId: null,
    projectName: null,
    roleName: 'Member',
    invitationId: app.invitations.describe(orgToken).invitationId,
    createdAt: new Date(T0).toISOString()
  }, 'no role: the default one')
  t.same(await tables(app), before, 'it changes nothing')

  // The token still works after being described, and describe follows the invitation's status.
  t.equal((await app.inject({ method: 'POST', url: '/__admin/invitations/accept', payload: { token: projectToken } })).statusCode, 200)
  t.equal(app.invitations.describe(projectToken).status, 'ACCEPTED')
  t.equal((await app.inject({ method: 'POST', url: '/__admin/invitations/decline', payload: { token: orgToken } })).statusCode, 200)
  t.equal(app.invitations.describe(orgToken).status, 'DECLINED')
})

t.test('describe refuses what respond refuses: an unknown, forged or revoked token', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const headers = { CONFIDENT_API_KEY: org.key }
  const invited = json(await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers, payload: { emails: ['gone@example.com', 'kept@example.com'] } }))
  const gone = await tokenOf(app, 'gone@example.com')
  const kept = await tokenOf(app, 'kept@example.com')
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/projects/${org.projectId}/invitations/${invited.data.invitations[0].id}`, headers })).statusCode, 200)

  const forged = kept.slice(0, -1) + (kept.endsWith('A') ? 'B' : 'A')
  const cases: Array<[string, string]> = [
    ['revoked', gone],
    ['forged', forged],
    ['the other kind\'s prefix', kept.replace(/^pi_/, 'oi_')],
    ['unknown id', kept.replace(/^pi_\d+_/, 'pi_999_')],
    ['not a token', 'nope'],
    ['empty', '']
  ]
  for (const [name, token] of cases) {
    t.throws(() => app.invitations.describe(token), { code: 'CM_INVALID_TOKEN', statusCode: 404 }, name)
    const answer = await app.inject({ method: 'POST', url: '/__admin/invitations/accept', payload: { token: token === '' ? 'x' : token } })
    t.equal(answer.statusCode, 404, `${name}: accept answers the same`)
  }
  t.equal(app.invitations.describe(kept).email, 'kept@example.com', 'the other invitation is there')
})
