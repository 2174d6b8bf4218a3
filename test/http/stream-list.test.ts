// Long invitation lists are answered as a stream: the same bytes as the whole answer, other requests
// answered meanwhile, a client that goes away stops it. (npm run bench:lists measures 100,000.)
import { connect } from 'node:net'
import t, { type Test } from 'tap'
import { LIST_PAGE } from '../../src/http/stream-list.js'
import { build, json, seedOrg } from '../helpers/build.js'

/** More than two pages and a part: the stream's first page, a full one, and a short last one. */
const COUNT = 2 * LIST_PAGE + 7
const emails = (prefix: string) => Array.from({ length: COUNT }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}@example.com`)

async function longLists (t: Test) {
  const app = await build(t, { config: { CONFIDENT_MOCK_MAX_EMAILS: 10_000 } })
  const org = seedOrg(app)
  const headers = { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' }
  const project = await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers, payload: { emails: emails('p') } })
  const organization = await app.inject({ method: 'POST', url: '/v1/organization/invitations', headers, payload: { emails: emails('o') } })
  t.same([project.statusCode, organization.statusCode], [200, 200])
  return { app, org, headers, project, organization }
}

t.test('a list longer than a page is streamed, byte for byte the answer the route\'s own serializer gives', async (t) => {
  const { app, org, headers, project, organization } = await longLists(t)
  for (const [url, created] of [[`/v1/projects/${org.projectId}/invitations`, project], ['/v1/organization/invitations', organization]] as const) {
    // The create answers with the same schema, through Fastify's serializer: every invitation is PENDING, in id order.
    const listed = await app.inject({ url, headers })
    t.equal(listed.statusCode, 200)
    t.equal(listed.headers['content-type'], 'application/json; charset=utf-8')
    t.equal(listed.headers['content-length'], undefined, 'sent in chunks')
    t.equal(listed.body, created.body, `${url}: the same bytes as the whole answer`)
    t.equal(json(listed).data.invitations.length, COUNT)
  }
  const short = await app.inject({ url: `/v1/projects/${seedOrg(app).projectId}/invitations`, headers })
  t.ok(short.headers['content-length'], 'a list of one page is answered whole, as before')

  // DECLINED ones stay, ACCEPTED and revoked ones go: the stream lists what list() would.
  const rows = json(project).data.invitations as Array<{ id: number }>
  await app.inject({ method: 'DELETE', url: `/v1/projects/${org.projectId}/invitations/${rows[LIST_PAGE]!.id}`, headers })
  app.sqlite.prepare("update project_invitations set status = 'DECLINED' where id = ?").run(rows[0]!.id)
  app.sqlite.prepare("update project_invitations set status = 'ACCEPTED' where id = ?").run(rows[COUNT - 1]!.id)
  const after = json(await app.inject({ url: `/v1/projects/${org.projectId}/invitations`, headers })).data.invitations as Array<{ id: number, status: string }>
  t.equal(after.length, COUNT - 2)
  t.same(after[0], { ...json(project).data.invitations[0], status: 'DECLINED' })
  t.notOk(after.some((i) => i.id === rows[LIST_PAGE]!.id || i.id === rows[COUNT - 1]!.id))
  t.ok(after.every((row, i) => i === 0 || row.id > after[i - 1]!.id), 'ids ascend across pages')
  const head = await app.inject({ method: 'HEAD', url: `/v1/projects/${org.projectId}/invitations`, headers })
  t.same([head.statusCode, head.body], [200, ''], 'HEAD: the status, no body')
})

t.test('while a long list is held back by its client, other requests are answered; a client that goes away stops it', async (t) => {
  const { app, org } = await longLists(t)
  // 40,000 more, straight into the table: an answer of about 5 MiB, more than the socket's buffers
  // hold, so the list is still being sent while the client does not read.
  app.sqlite.prepare(`with recursive n(i) as (select 1 union all select i + 1 from n where i < 40000)
    insert into project_invitations (project_id, email, status, created_at) select ?, 'bulk-' || i || '@example.com', 'PENDING', 0 from n`).run(org.projectId)
  const total = COUNT + 40_000
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const request = `GET /v1/projects/${org.projectId}/invitations HTTP/1.1\r\nHost: x\r\nCONFIDENT_API_KEY: ${org.key}\r\n\r\n`

  // A client that reads the first bytes, then stops reading: the stream waits for it, the server does not.
  const slow = connect(port, '127.0.0.1')
  t.teardown(() => slow.destroy())
  slow.write(request)
  const firstBytes = await new Promise<string>((resolve) => slow.once('data', (chunk) => { slow.pause(); resolve(chunk.toString()) }))
  t.match(firstBytes, /^HTTP\/1\.1 200 OK/)
  const health = await fetch(`http://127.0.0.1:${port}/health`)
  t.equal(health.status, 200, 'answered while the list is open')
  const other = await fetch(`http://127.0.0.1:${port}/v1/organization`, { headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(other.status, 200)
  // Still open: the rest of the list (its closing bytes included) has not been read yet.
  let rest = ''
  slow.on('data', (chunk) => { rest += chunk.toString() })
  t.notOk(firstBytes.includes(']}}'), 'the first bytes are not the whole list')

  // Gone mid-list: the server stays whole, and the next full list is complete.
  slow.destroy()
  t.notOk(rest.includes(']}}'), 'the client went away before the end')
  const full = await fetch(`http://127.0.0.1:${port}/v1/projects/${org.projectId}/invitations`, { headers: { CONFIDENT_API_KEY: org.key } })
  t.equal((await full.json() as { data: { invitations: unknown[] } }).data.invitations.length, total)
})
