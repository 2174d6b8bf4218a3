// /v1/projects/:projectId/api-keys[/:apiKeyId] through app.inject: per-project keys, minted once, validity, deletion, the project check first.
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { App } from '../../../../src/app.js'
import { apiKeys } from '../../../../src/db/schema.js'
import { keyDigest } from '../../../../src/domain/keys.js'
import { T0, build, json, seedOrg } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

const KEY_FIELDS = ['id', 'name', 'valid', 'value', 'created_at', 'lastUsed']
const keysOf = (projectId: string) => `/v1/projects/${projectId}/api-keys`

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

/**
 * What a project key gets on a management endpoint: 403 while it is a valid key (it is the wrong
 * kind), 401 once it no longer authenticates at all.
 */
async function statusWith (app: App, key: string): Promise<number> {
  return (await send(app, key, 'GET', '/v1/organization')).statusCode
}

async function mint (app: App, key: string, projectId: string, name: string) {
  const res = await send(app, key, 'POST', keysOf(projectId), { name })
  if (res.statusCode !== 200) throw new Error(`mint: ${res.statusCode} ${res.body}`)
  return json(res).data.apiKey as { id: number, name: string, valid: boolean, value: string, created_at: string, lastUsed: null }
}

t.test('POST mints a project key whose full value is shown once', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  app.clock.advance(2500)
  const res = await send(app, org.key, 'POST', keysOf(org.projectId), { name: 'Production agent key' })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'createProjectApiKey', body)
  t.same(Object.keys(body), ['success', 'data'])
  t.same(Object.keys(body.data), ['apiKey'])
  const { apiKey } = body.data
  t.same(Object.keys(apiKey), KEY_FIELDS)
  t.ok(Number.isInteger(apiKey.id))
  t.equal(apiKey.name, 'Production agent key')
  t.equal(apiKey.valid, true)
  t.match(apiKey.value, /^confident_proj_[0-9a-f]{32}$/)
  t.equal(apiKey.created_at, new Date(T0 + 2500).toISOString())
  t.equal(apiKey.lastUsed, null)

  const stored = app.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id)).get()!
  t.match(stored, {
    organizationId: org.organizationId, projectId: org.projectId, name: 'Production agent key', digest: keyDigest(apiKey.value), last6: apiKey.value.slice(-6), valid: true, createdAt: T0 + 2500
  })
  t.notOk(Object.values(stored).includes(apiKey.value), 'no column holds the clear value')
  t.equal(await statusWith(app, apiKey.value), 403, 'a working project key: refused on management endpoints as the wrong kind')

  const got = await send(app, org.key, 'GET', `${keysOf(org.projectId)}/${apiKey.id}`)
  t.equal(got.statusCode, 200)
  assertVendorResponse(t, 'getProjectApiKey', json(got))
  t.same(json(got).data.apiKey, { ...apiKey, value: '***************' + apiKey.value.slice(-6) }, 'retrieved afterwards: redacted')
  t.notMatch(JSON.stringify(json(await send(app, org.key, 'GET', keysOf(org.projectId)))), apiKey.value.slice(0, 20), 'listed: redacted')
})

t.test('GET lists one project\'s keys by id ascending, redacted', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main' }, { name: 'Second' }] })
  const second = org.projects['Second']!
  const other = seedOrg(app)
  await mint(app, other.key, other.projectId, 'theirs')
  const a = await mint(app, org.key, org.projectId, 'a')
  const s1 = await mint(app, org.key, second, 's1')
  await send(app, org.key, 'POST', '/v1/organization/api-keys', { name: 'an organization key' })
  const b = await mint(app, org.key, org.projectId, 'b')
  const s2 = await mint(app, org.key, second, 's2')

  const res = await send(app, org.key, 'GET', keysOf(org.projectId))
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listProjectApiKeys', body)
  t.same(Object.keys(body.data), ['apiKeys'])
  for (const key of body.data.apiKeys) t.same(Object.keys(key), KEY_FIELDS)
  t.same(body.data.apiKeys, [
    { id: idOf(app, org.projectKey), name: null, valid: true, value: redacted(org.projectKey), created_at: new Date(T0).toISOString(), lastUsed: null },
    { ...a, value: redacted(a.value) },
    { ...b, value: redacted(b.value) }
  ], 'only this project\'s keys: no organization key, no other project\'s')

  const secondList = json(await send(app, org.key, 'GET', keysOf(second)))
  assertVendorResponse(t, 'listProjectApiKeys', secondList)
  t.same(secondList.data.apiKeys, [{ ...s1, value: redacted(s1.value) }, { ...s2, value: redacted(s2.value) }])

  const created = json(await send(app, org.key, 'POST', '/v1/projects', { name: 'Fresh' })).data
  t.same(json(await send(app, org.key, 'GET', keysOf(created.project.id))).data.apiKeys,
    [{ ...created.apiKey, value: redacted(created.apiKey.value) }], 'a new project lists the key minted with it')
})

