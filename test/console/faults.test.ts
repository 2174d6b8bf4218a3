// The console's faults page: the active faults (live), removing them, and adding every kind through the control API's own checks.
import t from 'tap'
import type { App } from '../../src/app.js'
import { build, json, seedOrg } from '../helpers/build.js'
import { HOSTILE, getPage, hasRawMarkup, postForm, region } from '../helpers/console.js'

const adminFaults = async (app: App) => json(await app.inject({ method: 'GET', url: '/__admin/faults' })).data as Array<Record<string, unknown>>
const withoutId = ({ id: _id, ...rest }: Record<string, unknown>) => rest

/** As Eta's <%= %> writes a text. */
const escaped = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')

t.test('every kind of fault added through the form is the fault the control API adds for the same body', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  const cases: Array<[string, Record<string, string>, object]> = [
    ['an error status', { method: '*', path: '/v1/organization', status: '503', error: 'Upstream down' }, { path: '/v1/organization', status: 503, error: 'Upstream down' }],
    ['a method, times', { method: 'POST', path: '/v1/projects/*/invitations', status: '500', times: '2' }, { method: 'POST', path: '/v1/projects/*/invitations', status: 500, times: 2 }],
    ['a delay alone', { method: '*', path: '/v1/**', delayMs: '250' }, { path: '/v1/**', delayMs: 250 }],
    ['reset', { method: '*', path: '/v1/**', action: 'reset', times: '1' }, { path: '/v1/**', action: 'reset', times: 1 }],
    ['hang', { method: 'GET', path: '/v1/**', action: 'hang' }, { method: 'GET', path: '/v1/**', action: 'hang' }],
    ['malformed', { method: '*', path: '/v1/organization', action: 'malformed', status: '502' }, { path: '/v1/organization', action: 'malformed', status: 502 }],
    ['malformed, default status, delay', { method: '*', path: '/v1/organization', action: 'malformed', delayMs: '10' }, { path: '/v1/organization', action: 'malformed', delayMs: 10 }],
    ['headers', { method: '*', path: '/v1/**', status: '429', error: 'Slow down', headers: 'Retry-After: 2\r\n\r\nX-Why:  because \n' }, { path: '/v1/**', status: 429, error: 'Slow down', headers: { 'Retry-After': '2', 'X-Why': 'because' } }],
    ['a rate limit', { method: '*', path: '/v1/**', rateLimitLimit: '10', rateLimitWindowMs: '1000', organizationId: o.organizationId }, { path: '/v1/**', rateLimit: { limit: 10, windowMs: 1000 }, organizationId: o.organizationId }],
    ['a rate limit that resets', { method: '*', path: '/v1/**', rateLimitLimit: '1', rateLimitWindowMs: '100', action: 'reset' }, { path: '/v1/**', rateLimit: { limit: 1, windowMs: 100 }, action: 'reset' }],
    ['every field empty but the needed ones', { method: '*', path: '/v1/x', status: '404', error: '', delayMs: '', action: '', headers: '', rateLimitLimit: '', rateLimitWindowMs: '', times: '', organizationId: '' }, { path: '/v1/x', status: 404 }]
  ]
  for (const [name, form, body] of cases) {
    const res = await postForm(app, '/faults', form)
    t.equal(res.status, 303, `${name}: added`)
    t.equal(res.location, './faults', `${name}: back to the faults page`)
    const [viaConsole] = await adminFaults(app)
    await app.inject({ method: 'DELETE', url: '/__admin/faults' })
    const admin = await app.inject({ method: 'POST', url: '/__admin/faults', payload: body })
    t.equal(admin.statusCode, 201, `${name}: the control API takes the same body`)
    const [viaAdmin] = await adminFaults(app)
    await app.inject({ method: 'DELETE', url: '/__admin/faults' })
    t.same(withoutId(viaConsole!), withoutId(viaAdmin!), `${name}: the same fault`)
  }
})

