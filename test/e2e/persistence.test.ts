// End to end: the real server process on a real SQLite file, stopped and started again.
import Sqlite from 'better-sqlite3'
import t from 'tap'
import { DEMO_ORG_KEY, DEMO_PROJECT_ID } from '../../src/boot-state/demo.js'
import type { Fixtures } from '../../src/boot-state/schema.js'
import { assertVendorResponse } from '../helpers/vendor.js'
import { get, post, runServer, startServer, workspace } from '../helpers/server-process.js'

function count (dbPath: string, table: string): number {
  const db = new Sqlite(dbPath, { readonly: true })
  try {
    return (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n
  } finally {
    db.close()
  }
}

const KEY = 'confident_org_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const FIXTURES: Fixtures = {
  organizations: [{
    name: 'Persist Inc',
    plan: 'STARTER',
    apiKeys: [{ key: KEY }],
    members: [{ email: 'owner@persist.example', role: 'Owner' }],
    projects: [{ id: 'cpersistproject0000000000', name: 'Web', members: [{ email: 'owner@persist.example', role: 'Owner' }] }]
  }]
}

t.test('invitations survive a restart, ids continue, fixtures are not applied twice', async (t) => {
  const { database, fixtures } = workspace(t, FIXTURES)
  const url = (base: string) => `${base}/v1/projects/cpersistproject0000000000/invitations`

  const first = await startServer({ CONFIDENT_MOCK_DATABASE: database, CONFIDENT_MOCK_FIXTURES: fixtures })
  const created = await post(url(first.url), KEY, { emails: ['a@example.com', 'b@example.com'] })
  t.equal(created.status, 200)
  assertVendorResponse(t, 'createProjectInvitations', created.body)
  const before = await get(url(first.url), KEY)
  t.equal(await first.stop('SIGTERM'), 0, 'SIGTERM closes cleanly with exit code 0')

  // The same file through the CLI flags instead of the environment.
  const second = await startServer({}, ['--database', database, '--fixtures', fixtures])
  t.teardown(() => second.stop())
  const after = await get(url(second.url), KEY)
  t.equal(after.status, 200)
  t.equal(JSON.stringify(after.body), JSON.stringify(before.body), 'the same invitations, field for field and in order')
  assertVendorResponse(t, 'listProjectInvitations', after.body)
  const more = await post(url(second.url), KEY, { emails: ['a@example.com', 'c@example.com'] })
  t.same(more.body.data.invitations.map((i: { email: string }) => i.email), ['c@example.com'], 'the pending one is still skipped')
  const maxBefore = Math.max(...created.body.data.invitations.map((i: { id: number }) => i.id))
  t.ok(more.body.data.invitations[0].id > maxBefore, 'ids continue after the restart')
  t.equal(await second.stop(), 0)

  t.equal(count(database, 'organizations'), 1, 'fixtures loaded once')
  t.equal(count(database, 'api_keys'), 1)
  t.equal(count(database, 'users'), 1)
  t.equal(count(database, 'projects'), 1)
  t.equal(count(database, 'project_members'), 1)
  t.equal(count(database, 'project_invitations'), 3)
  t.equal(count(database, 'invitation_emails'), 3)
})

t.test('a new database with no fixtures gets the demo organization, printed at start', async (t) => {
  const { database } = workspace(t)
  const server = await startServer({ CONFIDENT_MOCK_DATABASE: database })
  t.match(server.output(), DEMO_ORG_KEY)
  t.match(server.output(), DEMO_PROJECT_ID)
  const health = await get(`${server.url}/health`)
  t.same(health, { status: 200, body: { success: true, data: { status: 'ok' } } })
  const res = await post(`${server.url}/v1/projects/${DEMO_PROJECT_ID}/invitations`, DEMO_ORG_KEY, { emails: ['carol@example.com'] })
  t.equal(res.status, 200)
  t.equal(res.body.data.invitations[0].email, 'carol@example.com')
  t.equal(await server.stop('SIGINT'), 0, 'SIGINT closes cleanly too')

  const again = await startServer({ CONFIDENT_MOCK_DATABASE: database })
  t.teardown(() => again.stop())
  t.match(again.output(), DEMO_ORG_KEY, 'the key is printed on every start')
  const listed = await get(`${again.url}/v1/projects/${DEMO_PROJECT_ID}/invitations`, DEMO_ORG_KEY)
  t.equal(listed.body.data.invitations.length, 1)
  await again.stop()
  t.equal(count(database, 'organizations'), 1, 'the demo is seeded once')
})

t.test('a wrong configuration stops the server with a message naming the variable', async (t) => {
  const cases: Array<[Record<string, string>, string[], RegExp]> = [
    [{ PORT: 'eighty' }, [], /PORT must be integer/],
    [{ LOG_LEVEL: 'loud' }, [], /LOG_LEVEL must be equal to one of the allowed values/],
    [{ CONFIDENT_MOCK_MAX_EMAILS: '0' }, [], /CONFIDENT_MOCK_MAX_EMAILS must be >= 1/],
    [{}, ['--max-emails', 'many'], /CONFIDENT_MOCK_MAX_EMAILS must be integer/],
    [{}, ['--no-such-flag'], /Unknown option '--no-such-flag'/],
    [{ CONFIDENT_MOCK_FIXTURES: '/nonexistent/fixtures.json', CONFIDENT_MOCK_DATABASE: ':memory:' }, [], /cannot read fixtures file \/nonexistent\/fixtures.json: ENOENT/],
    [{ CONFIDENT_MOCK_DATABASE: ':memory:', HOST: 'host.invalid' }, [], /cannot listen on host.invalid:0/]
  ]
  for (const [env, args, message] of cases) {
    const { code, output } = await runServer(env, args)
    t.ok(code === 1 || code === 2, `${JSON.stringify(env)} ${args.join(' ')} exits with 1 or 2, got ${code}`)
    t.match(output, message)
  }
})
