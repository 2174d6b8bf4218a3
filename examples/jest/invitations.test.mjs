// A Jest test file against the server in CONFIDENT_BASE_URL: its own organization through the
// control API, an invitation through the real /v1 endpoint, the email in the outbox. Plain fetch:
// it needs only Jest (@jest/globals is installed with it; list it in devDependencies under pnpm).
import { expect, test } from '@jest/globals'

const url = process.env.CONFIDENT_BASE_URL

/** A call to the server: the control API (/__admin) or /v1 with an organization's key. */
async function call (method, path, { apiKey, body } = {}) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(apiKey ? { CONFIDENT_API_KEY: apiKey } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: res.status, body: await res.json() }
}

/** A new organization of this test's own, on plan TEAM with one project: test files run in parallel. */
async function newOrganization () {
  const created = await call('POST', '/__admin/organizations', { body: { plan: 'TEAM', projects: [{ name: 'Website' }] } })
  expect(created.status).toBe(201)
  return created.body.data
}

test('a project invitation is created and its email sent', async () => {
  const org = await newOrganization()
  const [website] = org.projects

  const invited = await call('POST', `/v1/projects/${website.id}/invitations`, { apiKey: org.apiKey, body: { emails: ['Carol@Example.com'] } })
  expect(invited.status).toBe(200)
  expect(invited.body.data.invitations).toMatchObject([{ email: 'carol@example.com', status: 'PENDING' }])

  const outbox = await call('GET', `/__admin/outbox?organizationId=${org.id}`)
  expect(outbox.body.data).toMatchObject([{ to: 'carol@example.com', kind: 'PROJECT', projectId: website.id }])
})

test('the same address is skipped the second time', async () => {
  const org = await newOrganization()
  const [website] = org.projects
  const invite = () => call('POST', `/v1/projects/${website.id}/invitations`, { apiKey: org.apiKey, body: { emails: ['dave@example.com'] } })

  expect((await invite()).body.data.invitations).toHaveLength(1)
  expect((await invite()).body.data.invitations).toEqual([])

  const outbox = await call('GET', `/__admin/outbox?organizationId=${org.id}`)
  expect(outbox.body.data).toHaveLength(1)
})
