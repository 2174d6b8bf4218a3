// /v1/organization/api-keys[/:apiKeyId] through app.inject: mint once, redacted reads, validity, deletion, the last valid key.
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { App } from '../../../../src/app.js'
import { apiKeys } from '../../../../src/db/schema.js'
import { keyDigest } from '../../../../src/domain/keys.js'
import { T0, build, json, seedOrg } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

const KEY_FIELDS = ['id', 'name', 'valid', 'value', 'created_at', 'lastUsed']
const BASE = '/v1/organization/api-keys'

/** As the official SDKs send it: Content-Type: application/json on every request, body or not. */
function send (app: App, key: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  return app.inject({
    method,
    url,
    headers: { CONFIDENT_API_KEY: key, 'content-type': 'application/json' },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) })
  })
}

function idOf (app: App, key: string): number {
  return app.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.digest, keyDigest(key))).get()!.id
}

const redacted = (key: string) => '*'.repeat(15) + key.slice(-6)

/** Whether the key still gets into the management API. */
async function statusWith (app: App, key: string): Promise<number> {
  return (await send(app, key, 'GET', '/v1/organization')).statusCode
}

async function mint (app: App, key: string, name: string) {
  const res = await send(app, key, 'POST', BASE, { name })
  if (res.statusCode !== 200) throw new Error(`mint: ${res.statusCode} ${res.body}`)
  return json(res).data.apiKey as { id: number, name: string, valid: boolean, value: string, created_at: string, lastUsed: null }
}

t.test('POST mints an organization key whose full value is shown once', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  app.clock.advance(1500)
  const res = await send(app, org.key, 'POST', BASE, { name: 'CI/CD key' })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'createOrganizationApiKey', body)
  t.same(Object.keys(body), ['success', 'data'])
  t.same(Object.keys(body.data), ['apiKey'])
  const { apiKey } = body.data
  t.same(Object.keys(apiKey), KEY_FIELDS)
  t.ok(Number.isInteger(apiKey.id))
  t.equal(apiKey.name, 'CI/CD key')
  t.equal(apiKey.valid, true)
  t.match(apiKey.value, /^confident_org_[0-9a-f]{32}$/)
  t.equal(apiKey.created_at, new Date(T0 + 1500).toISOString())
  t.equal(apiKey.lastUsed, null)

  const stored = app.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id)).get()!
  t.match(stored, { organizationId: org.organizationId, projectId: null, name: 'CI/CD key', digest: keyDigest(apiKey.value), last6: apiKey.value.slice(-6), valid: true, createdAt: T0 + 1500 })
  t.notOk(Object.values(stored).includes(apiKey.value), 'no column holds the clear value')
  t.equal(await statusWith(app, apiKey.value), 200, 'the new key works at once')

  const got = json(await send(app, org.key, 'GET', `${BASE}/${apiKey.id}`)).data.apiKey
  t.same(got, { ...apiKey, value: redacted(apiKey.value) }, 'retrieved afterwards: redacted')
  t.equal(got.value, '***************' + apiKey.value.slice(-6))
  const listed = json(await send(app, org.key, 'GET', BASE))
  t.notMatch(JSON.stringify(listed), apiKey.value.slice(0, 20), 'the list never shows it either')
  t.same(listed.data.apiKeys.at(-1), { ...apiKey, value: redacted(apiKey.value) })
})

t.test('GET lists the organization\'s organization keys by id ascending, redacted', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main' }, { name: 'Second' }] })
  const other = seedOrg(app)
  await mint(app, other.key, 'theirs')
  const second = await mint(app, org.key, 'second')
  await send(app, org.key, 'POST', `/v1/projects/${org.projects['Second']}/api-keys`, { name: 'a project key' })
  const third = await mint(app, org.key, 'third')

  const res = await send(app, org.key, 'GET', BASE)
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listOrganizationApiKeys', body)
  t.same(Object.keys(body.data), ['apiKeys'])
  const listed = body.data.apiKeys
  for (const key of listed) t.same(Object.keys(key), KEY_FIELDS)
  t.same(listed, [
    { id: idOf(app, org.key), name: 'test', valid: true, value: redacted(org.key), created_at: new Date(T0).toISOString(), lastUsed: null },
    { id: idOf(app, org.invalidKey), name: null, valid: false, value: redacted(org.invalidKey), created_at: new Date(T0).toISOString(), lastUsed: null },
    { ...second, value: redacted(second.value) },
    { ...third, value: redacted(third.value) }
  ], 'no project key, no other organization\'s key')
  t.same(listed.map((k: { id: number }) => k.id), listed.map((k: { id: number }) => k.id).sort((a: number, b: number) => a - b))
})

t.test('GET /:apiKeyId retrieves one organization key, redacted', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const id = idOf(app, org.invalidKey)
  const res = await send(app, org.key, 'GET', `${BASE}/${id}`)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'getOrganizationApiKey', json(res))
  t.same(json(res), {
    success: true,
    data: { apiKey: { id, name: null, valid: false, value: '***************' + org.invalidKey.slice(-6), created_at: new Date(T0).toISOString(), lastUsed: null } }
  })
})

