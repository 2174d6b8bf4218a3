// Operations that declare no body, sent what the vendor's SDKs send (a JSON Content-Type, Content-Length 0 or none), and bodies they must ignore.
import { connect } from 'node:net'
import t from 'tap'
import type { App } from '../../src/app.js'
import { build, json, seedOrg, type SeededOrg } from '../helpers/build.js'

/** The header variants real clients put on a body-less call: requests/aiohttp, axios, and the types they fall back to. */
const SDK_VARIANTS: Array<{ name: string, headers: Record<string, string>, payload?: string }> = [
  { name: 'JSON type, Content-Length 0 (requests, aiohttp)', headers: { 'content-type': 'application/json', 'content-length': '0' }, payload: '' },
  { name: 'JSON type, no Content-Length (axios DELETE)', headers: { 'content-type': 'application/json' } },
  { name: 'JSON type with charset, Content-Length 0', headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': '0' }, payload: '' },
  { name: 'application/octet-stream, Content-Length 0 (aiohttp without the JSON type)', headers: { 'content-type': 'application/octet-stream', 'content-length': '0' }, payload: '' },
  { name: 'form type, no body (axios PUT without the JSON type)', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  { name: 'no Content-Type at all', headers: {} }
]

interface World {
  app: App
  org: SeededOrg
  headers: Record<string, string>
}

async function world (t: Parameters<typeof build>[0]): Promise<World> {
  const app = await build(t)
  const org = seedOrg(app, {
    members: [{ email: 'owner@example.com', role: 'Owner' }],
    projects: [{ name: 'Main', members: [{ email: 'owner@example.com', role: 'Owner' }] }]
  })
  return { app, org, headers: { CONFIDENT_API_KEY: org.key } }
}

/** A fresh target per call, for each body-less operation that changes something. */
async function targets (w: World) {
  const h = { ...w.headers, 'content-type': 'application/json' }
  const post = async (url: string, payload: object) => json(await w.app.inject({ method: 'POST', url, headers: h, payload })).data
  const n = Math.random().toString(36).slice(2, 10)
  const project = (await post('/v1/projects', { name: `Doomed ${n}` })).project.id as string
  const projectInvitation = (await post(`/v1/projects/${w.org.projectId}/invitations`, { emails: [`p-${n}@example.com`] })).invitations[0].id as number
  const orgInvitation = (await post('/v1/organization/invitations', { emails: [`o-${n}@example.com`] })).invitations[0].id as number
  return [
    ['DELETE', `/v1/projects/${project}`],
    ['PUT', `/v1/projects/${w.org.projectId}/invitations/${projectInvitation}`],
    ['DELETE', `/v1/projects/${w.org.projectId}/invitations/${projectInvitation}`],
    ['PUT', `/v1/organization/invitations/${orgInvitation}`],
    ['DELETE', `/v1/organization/invitations/${orgInvitation}`],
    ['GET', `/v1/projects/${w.org.projectId}/members`],
    ['DELETE', '/__admin/outbox']
  ] as const
}

t.test('every body-less operation answers 200 to each header variant the SDKs send', async (t) => {
  const w = await world(t)
  for (const variant of SDK_VARIANTS) {
    for (const [method, url] of await targets(w)) {
      const res = await w.app.inject({ method, url, headers: { ...w.headers, ...variant.headers }, ...(variant.payload === undefined ? {} : { payload: variant.payload }) })
      t.equal(res.statusCode, 200, `${method} ${url.replace(/\/[^/]{20,}/g, '/…')}: ${variant.name}: ${res.body.slice(0, 120)}`)
      t.equal(json(res).success, true)
    }
  }
})

t.test('member removal, the other body-less DELETE, with the SDK headers', async (t) => {
  const w = await world(t)
  const seeded = seedOrg(w.app, { members: [{ email: 'o@x.example', role: 'Owner' }, { email: 'm@x.example' }], projects: [{ name: 'Main', members: [{ email: 'm@x.example' }] }] })
  const sh = { CONFIDENT_API_KEY: seeded.key, 'content-type': 'application/json', 'content-length': '0' }
  const ids = async () => (json(await w.app.inject({ url: '/v1/organization/members', headers: sh })).data.members as Array<{ id: string, email: string }>)
  const m = (await ids()).find((x) => x.email === 'm@x.example')!.id
  const fromProject = await w.app.inject({ method: 'DELETE', url: `/v1/projects/${seeded.projectId}/members/${m}`, headers: sh, payload: '' })
  t.same([fromProject.statusCode, json(fromProject).data], [200, { id: m, removed: true }])
  const fromOrg = await w.app.inject({ method: 'DELETE', url: `/v1/organization/members/${m}`, headers: { CONFIDENT_API_KEY: seeded.key, 'content-type': 'application/json' } })
  t.same([fromOrg.statusCode, json(fromOrg).data], [200, { id: m, removed: true }])
  t.same((await ids()).map((x) => x.email), ['o@x.example'], 'the member is gone')
})

t.test('control calls whose options are all optional, sent with no body, whatever the Content-Type', async (t) => {
  const w = await world(t)
  for (const variant of SDK_VARIANTS) {
    for (const url of ['/__admin/clock/freeze', '/__admin/reset']) {
      const res = await w.app.inject({ method: 'POST', url, headers: variant.headers, ...(variant.payload === undefined ? {} : { payload: variant.payload }) })
      t.equal(res.statusCode, 200, `POST ${url}: ${variant.name}: ${res.body.slice(0, 120)}`)
    }
  }
  const sent = await w.app.inject({ method: 'POST', url: '/__admin/clock/freeze', headers: { 'content-type': 'application/octet-stream' }, payload: '{}' })
  t.same([sent.statusCode, json(sent).error], [415, 'Unsupported Content-Type: send the body as application/json'], 'a body that is there is read by the strict rules')
})

t.test('a body sent to a body-less operation is ignored: not parsed, its type and encoding not checked', async (t) => {
  const w = await world(t)
  const sent: Array<[string, Record<string, string>, string | Buffer]> = [
    ['JSON', { 'content-type': 'application/json' }, '{"anything": true}'],
    ['JSON that does not parse', { 'content-type': 'application/json' }, '{"emails": ['],
    ['bytes that are not UTF-8', { 'content-type': 'application/json' }, Buffer.from([0xff, 0xfe, 0x00])],
    ['text/plain', { 'content-type': 'text/plain' }, 'hello'],
    ['gzip-encoded', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 'not really gzip']
  ]
  for (const [name, headers, payload] of sent) {
    const [method, url] = (await targets(w))[1]!
    const res = await w.app.inject({ method, url, headers: { ...w.headers, ...headers }, payload })
    t.equal(res.statusCode, 200, `resend with ${name}: ${res.body.slice(0, 120)}`)
    t.equal(json(res).data.invitation.status, 'PENDING')
  }
  const entries = json(await w.app.inject({ url: '/__admin/journal?method=PUT' })).data as Array<{ headers: Record<string, string>, body: unknown }>
  t.ok(entries.length >= sent.length)
  t.same([entries.at(-1)!.headers['content-encoding'], entries.at(-1)!.headers['content-type'], entries.at(-1)!.headers['content-length']], ['gzip', 'application/json', '15'],
    'the journal still records the headers as sent')
  t.equal(entries.at(-1)!.body, null, 'and no body')
})

t.test('a body-less operation ignores a body of any size: nothing is read, so nothing is too large', async (t) => {
  const w = await world(t)
  const [method, url] = (await targets(w))[1]!
  const res = await w.app.inject({ method, url, headers: { ...w.headers, 'content-type': 'application/json' }, payload: 'x'.repeat(2 * 1024 * 1024) })
  t.equal(res.statusCode, 200, res.body.slice(0, 120))
  t.equal(json(res).data.invitation.status, 'PENDING')
  const big = await w.app.inject({ method: 'POST', url: `/v1/projects/${w.org.projectId}/invitations`, headers: { ...w.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ emails: ['a@example.com'], pad: 'x'.repeat(1024 * 1024) }) })
  t.same([big.statusCode, json(big).error], [413, 'Request body is larger than 1 MiB'], 'an operation with a body still refuses one over 1 MiB')
})

t.test('operations that take a body keep the strict rules', async (t) => {
  const w = await world(t)
  const url = `/v1/projects/${w.org.projectId}/invitations`
  const cases: Array<[string, Record<string, string>, string | undefined, number, string]> = [
    ['empty JSON', { 'content-type': 'application/json', 'content-length': '0' }, '', 400, 'Request body is not valid JSON'],
    ['no body at all', { 'content-type': 'application/json' }, undefined, 400, 'Request body is not valid JSON'],
    ['octet-stream', { 'content-type': 'application/octet-stream' }, 'x', 415, 'Unsupported Content-Type: send the body as application/json'],
    ['malformed JSON', { 'content-type': 'application/json' }, '{"emails": [', 400, 'Request body is not valid JSON']
  ]
  for (const [name, headers, payload, status, error] of cases) {
    const res = await w.app.inject({ method: 'POST', url, headers: { ...w.headers, ...headers }, ...(payload === undefined ? {} : { payload }) })
    t.equal(res.statusCode, status, name)
    t.equal(json(res).error, error, name)
  }
})

t.test('an unknown route answers 404 before any body is read, whatever it holds', async (t) => {
  const w = await world(t)
  for (const [method, headers, payload] of [
    ['DELETE', { 'content-type': 'application/json' }, '{bad'],
    ['PUT', { 'content-type': 'application/octet-stream' }, 'bytes'],
    ['POST', { 'content-type': 'application/json', 'content-encoding': 'br' }, 'x'],
    ['DELETE', { 'content-type': 'application/json' }, undefined],
    ['GET', { 'content-type': 'application/json' }, 'x'.repeat(2 * 1024 * 1024)],
    ['POST', { 'content-type': 'application/json' }, '{"big": "' + 'x'.repeat(2 * 1024 * 1024) + '"}']
  ] as const) {
    const res = await w.app.inject({ method, url: '/v1/projects/x/nothing-here', headers: { ...w.headers, ...headers }, ...(payload === undefined ? {} : { payload }) })
    t.equal(res.statusCode, 404, `${method} ${headers['content-type']} ${payload?.length ?? 0} bytes`)
    t.equal(json(res).error, `Route ${method} /v1/projects/x/nothing-here not found`)
  }
})

/** Writes raw requests on one keep-alive connection; resolves with the text once `count` responses arrived. */
function pipeline (port: number, requests: string[], count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => { for (const r of requests) socket.write(r) })
    let text = ''
    socket.on('data', (chunk) => {
      text += chunk.toString()
      if ((text.match(/HTTP\/1\.1 /g) ?? []).length >= count && text.endsWith('}')) {
        socket.end()
        resolve(text)
      }
    })
    socket.on('error', reject)
    setTimeout(() => { socket.destroy(); reject(new Error(`timed out: ${text}`)) }, 10_000).unref()
  })
}

