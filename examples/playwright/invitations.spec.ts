// A Playwright test file using only the `request` fixture (an APIRequestContext on the config's
// baseURL): its own organization through the control API, an invitation through the real /v1
// endpoint, the email in the outbox. Each test makes its own organization: test files run in parallel.
import { expect, test, type APIRequestContext } from '@playwright/test'

/** A new organization, on plan TEAM with one project, that no other test sees. */
async function newOrganization (request: APIRequestContext) {
  const res = await request.post('/__admin/organizations', { data: { plan: 'TEAM', projects: [{ name: 'Website' }] } })
  expect(res.status()).toBe(201)
  return (await res.json()).data as { id: string, apiKey: string, projects: Array<{ id: string }> }
}

test('a project invitation is created and its email sent', async ({ request }) => {
  const org = await newOrganization(request)
  const [website] = org.projects

  const invited = await request.post(`/v1/projects/${website.id}/invitations`, {
    headers: { CONFIDENT_API_KEY: org.apiKey },
    data: { emails: ['Carol@Example.com'] }
  })
  expect(invited.status()).toBe(200)
  expect((await invited.json()).data.invitations).toMatchObject([{ email: 'carol@example.com', status: 'PENDING' }])

  const outbox = await request.get('/__admin/outbox', { params: { organizationId: org.id } })
  expect((await outbox.json()).data).toMatchObject([{ to: 'carol@example.com', kind: 'PROJECT', projectId: website.id }])
})

test('a request without the organization key is refused', async ({ request }) => {
  const org = await newOrganization(request)
  const res = await request.post(`/v1/projects/${org.projects[0].id}/invitations`, { data: { emails: ['dave@example.com'] } })
  expect(res.status()).toBe(401)
  expect(await res.json()).toMatchObject({ success: false })

  const outbox = await request.get('/__admin/outbox', { params: { organizationId: org.id } })
  expect((await outbox.json()).data).toEqual([])
})
