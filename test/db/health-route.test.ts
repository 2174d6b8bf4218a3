// GET /health over the app on a database file: 200 as before while the file is sound, 503 in the envelope once a request meets a damaged page.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { build, seedOrg } from '../helpers/build.js'
import { overwritePages, SecondConnection } from './damage.js'

const DAMAGED = { success: false, error: 'The database file is damaged: database disk image is malformed', deprecated: false }

t.test('damage the health read does not reach: found by a request, then /health answers 503 until a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'confident-mock-health-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const database = join(dir, 'state.sqlite')
  const app = await build(t, { config: { CONFIDENT_MOCK_DATABASE: database } })
  const { key, projectId } = seedOrg(app)
  const url = `/v1/projects/${projectId}/invitations`
  for (let batch = 0; batch < 3; batch++) {
    const emails = Array.from({ length: 100 }, (_, i) => `person${batch * 100 + i}@example.com`)
    t.equal((await app.inject({ method: 'POST', url, headers: { CONFIDENT_API_KEY: key }, payload: { emails } })).statusCode, 200)
  }
  const healthy = await app.inject({ method: 'GET', url: '/health' })
  t.equal(healthy.statusCode, 200)
  t.equal(healthy.body, '{"success":true,"data":{"status":"ok"}}', 'the answer it always gave, byte for byte')

  // The last leaf of the invitations' table: the health read goes from the root to the first leaf only.
  const other = new SecondConnection(database)
  t.teardown(() => other.close())
  other.checkpoint()
  const leaves = other.pagesOf('project_invitations').filter((page) => page.pagetype === 'leaf')
  t.ok(leaves.length >= 3, `${leaves.length} leaves`)
  overwritePages(database, [leaves.at(-1)!.pageno])
  other.touchHeader()

  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'the health read alone does not see it')
  const list = await app.inject({ method: 'GET', url, headers: { CONFIDENT_API_KEY: key } })
  t.equal(list.statusCode, 500, 'the list reads every leaf')
  for (const method of ['GET', 'HEAD'] as const) {
    const res = await app.inject({ method, url: '/health' })
    t.equal(res.statusCode, 503, `${method}: 503 from then on`)
    t.match(res.headers['content-type'], /^application\/json/)
    if (method === 'GET') t.same(res.json(), DAMAGED, 'in the envelope, with a short reason')
  }
})

t.test('a database that cannot be read: 503 with SQLite\'s reason', async (t) => {
  const app = await build(t)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
  app.sqlite.close()
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 503)
  t.same(res.json(), { success: false, error: 'The database cannot be read: The database connection is not open', deprecated: false })
})