t.test('a refused fault: 400, the control API\'s message, the values kept, nothing added', async (t) => {
  const app = await build(t)
  const cases: Array<[string, Record<string, string>, object]> = [
    ['reset with a status', { method: '*', path: '/v1/**', action: 'reset', status: '500' }, { path: '/v1/**', action: 'reset', status: 500 }],
    ['hang with a delay', { method: '*', path: '/v1/**', action: 'hang', delayMs: '5' }, { path: '/v1/**', action: 'hang', delayMs: 5 }],
    ['malformed with an error', { method: '*', path: '/v1/**', action: 'malformed', error: 'x' }, { path: '/v1/**', action: 'malformed', error: 'x' }],
    ['an error alone', { method: '*', path: '/v1/**', error: 'x', delayMs: '5' }, { path: '/v1/**', error: 'x', delayMs: 5 }],
    ['nothing to do', { method: '*', path: '/v1/**' }, { path: '/v1/**' }],
    ['a status out of range', { method: '*', path: '/v1/**', status: '700' }, { path: '/v1/**', status: 700 }],
    ['a status that is not a number', { method: '*', path: '/v1/**', status: 'abc' }, { path: '/v1/**', status: 'abc' }],
    ['no path', { method: '*', path: '', status: '500' }, { status: 500 }],
    ['a path not from the root', { method: '*', path: 'v1', status: '500' }, { path: 'v1', status: 500 }],
    ['half a rate limit', { method: '*', path: '/v1/**', rateLimitLimit: '5' }, { path: '/v1/**', rateLimit: { limit: 5 } }],
    ['a framing header', { method: '*', path: '/v1/**', status: '500', headers: 'Content-Length: 3' }, { path: '/v1/**', status: 500, headers: { 'Content-Length': '3' } }],
    ['a header twice', { method: '*', path: '/v1/**', status: '500', headers: 'X-A: 1\nx-a: 2' }, { path: '/v1/**', status: 500, headers: { 'X-A': '1', 'x-a': '2' } }],
    ['a bad header name', { method: '*', path: '/v1/**', status: '500', headers: 'X A: 1' }, { path: '/v1/**', status: 500, headers: { 'X A': '1' } }]
  ]
  for (const [name, form, body] of cases) {
    const admin = await app.inject({ method: 'POST', url: '/__admin/faults', payload: body })
    t.equal(admin.statusCode, 400, `${name}: the control API refuses it`)
    const res = await postForm(app, '/faults', form)
    t.equal(res.status, 400, `${name}: refused`)
    t.equal(region(res.html, 'fault-error'), `<p class="error" role="alert" id="fault-error">${escaped(json(admin).error)}</p>`, `${name}: ${json(admin).error}`)
    t.same(await adminFaults(app), [], `${name}: nothing added`)
  }
  const kept = await postForm(app, '/faults', { method: 'POST', path: '/v1/projects/*/invitations', action: 'reset', status: '500', times: '3', headers: 'Retry-After: 9' })
  t.match(kept.html, '<option value="POST" selected>POST</option>')
  t.match(kept.html, 'name="path" value="/v1/projects/*/invitations"')
  t.match(kept.html, '<option value="reset" selected>reset</option>')
  t.match(kept.html, 'name="status" value="500"')
  t.match(kept.html, 'name="times" value="3"')
  t.match(kept.html, '>Retry-After: 9</textarea>')
  t.equal((await postForm(app, '/faults', { method: 'POST', path: '/v1/x', status: '500', headers: 'no colon here' })).status, 400, 'a header line without a colon')
})

