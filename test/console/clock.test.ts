// The console's clock page and forms: the server clock and one organization's, moved as the control API moves them.
import t from 'tap'
import type { App } from '../../src/app.js'
import { T0, build, json, seedOrg } from '../helpers/build.js'
import { HOSTILE, getPage, hasRawMarkup, postForm, region } from '../helpers/console.js'

const serverClock = async (app: App) => json(await app.inject({ method: 'GET', url: '/__admin/clock' })).data
const orgClock = async (app: App, id: string) => json(await app.inject({ method: 'GET', url: `/__admin/organizations/${id}/clock` })).data
const iso = (ms: number) => new Date(ms).toISOString()
const HOUR = 3_600_000

t.test('the clock page: the server clock with its controls, every organization\'s clock', async (t) => {
  const app = await build(t)
  const a = seedOrg(app, { name: 'Acme Corp' })
  const b = seedOrg(app, { name: HOSTILE })
  await app.inject({ method: 'POST', url: `/__admin/organizations/${a.organizationId}/clock/set`, payload: { to: '2026-06-01T00:00:00Z' } })
  const page = await getPage(app, '/clock')
  t.equal(page.status, 200)
  t.match(page.html, '<h2>Server clock</h2>')
  t.match(page.html, `<time datetime="${iso(T0)}">${iso(T0)}</time> <span class="status">frozen</span>`)
  for (const op of ['freeze', 'unfreeze', 'set', 'advance', 'reset']) {
    t.match(page.html, new RegExp(`<form method="post" action="clock" class="row">\\s*<input type="hidden" name="back" value="clock">\\s*<input type="hidden" name="op" value="${op}">`), `a ${op} form`)
  }
  t.match(page.html, 'read as UTC', 'says how a time without a zone is read')
  t.match(page.html, '90s, 15m, 36h, 31d', 'the units of a duration')
  const clocks = region(page.html, 'organization-clocks')
  t.match(clocks, /^<div id="organization-clocks" data-live="state">/)
  t.notMatch(clocks, '<form')
  t.match(clocks, new RegExp(`<a href="organizations/${a.organizationId}">Acme Corp</a>[\\s\\S]*?2026-06-01T00:00:00.000Z`), 'its own clock')
  t.match(clocks, new RegExp(`<a href="organizations/${b.organizationId}">&lt;script&gt;[\\s\\S]*?${iso(T0)}`), 'one following the server clock')
  t.notOk(hasRawMarkup(page.html), 'the hostile name is escaped')
})

t.test('the server clock: freeze, unfreeze, set, advance, reset', async (t) => {
  const app = await build(t)
  const start = await serverClock(app)
  const post = (fields: Record<string, string>) => postForm(app, '/clock', { back: 'clock', ...fields })

  let res = await post({ op: 'freeze', at: '2026-03-01T09:00' })
  t.equal(res.status, 303)
  t.equal(res.location, './clock', 'back to the page it came from')
  t.same(await serverClock(app), { now: '2026-03-01T09:00:00.000Z', frozen: true }, 'a datetime-local value is read as UTC')

  res = await post({ op: 'unfreeze' })
  t.equal(res.status, 303)
  t.equal((await serverClock(app)).frozen, false, 'running')

  res = await post({ op: 'freeze', at: '' })
  t.equal(res.status, 303)
  t.equal((await serverClock(app)).frozen, true, 'frozen where it was')

  res = await post({ op: 'set', to: '2026-04-01T10:30:15+02:00' })
  t.equal(res.status, 303)
  t.same(await serverClock(app), { now: '2026-04-01T08:30:15.000Z', frozen: true }, 'a full ISO time with its zone')

  res = await post({ op: 'set', to: '2026-04-02T00:00:30' })
  t.same(await serverClock(app), { now: '2026-04-02T00:00:30.000Z', frozen: true }, 'datetime-local with seconds')

  res = await post({ op: 'advance', by: '36h' })
  t.equal(res.status, 303)
  t.same(await serverClock(app), { now: iso(Date.parse('2026-04-02T00:00:30Z') + 36 * HOUR), frozen: true })

  res = await post({ op: 'reset' })
  t.equal(res.status, 303)
  t.same(await serverClock(app), start, 'back to the start')

  res = await postForm(app, '/clock', { op: 'advance', by: '1h' })
  t.equal(res.location, './clock', 'with no back field: the clock page')
  res = await postForm(app, '/clock', { op: 'advance', by: '1h', back: '//evil.example/x' })
  t.equal(res.location, './', 'a back leaving the console is not followed')
})

