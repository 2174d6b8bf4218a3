// The credential service remembers the digests of the keys it has seen (src/services/credentials.ts):
// what a key stands for is still read from the database on every request, and the memory is bounded.
import t from 'tap'
import type { App } from '../../src/app.js'
import { newKey } from '../../src/domain/keys.js'
import { build, json, seedOrg } from '../helpers/build.js'

const statusWith = async (app: App, key: string) =>
  (await app.inject({ url: '/v1/organization', headers: { CONFIDENT_API_KEY: key } })).statusCode

t.test('a remembered key is still checked: deactivated, it stops at once; active again, it works again', async (t) => {
  const app = await build(t)
  const second = newKey('organization')
  const org = seedOrg(app, { apiKeys: [{ key: second, name: 'second' }] })
  t.equal(await statusWith(app, second), 200, 'the second key authenticates, and its digest is remembered')
  const listed = json(await app.inject({ url: '/v1/organization/api-keys', headers: { CONFIDENT_API_KEY: org.key } })).data
  const id = (listed.apiKeys ?? listed).find((k: { name: string | null }) => k.name === 'second').id
  const off = await app.inject({ method: 'PUT', url: `/v1/organization/api-keys/${id}`, headers: { CONFIDENT_API_KEY: org.key }, payload: { valid: false } })
  t.equal(off.statusCode, 200, 'deactivated')
  t.equal(await statusWith(app, second), 401, 'the remembered key no longer authenticates')
  await app.inject({ method: 'PUT', url: `/v1/organization/api-keys/${id}`, headers: { CONFIDENT_API_KEY: org.key }, payload: { valid: true } })
  t.equal(await statusWith(app, second), 200, 'reactivated, it authenticates again')
})

t.test('past the bound of remembered digests, every key still resolves to what it stands for', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const other = seedOrg(app)
  /** The status the key check gives a key: 200 when it resolves to a caller. */
  const statusOf = (key: string) => {
    try {
      app.credentials.authenticate(key)
      return 200
    } catch (error) {
      return (error as { statusCode?: number }).statusCode
    }
  }
  t.equal(app.credentials.authenticate(org.key).organizationId, org.organizationId)
  // More distinct keys than the memory keeps (1,024): it starts again on the way.
  let refused = 0
  for (let i = 0; i < 1500; i++) if (statusOf(newKey('organization')) === 401) refused++
  t.equal(refused, 1500, 'every unknown key is refused')
  t.equal(app.credentials.authenticate(org.key).organizationId, org.organizationId, 'the first key, remembered before the memory started again')
  t.equal(app.credentials.authenticate(other.key).organizationId, other.organizationId, 'another organization\'s key')
  t.equal(app.credentials.organizationOf(other.key), other.organizationId)
  t.equal(app.credentials.organizationOf(org.invalidKey), null, 'an invalid key stands for no organization')
  t.equal(statusOf(org.projectKey), 403, 'a project key is refused as before')
  t.equal(statusOf(org.invalidKey), 401, 'an invalid key is refused as before')
})