t.test('the list: every fault with its hits, live, each with a Remove button; Remove all', async (t) => {
  const app = await build(t)
  const o = seedOrg(app, { name: 'Acme Corp' })
  await app.inject({ method: 'POST', url: '/__admin/faults', payload: { path: '/v1/organization', status: 503, error: 'Down for now', times: 5, organizationId: o.organizationId } })
  await app.inject({ method: 'POST', url: '/__admin/faults', payload: { path: '/v1/**', rateLimit: { limit: 10, windowMs: 60000 }, headers: { 'Retry-After': '7' } } })
  await app.inject({ method: 'POST', url: '/__admin/faults', payload: { method: 'DELETE', path: '/v1/projects/*', action: 'hang' } })
  t.equal((await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: o.key } })).statusCode, 503)
  t.equal((await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: o.key } })).statusCode, 503)
  t.equal((await app.inject({ method: 'GET', url: '/v1/projects', headers: { CONFIDENT_API_KEY: o.key } })).statusCode, 200, 'within the rate limit')

  const page = await getPage(app, '/faults')
  t.equal(page.status, 200)
  const list = region(page.html, 'faults-list')
  t.match(list, /^<div id="faults-list" data-live="requests">/, 'a live region following the requests (hits change with them)')
  t.notMatch(list, '<form', 'its buttons\' form is outside it')
  t.match(page.html, '<form id="fault-remove" method="post"')
  const rows = [...list.matchAll(/<tr>\s*<td>(\d+)<\/td>([\s\S]*?)<\/tr>/g)]
  t.same(rows.map((r) => r[1]), ['1', '2', '3'], 'in the order they are matched')
  t.match(rows[0]![2], '<span class="status status-5xx">503</span> Down for now')
  t.match(rows[0]![2], /<td>3<\/td>\s*<td>2<\/td>\s*<td>0<\/td>/, 'remaining 3, hits 2, held 0')
  t.match(rows[0]![2], `<a href="organizations/${o.organizationId}">Acme Corp</a>`)
  t.match(rows[1]![2], /10 per 60000 ms; 1 used, resets in \d+ ms/)
  t.match(rows[1]![2], '<code>Retry-After: 7</code>')
  t.match(rows[1]![2], '<span class="status status-4xx">429</span>')
  t.match(rows[2]![2], /<td>DELETE<\/td>\s*<td><code>\/v1\/projects\/\*<\/code><\/td>\s*<td>hang<\/td>/)
  t.match(rows[2]![2], '<button type="submit" form="fault-remove" formaction="faults/3/delete" class="danger">Remove<span class="visually-hidden"> fault 3</span></button>')
  t.match(page.html, '<form method="post" action="faults/clear"')

  const removed = await postForm(app, '/faults/2/delete', {})
  t.equal(removed.status, 303)
  t.equal(removed.location, '../../faults', 'back to the faults page')
  t.same((await adminFaults(app)).map((f) => f['id']), [1, 3])
  t.equal((await postForm(app, '/faults/2/delete', {})).status, 404, 'an unknown fault')
  const cleared = await postForm(app, '/faults/clear', {})
  t.equal(cleared.status, 303)
  t.same(await adminFaults(app), [])
  t.match(region((await getPage(app, '/faults')).html, 'faults-list'), 'No active faults')
})

t.test('the organization select lists every organization; hostile values come out escaped', async (t) => {
  const app = await build(t)
  const o = seedOrg(app, { name: HOSTILE })
  const res = await postForm(app, '/faults', { method: '*', path: '/v1/**', status: '500', error: HOSTILE, organizationId: o.organizationId, headers: `X-Evil: ${HOSTILE}` })
  t.equal(res.status, 303)
  const page = await getPage(app, '/faults')
  t.match(page.html, `<option value="${o.organizationId}">&lt;script&gt;`)
  t.match(region(page.html, 'faults-list'), '&lt;img src=x onerror=alert(2)&gt;')
  t.notOk(hasRawMarkup(page.html), 'the error text, header and organization name are escaped')
  const refused = await postForm(app, '/faults', { method: '*', path: HOSTILE, status: '500', error: HOSTILE })
  t.equal(refused.status, 400)
  t.notOk(hasRawMarkup(refused.html), 'the kept values are escaped')
})

t.test('a cross-site POST is refused and changes nothing', async (t) => {
  const app = await build(t)
  const crossSite = { headers: { 'sec-fetch-site': 'cross-site' } }
  t.equal((await postForm(app, '/faults', { method: '*', path: '/v1/**', status: '500' }, crossSite)).status, 403)
  t.same(await adminFaults(app), [])
  await app.inject({ method: 'POST', url: '/__admin/faults', payload: { path: '/v1/**', status: 500 } })
  t.equal((await postForm(app, '/faults/clear', {}, crossSite)).status, 403)
  t.equal((await postForm(app, '/faults/1/delete', {}, crossSite)).status, 403)
  t.equal((await adminFaults(app)).length, 1)
})
