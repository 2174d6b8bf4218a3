// Over a real socket: errors raised before routing, or by Node's HTTP parser, still use the envelope.
import { connect } from 'node:net'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import { build, seedOrg } from '../helpers/build.js'

/** Sends raw bytes and resolves with the raw response. */
function raw (port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    let text = ''
    socket.on('data', (chunk) => { text += chunk.toString() })
    socket.on('end', () => resolve(text))
    socket.on('error', reject)
  })
}

function parse (response: string) {
  const [head, body] = response.split('\r\n\r\n')
  return { status: Number(head!.split(' ')[1]), body: JSON.parse(body!) }
}

t.test('framework and parser errors answer in the envelope', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const base = `http://127.0.0.1:${port}`
  const headers = { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' }

  const badUrl = await fetch(`${base}/v1/projects/%zz/invitations`, { headers })
  t.equal(badUrl.status, 400)
  t.same(await badUrl.json(), { success: false, error: 'The request path is not a valid URL', deprecated: false })

  const tooLong = await fetch(`${base}/v1/projects/${'x'.repeat(600)}/invitations`, { headers })
  t.equal(tooLong.status, 400)
  t.same(await tooLong.json(), { success: false, error: 'A path parameter is too long', deprecated: false })

  for (const id of ['x'.repeat(300), '']) {
    const res = await fetch(`${base}/v1/projects/${id}/invitations`, { method: 'POST', headers, body: '{"emails":["a@example.com"]}' })
    t.equal(res.status, 404, `a project id of ${id.length} characters is simply not found`)
    t.same(await res.json(), { success: false, error: 'Project not found', deprecated: false })
  }

  const bigHeader = parse(await raw(port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`))
  t.same(bigHeader, { status: 431, body: { success: false, error: 'Request headers are too large', deprecated: false } })
  const malformed = parse(await raw(port, 'NOT HTTP AT ALL\r\n\r\n'))
  t.same(malformed, { status: 400, body: { success: false, error: 'Malformed HTTP request', deprecated: false } })

  const url = `${base}/v1/projects/${org.projectId}/invitations`
  const gzipped = await fetch(url, { method: 'POST', headers: { ...headers, 'content-encoding': 'gzip' }, body: gzipSync('{"emails":["z@example.com"]}') })
  t.equal(gzipped.status, 415)
  t.same(await gzipped.json(), { success: false, error: 'Unsupported Content-Encoding: send the body uncompressed', deprecated: false })
  const noKey = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'x' })
  t.equal(noKey.status, 401, 'the key is still checked first')

  const poisoned = await fetch(url, { method: 'POST', headers, body: '{"emails":["p@example.com"],"__proto__":{"x":1},"constructor":{"prototype":{"y":1}}}' })
  t.equal(poisoned.status, 200, '__proto__ and constructor keys are ignored like any unknown field')
  t.same((await poisoned.json() as { data: { invitations: Array<{ email: string }> } }).data.invitations.map((i) => i.email), ['p@example.com'])
})
