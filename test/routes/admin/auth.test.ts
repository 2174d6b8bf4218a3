// The control API's own protection: open without a token; with one, every /__admin call must carry it.
import t from 'tap'
import { servedRoutes } from '../../../scripts/vendor-coverage.js'
import { build, json, seedOrg } from '../../helpers/build.js'

const TOKEN = 'admin-token-for-tests-0123456789'

/** Every control route, with a body that would pass validation. */
const ROUTES: Array<[string, string, object?]> = [
  ['POST', '/__admin/organizations', {}],
  ['GET', '/__admin/organizations'],
  ['PATCH', '/__admin/organizations/x', { plan: 'TEAM' }],
  ['DELETE', '/__admin/organizations/x'],
  ['POST', '/__admin/organizations/x/reset', {}],
  ['GET', '/__admin/organizations/x/clock'],
  ['POST', '/__admin/organizations/x/clock/freeze', {}],
  ['POST', '/__admin/organizations/x/clock/unfreeze', {}],
  ['POST', '/__admin/organizations/x/clock/set', { to: '2030-01-01T00:00:00Z' }],
  ['POST', '/__admin/organizations/x/clock/advance', { ms: 1 }],
  ['POST', '/__admin/organizations/x/clock/reset', {}],
  ['POST', '/__admin/reset', {}],
  ['GET', '/__admin/snapshot'],
  ['POST', '/__admin/snapshot', {}],
  ['GET', '/__admin/clock'],
  ['POST', '/__admin/clock/freeze', {}],
  ['POST', '/__admin/clock/unfreeze', {}],
  ['POST', '/__admin/clock/set', { to: '2030-01-01T00:00:00Z' }],
  ['POST', '/__admin/clock/advance', { ms: 1 }],
  ['POST', '/__admin/clock/reset', {}],
  ['GET', '/__admin/outbox'],
  ['DELETE', '/__admin/outbox'],
  ['POST', '/__admin/invitations/accept', { token: 'pi_1_x' }],
  ['POST', '/__admin/invitations/decline', { token: 'pi_1_x' }],
  ['GET', '/__admin/journal'],
  ['DELETE', '/__admin/journal'],
  ['POST', '/__admin/faults', { path: '/v1/**', status: 500 }],
  ['GET', '/__admin/faults'],
  ['DELETE', '/__admin/faults/1'],
  ['DELETE', '/__admin/faults'],
  // An unknown route under the prefix is refused too, rather than telling what exists.
  ['GET', '/__admin/nothing-here']
]

t.test('the list above is every control route the app serves', async (t) => {
  const app = await build(t)
  const served = servedRoutes(app).filter((r) => r.path.startsWith('/__admin/'))
    .map((r) => `${r.method} ${r.path.replace(/\{\w+\}/g, 'x')}`)
  const listed = ROUTES.filter(([, url]) => !url.includes('nothing-here'))
    .map(([method, url]) => `${method} ${url.replace(/\/(x|1)$/, '/x').replace('/organizations/x', '/organizations/x')}`)
  t.same([...new Set(listed)].sort(), [...new Set(served)].sort(), 'a new control route must be added to ROUTES, so the token check covers it')
})

t.test('with a token configured, every control route refuses a missing or wrong token with 401', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: TOKEN } })
  for (const [method, url, payload] of ROUTES) {
    const missing = await app.inject({ method: method as 'GET', url, ...(payload === undefined ? {} : { payload }) })
    t.equal(missing.statusCode, 401, `${method} ${url} without a token`)
    t.match(json(missing), { success: false, error: /^Missing admin token/, deprecated: false })
    for (const headers of [{ 'x-admin-token': 'wrong' }, { 'x-admin-token': TOKEN.slice(0, -1) }, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }]) {
      const wrong = await app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) })
      t.equal(wrong.statusCode, 401, `${method} ${url} with ${JSON.stringify(headers)}`)
      t.not(json(wrong).error, undefined)
      t.notMatch(wrong.body, TOKEN, 'the token is never echoed')
    }
  }
  t.equal((await app.inject({ method: 'GET', url: '/__admin/clock', headers: { authorization: TOKEN } })).statusCode, 401,
    'Authorization without the Bearer scheme is not the token')
})

t.test('with the token in either header, control calls pass; /v1 and /health do not need it', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: TOKEN } })
  const viaHeader = await app.inject({ url: '/__admin/clock', headers: { 'x-admin-token': TOKEN } })
  t.equal(viaHeader.statusCode, 200)
  const viaBearer = await app.inject({ url: '/__admin/organizations', headers: { authorization: `bearer ${TOKEN}` } })
  t.equal(viaBearer.statusCode, 200)
  const created = await app.inject({ method: 'POST', url: '/__admin/organizations', headers: { 'x-admin-token': TOKEN }, payload: {} })
  t.equal(created.statusCode, 201)
  t.equal((await app.inject({ url: '/v1/organization', headers: { CONFIDENT_API_KEY: json(created).data.apiKey } })).statusCode, 200)
  t.equal((await app.inject('/health')).statusCode, 200)
  const org = seedOrg(app)
  t.equal((await app.inject({ url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key, 'x-admin-token': 'wrong' } })).statusCode, 200,
    'the admin token plays no part on /v1')
})

t.test('without a token configured the control API is open', async (t) => {
  const app = await build(t)
  for (const [method, url, payload] of ROUTES.filter(([, url]) => !url.includes('nothing-here'))) {
    const res = await app.inject({ method: method as 'GET', url, ...(payload === undefined ? {} : { payload }) })
    t.not(res.statusCode, 401, `${method} ${url}`)
  }
  const unknown = await app.inject('/__admin/nothing-here')
  t.equal(unknown.statusCode, 404)
  t.same(json(unknown), { success: false, error: 'Route GET /__admin/nothing-here not found', deprecated: false })
})
