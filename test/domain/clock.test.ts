// The server clock: frozen, set, advanced, resumed.
import t from 'tap'
import { Clock } from '../../src/domain/clock.js'

t.test('a frozen clock stands still until set or advanced', async (t) => {
  const clock = new Clock(1_000)
  t.equal(clock.now(), 1_000)
  clock.advance(500)
  t.equal(clock.now(), 1_500)
  clock.set(10_000)
  t.same(clock.state(), { now: new Date(10_000).toISOString(), frozen: true })
  clock.unfreeze()
  clock.reset()
  t.same(clock.state(), { now: new Date(1_000).toISOString(), frozen: true }, 'reset returns to the start: frozen at 1000')
})

t.test('a running clock keeps its offset from real time', async (t) => {
  const clock = new Clock()
  t.ok(Math.abs(clock.now() - Date.now()) < 1000)
  clock.set(Date.UTC(2030, 0, 1))
  t.ok(Math.abs(clock.now() - Date.UTC(2030, 0, 1)) < 1000)
  t.equal(clock.state().frozen, false)
  clock.freeze()
  const frozen = clock.now()
  await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal(clock.now(), frozen)
  clock.unfreeze()
  clock.unfreeze()
  t.ok(clock.now() >= frozen)
  clock.reset()
  t.ok(Math.abs(clock.now() - Date.now()) < 1000)
})

t.test('freezing a running clock at a time lands exactly there', async (t) => {
  const clock = new Clock()
  for (let i = 0; i < 1000; i++) {
    clock.freeze(Date.UTC(2031, 1, 3) + i)
    t.equal(clock.now(), Date.UTC(2031, 1, 3) + i)
    clock.unfreeze()
  }
})

t.test('a running clock stops at 9999-12-31T23:59:59.999Z, the last instant a timestamp here can show', async (t) => {
  const last = Date.parse('9999-12-31T23:59:59.999Z')
  const clock = new Clock()
  clock.set(last - 1)
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(clock.now(), last, 'real time moved on 20 ms; the clock stopped at the last instant')
  t.equal(clock.state().now, '9999-12-31T23:59:59.999Z')
})