t.test('PUT sets valid: the key stops (or starts) authenticating at once', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const other = await mint(app, org.key, 'other')
  const url = `${BASE}/${other.id}`

  const off = await send(app, org.key, 'PUT', url, { valid: false })
  t.equal(off.statusCode, 200)
  assertVendorResponse(t, 'updateOrganizationApiKey', json(off))
  t.same(json(off), { success: true, data: { apiKey: { ...other, valid: false, value: redacted(other.value) } } })
  t.equal(app.db.select().from(apiKeys).where(eq(apiKeys.id, other.id)).get()!.valid, false, 'stored')
  const refused = await send(app, other.value, 'GET', BASE)
  t.equal(refused.statusCode, 401)
  t.same(json(refused), { success: false, error: 'Invalid API key', deprecated: false })

  const again = await send(app, org.key, 'PUT', url, { valid: false })
  t.equal(again.statusCode, 200, 'invalidating an invalid key is idempotent')
  t.equal(json(again).data.apiKey.valid, false)

  const on = await send(app, org.key, 'PUT', url, { valid: true })
  t.equal(on.statusCode, 200)
  assertVendorResponse(t, 'updateOrganizationApiKey', json(on))
  t.same(json(on).data.apiKey, { ...other, value: redacted(other.value) })
  t.equal(await statusWith(app, other.value), 200, 'valid again: it authenticates')
  t.equal((await send(app, org.key, 'PUT', url, { valid: true })).statusCode, 200, 'validating a valid key is idempotent')
  t.equal(await statusWith(app, org.key), 200, 'the caller\'s key was never touched')
})

t.test('the last valid organization key can be neither invalidated nor deleted: 409', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const own = idOf(app, org.key)
  // The organization also has a valid project key and an invalid organization key: neither counts.
  const invalidate = await send(app, org.key, 'PUT', `${BASE}/${own}`, { valid: false })
  t.equal(invalidate.statusCode, 409)
  t.same(json(invalidate), {
    success: false,
    error: 'This is the organization\'s last valid organization API key: create another one before you invalidate it',
    deprecated: false
  })
  const remove = await send(app, org.key, 'DELETE', `${BASE}/${own}`)
  t.equal(remove.statusCode, 409)
  t.same(json(remove), {
    success: false,
    error: 'This is the organization\'s last valid organization API key: create another one before you delete it',
    deprecated: false
  })
  t.match(app.db.select().from(apiKeys).where(eq(apiKeys.id, own)).get(), { valid: true }, 'nothing changed')
  t.equal(await statusWith(app, org.key), 200)

  t.equal((await send(app, org.key, 'PUT', `${BASE}/${own}`, { valid: true })).statusCode, 200, 'valid: true is always allowed')
  t.equal((await send(app, org.key, 'PUT', `${BASE}/${idOf(app, org.invalidKey)}`, { valid: false })).statusCode, 200,
    'valid: false on an invalid key is always allowed')
  t.equal((await send(app, org.key, 'DELETE', `${BASE}/${idOf(app, org.invalidKey)}`)).statusCode, 200,
    'an invalid key can be deleted')

  // Another valid organization's key does not count either.
  const other = seedOrg(app)
  t.equal((await send(app, org.key, 'DELETE', `${BASE}/${own}`)).statusCode, 409, 'another organization\'s keys do not help')
  t.equal(await statusWith(app, other.key), 200)
})

t.test('a key invalidated by its own request gets that answer, then a 401', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const spare = await mint(app, org.key, 'spare')
  const own = idOf(app, org.key)
  const res = await send(app, org.key, 'PUT', `${BASE}/${own}`, { valid: false })
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'updateOrganizationApiKey', json(res))
  t.same(json(res).data.apiKey, { id: own, name: 'test', valid: false, value: redacted(org.key), created_at: new Date(T0).toISOString(), lastUsed: null })
  const next = await send(app, org.key, 'GET', BASE)
  t.equal(next.statusCode, 401)
  t.same(json(next), { success: false, error: 'Invalid API key', deprecated: false })

  // The spare is now the last valid one.
  const last = await send(app, spare.value, 'PUT', `${BASE}/${spare.id}`, { valid: false })
  t.equal(last.statusCode, 409)
  t.equal((await send(app, spare.value, 'DELETE', `${BASE}/${spare.id}`)).statusCode, 409)
  t.equal((await send(app, spare.value, 'PUT', `${BASE}/${own}`, { valid: true })).statusCode, 200, 'it can bring the first back')
  t.equal(await statusWith(app, org.key), 200)
})

