// The console's requests page: the journal newest first, filtered and paginated, live; one request with its curl command, keys redacted.
import t from 'tap'
import type { App } from '../../src/app.js'
import { curlOf, shellQuote } from '../../src/console/routes/requests.js'
import { build, json, seedOrg } from '../helpers/build.js'
import { HOSTILE, getPage, hasRawMarkup, region } from '../helpers/console.js'

const call = (app: App, key: string | null, method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) =>
  app.inject({ method, url, headers: { ...(key === null ? {} : { CONFIDENT_API_KEY: key }), ...headers }, ...(payload === undefined ? {} : { payload }) })

/** The request ids the table links to, in the order shown. */
const rowIds = (html: string) => [...region(html, 'requests-list').matchAll(/<td><a href="requests\/(\d+)"><time/g)].map((m) => Number(m[1]))

t.test('the table: newest first, with status classes, organizations and durations, in a live region', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  t.equal((await call(app, o.key, 'GET', '/v1/organization')).statusCode, 200)
  t.equal((await call(app, o.key, 'POST', `/v1/projects/${o.projectId}/invitations`, { emails: ['carol@example.com'] })).statusCode, 200)
  t.equal((await call(app, null, 'GET', '/v1/organization')).statusCode, 401)
  await app.inject({ method: 'GET', url: '/__admin/journal' })

  const page = await getPage(app, '/requests')
  t.equal(page.status, 200)
  t.match(page.html, '<h1>Requests</h1>')
  const list = region(page.html, 'requests-list')
  t.match(list, /^<div id="requests-list" data-live="requests">/, 'a live region following the requests topic')
  t.notMatch(list, '<form', 'no form inside the live region')
  t.match(list, '3 requests.', 'only /v1 requests are journaled')
  t.same(rowIds(page.html), [3, 2, 1], 'newest first')
  t.match(list, /<td>GET<\/td>\s*<td><a href="requests\/3"><code>\/v1\/organization<\/code><\/a><\/td>\s*<td><span class="status status-4xx">401<\/span><\/td>/)
  t.match(list, new RegExp(`<td>POST</td>\\s*<td><a href="requests/2"><code>/v1/projects/${o.projectId}/invitations</code></a></td>\\s*<td><span class="status status-2xx">200</span></td>`))
  t.match(list, `<a href="organizations/${o.organizationId}">`, 'the organization links to its page')
  t.match(list, /<td>[\d.]+ ms<\/td>/, 'durations')
  t.match(list, '2026-01-15T12:00:00.000Z', 'times')
  t.match(page.html, /<form method="get" action="requests" class="filters"/, 'a GET filter form')
})

t.test('filters: method, path pattern, status and organization, kept in the form; the URL is the filter', async (t) => {
  const app = await build(t)
  const a = seedOrg(app)
  const b = seedOrg(app)
  await call(app, a.key, 'GET', '/v1/organization')
  await call(app, a.key, 'POST', `/v1/projects/${a.projectId}/invitations`, { emails: ['one@example.com'] })
  await call(app, b.key, 'POST', `/v1/projects/${b.projectId}/invitations`, { emails: ['two@example.com'] })
  await call(app, null, 'GET', '/v1/projects')
  await call(app, b.key, 'GET', '/v1/projects')

  const cases: Array<[string, number[]]> = [
    ['method=POST', [3, 2]],
    ['method=get', [5, 4, 1]],
    ['path=%2Fv1%2Fprojects%2F*%2Finvitations', [3, 2]],
    ['path=%2Fv1%2F**', [5, 4, 3, 2, 1]],
    ['status=401', [4]],
    [`organizationId=${a.organizationId}`, [2, 1]],
    [`method=POST&organizationId=${b.organizationId}`, [3]],
    ['method=&path=&status=&organizationId=', [5, 4, 3, 2, 1]],
    ['path=%2Fnothing', []]
  ]
  for (const [query, ids] of cases) {
    const page = await getPage(app, `/requests?${query}`)
    t.equal(page.status, 200, query)
    t.same(rowIds(page.html), ids, `${query}: ${ids.join(', ')}`)
  }
  const kept = await getPage(app, `/requests?method=POST&path=%2Fv1%2Fprojects%2F*%2Finvitations&status=200&organizationId=${a.organizationId}`)
  t.match(kept.html, '<option value="POST" selected>POST</option>', 'the method stays selected')
  t.match(kept.html, 'name="path" value="/v1/projects/*/invitations"', 'the path stays')
  t.match(kept.html, 'name="status" value="200"', 'the status stays')
  t.match(kept.html, `name="organizationId" value="${a.organizationId}"`, 'the organization stays')
  t.same(rowIds(kept.html), [2])
  t.equal((await getPage(app, '/requests?status=abc')).status, 400, 'a status that is not one is refused')
})

