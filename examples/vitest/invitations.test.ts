// A Vitest test file against the server of global-setup.ts: its own organization, an invitation
// through the real /v1 endpoint, the email in the outbox, accepted by its token.
import { createAdminClient } from 'confident-mock'
import { expect, inject, test } from 'vitest'

const { url, adminToken } = inject('confidentMock')
const admin = createAdminClient(url, { token: adminToken })

/** A /v1 call the way your own client makes it (or point your client at `url`: CONFIDENT_BASE_URL). */
async function api (apiKey: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}/v1${path}`, {
    method,
    headers: { CONFIDENT_API_KEY: apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: res.status, body: await res.json() as any }
}

test('a project invitation is created and its email sent', async () => {
  const org = await admin.organizations.create({ plan: 'TEAM', projects: [{ name: 'Website' }] })
  const [website] = org.projects

  const invited = await api(org.apiKey, 'POST', `/projects/${website.id}/invitations`, { emails: ['Carol@Example.com'] })
  expect(invited.status).toBe(200)
  expect(invited.body.data.invitations).toMatchObject([{ email: 'carol@example.com', status: 'PENDING' }])

  // Only this organization's emails: other test files share the server.
  const emails = await admin.outbox.list({ organizationId: org.id })
  expect(emails).toMatchObject([{ to: 'carol@example.com', kind: 'PROJECT', projectId: website.id }])
})

test('the invitee accepts through the emailed link', async () => {
  const org = await admin.organizations.create({ plan: 'TEAM', projects: [{ name: 'Website' }] })
  const [website] = org.projects
  await api(org.apiKey, 'POST', `/projects/${website.id}/invitations`, { emails: ['dave@example.com'] })

  const [email] = await admin.outbox.list({ organizationId: org.id, to: 'dave@example.com' })
  const accepted = await admin.invitations.accept(email.token)
  expect(accepted.invitation.status).toBe('ACCEPTED')

  const members = await api(org.apiKey, 'GET', `/projects/${website.id}/members`)
  expect(members.body.data.members).toMatchObject([{ email: 'dave@example.com' }])
})
