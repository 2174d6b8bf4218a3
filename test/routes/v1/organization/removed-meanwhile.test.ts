// A create runs at the end of its event-loop turn (group commit): an organization removed in that turn is a 401, not a 500.
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