t.test('PUT sets valid: the key stops (or starts) authenticating at once; no last-key rule', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const id = idOf(app, org.projectKey)
  const url = `${keysOf(org.projectId)}/${id}`
  const off = await send(app, org.key, 'PUT', url, { valid: false })
  t.equal(off.statusCode, 200, 'the project\'s only key may be invalidated')
  assertVendorResponse(t, 'updateProjectApiKey', json(off))
  t.same(json(off), {
    success: true,
    data: { apiKey: { id, name: null, valid: false, value: redacted(org.projectKey), created_at: new Date(T0).toISOString(), lastUsed: null } }
  })
  const refused = await send(app, org.projectKey, 'GET', '/v1/organization')
  t.equal(refused.statusCode, 401, 'an invalid key is refused before its kind is looked at')
  t.same(json(refused), { success: false, error: 'Invalid API key', deprecated: false })
  t.equal((await send(app, org.key, 'PUT', url, { valid: false })).statusCode, 200, 'idempotent')

  const on = await send(app, org.key, 'PUT', url, { valid: true })
  t.equal(on.statusCode, 200)
  assertVendorResponse(t, 'updateProjectApiKey', json(on))
  t.equal(json(on).data.apiKey.valid, true)
  t.equal(await statusWith(app, org.projectKey), 403, 'valid again')
})

t.test('DELETE revokes a project key, the project\'s only one included', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const id = idOf(app, org.projectKey)
  const res = await send(app, org.key, 'DELETE', `${keysOf(org.projectId)}/${id}`)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'deleteProjectApiKey', json(res))
  t.equal(res.body, JSON.stringify({ success: true, data: { id, deleted: true } }))
  t.equal(app.db.select().from(apiKeys).where(eq(apiKeys.id, id)).all().length, 0)
  t.equal(await statusWith(app, org.projectKey), 401, 'the key no longer authenticates')
  t.same(json(await send(app, org.key, 'GET', keysOf(org.projectId))).data.apiKeys, [])
  t.equal((await send(app, org.key, 'DELETE', `${keysOf(org.projectId)}/${id}`)).statusCode, 404, 'a second delete finds nothing')
})

t.test('deleting the project deletes its keys', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main' }, { name: 'Kept' }] })
  const minted = await mint(app, org.key, org.projectId, 'dies with it')
  const kept = await mint(app, org.key, org.projects['Kept']!, 'stays')
  t.equal(await statusWith(app, minted.value), 403)
  t.equal((await send(app, org.key, 'DELETE', `/v1/projects/${org.projectId}`)).statusCode, 200)
  t.equal(await statusWith(app, minted.value), 401, 'the minted key no longer authenticates')
  t.equal(await statusWith(app, org.projectKey), 401, 'nor the seeded one')
  t.equal(app.db.select().from(apiKeys).where(eq(apiKeys.projectId, org.projectId)).all().length, 0)
  const gone = await send(app, org.key, 'GET', keysOf(org.projectId))
  t.equal(gone.statusCode, 404)
  t.same(json(gone), { success: false, error: 'Project not found', deprecated: false })
  t.equal(await statusWith(app, kept.value), 403, 'another project\'s key lives on')
  t.equal(await statusWith(app, org.key), 200, 'organization keys live on')
})

