// GET /v1/organization through app.inject: the key's organization, exactly the vendor's fields.
import t from 'tap'
import { T0, build, json, seedOrg } from '../../helpers/build.js'
import { assertKeyFailures } from '../../helpers/auth.js'
import { assertVendorResponse } from '../../helpers/vendor.js'

t.test("answers with the key's organization: id, name, plan, created_at and nothing else", async (t) => {
  const app = await build(t)
  // A trial end date is ours (the plan rule); the vendor's organization has no such field.
  const org = seedOrg(app, { plan: 'TRIAL', trialEndsAt: '2030-01-01T00:00:00.000Z' })
  seedOrg(app, { plan: 'FREE' })
  const res = await app.inject({ url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'getOrganization', body)
  t.same(Object.keys(body), ['success', 'data'])
  t.equal(body.success, true)
  t.same(Object.keys(body.data), ['organization'])
  const { organization } = body.data
  t.same(Object.keys(organization), ['id', 'name', 'plan', 'created_at'])
  t.equal(organization.id, org.organizationId)
  t.match(organization.name, /^Org \d+ [0-9a-f]{8}$/)
  t.equal(organization.plan, 'TRIAL')
  t.equal(organization.created_at, new Date(T0).toISOString())
})

t.test('each organization sees its own, whatever its plan', async (t) => {
  const app = await build(t)
  for (const plan of ['TRIAL', 'FREE', 'STARTER', 'ENTERPRISE', 'TEAM', 'PREMIUM'] as const) {
    const org = seedOrg(app, { plan })
    const res = await app.inject({ url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key } })
    t.equal(res.statusCode, 200)
    t.equal(json(res).data.organization.plan, plan)
    t.equal(json(res).data.organization.id, org.organizationId)
    assertVendorResponse(t, 'getOrganization', json(res))
  }
})

t.test('key failures', async (t) => {
  const app = await build(t)
  await assertKeyFailures(t, app, seedOrg(app), { method: 'GET', url: '/v1/organization' })
})
