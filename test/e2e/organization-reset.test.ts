// End to end: a tenant's document survives a restart of the real server on a real SQLite file, and a reset
// after the restart makes the tenant again with the key minted before it.
import Sqlite from 'better-sqlite3'
import t from 'tap'
import { DEMO_ORG_KEY, DEMO_ORGANIZATION_ID, DEMO_PROJECT_ID } from '../../src/boot-state/demo.js'
import { keyDigest } from '../../src/domain/keys.js'
import { get, post, startServer, workspace } from '../helpers/server-process.js'

async function admin (base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/__admin${path}`, {
    method,
    // As SDK clients send it: a JSON content type on every request, an empty body when there is none.
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? (method === 'GET' ? undefined : '') : JSON.stringify(body)
  })
  return { status: res.status, body: await res.json() as any }
}

function documents (database: string): Array<{ organizationId: string, document: string }> {
  const db = new Sqlite(database, { readonly: true })
  try {
    return db.prepare('select organization_id as organizationId, document from organization_documents order by organization_id').all() as Array<{ organizationId: string, document: string }>
  } finally {
    db.close()
  }
}

t.test('the stored document survives a restart; a reset after it restores the same ids and the minted key', async (t) => {
  const { database } = workspace(t)
  const first = await startServer({ CONFIDENT_MOCK_DATABASE: database, CONFIDENT_MOCK_CLOCK: '2026-03-01T09:00:00Z' })
  t.teardown(() => first.stop())
  const created = await admin(first.url, 'POST', '/organizations', { name: 'Persisted', plan: 'TRIAL', trialEndsAt: '2026-03-15T00:00:00Z', projects: [{ name: 'Web', roles: [{ name: 'Reviewer' }] }] })
  t.equal(created.status, 201)
  const tenant = created.body.data
  t.match(tenant.apiKey, /^confident_org_[0-9a-f]{32}$/, 'a minted key')
  t.equal(await first.stop(), 0)

  const stored = documents(database)
  t.same(stored.map((d) => d.organizationId).sort(), [DEMO_ORGANIZATION_ID, tenant.id].sort(), 'the demo organization and the tenant have their documents')
  const doc = stored.find((d) => d.organizationId === tenant.id)!.document
  t.notOk(doc.includes(tenant.apiKey), 'the minted key is not stored in clear')
  t.ok(doc.includes(keyDigest(tenant.apiKey)), 'its digest is')
  t.notOk(stored.find((d) => d.organizationId === DEMO_ORGANIZATION_ID)!.document.includes(DEMO_ORG_KEY), 'nor the demo key')

  const second = await startServer({ CONFIDENT_MOCK_DATABASE: database, CONFIDENT_MOCK_CLOCK: '2026-03-01T09:00:00Z' })
  t.teardown(() => second.stop())
  const web = tenant.projects[0].id as string
  t.equal((await post(`${second.url}/v1/projects/${web}/invitations`, tenant.apiKey, { emails: ['a@example.com'] })).status, 200)
  t.equal((await post(`${second.url}/v1/projects`, tenant.apiKey, { name: 'Later' })).status, 200)
  // Past the trial on the tenant's own clock: its invitations are refused until the reset.
  t.equal((await admin(second.url, 'POST', `/organizations/${tenant.id}/clock/advance`, { by: '30d' })).status, 200)
  t.equal((await post(`${second.url}/v1/projects/${web}/invitations`, tenant.apiKey, { emails: ['b@example.com'] })).status, 403)

  const reset = await admin(second.url, 'POST', `/organizations/${tenant.id}/reset`)
  t.equal(reset.status, 200, JSON.stringify(reset.body))
  t.same(reset.body.data.projects, tenant.projects, 'the same project and role ids')
  const projects = await get(`${second.url}/v1/projects`, tenant.apiKey)
  t.equal(projects.status, 200, 'the key minted before the restart works after the reset')
  t.same(projects.body.data.projects.map((p: { id: string }) => p.id), [web])
  t.same((await get(`${second.url}/v1/projects/${web}/invitations`, tenant.apiKey)).body.data.invitations, [])
  t.same((await admin(second.url, 'GET', `/organizations/${tenant.id}/clock`)).body.data, { now: '2026-03-01T09:00:00.000Z', frozen: true }, 'its clock follows the server clock again')
  t.equal((await post(`${second.url}/v1/projects/${web}/invitations`, tenant.apiKey, { emails: ['b@example.com'] })).status, 200, 'inside its trial again')

  const demo = await admin(second.url, 'POST', `/organizations/${DEMO_ORGANIZATION_ID}/reset`)
  t.equal(demo.status, 200)
  t.equal((await get(`${second.url}/v1/projects/${DEMO_PROJECT_ID}`, DEMO_ORG_KEY)).status, 200, 'the demo organization resets too')
  t.equal(await second.stop(), 0)
})