t.test('DELETE revokes a key: it stops authenticating at once', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const other = await mint(app, org.key, 'other')
  const res = await send(app, org.key, 'DELETE', `${BASE}/${other.id}`)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'deleteOrganizationApiKey', json(res))
  t.equal(res.body, JSON.stringify({ success: true, data: { id: other.id, deleted: true } }))
  t.equal(app.db.select().from(apiKeys).where(eq(apiKeys.id, other.id)).all().length, 0, 'the row is gone')
  const refused = await send(app, other.value, 'GET', BASE)
  t.equal(refused.statusCode, 401)
  t.same(json(refused), { success: false, error: 'Invalid API key', deprecated: false })
  t.equal((await send(app, org.key, 'GET', `${BASE}/${other.id}`)).statusCode, 404)
  t.equal((await send(app, org.key, 'DELETE', `${BASE}/${other.id}`)).statusCode, 404, 'a second delete finds nothing')
  t.equal(await statusWith(app, org.key), 200, 'the caller\'s key still works')

  // A key may delete itself while another valid one remains; its next request is a 401.
  const spare = await mint(app, org.key, 'spare')
  const own = idOf(app, org.key)
  const self = await send(app, org.key, 'DELETE', `${BASE}/${own}`)
  t.equal(self.statusCode, 200)
  t.same(json(self), { success: true, data: { id: own, deleted: true } })
  t.equal(await statusWith(app, org.key), 401)
  t.equal(await statusWith(app, spare.value), 200)
  t.same(json(await send(app, spare.value, 'GET', BASE)).data.apiKeys.map((k: { id: number }) => k.id), [idOf(app, org.invalidKey), spare.id])
})

t.test('unknown ids, another organization\'s keys and project keys are a 404; bad ids a 400', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const other = seedOrg(app)
  const cases: Array<[string, number | string, number, string]> = [
    ['unknown id', 999999, 404, 'API key not found'],
    ['another organization\'s key', idOf(app, other.key), 404, 'API key not found'],
    ['a project key', idOf(app, org.projectKey), 404, 'API key not found'],
    ['id not an integer', 'abc', 400, 'params.apiKeyId must be integer'],
    ['id a fraction', '1.5', 400, 'params.apiKeyId must be integer'],
    ['id zero', 0, 400, 'params.apiKeyId must be >= 1']
  ]
  for (const [name, id, status, error] of cases) {
    for (const [method, payload] of [['GET'], ['PUT', { valid: false }], ['DELETE']] as const) {
      const res = await send(app, org.key, method, `${BASE}/${id}`, payload)
      t.equal(res.statusCode, status, `${method} ${name}`)
      t.same(json(res), { success: false, error, deprecated: false }, `${method} ${name}`)
    }
  }
  t.equal(await statusWith(app, other.key), 200, 'the other organization\'s key is untouched')
  t.equal(app.db.select().from(apiKeys).where(eq(apiKeys.id, idOf(app, org.projectKey))).get()!.valid, true, 'the project key too')
})

t.test('invalid bodies are a 400 naming the field', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const id = idOf(app, org.invalidKey)
  const cases: Array<[string, 'POST' | 'PUT', unknown, RegExp]> = [
    ['no name', 'POST', {}, /^body must have required property 'name'$/],
    ['empty name', 'POST', { name: '' }, /^body\.name must NOT have fewer than 1 characters$/],
    ['name not a string', 'POST', { name: 42 }, /^body\.name must be string$/],
    ['name null', 'POST', { name: null }, /^body\.name must be string$/],
    ['name too long', 'POST', { name: 'n'.repeat(201) }, /^body\.name must NOT have more than 200 characters$/],
    ['no valid', 'PUT', {}, /^body must have required property 'valid'$/],
    ['valid a string', 'PUT', { valid: 'false' }, /^body\.valid must be boolean$/],
    ['valid a number', 'PUT', { valid: 0 }, /^body\.valid must be boolean$/],
    ['body an array', 'PUT', [{ valid: true }], /^Request body must be a JSON object$/]
  ]
  const before = app.db.select().from(apiKeys).all()
  for (const [name, method, payload, error] of cases) {
    const res = await send(app, org.key, method, method === 'POST' ? BASE : `${BASE}/${id}`, payload)
    t.equal(res.statusCode, 400, name)
    t.match(json(res), { success: false, error, deprecated: false }, name)
  }
  t.equal((await send(app, org.key, 'POST', BASE, { name: 'n'.repeat(200) })).statusCode, 200, '200 characters are fine')
  t.equal((await send(app, org.key, 'POST', BASE, { name: 'extra', projectId: 'x', valid: false })).statusCode, 200, 'unknown fields are ignored')
  t.same(app.db.select().from(apiKeys).all().slice(0, before.length), before, 'no refused request changed a key')
  t.equal(app.db.select().from(apiKeys).all().at(-1)!.valid, true, 'a body cannot mint an invalid key')
})

t.test('key failures', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const id = idOf(app, org.key)
  await assertKeyFailures(t, app, org, { method: 'GET', url: BASE })
  await assertKeyFailures(t, app, org, { method: 'POST', url: BASE, payload: { name: 'X' } })
  await assertKeyFailures(t, app, org, { method: 'GET', url: `${BASE}/${id}` })
  await assertKeyFailures(t, app, org, { method: 'PUT', url: `${BASE}/${id}`, payload: { valid: false } })
  await assertKeyFailures(t, app, org, { method: 'DELETE', url: `${BASE}/${id}` })
  t.equal(app.db.select().from(apiKeys).where(eq(apiKeys.organizationId, org.organizationId)).all().length, 3, 'nothing minted or deleted')
  t.equal(await statusWith(app, org.key), 200, 'nothing invalidated')
})
