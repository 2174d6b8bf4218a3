// The plan's ids (members' users minted together are the ids minted one by one, stored and planned ids passed over alike), and the user rows it leaves alone.
import { drizzle } from 'drizzle-orm/better-sqlite3'
import t from 'tap'
import { applyFixtures } from '../../src/boot-state/apply.js'
import { permissionKey, planOrganization } from '../../src/boot-state/plan.js'
import { openDatabase } from '../../src/db/index.js'
import { createIdGenerator } from '../../src/db/ids.js'
import { transactor } from '../../src/db/transaction.js'
import { documentsRepository } from '../../src/repositories/documents.js'

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

t.test('a stored user is rewritten only where a member gives a name or image other than the stored one', async (t) => {
  const { sqlite, ids } = generator('s')
  t.teardown(() => sqlite.close())
  const documents = documentsRepository(sqlite)
  const transact = transactor(drizzle({ client: sqlite }), sqlite)
  const member = (email: string, name?: string | null, image?: string | null) => ({ email, ...(name === undefined ? {} : { name }), ...(image === undefined ? {} : { image }) })
  transact((tx) => applyFixtures(tx, documents, ids, {
    organizations: [{ name: 'First', plan: 'TEAM', members: [member('ann@x.example', 'Ann', 'https://x.example/a.png'), member('bob@x.example', 'Bob')] }]
  }, 0))
  const permissions = new Map(documents.permissions().map((p) => [permissionKey(p.scope, p.name), p.id]))
  const context = { reads: documents, ids, now: 1, keepUsers: false, permissions, organizationNamed: () => null }
  const changes = (members: ReturnType<typeof member>[], projectMembers: ReturnType<typeof member>[] = []) =>
    planOrganization(context, { name: 'Second', plan: 'TEAM', members, projects: [{ name: 'P', members: projectMembers }] }, 'organizations/0')
      .writes.users.changed
  const annId = (sqlite.prepare("select id from users where email = 'ann@x.example'").get() as { id: string }).id
  const bobId = (sqlite.prepare("select id from users where email = 'bob@x.example'").get() as { id: string }).id

  t.same(changes([member('ann@x.example', 'Ann', 'https://x.example/a.png'), member('bob@x.example', 'Bob', null)]), [],
    'the same names and images (a null image as stored): no user written')
  t.same(changes([member('ann@x.example', 'Anne', 'https://x.example/a.png'), member('bob@x.example')]), [{ id: annId, name: 'Anne' }],
    'only the field that differs, only the user it differs for')
  t.same(changes([member('bob@x.example', 'Robert')], [member('bob@x.example', 'Bob')]), [],
    'changed and changed back in one document: the last value is the stored one, nothing written')
  t.same(changes([member('bob@x.example', 'Bob')], [member('bob@x.example', 'Robert', 'https://x.example/b.png')]),
    [{ id: bobId, name: 'Robert', image: 'https://x.example/b.png' }], 'the last value wins when it differs')
})
