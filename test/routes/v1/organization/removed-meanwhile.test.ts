// A create runs at the end of its event-loop turn (group commit), its checks inside the transaction that
// inserts: an organization removed in that turn is a 401 for both kinds of invitation, a plan changed in
// that turn is the plan the create is checked against.
import t from 'tap'
import { build, json, seedOrg } from '../../../helpers/build.js'

t.test('an organization invitation whose organization a control call removes in the same turn', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const [create, remove] = await Promise.all([
    app.inject({ method: 'POST', url: '/v1/organization/invitations', headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['late@example.com'] } }),
    app.inject({ method: 'DELETE', url: `/__admin/organizations/${org.organizationId}` })
  ])
  t.equal(remove.statusCode, 200)
  t.equal(create.statusCode, 401, create.body)
  t.equal(json(create).error, 'Invalid API key', 'as if the key had been checked after the removal')
  const count = app.sqlite.prepare<[], { n: number }>('select count(*) as n from organization_invitations').get()!.n
  t.equal(count, 0, 'nothing stored')
})

t.test('a project invitation whose organization a control call removes in the same turn: the same 401', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const [create, remove] = await Promise.all([
    app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['late@example.com'] } }),
    app.inject({ method: 'DELETE', url: `/__admin/organizations/${org.organizationId}` })
  ])
  t.equal(remove.statusCode, 200)
  t.equal(create.statusCode, 401, create.body)
  t.equal(json(create).error, 'Invalid API key', 'the answer an organization invitation gets, not a 404 for the project')
  const count = app.sqlite.prepare<[], { n: number }>('select count(*) as n from project_invitations').get()!.n
  t.equal(count, 0, 'nothing stored')
})

t.test('a create whose organization is moved to a plan that may not invite in the same turn is checked against the new plan', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const [create, change] = await Promise.all([
    app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['late@example.com'] } }),
    app.inject({ method: 'PATCH', url: `/__admin/organizations/${org.organizationId}`, payload: { plan: 'FREE' } })
  ])
  t.equal(change.statusCode, 200, change.body)
  t.equal(create.statusCode, 403, create.body)
  const count = app.sqlite.prepare<[], { n: number }>('select count(*) as n from project_invitations').get()!.n
  t.equal(count, 0, 'nothing stored')
})
