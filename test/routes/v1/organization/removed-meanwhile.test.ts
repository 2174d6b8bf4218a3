// Under load a create runs at the end of its event-loop turn (group commit), its checks inside the
// transaction that inserts: an organization removed in that turn is a 401 for both kinds of invitation,
// a plan changed in that turn is the plan the create is checked against.
import t from 'tap'
import type { InjectOptions } from 'fastify'
import { build, json, seedOrg, type SeededOrg, type TeardownTarget } from '../../../helpers/build.js'

/** A create and a control call sent in the same turn; then how many invitations of that kind are stored. */
async function inOneTurn (t: TeardownTarget & { same: (found: unknown, wanted: unknown) => unknown }, create: (org: SeededOrg) => InjectOptions, control: (org: SeededOrg) => InjectOptions) {
  const app = await build(t)
  const org = seedOrg(app)
  // Two creates in one turn: the server is under load, so the next create waits for the end of its
  // turn (when the time is quiet, the first write of a turn commits at once: src/db/group-commit.ts).
  const load = (email: string): InjectOptions => ({ method: 'POST', url: '/v1/organization/invitations', headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: [email] } })
  const loaded = await Promise.all([app.inject(load('load-1@example.com')), app.inject(load('load-2@example.com'))])
  t.same(loaded.map((r) => r.statusCode), [200, 200])
  const [created, controlled] = await Promise.all([app.inject(create(org)), app.inject(control(org))])
  const table = String(create(org).url).startsWith('/v1/projects/') ? 'project_invitations' : 'organization_invitations'
  const stored = app.sqlite.prepare<[], { n: number }>(`select count(*) as n from ${table} where email not like 'load-%'`).get()!.n
  return { created, controlled, stored }
}

const removal = (org: SeededOrg): InjectOptions => ({ method: 'DELETE', url: `/__admin/organizations/${org.organizationId}` })

t.test('an organization invitation whose organization a control call removes in the same turn', async (t) => {
  const { created, controlled, stored } = await inOneTurn(t,
    (org) => ({ method: 'POST', url: '/v1/organization/invitations', headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['late@example.com'] } }),
    removal)
  t.equal(controlled.statusCode, 200)
  t.equal(created.statusCode, 401, created.body)
  t.equal(json(created).error, 'Invalid API key', 'as if the key had been checked after the removal')
  t.equal(stored, 0, 'nothing stored')
})

t.test('a project invitation whose organization a control call removes in the same turn: the same 401', async (t) => {
  const { created, controlled, stored } = await inOneTurn(t,
    (org) => ({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['late@example.com'] } }),
    removal)
  t.equal(controlled.statusCode, 200)
  t.equal(created.statusCode, 401, created.body)
  t.equal(json(created).error, 'Invalid API key', 'the answer an organization invitation gets, not a 404 for the project')
  t.equal(stored, 0, 'nothing stored')
})

t.test('a create whose organization is moved to a plan that may not invite in the same turn is checked against the new plan', async (t) => {
  const { created, controlled, stored } = await inOneTurn(t,
    (org) => ({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['late@example.com'] } }),
    (org) => ({ method: 'PATCH', url: `/__admin/organizations/${org.organizationId}`, payload: { plan: 'FREE' } }))
  t.equal(controlled.statusCode, 200, controlled.body)
  t.equal(created.statusCode, 403, created.body)
  t.equal(stored, 0, 'nothing stored')
})
