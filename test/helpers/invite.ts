// Invitations made through /v1 and emails read from the outbox, as a test's client would: one copy for every test that needs them.
import type { App } from '../../src/app.js'
import type { OutboxEmail } from '../../src/admin-client.js'
import { json, type SeededOrg } from './build.js'

export type Invitation = { id: number, email: string }

/** The outbox (GET /__admin/outbox with the query), oldest first; throws on anything but 200. */
export async function outbox (app: App, query = ''): Promise<OutboxEmail[]> {
  const res = await app.inject({ method: 'GET', url: `/__admin/outbox${query}` })
  if (res.statusCode !== 200) throw new Error(`GET /__admin/outbox${query}: ${res.statusCode} ${res.body}`)
  return json(res).data
}

/** Invites the addresses to a project (the organization's first by default), with a role if given. */
export async function inviteProject (app: App, org: SeededOrg, emails: string[], projectId = org.projectId, projectRoleId?: string): Promise<Invitation[]> {
  const res = await app.inject({
    method: 'POST',
    url: `/v1/projects/${projectId}/invitations`,
    headers: { CONFIDENT_API_KEY: org.key },
    payload: { emails, ...(projectRoleId === undefined ? {} : { projectRoleId }) }
  })
  if (res.statusCode !== 200) throw new Error(`invite: ${res.statusCode} ${res.body}`)
  return json(res).data.invitations
}

/** Invites the addresses to the organization. */
export async function inviteOrganization (app: App, org: SeededOrg, emails: string[]): Promise<Invitation[]> {
  const res = await app.inject({ method: 'POST', url: '/v1/organization/invitations', headers: { CONFIDENT_API_KEY: org.key }, payload: { emails } })
  if (res.statusCode !== 200) throw new Error(`invite: ${res.statusCode} ${res.body}`)
  return json(res).data.invitations
}
