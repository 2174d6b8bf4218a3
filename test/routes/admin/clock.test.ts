// /__admin/clock: read, freeze, unfreeze, set, advance, reset; validation; timestamps and the trial rule follow it.
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { buildApp, type App } from '../../../src/app.js'
import { Clock } from '../../../src/domain/clock.js'
import { defaultConfig } from '../../../src/config.js'
import { T0, build, json, seedOrg } from '../../helpers/build.js'

const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()

function clock (app: App, action?: string, payload?: object) {
  return action === undefined
    ? app.inject({ method: 'GET', url: '/__admin/clock' })
    : app.inject({ method: 'POST', url: `/__admin/clock/${action}`, ...(payload === undefined ? {} : { payload }) })
}

async function state (app: App): Promise<{ now: string, frozen: boolean }> {
  const res = await clock(app)
  return json(res).data
}

function invite (app: App, org: { projectId: string, key: string }, emails: string[]) {
  return app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations`,
    headers: { CONFIDENT_API_KEY: org.key },
    payload: { emails }
  })
}

t.test('GET answers the time and whether the clock is frozen', async (t) => {
  const app = await build(t)
  const res = await clock(app)
  t.equal(res.statusCode, 200)
  t.same(json(res), { success: true, data: { now: iso(T0), frozen: true } })
})

t.test('freeze without a body stops a running clock at its current time', async (t) => {
  const app = await build(t, { clock: new Clock() })
  t.equal((await state(app)).frozen, false, 'a new Clock() runs')
  const before = Date.now()
  const res = await clock(app, 'freeze')
  const after = Date.now()
  t.equal(res.statusCode, 200)
  const frozen = json(res).data
  t.equal(frozen.frozen, true)
  const at = Date.parse(frozen.now)
  t.ok(at >= before - 5 && at <= after + 5, 'frozen near the real time')
  await sleep(30)
  t.same(await state(app), frozen, 'time does not move while frozen')
})

t.test('freeze at a time jumps there and stops', async (t) => {
  const app = await build(t, { clock: new Clock() })
  const res = await clock(app, 'freeze', { at: '2031-02-03T04:05:06.789Z' })
  t.equal(res.statusCode, 200)
  t.same(json(res).data, { now: '2031-02-03T04:05:06.789Z', frozen: true })
  await sleep(20)
  t.same(await state(app), { now: '2031-02-03T04:05:06.789Z', frozen: true })
  const offset = await clock(app, 'freeze', { at: '2031-02-03T06:05:06+02:00' })
  t.same(json(offset).data, { now: '2031-02-03T04:05:06.000Z', frozen: true }, 'an offset time is read as the instant it names')
})

t.test('unfreeze lets time run on from where it stood', async (t) => {
  const app = await build(t)
  const res = await clock(app, 'unfreeze')
  t.equal(res.statusCode, 200)
  const first = json(res).data
  t.equal(first.frozen, false)
  t.ok(Date.parse(first.now) >= T0 && Date.parse(first.now) < T0 + 5_000, 'runs on from T0, not from real time')
  await sleep(40)
  const later = await state(app)
  t.equal(later.frozen, false)
  t.ok(Date.parse(later.now) >= Date.parse(first.now) + 30, `time moved: ${first.now} -> ${later.now}`)
  t.ok(Date.parse(later.now) < T0 + 10_000)
  const again = await clock(app, 'unfreeze')
  t.equal(json(again).data.frozen, false, 'unfreezing a running clock is harmless')
  t.ok(Date.parse(json(again).data.now) < T0 + 10_000, 'and does not jump')
})

t.test('set jumps, keeping the clock frozen or running as it was', async (t) => {
  const app = await build(t)
  const res = await clock(app, 'set', { to: '2027-06-01T00:00:00Z' })
  t.equal(res.statusCode, 200)
  t.same(json(res).data, { now: '2027-06-01T00:00:00.000Z', frozen: true })
  t.same(await state(app), { now: '2027-06-01T00:00:00.000Z', frozen: true })

  const running = await build(t, { clock: new Clock() })
  const set = json(await clock(running, 'set', { to: '2020-01-01T00:00:00Z' })).data
  t.equal(set.frozen, false, 'a running clock keeps running')
  t.ok(Date.parse(set.now) >= Date.UTC(2020, 0, 1) && Date.parse(set.now) < Date.UTC(2020, 0, 1) + 5_000)
  await sleep(30)
  const later = await state(running)
  t.ok(Date.parse(later.now) >= Date.parse(set.now) + 20, 'and moves on from the new time')
  t.ok(Date.parse(later.now) < Date.UTC(2020, 0, 1) + 10_000)
})

t.test('advance by ms and by durations', async (t) => {
  const app = await build(t)
  const steps: Array<[object, number]> = [
    [{ ms: 1234 }, 1234],
    [{ ms: 0 }, 0],
    [{ by: '36h' }, 36 * 3_600_000],
    [{ by: '31d' }, 31 * DAY],
    [{ by: '500ms' }, 500],
    [{ by: '90s' }, 90_000],
    [{ by: '15m' }, 15 * 60_000]
  ]
  let expected = T0
  for (const [body, delta] of steps) {
    expected += delta
    const res = await clock(app, 'advance', body)
    t.equal(res.statusCode, 200, JSON.stringify(body))
    t.same(json(res).data, { now: iso(expected), frozen: true }, JSON.stringify(body))
  }
  t.same(await state(app), { now: iso(expected), frozen: true })

  const running = await build(t, { clock: new Clock() })
  const before = Date.now()
  const advanced = json(await clock(running, 'advance', { by: '31d' })).data
  t.equal(advanced.frozen, false)
  t.ok(Date.parse(advanced.now) >= before + 31 * DAY && Date.parse(advanced.now) < Date.now() + 31 * DAY + 5_000, 'a running clock jumps 31 days ahead')
})

t.test('reset returns to the boot state: frozen at T0 here', async (t) => {
  const app = await build(t)
  await clock(app, 'advance', { by: '3d' })
  await clock(app, 'unfreeze')
  const res = await clock(app, 'reset')
  t.equal(res.statusCode, 200)
  t.same(json(res).data, { now: iso(T0), frozen: true })
  await sleep(20)
  t.same(await state(app), { now: iso(T0), frozen: true })
})

t.test('reset returns a running clock to real time, running', async (t) => {
  const app = await build(t, { clock: new Clock() })
  await clock(app, 'freeze', { at: '2040-01-01T00:00:00Z' })
  t.same(await state(app), { now: '2040-01-01T00:00:00.000Z', frozen: true })
  const before = Date.now()
  const res = json(await clock(app, 'reset')).data
  const after = Date.now()
  t.equal(res.frozen, false)
  t.ok(Date.parse(res.now) >= before - 5 && Date.parse(res.now) <= after + 5, `real time again: ${res.now}`)

  // A set on a running clock leaves an offset: reset drops it too.
  await clock(app, 'set', { to: '2001-01-01T00:00:00Z' })
  const before2 = Date.now()
  const res2 = json(await clock(app, 'reset')).data
  t.equal(res2.frozen, false)
  t.ok(Math.abs(Date.parse(res2.now) - before2) < 1_000, `offset dropped: ${res2.now}`)
})

t.test('POST /__admin/reset also returns the clock to its boot state', async (t) => {
  const app = await build(t)
  await clock(app, 'set', { to: '2030-05-05T00:00:00Z' })
  await clock(app, 'unfreeze')
  t.equal((await app.inject({ method: 'POST', url: '/__admin/reset', payload: { to: 'empty' } })).statusCode, 200)
  t.same(await state(app), { now: iso(T0), frozen: true })
})

t.test('bad requests are 400s in the error envelope, and leave the clock alone', async (t) => {
  const app = await build(t)
  const cases: Array<[string, string, object, string | RegExp]> = [
    ['advance: both ms and by', 'advance', { ms: 5, by: '5s' }, 'Give exactly one of body.ms and body.by'],
    ['advance: neither', 'advance', {}, 'Give exactly one of body.ms and body.by'],
    ['advance: bad duration', 'advance', { by: '3 days' }, /^body\.by /],
    ['advance: unknown unit', 'advance', { by: '5w' }, /^body\.by /],
    ['advance: negative duration', 'advance', { by: '-5s' }, /^body\.by /],
    ['advance: negative ms', 'advance', { ms: -1 }, /^body\.ms /],
    ['advance: fractional ms', 'advance', { ms: 1.5 }, /^body\.ms /],
    ['advance: ms as text', 'advance', { ms: '100' }, /^body\.ms /],
    ['advance: unknown field', 'advance', { ms: 1, days: 2 }, /additional properties/],
    ['set: bad ISO', 'set', { to: 'next tuesday' }, /^body\.to /],
    ['set: date only', 'set', { to: '2026-13-45T00:00:00Z' }, /^body\.to /],
    ['set: missing to', 'set', {}, /required property 'to'/],
    ['set: unknown field', 'set', { to: '2027-01-01T00:00:00Z', also: 1 }, /additional properties/],
    ['freeze: bad ISO', 'freeze', { at: 'yesterday' }, /^body\.at /],
    ['freeze: unknown field', 'freeze', { when: '2027-01-01T00:00:00Z' }, /additional properties/]
  ]
  for (const [name, action, body, error] of cases) {
    const res = await clock(app, action, body)
    t.equal(res.statusCode, 400, name)
    t.match(json(res), { success: false, error, deprecated: false }, name)
    t.same(Object.keys(json(res)).sort(), ['deprecated', 'error', 'success'], `${name}: only the envelope`)
  }
  t.same(await state(app), { now: iso(T0), frozen: true }, 'no failed call moved the clock')
})

t.test('advancing past the last representable time is refused, not a broken clock', async (t) => {
  const app = await build(t)
  // 999999999d is allowed by the `by` pattern (up to 9 digits) but is ~2.7 million years: past 275760-09-13, where Date ends.
  const res = await clock(app, 'advance', { by: '999999999d' })
  t.equal(res.statusCode, 400, `answered ${res.statusCode} ${res.body}`)
  t.match(json(res), { success: false, deprecated: false })
  const after = await clock(app)
  t.equal(after.statusCode, 200, 'the clock can still be read')
  t.same(json(after).data, { now: iso(T0), frozen: true }, 'and has not moved')
  const org = seedOrg(app)
  t.equal((await invite(app, org, ['still@example.com'])).statusCode, 200, 'the API still works')

  // Step by step to the edge: the last millisecond of year 9999 is as far as it goes.
  await clock(app, 'set', { to: '9999-12-31T23:59:59.000Z' })
  const edge = await clock(app, 'advance', { ms: 999 })
  t.same(json(edge).data, { now: '9999-12-31T23:59:59.999Z', frozen: true })
  const beyond = await clock(app, 'advance', { ms: 1 })
  t.equal(beyond.statusCode, 400)
  t.equal(json(beyond).error, 'The clock cannot go past 9999-12-31T23:59:59.999Z')
  t.equal((await clock(app, 'unfreeze')).statusCode, 200, 'running on from there still reads')
  t.equal((await clock(app)).statusCode, 200)
})

t.test('timestamps follow the clock', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await clock(app, 'set', { to: '2027-03-04T05:06:07.000Z' })
  const res = await invite(app, org, ['when@example.com'])
  t.equal(res.statusCode, 200)
  t.equal(json(res).data.invitations[0].created_at, '2027-03-04T05:06:07.000Z')
  const outbox = json(await app.inject({ url: '/__admin/outbox?to=when@example.com' })).data
  t.equal(outbox[0].sentAt, '2027-03-04T05:06:07.000Z', 'the email is sent at the clock\'s time too')

  await clock(app, 'advance', { by: '2h' })
  const later = await invite(app, org, ['later@example.com'])
  t.equal(json(later).data.invitations[0].created_at, '2027-03-04T07:06:07.000Z')
})

t.test('the trial rule reads the clock', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { plan: 'TRIAL', trialEndsAt: iso(T0 + DAY) })

  const during = await invite(app, org, ['one@example.com'])
  t.equal(during.statusCode, 200, 'inviting during the trial')
  t.equal(json(during).data.invitations.length, 1)

  await clock(app, 'advance', { by: '2d' })
  const after = await invite(app, org, ['two@example.com'])
  t.equal(after.statusCode, 403, 'inviting after the trial')
  t.same(json(after), { success: false, error: 'Inviting members is not available on the Free plan outside of the trial period', deprecated: false })

  await clock(app, 'set', { to: iso(T0) })
  const back = await invite(app, org, ['two@example.com'])
  t.equal(back.statusCode, 200, 'the trial runs again once the clock is set back')
  t.same(json(back).data.invitations.map((i: { email: string }) => i.email), ['two@example.com'])

  // The edge: the trial ends at trialEndsAt exactly.
  await clock(app, 'set', { to: iso(T0 + DAY - 1) })
  t.equal((await invite(app, org, ['three@example.com'])).statusCode, 200, 'one millisecond before the end')
  await clock(app, 'advance', { ms: 1 })
  t.equal((await invite(app, org, ['four@example.com'])).statusCode, 403, 'at the end')
})

t.test('CONFIDENT_MOCK_CLOCK starts the server frozen at that time, and reset returns there', async (t) => {
  const app = await buildApp(defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:', CONFIDENT_MOCK_CLOCK: '2030-01-01T00:00:00Z' }), {
    logger: false,
    fixtures: { organizations: [] }
  })
  t.teardown(() => app.close())
  t.same(await state(app), { now: '2030-01-01T00:00:00.000Z', frozen: true })
  await sleep(20)
  t.same(await state(app), { now: '2030-01-01T00:00:00.000Z', frozen: true }, 'it does not run')
  await clock(app, 'advance', { by: '1d' })
  await clock(app, 'unfreeze')
  t.same(json(await clock(app, 'reset')).data, { now: '2030-01-01T00:00:00.000Z', frozen: true })
})

t.test('without CONFIDENT_MOCK_CLOCK or a clock, the server runs on real time', async (t) => {
  const app = await buildApp(defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:' }), { logger: false, fixtures: { organizations: [] } })
  t.teardown(() => app.close())
  const before = Date.now()
  const s = await state(app)
  t.equal(s.frozen, false)
  t.ok(Math.abs(Date.parse(s.now) - before) < 1_000)
})

t.test('on a running clock: freeze, then advance past trialEndsAt, and a 200 becomes the plan rule\'s 403', async (t) => {
  const app = await build(t, { clock: new Clock() })
  const trialEndsAt = Date.now() + 86_400_000
  const org = seedOrg(app, { plan: 'TRIAL', trialEndsAt: new Date(trialEndsAt).toISOString() })
  t.equal((await invite(app, org, ['before@example.com'])).statusCode, 200, 'inside the trial')
  const frozen = await clock(app, 'freeze')
  t.equal(json(frozen).data.frozen, true)
  await clock(app, 'advance', { by: '2d' })
  const refused = await invite(app, org, ['after@example.com'])
  t.equal(refused.statusCode, 403)
  t.equal(json(refused).error, 'Inviting members is not available on the Free plan outside of the trial period')
})