t.test('over a real keep-alive socket: an ignored body does not spill into the next request', async (t) => {
  const w = await world(t)
  await w.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = w.app.server.address() as { port: number }
  const [, url] = (await targets(w))[1]!
  const ignored = '{"this body": "is ignored", "GET /health HTTP/1.1": 1}'
  const large = 'x'.repeat(3 * 1024 * 1024)
  const requests = [
    `DELETE /v1/projects/${w.org.projectId}/invitations/999999 HTTP/1.1\r\nHost: x\r\nCONFIDENT_API_KEY: ${w.org.key}\r\nContent-Type: application/json\r\nContent-Length: ${large.length}\r\n\r\n${large}`,
    `PUT ${url} HTTP/1.1\r\nHost: x\r\nCONFIDENT_API_KEY: ${w.org.key}\r\nContent-Type: application/json\r\nContent-Length: ${ignored.length}\r\n\r\n${ignored}`,
    `PUT ${url} HTTP/1.1\r\nHost: x\r\nCONFIDENT_API_KEY: ${w.org.key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    `DELETE ${url} HTTP/1.1\r\nHost: x\r\nCONFIDENT_API_KEY: ${w.org.key}\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n`,
    'GET /health HTTP/1.1\r\nHost: x\r\n\r\n'
  ]
  const text = await pipeline(port, requests, 5)
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]))
  t.same(statuses, [404, 200, 200, 200, 200], 'a revoke of an unknown invitation with 3 MiB sent, resend, resend (chunked), revoke, then health: five answers, in order')
  t.match(text, /"deleted":true/)
})
