// No key or admin token in any console page or the log, whatever the state holds: every GET route of the console, collected from the app.
import t from 'tap'
import { buildApp, loggerOptions } from '../../src/app.js'
import { Clock } from '../../src/domain/clock.js'
import { defaultConfig } from '../../src/config.js'
import { newKey } from '../../src/domain/keys.js'
import { T0 } from '../helpers/build.js'
import { logCapture } from '../helpers/secrets.js'
import { getPage, postForm } from '../helpers/console.js'

t.test('every console page, signed in, after a run that put keys everywhere a client can', async (t) => {
  const capture = logCapture()
  const token = `admin-${newKey('organization').slice(-24)}`
  const bootKey = newKey('organization')
  const config = defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:', LOG_LEVEL: 'trace', CONFIDENT_MOCK_ADMIN_TOKEN: token })
  const app = await buildApp(config, {
    logger: { ...loggerOptions(config), stream: capture.stream },
    clock: new Clock(T0),
    fixtures: { organizations: [{ name: 'Boot', plan: 'TEAM', apiKeys: [{ key: bootKey }], projects: [{ name: 'Web' }] }] }
  })
  t.teardown(() => app.close())
  const admin = { 'x-admin-token': token }
  const secrets: string[] = [token, bootKey]

  // A tenant with a key of its own and one minted; a project whose key is minted by /v1.
  const given = newKey('organization')
  const tenant = (await app.inject({ method: 'POST', url: '/__admin/organizations', headers: admin, payload: { name: 'Acme', apiKeys: [{ key: given, name: 'given' }], projects: [{ name: 'Api' }] } })).json().data
  secrets.push(given, tenant.apiKey)
  const project = (await app.inject({ method: 'POST', url: '/v1/projects', headers: { CONFIDENT_API_KEY: given }, payload: { name: 'Minted' } })).json().data
  t.ok(project.project.id)
  const projectKey = JSON.stringify(project).match(/confident_proj_[0-9a-f]{32}/)?.[0]
  t.ok(projectKey, 'the project create answered a project key')
  secrets.push(projectKey!)
  const minted = (await app.inject({ method: 'POST', url: '/v1/organization/api-keys', headers: { CONFIDENT_API_KEY: given, 'content-type': 'application/json' }, payload: { name: 'second' } }))
  const mintedKey = minted.body.match(/confident_org_[0-9a-f]{32}/)?.[0]
  if (mintedKey !== undefined) secrets.push(mintedKey)

  // Requests that carry keys in their URL, headers and body: the journal holds them, redacted.
  const invited = await app.inject({
    method: 'POST',
    url: `/v1/projects/${project.project.id}/invitations?k=${given}`,
    headers: { CONFIDENT_API_KEY: given, 'x-note': tenant.apiKey, authorization: `Bearer ${token}` },
    payload: { emails: ['ann@example.com'], note: projectKey }
  })
  t.equal(invited.statusCode, 200, 'journaled with its keys (an unknown field is ignored)')
  const ok = await app.inject({ method: 'POST', url: `/v1/projects/${project.project.id}/invitations`, headers: { CONFIDENT_API_KEY: given }, payload: { emails: ['ann@example.com'] } })
  t.equal(ok.statusCode, 200)
  await app.inject({ method: 'POST', url: '/__admin/faults', headers: admin, payload: { path: '/v1/never', status: 418 } })

  // Signing in: the token goes in a form body, which nothing logs.
  const signed = await postForm(app, '/sign-in', { token })
  t.equal(signed.status, 303)
  const cookie = String(signed.headers['set-cookie']).split(';')[0]!

  const email = (await app.inject({ method: 'GET', url: '/__admin/outbox', headers: admin })).json().data.at(-1)
  const entry = (await app.inject({ method: 'GET', url: '/__admin/journal', headers: admin })).json().data[0]
  const values: Record<string, string> = {
    organizationId: tenant.id,
    projectId: project.project.id,
    token: email.token,
    faultId: '1',
    file: 'console.js'
  }
  const ids: Record<string, string> = { '/mail/{id}': String(email.id), '/mail/{id}/html': String(email.id), '/requests/{id}': String(entry.id) }
  const gets = app.consoleRoutes.filter((r) => r.method === 'GET').map((r) => r.path)
  t.ok(gets.length >= 12, `${gets.length} console pages`)
  for (const route of gets) {
    if (route === '/events') continue
    const url = route
      .replace('{id}', ids[route] ?? 'missing')
      .replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? 'missing')
    t.notMatch(url, 'missing', `${route}: a value for each parameter`)
    const page = await getPage(app, url, { cookie })
    t.equal(page.status, 200, `${route} answers`)
    for (const secret of secrets) {
      t.notOk(page.html.includes(secret), `${route}: no ${secret.slice(0, 14)}… in the page`)
      t.notOk(JSON.stringify(page.headers).includes(secret), `${route}: nor in its headers`)
    }
  }
  const log = capture.text()
  for (const secret of secrets) t.notOk(log.includes(secret), `the log holds no ${secret.slice(0, 14)}…`)
  t.match(log, /sign-in/, 'the sign-in was logged (without its body)')
})
