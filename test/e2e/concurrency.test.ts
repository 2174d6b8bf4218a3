// End to end: simultaneous identical requests, from two server processes on one SQLite file.
import Sqlite from 'better-sqlite3'
import t from 'tap'
import type { Fixtures } from '../../src/boot-state/schema.js'
import { assertVendorResponse } from '../helpers/vendor.js'
import { post, startServer, workspace } from '../helpers/server-process.js'

const KEY = 'confident_org_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
const PROJECT = 'cconcurrencyproject000000'
const FIXTURES: Fixtures = {
  organizations: [{
    name: 'Race Ltd',
    plan: 'TEAM',
    apiKeys: [{ key: KEY }],
    projects: [{ id: PROJECT, name: 'Main' }]
  }]
}

// 60 requests, each inviting the same 5 addresses (a sixth differs in case only), half to each
// process: enough to interleave transactions across the two processes on 2 cores.
const REQUESTS = 60
const EMAILS = ['a@race.example', 'b@race.example', 'c@race.example', 'd@race.example', 'e@race.example', 'A@RACE.example']

t.test('many simultaneous identical requests make exactly one PENDING invitation per address', async (t) => {
  const { database, fixtures } = workspace(t, FIXTURES)
  const env = { CONFIDENT_MOCK_DATABASE: database, CONFIDENT_MOCK_FIXTURES: fixtures }
  const one = await startServer(env)
  const two = await startServer(env)
  t.teardown(() => Promise.all([one.stop(), two.stop()]))

  const responses = await Promise.all(Array.from({ length: REQUESTS }, (_, i) =>
    post(`${(i % 2 === 0 ? one : two).url}/v1/projects/${PROJECT}/invitations`, KEY, { emails: EMAILS })))

  t.same(responses.map((r) => r.status), Array(REQUESTS).fill(200), 'every request answered 200')
  for (const r of responses) assertVendorResponse(t, 'createProjectInvitations', r.body)
  const reported = responses.flatMap((r) => r.body.data.invitations as Array<{ id: number, email: string, status: string }>)
  t.same(reported.map((i) => i.email).sort(), ['a@race.example', 'b@race.example', 'c@race.example', 'd@race.example', 'e@race.example'],
    'each address was created by exactly one response')

  await Promise.all([one.stop(), two.stop()])
  const db = new Sqlite(database, { readonly: true })
  t.teardown(() => db.close())
  const stored = db.prepare('select id, email, status from project_invitations order by id').all() as Array<{ id: number, email: string, status: string }>
  t.same(stored, [...reported].sort((a, b) => a.id - b.id).map(({ id, email, status }) => ({ id, email, status })),
    'the stored rows are exactly those the 200 responses reported')
  t.equal((db.prepare('select count(*) as n from invitation_emails').get() as { n: number }).n, 5, 'one email per created invitation')
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok')
})

t.test('the database itself refuses a second PENDING invitation for one project and address', async (t) => {
  const { database, fixtures } = workspace(t, FIXTURES)
  const server = await startServer({ CONFIDENT_MOCK_DATABASE: database, CONFIDENT_MOCK_FIXTURES: fixtures })
  await post(`${server.url}/v1/projects/${PROJECT}/invitations`, KEY, { emails: ['x@race.example'] })
  await server.stop()

  const db = new Sqlite(database)
  t.teardown(() => db.close())
  const insert = db.prepare("insert into project_invitations (project_id, email, status, created_at) values (?, 'x@race.example', ?, 0)")
  t.throws(() => insert.run(PROJECT, 'PENDING'), /UNIQUE constraint failed: project_invitations.project_id, project_invitations.email/)
  t.doesNotThrow(() => insert.run(PROJECT, 'DECLINED'), 'a DECLINED one beside it is allowed')
})
