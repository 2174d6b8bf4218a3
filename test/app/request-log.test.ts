// The request log: one line per request, written when it is answered, with what it was and how it ended.
import t from 'tap'
import { buildApp, loggerOptions } from '../../src/app.js'
import { defaultConfig } from '../../src/config.js'
import { DEMO_ORG_KEY, DEMO_PROJECT_ID } from '../../src/boot-state/demo.js'
import type { TeardownTarget } from '../helpers/build.js'
import { logCapture } from '../helpers/secrets.js'

async function appWithLog (t: TeardownTarget) {
  const capture = logCapture()
  const config = defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:', LOG_LEVEL: 'info' })
  const app = await buildApp(config, { logger: { ...loggerOptions(config), stream: capture.stream } })
  t.teardown(() => app.close())
  const lines = () => capture.lines.map((line) => JSON.parse(line) as Record<string, any>)
  return { app, lines }
}

t.test('a request is one line, "request completed", with its method, URL, status and time', async (t) => {
  const { app, lines } = await appWithLog(t)
  const before = lines().length
  const res = await app.inject({
    method: 'POST',
    url: `/v1/projects/${DEMO_PROJECT_ID}/invitations`,
    headers: { confident_api_key: DEMO_ORG_KEY, 'content-type': 'application/json' },
    payload: { emails: ['logged@example.com'] }
  })
  t.equal(res.statusCode, 200)
  const logged = lines().slice(before).filter((l) => l['reqId'] !== undefined)
  t.equal(logged.length, 1, 'one line for the request')
  t.equal(logged[0]!['msg'], 'request completed')
  t.match(logged[0], { level: 30, req: { method: 'POST', url: `/v1/projects/${DEMO_PROJECT_ID}/invitations` }, res: { statusCode: 200 } })
  t.type(logged[0]!['responseTime'], 'number')
  t.notOk(JSON.stringify(lines()).includes(DEMO_ORG_KEY), 'the key is not in the log')
})

t.test('a failed request is logged with its status too; /health is not', async (t) => {
  const { app, lines } = await appWithLog(t)
  const before = lines().length
  t.equal((await app.inject({ method: 'GET', url: '/v1/organization' })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
  const logged = lines().slice(before).filter((l) => l['msg'] === 'request completed')
  t.same(logged.map((l) => [l['req'].url, l['res'].statusCode]), [['/v1/organization', 401]])
  t.notOk(lines().some((l) => l['msg'] === 'incoming request'), 'no separate line when a request arrives')
})
