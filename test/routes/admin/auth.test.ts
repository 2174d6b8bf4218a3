// The control API's own protection: open without a token; with one, every /__admin call must carry it.
import t from 'tap'
import type { App } from '../../../src/app.js'
import { CONTROL_PREFIX } from '../../../src/http/prefixes.js'
import { build, json, seedOrg } from '../../helpers/build.js'
import { servedUnder } from '../../helpers/routes.js'

const TOKEN = 'admin-token-for-tests-0123456789'

/** Every control route the app serves, its parameters filled with `x`, and a JSON body where one can be sent. */
function controlRoutes (app: App): Array<[string, string, object?]> {
  return servedUnder(app, CONTROL_PREFIX).map(({ method, path }): [string, string, object?] => {
    const url = path.replace(/\{\w+\}/g, 'x')
    return method === 'GET' || method === 'DELETE' ? [method, url] : [method, url, {}]
  })
}

/** An unknown route under the prefix is refused too, rather than telling what exists. */
const UNKNOWN: [string, string] = ['GET', '/__admin/nothing-here']

t.test('with a token configured, every control route refuses a missing or wrong token with 401', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: TOKEN } })
  const routes = controlRoutes(app)
  t.ok(routes.length >= 30, `${routes.length} control routes`)
  for (const [method, url, payload] of [...routes, UNKNOWN]) {
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
  for (const [method, url, payload] of controlRoutes(app)) {
    const res = await app.inject({ method: method as 'GET', url, ...(payload === undefined ? {} : { payload }) })
    t.not(res.statusCode, 401, `${method} ${url}`)
  }
  const unknown = await app.inject('/__admin/nothing-here')
  t.equal(unknown.statusCode, 404)
  t.same(json(unknown), { success: false, error: 'Route GET /__admin/nothing-here not found', deprecated: false })
})
