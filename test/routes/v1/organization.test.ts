// /v1/organization through app.inject: the key's organization, exactly the vendor's fields; renaming it.
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { App } from '../../../src/app.js'
import { organizations } from '../../../src/db/schema.js'
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
  await assertKeyFailures(t, app, seedOrg(app), { method: 'PUT', url: '/v1/organization', payload: { name: 'Renamed' } })
})

/** As the official SDKs send it: a JSON Content-Type, the body as JSON text. */
function rename (app: App, key: string, payload: unknown) {
  return app.inject({
    method: 'PUT',
    url: '/v1/organization',
    headers: { CONFIDENT_API_KEY: key, 'content-type': 'application/json' },
    payload: JSON.stringify(payload)
  })
}

const nameOf = (app: App, id: string) => app.db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, id)).get()!.name

t.test('PUT renames the organization and answers with it as GET does; nothing else changes', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { plan: 'STARTER' })
  const other = seedOrg(app)
  const otherName = nameOf(app, other.organizationId)
  app.clock.set(T0 + 60_000)
  const res = await rename(app, org.key, { name: 'Acme Inc.', plan: 'FREE', id: 'hijack' })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'updateOrganization', body)
  t.same(Object.keys(body), ['success', 'data'])
  t.equal(body.success, true)
  t.same(Object.keys(body.data), ['organization'])
  const { organization } = body.data
  t.same(Object.keys(organization), ['id', 'name', 'plan', 'created_at'])
  t.equal(organization.id, org.organizationId)
  t.equal(organization.name, 'Acme Inc.')
  t.equal(organization.plan, 'STARTER', 'unknown fields (plan) are ignored')
  t.equal(organization.created_at, new Date(T0).toISOString(), 'created_at is kept')

  const got = json(await app.inject({ url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' } }))
  t.same(got, body, 'GET shows the same organization')
  t.equal(nameOf(app, other.organizationId), otherName, 'another organization is untouched')

  const longest = 'n'.repeat(200)
  const res2 = await rename(app, org.key, { name: longest })
  t.equal(res2.statusCode, 200, '200 characters is allowed')
  t.equal(json(res2).data.organization.name, longest)
})

t.test('PUT with the current name: 200, unchanged', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const before = json(await app.inject({ url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key } }))
  const res = await rename(app, org.key, { name: before.data.organization.name })
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'updateOrganization', json(res))
  t.same(json(res), before)
})

t.test("PUT with another organization's name: 200, both keep theirs apart (names are not unique: no tenant learns another's)", async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const other = seedOrg(app)
  const taken = nameOf(app, other.organizationId)
  const res = await rename(app, org.key, { name: taken })
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'updateOrganization', json(res))
  t.equal(json(res).data.organization.name, taken)
  t.equal(json(res).data.organization.id, org.organizationId)
  t.equal(nameOf(app, org.organizationId), taken)
  t.equal(nameOf(app, other.organizationId), taken, 'the other keeps its name')
})

t.test('PUT: invalid bodies are a 400 naming the field, and nothing changes', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const mine = nameOf(app, org.organizationId)
  const cases: Array<[string, unknown, RegExp]> = [
    ['no name', {}, /^body must have required property 'name'$/],
    ['other fields only', { plan: 'FREE' }, /^body must have required property 'name'$/],
    ['empty name', { name: '' }, /^body\.name must NOT have fewer than 1 characters$/],
    ['name too long', { name: 'n'.repeat(201) }, /^body\.name must NOT have more than 200 characters$/],
    ['name a number', { name: 42 }, /^body\.name must be string$/],
    ['name null', { name: null }, /^body\.name must be string$/],
    ['name an array', { name: ['Acme'] }, /^body\.name must be string$/],
    ['body an array', [{ name: 'Acme' }], /^Request body must be a JSON object$/],
    ['body a string', 'Acme', /^Request body must be a JSON object$/]
  ]
  for (const [name, payload, error] of cases) {
    const res = await rename(app, org.key, payload)
    t.equal(res.statusCode, 400, name)
    t.match(json(res), { success: false, error, deprecated: false }, name)
  }
  const empty = await app.inject({ method: 'PUT', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(empty.statusCode, 400, 'no body at all')
  t.equal(json(empty).error, 'Request body must be a JSON object')
  const malformed = await app.inject({ method: 'PUT', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' }, payload: '{"name":' })
  t.equal(malformed.statusCode, 400, 'malformed JSON')
  t.equal(nameOf(app, org.organizationId), mine, 'the name is unchanged')
})