t.test('refused values: a 400 page with the message, the clock unmoved', async (t) => {
  const app = await build(t)
  const before = await serverClock(app)
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ op: 'advance', by: '36x' }, /&quot;36x&quot; is not a duration: write a number and a unit \(ms, s, m, h, d\), e.g. 36h/],
    [{ op: 'advance', by: '' }, /Give a duration to advance by/],
    [{ op: 'advance', by: '1234567890d' }, /body\.by must match pattern/],
    [{ op: 'advance', by: '3650000d' }, /The clock cannot go past 9999-12-31T23:59:59.999Z/],
    [{ op: 'set', to: 'tomorrow' }, /&quot;tomorrow&quot; is not a time: write it as 2026-03-01T09:00 \(read as UTC\)/],
    [{ op: 'set', to: '' }, /Give the time to set the clock to/],
    [{ op: 'set', to: '2026-02-30T10:00' }, /is not a time/],
    [{ op: 'freeze', at: '10000-01-01T00:00' }, /is not a time/],
    [{ op: 'jump' }, /body\/op|op/]
  ]
  for (const [fields, message] of cases) {
    const res = await postForm(app, '/clock', { back: 'clock', ...fields })
    t.equal(res.status, 400, JSON.stringify(fields))
    t.match(res.html, message)
    t.same(await serverClock(app), before, 'unmoved')
  }
})

t.test('an organization\'s clock: its own, the server clock untouched; back to its page', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  const other = seedOrg(app)
  const url = `/organizations/${o.organizationId}/clock`
  const back = `organizations/${o.organizationId}`

  let res = await postForm(app, url, { op: 'freeze', at: '2026-05-01T12:00', back })
  t.equal(res.status, 303)
  t.equal(res.location, `../../${back}`, 'back to the organization page')
  t.same(await orgClock(app, o.organizationId), { now: '2026-05-01T12:00:00.000Z', frozen: true })
  t.same(await serverClock(app), { now: iso(T0), frozen: true }, 'the server clock unmoved')
  t.same(await orgClock(app, other.organizationId), { now: iso(T0), frozen: true }, 'another organization still follows the server clock')

  res = await postForm(app, url, { op: 'advance', by: '31d' })
  t.equal(res.location, `../../${back}`, 'with no back field: the organization page')
  t.same(await orgClock(app, o.organizationId), { now: '2026-06-01T12:00:00.000Z', frozen: true })

  res = await postForm(app, url, { op: 'set', to: '2027-01-01T00:00:00Z', back: 'clock' })
  t.equal(res.location, '../../clock')
  t.equal((await orgClock(app, o.organizationId)).now, '2027-01-01T00:00:00.000Z')

  res = await postForm(app, url, { op: 'unfreeze' })
  t.equal((await orgClock(app, o.organizationId)).frozen, false)

  await postForm(app, '/clock', { op: 'advance', by: '1d' })
  t.notSame((await orgClock(app, o.organizationId)).now.slice(0, 10), iso(T0 + 24 * HOUR).slice(0, 10), 'its own clock does not follow the server clock')

  res = await postForm(app, url, { op: 'reset' })
  t.equal(res.status, 303)
  t.same(await orgClock(app, o.organizationId), await serverClock(app), 'follows the server clock again')

  const page = await getPage(app, '/clock')
  t.match(region(page.html, 'organization-clocks'), iso(T0 + 24 * HOUR))

  const unknown = await postForm(app, '/organizations/nope/clock', { op: 'advance', by: '1h' })
  t.equal(unknown.status, 404)
  t.match(unknown.html, 'Organization not found')
  const bad = await postForm(app, url, { op: 'set', to: 'soon' })
  t.equal(bad.status, 400)
  t.same(await orgClock(app, o.organizationId), await serverClock(app), 'a refused value gives it no clock of its own')
})

t.test('a cross-site POST is refused and moves no clock', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  const crossSite = { headers: { 'sec-fetch-site': 'cross-site' } }
  t.equal((await postForm(app, '/clock', { op: 'advance', by: '1h' }, crossSite)).status, 403)
  t.equal((await postForm(app, `/organizations/${o.organizationId}/clock`, { op: 'advance', by: '1h' }, crossSite)).status, 403)
  t.same(await serverClock(app), { now: iso(T0), frozen: true })
  t.same(await orgClock(app, o.organizationId), { now: iso(T0), frozen: true })
})
