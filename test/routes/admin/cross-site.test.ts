// The control API refuses state-changing calls a browser says another site's page sent, unless CONFIDENT_MOCK_CORS lets that origin in.
import t from 'tap'
import type { App } from '../../../src/app.js'
import { build, json } from '../../helpers/build.js'

async function organizations (app: App): Promise<string[]> {
  return json((await app.inject({ method: 'GET', url: '/__admin/organizations' }))).data.map((o: { name: string }) => o.name)
}

async function tenant (app: App, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url: '/__admin/organizations', headers: { 'content-type': 'application/json', ...headers }, payload: { name: `T ${Math.random()}` } })
}

t.test('an open control API: another site\'s page cannot reset it or make tenants', async (t) => {
  const app = await build(t)
  t.equal((await tenant(app, {})).statusCode, 201)
  const before = await organizations(app)
  for (const [name, headers] of [
    ['a form or no-cors fetch from another site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['a sibling site (another port on localhost)', { 'sec-fetch-site': 'same-site', origin: 'http://localhost:5173' }],
    ['an older browser: another Origin, no fetch metadata', { origin: 'https://evil.example' }],
    ['a sandboxed frame or a file: page (Origin: null)', { origin: 'null' }]
  ] as const) {
    const reset = await app.inject({ method: 'POST', url: '/__admin/reset', headers })
    t.equal(reset.statusCode, 403, `${name}: reset refused`)
    t.same(json(reset), { success: false, error: 'A state-changing request sent by a page of another site is refused (allow its origin with CONFIDENT_MOCK_CORS)', deprecated: false })
    t.equal((await tenant(app, headers)).statusCode, 403, `${name}: tenant refused`)
    const read = await app.inject({ method: 'GET', url: '/__admin/organizations', headers })
    t.equal(read.statusCode, 200, `${name}: a read is not a change (and its answer is not readable cross-origin without CORS)`)
  }
  t.same(await organizations(app), before, 'nothing changed')
  for (const [name, headers] of [['same-origin', { 'sec-fetch-site': 'same-origin' }], ['typed in', { 'sec-fetch-site': 'none' }], ['curl', {}]] as const) {
    t.equal((await tenant(app, headers)).statusCode, 201, `${name}: accepted`)
  }
})

t.test('origins CONFIDENT_MOCK_CORS names may change state from their pages', async (t) => {
  const listed = await build(t, { config: { CONFIDENT_MOCK_CORS: 'https://admin.example.com' } })
  t.equal((await tenant(listed, { 'sec-fetch-site': 'cross-site', origin: 'https://admin.example.com' })).statusCode, 201, 'a listed origin')
  t.equal((await tenant(listed, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })).statusCode, 403, 'not another')
  const any = await build(t, { config: { CONFIDENT_MOCK_CORS: '*' } })
  t.equal((await tenant(any, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })).statusCode, 201, '* lets any origin in, as it says')
})
