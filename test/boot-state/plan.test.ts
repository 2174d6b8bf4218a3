// The plan's ids: members' users minted together are the ids minted one by one, stored and planned ids passed over alike.
import t from 'tap'
import { openDatabase } from '../../src/db/index.js'
import { createIdGenerator } from '../../src/db/ids.js'

function generator (seed: string) {
  const { sqlite } = openDatabase(':memory:')
  return { sqlite, ids: createIdGenerator(sqlite, seed) }
}

t.test('cuids(n) gives the ids n calls of cuid() give, and the counter ends where theirs does', async (t) => {
  const one = generator('s')
  const many = generator('s')
  t.teardown(() => { one.sqlite.close(); many.sqlite.close() })
  const counter = (sqlite: typeof one.sqlite) => sqlite.prepare("select value from meta where key = 'id_counter'").get()
  one.ids.uuid()
  many.ids.uuid()
  t.same(many.ids.cuids(50), Array.from({ length: 50 }, () => one.ids.cuid()))
  t.same(counter(many.sqlite), counter(one.sqlite))
  t.same(counter(many.sqlite), { value: '51' }, 'a whole number, as the snapshot import requires')
  t.same(many.ids.cuids(0), [], 'none asked, none minted')
  t.equal(many.ids.uuid(), one.ids.uuid(), 'the sequence goes on from the same place')
})

t.test('cuids passes over an id a row holds, or one the caller names, as cuid() passes over a stored one', async (t) => {
  const probe = generator('s')
  const stored = generator('s')
  t.teardown(() => { probe.sqlite.close(); stored.sqlite.close() })
  const sequence = probe.ids.cuids(6)
  stored.sqlite.prepare("insert into users (id, email, created_at) values (?, 'held@x.example', 0)").run(sequence[1])
  const got = stored.ids.cuids(4, (id) => id === sequence[3])
  t.same(got, [sequence[0], sequence[2], sequence[4], sequence[5]], 'two passed over, two more drawn')
  t.same(stored.sqlite.prepare("select value from meta where key = 'id_counter'").get(), { value: '6' })
})