t.test('pagination: 50 a page, newest first, links keeping the filters', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  for (let i = 0; i < 120; i++) await call(app, o.key, 'GET', '/v1/organization')
  await call(app, o.key, 'GET', '/v1/projects')

  const first = await getPage(app, '/requests?path=%2Fv1%2Forganization')
  t.same(rowIds(first.html), Array.from({ length: 50 }, (_, i) => 120 - i), 'page 1: the 50 newest')
  const list = region(first.html, 'requests-list')
  t.match(list, '120 requests, page 1 of 3.')
  t.match(list, '<a href="requests?path=%2Fv1%2Forganization&amp;page=2" rel="next">Older</a>', 'next keeps the filter')
  t.notMatch(list, 'rel="prev"')
  const second = await getPage(app, '/requests?path=%2Fv1%2Forganization&page=2')
  t.same(rowIds(second.html), Array.from({ length: 50 }, (_, i) => 70 - i))
  t.match(region(second.html, 'requests-list'), 'rel="prev"')
  const third = await getPage(app, '/requests?path=%2Fv1%2Forganization&page=3')
  t.same(rowIds(third.html), Array.from({ length: 20 }, (_, i) => 20 - i), 'the last page: the 20 oldest')
  t.notMatch(region(third.html, 'requests-list'), 'rel="next"')
  const past = await getPage(app, '/requests?page=9')
  t.equal(past.status, 200)
  t.same(rowIds(past.html), [], 'past the last page: no rows')
  t.match(region(past.html, 'requests-list'), 'No requests on this page.')
  t.same(rowIds((await getPage(app, '/requests')).html).slice(0, 2), [121, 120], 'unfiltered, the newest is the other path')
})

t.test('one request: its facts, headers and body as recorded (redacted), and a curl command', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  await call(app, o.key, 'POST', `/v1/projects/${o.projectId}/invitations?note=it's`, { emails: ["o'hara@example.com"], note: o.key }, { 'x-trace': 'abc' })
  const [entry] = json(await app.inject({ method: 'GET', url: '/__admin/journal' })).data

  const page = await getPage(app, `/requests/${entry.id}`)
  t.equal(page.status, 200)
  t.notOk(page.html.includes(o.key), 'the key appears nowhere')
  t.match(page.html, `<h1>POST <code>/v1/projects/${o.projectId}/invitations</code></h1>`)
  t.match(page.html, '<dt>Query</dt><dd><code>note=it%27s</code></dd>')
  t.match(page.html, '<span class="status status-2xx">200</span>')
  t.match(page.html, `<a href="organizations/${o.organizationId}">`)
  t.match(region(page.html, 'request-headers'), '<tr><td><code>confident_api_key</code></td><td><code>[redacted]</code></td></tr>', 'the key header redacted')
  t.match(region(page.html, 'request-headers'), '<tr><td><code>x-trace</code></td><td><code>abc</code></td></tr>')
  t.match(region(page.html, 'request-body'), '&quot;note&quot;: &quot;[redacted]&quot;', 'pretty JSON, the key in it redacted')
  t.match(region(page.html, 'request-body'), '{\n  &quot;emails&quot;: [\n')

  const curl = region(page.html, 'curl')
  t.match(curl, /^<textarea id="curl" readonly/)
  t.match(page.html, '<button type="button" data-copy="curl">Copy as curl</button>')
  t.match(page.html, 'replace every <code>[redacted]</code>')
  const expected = curlOf(entry, app.publicUrl())
  t.equal(expected, [
    `curl -X POST 'http://127.0.0.1:4010/v1/projects/${o.projectId}/invitations?note=it%27s'`,
    "-H 'confident_api_key: [redacted]'",
    "-H 'x-trace: abc'",
    "-H 'user-agent: lightMyRequest'",
    "-H 'content-type: application/json'",
    '--data-raw \'{"emails":["o\'\\\'\'hara@example.com"],"note":"[redacted]"}\''
  ].join(' \\\n  '), 'method, public URL, headers but the connection\'s own, the body with its quotes escaped for a shell')
  t.ok(curl.includes(expected.replaceAll('&', '&amp;').replaceAll("'", '&#39;').replaceAll('"', '&quot;')), 'shown escaped in the textarea')
  t.equal(shellQuote("a'b"), "'a'\\''b'")

  const missing = await getPage(app, '/requests/999')
  t.equal(missing.status, 404)
  t.match(missing.html, 'No request with this id')
  t.equal((await getPage(app, '/requests/abc')).status, 400)
})

t.test('hostile values come out escaped: a path filter, a header value, an organization name', async (t) => {
  const app = await build(t)
  const o = seedOrg(app, { name: HOSTILE })
  await call(app, o.key, 'GET', '/v1/organization', undefined, { 'x-evil': HOSTILE })
  const filtered = await getPage(app, `/requests?path=${encodeURIComponent(HOSTILE)}&organizationId=${encodeURIComponent(HOSTILE)}`)
  t.equal(filtered.status, 200)
  t.notOk(hasRawMarkup(filtered.html), 'the filters are escaped')
  const list = await getPage(app, '/requests')
  t.match(region(list.html, 'requests-list'), '&lt;script&gt;', 'the organization name is shown, escaped')
  t.notOk(hasRawMarkup(list.html))
  const detail = await getPage(app, '/requests/1')
  t.match(region(detail.html, 'request-headers'), '&lt;img src=x onerror=alert(2)&gt;')
  t.notOk(hasRawMarkup(detail.html), 'the header value and the name are escaped')
})
