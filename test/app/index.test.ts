// startServer, the embeddable API: isolated servers in one process, database modes, options, idempotent close.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t from 'tap'
import { AdminApiError, createAdminClient, startServer } from '../../src/index.js'

const KEY = 'confident_org_1de1de1de1de1de1de1de1de1de1de1d'

async function call (url: string, init: { method?: string, key?: string, body?: unknown, headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers }
  if (init.key !== undefined) headers['CONFIDENT_API_KEY'] = init.key
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) })
  return { status: res.status, body: await res.json() as any }
}

function tempDir (t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'confident-mock-index-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('defaults: a loopback URL, an in-memory database, the demo organization', async (t) => {
  const server = await startServer()
  t.teardown(() => server.close())
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal(server.databasePath, ':memory:')
  t.not(server.demo, null)
  const health = await call(`${server.url}/health`)
  t.equal(health.status, 200)
  const org = await call(`${server.url}/v1/organization`, { key: server.demo!.apiKey })
  t.equal(org.status, 200)
  t.equal(org.body.data.organization.name, 'Demo Organization')
})

t.test('two servers at once are isolated: an organization made on one is absent on the other', async (t) => {
  const [a, b] = await Promise.all([startServer(), startServer()])
  t.teardown(() => Promise.all([a.close(), b.close()]))
  t.not(a.url, b.url)

  const made = await a.admin.organizations.create({ name: 'Only On A', apiKeys: [{ key: KEY }] })
  t.equal(made.apiKey, KEY)
  t.ok((await a.admin.organizations.list()).some((o) => o.name === 'Only On A'))
  t.notOk((await b.admin.organizations.list()).some((o) => o.name === 'Only On A'))

  t.equal((await call(`${a.url}/v1/organization`, { key: KEY })).status, 200)
  t.equal((await call(`${b.url}/v1/organization`, { key: KEY })).status, 401, "A's key means nothing to B")
})

t.test("'temporary': a file that exists while open and is removed on close; close twice is harmless", async (t) => {
  const server = await startServer({ database: 'temporary' })
  t.not(server.databasePath, ':memory:')
  t.ok(server.databasePath.startsWith(tmpdir()), 'under the system temporary folder')
  t.ok(existsSync(server.databasePath), 'the file exists while open')

  await server.close()
  t.notOk(existsSync(server.databasePath), 'the file is gone')
  t.notOk(existsSync(dirname(server.databasePath)), 'and so is its folder')
  await t.resolves(server.close(), 'a second close resolves')
  await t.rejects(fetch(`${server.url}/health`), 'nothing listens any more')
})

t.test('two temporary databases are two files', async (t) => {
  const [a, b] = await Promise.all([startServer({ database: 'temporary' }), startServer({ database: 'temporary' })])
  t.teardown(() => Promise.all([a.close(), b.close()]))
  t.not(a.databasePath, b.databasePath)
})

t.test('a database path is kept after close, with its state', async (t) => {
  const path = join(tempDir(t), 'kept.sqlite')
  const first = await startServer({ database: path })
  t.equal(first.databasePath, path)
  const demo = first.demo!
  const invited = await call(`${first.url}/v1/projects/${demo.projectId}/invitations`, { method: 'POST', key: demo.apiKey, body: { emails: ['kept@example.com'] } })
  t.equal(invited.status, 200)
  await first.close()
  t.ok(existsSync(path))

  const second = await startServer({ database: path })
  t.teardown(() => second.close())
  const listed = await call(`${second.url}/v1/projects/${demo.projectId}/invitations`, { key: demo.apiKey })
  t.same(listed.body.data.invitations.map((i: { email: string }) => i.email), ['kept@example.com'])
})

t.test('fixtures: a document is applied, and no demo organization is seeded', async (t) => {
  const server = await startServer({
    fixtures: { organizations: [{ name: 'Doc Co', plan: 'STARTER', apiKeys: [{ key: KEY }], projects: [{ name: 'Web' }] }] }
  })
  t.teardown(() => server.close())
  t.equal(server.demo, null)
  const org = await call(`${server.url}/v1/organization`, { key: KEY })
  t.equal(org.status, 200)
  t.equal(org.body.data.organization.name, 'Doc Co')
  t.equal(org.body.data.organization.plan, 'STARTER')
  const projects = await call(`${server.url}/v1/projects`, { key: KEY })
  t.same(projects.body.data.projects.map((p: { name: string }) => p.name), ['Web'])
})

t.test('fixtures: a file path is read (YAML here)', async (t) => {
  const path = join(tempDir(t), 'fixtures.yaml')
  writeFileSync(path, `organizations:\n  - name: File Co\n    plan: TEAM\n    apiKeys: [{ key: ${KEY} }]\n`)
  const server = await startServer({ fixtures: path })
  t.teardown(() => server.close())
  const org = await call(`${server.url}/v1/organization`, { key: KEY })
  t.equal(org.body.data.organization.name, 'File Co')
})

t.test('a bad fixtures document or file is refused with its reason, and leaves no temporary folder behind', async (t) => {
  await t.rejects(startServer({ fixtures: { organizations: [{ name: 'X', plan: 'GOLD' }] } as any }), /organizations\/0\/plan/)
  await t.rejects(startServer({ fixtures: join(tempDir(t), 'missing.json') }), /cannot read fixtures file/)
  const before = new Set(tempFolders())
  await t.rejects(startServer({ database: 'temporary', fixtures: { organizations: [{ name: 'X', plan: 'GOLD' }] } as any }))
  t.same(tempFolders().filter((dir) => !before.has(dir)), [], 'no confident-mock- folder was left')
})

