// The README's "Using it in your tests" example, verbatim but for the import: run as part of the suite.
import t from 'tap'
import { startServer } from '../../src/index.js'

// One server for the whole file, its clock frozen so every timestamp is predictable.
const server = await startServer({ clock: '2030-01-01T00:00:00.000Z' })
t.teardown(() => server.close())
// Each test starts from the boot state: no leftover organizations, emails, faults; the clock back at boot.
t.afterEach(() => server.admin.reset())

/** A /v1 call the way your own client makes it. */
async function api (apiKey: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}/v1${path}`, {
    method,
    headers: { CONFIDENT_API_KEY: apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: res.status, body: await res.json() as any }
}

t.test('an invitee accepts through the emailed link', async (t) => {
  const org = await server.admin.organizations.create({ plan: 'TEAM', projects: [{ name: 'Website' }] })
  const [website] = org.projects

  const invited = await api(org.apiKey, 'POST', `/projects/${website.id}/invitations`, { emails: ['Carol@Example.com'] })
  t.equal(invited.status, 200)
  t.match(invited.body.data.invitations, [{ email: 'carol@example.com', status: 'PENDING' }])

  // The email the real service would have sent, with the token its link carries.
  const [email] = await server.admin.outbox.list({ to: 'carol@example.com' })
  t.equal(email.projectId, website.id)

  const accepted = await server.admin.invitations.accept(email.token)
  t.equal(accepted.invitation.status, 'ACCEPTED')

  const members = await api(org.apiKey, 'GET', `/projects/${website.id}/members`)
  t.match(members.body.data.members, [{ email: 'carol@example.com', projectRole: { name: 'Member' } }])
})

t.test('a trial organization cannot invite once its trial is over', async (t) => {
  const org = await server.admin.organizations.create({
    plan: 'TRIAL',
    trialEndsAt: '2030-01-31T00:00:00.000Z',
    projects: [{ name: 'Website' }]
  })
  const [website] = org.projects
  const invite = () => api(org.apiKey, 'POST', `/projects/${website.id}/invitations`, { emails: ['dave@example.com'] })

  t.equal((await invite()).status, 200, 'during the trial')

  await server.admin.clock.advance('31d')
  const refused = await invite()
  t.equal(refused.status, 403)
  t.match(refused.body.error, /outside of the trial period/)
})

t.test('reset puts the server back as it started', async (t) => {
  const org = await server.admin.organizations.create({ name: 'Short-lived' })
  await server.admin.clock.advance('1h')

  await server.admin.reset()

  const names = (await server.admin.organizations.list()).map((o) => o.name)
  t.notOk(names.includes('Short-lived'))
  t.equal((await api(org.apiKey, 'GET', '/organization')).status, 401, 'its key is gone too')
  t.same(await server.admin.clock.get(), { now: '2030-01-01T00:00:00.000Z', frozen: true })
})
