// The public base URL (src/http/public-url.ts): configured, else the address the server listens on, else HOST and PORT; and after a real listen.
import t from 'tap'
import { listenUrl, publicUrlResolver } from '../../src/http/public-url.js'
import { build, json, seedOrg } from '../helpers/build.js'

t.test('listenUrl: wildcard hosts read as localhost, IPv6 literals in brackets', async (t) => {
  const cases: Array<[string, number, string]> = [
    ['127.0.0.1', 4010, 'http://127.0.0.1:4010'],
    ['localhost', 80, 'http://localhost:80'],
    ['0.0.0.0', 4010, 'http://localhost:4010'],
    ['::', 4010, 'http://localhost:4010'],
    ['[::]', 4010, 'http://localhost:4010'],
    ['::1', 4010, 'http://[::1]:4010'],
    ['[::1]', 4010, 'http://[::1]:4010'],
    ['mock.internal', 8080, 'http://mock.internal:8080']
  ]
  for (const [host, port, url] of cases) t.equal(listenUrl(host, port), url, `${host} ${port}`)
})

t.test('the resolver: the configured URL always; else the listened address once known; else HOST and PORT', async (t) => {
  const configured = publicUrlResolver({ configured: 'https://Example.test/mock/', host: '0.0.0.0', port: 4010 })
  t.equal(configured.get(), 'https://example.test/mock', 'normalized, no trailing slash')
  configured.listening({ address: '127.0.0.1', family: 'IPv4', port: 5555 })
  t.equal(configured.get(), 'https://example.test/mock', 'a listen does not change a configured URL')

  const open = publicUrlResolver({ host: '0.0.0.0', port: 0 })
  t.equal(open.get(), 'http://localhost:0', 'before a listen: the config')
  open.listening({ address: '::', family: 'IPv6', port: 41234 })
  t.equal(open.get(), 'http://localhost:41234', 'after: the actual port')
  open.listening({ address: '::1', family: 'IPv6', port: 41235 })
  t.equal(open.get(), 'http://[::1]:41235')
  open.listening('/tmp/mock.sock')
  t.equal(open.get(), 'http://[::1]:41235', 'a socket path makes no URL: the last one stays')
  open.listening(null)
  t.equal(open.get(), 'http://[::1]:41235')

  t.throws(() => publicUrlResolver({ configured: 'ftp://example.test', host: '127.0.0.1', port: 4010 }), /CONFIDENT_MOCK_PUBLIC_URL must be an http or https URL/,
    'checked here too (a config built without loadConfig)')
})

t.test('after a real listen on port 0, the emails link to the port the server got', async (t) => {
  const app = await build(t, { config: { HOST: '127.0.0.1', PORT: 0 } })
  t.equal(app.publicUrl(), 'http://127.0.0.1:0', 'before the listen: the config as it is')
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = new URL(address)
  t.not(port, '0')
  t.equal(app.publicUrl(), `http://127.0.0.1:${port}`)

  const org = seedOrg(app)
  const invited = await fetch(`${address}/v1/projects/${org.projectId}/invitations`, {
    method: 'POST',
    headers: { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' },
    body: JSON.stringify({ emails: ['listener@example.com'] })
  })
  t.equal(invited.status, 200)
  const [email] = json({ body: await (await fetch(`${address}/__admin/outbox`)).text() }).data
  t.equal(email.acceptUrl, `${address}/invite/${email.token}`, 'the actual address')
  t.ok(email.text.includes(`\n${address}/invite/${email.token}\n`))
})