/** The folders 'temporary' databases live in (startServer names them confident-mock-XXXXXX). */
function tempFolders (): string[] {
  return readdirSync(tmpdir()).filter((name) => /^confident-mock-[A-Za-z0-9]{6}$/.test(name))
}

t.test('a port in use: startServer rejects, and a temporary database is removed', async (t) => {
  const first = await startServer()
  t.teardown(() => first.close())
  const port = Number(new URL(first.url).port)
  const before = new Set(tempFolders())
  await t.rejects(startServer({ port, database: 'temporary' }), { code: 'EADDRINUSE' })
  t.same(tempFolders().filter((dir) => !before.has(dir)), [], 'no confident-mock- folder was left')
  t.equal((await call(`${first.url}/health`)).status, 200, 'the first server is unharmed')
})

t.test('clock: the server starts frozen at the given time, as a Date, an ISO string or milliseconds', async (t) => {
  const at = '2031-05-06T07:08:09.000Z'
  for (const clock of [new Date(at), at, '2031-05-06T09:08:09+02:00', Date.parse(at)]) {
    const server = await startServer({ clock })
    t.teardown(() => server.close())
    const state = await call(`${server.url}/__admin/clock`)
    t.equal(state.status, 200, `${typeof clock}: GET /__admin/clock`)
    t.same(state.body.data, { now: at, frozen: true }, `${typeof clock} ${String(clock)}`)
  }
})

t.test('clock: timestamps the server makes read the frozen clock', async (t) => {
  const at = '2031-05-06T07:08:09.000Z'
  const server = await startServer({ clock: at })
  t.teardown(() => server.close())
  const invited = await call(`${server.url}/v1/projects/${server.demo!.projectId}/invitations`, {
    method: 'POST', key: server.demo!.apiKey, body: { emails: ['frozen@example.com'] }
  })
  t.equal(invited.body.data.invitations[0].created_at, at)
})

t.test('clock: a value that is not a time is refused', async (t) => {
  await t.rejects(startServer({ clock: 'next tuesday' }), { name: 'TypeError', message: /clock is not a time/ })
})

t.test('adminToken: the returned client sends it; a call without it, or with another, is a 401', async (t) => {
  const token = 'a-long-enough-admin-token'
  const server = await startServer({ adminToken: token })
  t.teardown(() => server.close())

  const listed = await server.admin.organizations.list()
  t.ok(listed.some((o) => o.name === 'Demo Organization'))

  const bare = await call(`${server.url}/__admin/organizations`)
  t.equal(bare.status, 401)
  t.equal(bare.body.success, false)
  t.type(bare.body.error, 'string')
  t.equal((await call(`${server.url}/__admin/organizations`, { headers: { 'x-admin-token': 'not-the-admin-token' } })).status, 401)
  t.equal((await call(`${server.url}/__admin/organizations`, { headers: { authorization: `Bearer ${token}` } })).status, 200)

  const refused: unknown = await createAdminClient(server.url).organizations.list().catch((err: unknown) => err)
  t.ok(refused instanceof AdminApiError, 'a client without the token gets an AdminApiError')
  t.equal((refused as AdminApiError).status, 401)
  t.equal((await call(`${server.url}/v1/organization`, { key: server.demo!.apiKey })).status, 200, '/v1 does not need the admin token')
})

t.test('without adminToken the control API is open', async (t) => {
  const server = await startServer()
  t.teardown(() => server.close())
  t.equal((await call(`${server.url}/__admin/organizations`)).status, 200)
})

t.test('options are validated by the configuration schema and named in the error', async (t) => {
  await t.rejects(startServer({ adminToken: 'short' }), { name: 'TypeError', message: /adminToken/ })
  await t.rejects(startServer({ maxEmails: 0 }), { message: /maxEmails/ })
  await t.rejects(startServer({ journalSize: -1 }), { message: /journalSize/ })
  await t.rejects(startServer({ logLevel: 'loud' as any }), { message: /logLevel/ })
})

t.test('maxEmails: the invitation limit', async (t) => {
  const server = await startServer({ maxEmails: 2 })
  t.teardown(() => server.close())
  const url = `${server.url}/v1/projects/${server.demo!.projectId}/invitations`
  const three = await call(url, { method: 'POST', key: server.demo!.apiKey, body: { emails: ['a@example.com', 'b@example.com', 'c@example.com'] } })
  t.equal(three.status, 400)
  t.match(three.body.error, /emails/)
  const two = await call(url, { method: 'POST', key: server.demo!.apiKey, body: { emails: ['a@example.com', 'b@example.com'] } })
  t.equal(two.status, 200)
})

t.test('idSeed: the same seed gives the same ids, another seed other ids', async (t) => {
  const fixtures = { organizations: [{ name: 'Seeded', plan: 'TEAM' as const, apiKeys: [{ key: KEY }], projects: [{ name: 'Web' }] }] }
  const servers = await Promise.all([startServer({ fixtures, idSeed: 'one' }), startServer({ fixtures, idSeed: 'one' }), startServer({ fixtures, idSeed: 'two' })])
  t.teardown(() => Promise.all(servers.map((s) => s.close())))
  const ids = await Promise.all(servers.map(async (s) => (await call(`${s.url}/v1/projects`, { key: KEY })).body.data.projects[0].id))
  t.equal(ids[0], ids[1])
  t.not(ids[0], ids[2])
})

t.test('journalSize: 0 keeps no journal', async (t) => {
  const server = await startServer({ journalSize: 0 })
  t.teardown(() => server.close())
  t.equal((await call(`${server.url}/v1/organization`, { key: server.demo!.apiKey })).status, 200)
  t.same(await server.admin.journal.list(), [])
})