t.test('the project comes first (404 Project not found), then the key (404 API key not found); bad ids a 400', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main' }, { name: 'Second' }] })
  const other = seedOrg(app)
  const secondKey = await mint(app, org.key, org.projects['Second']!, 'second')
  const own = idOf(app, org.projectKey)
  const cases: Array<[string, string, number | string, number, string]> = [
    ['unknown project', 'cnosuchproject00000000000', own, 404, 'Project not found'],
    ['another organization\'s project, with its key', other.projectId, idOf(app, other.projectKey), 404, 'Project not found'],
    ['unknown project and a bad id', 'cnosuchproject00000000000', 'abc', 400, 'params.apiKeyId must be integer'],
    ['unknown id', org.projectId, 999999, 404, 'API key not found'],
    ['another project\'s key', org.projectId, secondKey.id, 404, 'API key not found'],
    ['an organization key', org.projectId, idOf(app, org.key), 404, 'API key not found'],
    ['another organization\'s project key', org.projectId, idOf(app, other.projectKey), 404, 'API key not found'],
    ['id not an integer', org.projectId, 'abc', 400, 'params.apiKeyId must be integer'],
    ['id zero', org.projectId, 0, 400, 'params.apiKeyId must be >= 1']
  ]
  for (const [name, projectId, id, status, error] of cases) {
    for (const [method, payload] of [['GET'], ['PUT', { valid: false }], ['DELETE']] as const) {
      const res = await send(app, org.key, method, `${keysOf(projectId)}/${id}`, payload)
      t.equal(res.statusCode, status, `${method} ${name}`)
      t.same(json(res), { success: false, error, deprecated: false }, `${method} ${name}`)
    }
  }
  for (const projectId of ['cnosuchproject00000000000', other.projectId]) {
    for (const [method, payload] of [['GET'], ['POST', { name: 'x' }]] as const) {
      const res = await send(app, org.key, method, keysOf(projectId), payload)
      t.equal(res.statusCode, 404, `${method} list/create on ${projectId}`)
      t.same(json(res), { success: false, error: 'Project not found', deprecated: false })
    }
  }
  t.equal(app.db.select().from(apiKeys).where(eq(apiKeys.projectId, other.projectId)).all().length, 1, 'nothing minted in another organization')
  t.equal(await statusWith(app, other.projectKey), 403, 'nor anything changed there')
  t.equal(await statusWith(app, secondKey.value), 403)
  t.equal(await statusWith(app, org.key), 200)
})

t.test('invalid bodies are a 400 naming the field', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const one = `${keysOf(org.projectId)}/${idOf(app, org.projectKey)}`
  const cases: Array<[string, 'POST' | 'PUT', unknown, RegExp]> = [
    ['no name', 'POST', {}, /^body must have required property 'name'$/],
    ['empty name', 'POST', { name: '' }, /^body\.name must NOT have fewer than 1 characters$/],
    ['name not a string', 'POST', { name: ['a'] }, /^body\.name must be string$/],
    ['name too long', 'POST', { name: 'n'.repeat(201) }, /^body\.name must NOT have more than 200 characters$/],
    ['no valid', 'PUT', { name: 'x' }, /^body must have required property 'valid'$/],
    ['valid a string', 'PUT', { valid: 'true' }, /^body\.valid must be boolean$/],
    ['valid null', 'PUT', { valid: null }, /^body\.valid must be boolean$/]
  ]
  const before = app.db.select().from(apiKeys).all()
  for (const [name, method, payload, error] of cases) {
    const res = await send(app, org.key, method, method === 'POST' ? keysOf(org.projectId) : one, payload)
    t.equal(res.statusCode, 400, name)
    t.match(json(res), { success: false, error, deprecated: false }, name)
  }
  t.same(app.db.select().from(apiKeys).all(), before, 'nothing minted or changed')
})

t.test('key failures', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const one = `${keysOf(org.projectId)}/${idOf(app, org.projectKey)}`
  await assertKeyFailures(t, app, org, { method: 'GET', url: keysOf(org.projectId) })
  await assertKeyFailures(t, app, org, { method: 'POST', url: keysOf(org.projectId), payload: { name: 'X' } })
  await assertKeyFailures(t, app, org, { method: 'GET', url: one })
  await assertKeyFailures(t, app, org, { method: 'PUT', url: one, payload: { valid: false } })
  await assertKeyFailures(t, app, org, { method: 'DELETE', url: one })
  t.equal(app.db.select().from(apiKeys).where(eq(apiKeys.projectId, org.projectId)).all().length, 1, 'nothing minted or deleted')
  t.equal(await statusWith(app, org.projectKey), 403, 'nothing invalidated: a project key itself may not manage keys')
})
