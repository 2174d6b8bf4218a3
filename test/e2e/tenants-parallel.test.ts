// Two test suites in parallel processes against one real server: each makes its own organization and never sees the other's.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { get, startServer, workspace } from '../helpers/server-process.js'

const SUITE = fileURLToPath(new URL('../helpers/tenant-suite.ts', import.meta.url))

async function runSuite (url: string, label: string): Promise<any> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SUITE, url, label], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  proc.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const [code] = await once(proc, 'close')
  if (code !== 0) throw new Error(`suite ${label} exited with ${code}`)
  return JSON.parse(out)
}

t.test('organizations made by parallel suites stay isolated', async (t) => {
  const { database } = workspace(t)
  const server = await startServer({ CONFIDENT_MOCK_DATABASE: database })
  t.teardown(() => server.stop())

  const [a, b] = await Promise.all([runSuite(server.url, 'A'), runSuite(server.url, 'B')])
  for (const [name, r] of [['A', a], ['B', b]] as const) {
    t.same(r.statuses, [200, 200, 200, 200, 200, 200], `suite ${name}: every call succeeded`)
    t.equal(r.ids.length, 10, `suite ${name}: all ten addresses invited, though the other suite invited the same`)
    t.same(r.list.map((i: { id: number }) => i.id), r.ids, `suite ${name}: its list holds exactly its invitations`)
    t.equal(r.outbox.length, 11, `suite ${name}: ten emails and one resend in its outbox`)
    t.ok(r.outbox.every((e: { organizationId: string, projectId: string }) => e.organizationId === r.tenant.id && e.projectId === r.tenant.projects[0].id))
    t.equal(r.journal.length, 7, `suite ${name}: its journal holds its own seven /v1 calls`)
  }
  t.notOk(a.ids.some((id: number) => b.ids.includes(id)), 'no invitation id is shared')
  t.not(a.tenant.apiKey, b.tenant.apiKey)

  // Each key sees nothing of the other organization.
  const crossed = await get(`${server.url}/v1/projects/${b.tenant.projects[0].id}/invitations`, a.tenant.apiKey)
  t.equal(crossed.status, 404)
  t.same(crossed.body, { success: false, error: 'Project not found', deprecated: false })
  t.equal((await get(`${server.url}/v1/projects/${a.tenant.projects[0].id}/invitations`, b.tenant.apiKey)).status, 404)
})
