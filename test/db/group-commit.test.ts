// Group commit: the writes queued in one turn of the event loop share one transaction, each in its own savepoint.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import t from 'tap'
import { groupCommit } from '../../src/db/group-commit.js'
import { transactor } from '../../src/db/transaction.js'

/** A WAL database file with one table, a writer connection and a second connection to watch commits. */
function files (t: { teardown: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'confident-mock-group-'))
  const path = join(dir, 'db.sqlite')
  const writer = new Sqlite(path)
  writer.pragma('journal_mode = WAL')
  writer.pragma('foreign_keys = ON')
  writer.exec(`
    create table parents (id integer primary key);
    create table rows (id integer primary key autoincrement, value text not null unique,
      parent integer references parents(id) deferrable initially deferred);
    insert into parents (id) values (1);
  `)
  const watcher = new Sqlite(path, { readonly: true })
  t.teardown(() => {
    watcher.close()
    if (writer.open) writer.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const insert = writer.prepare<[string, number]>('insert into rows (value, parent) values (?, ?)')
  const values = () => watcher.prepare<[], { value: string }>('select value from rows order by id').all().map((r) => r.value)
  // Changes when another connection commits: counts the writer's commits.
  const version = () => watcher.pragma('data_version', { simple: true }) as number
  return { writer, insert, values, version }
}

t.test('the writes of one turn commit together, once, and each promise resolves after that commit', async (t) => {
  const { writer, insert, values, version } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const before = version()
  const seenAtResolve: string[][] = []
  const runs = ['a', 'b', 'c', 'd', 'e'].map((value) => commits.run(() => insert.run(value, 1).lastInsertRowid)
    .then((id) => { seenAtResolve.push(values()); return id }))
  t.same(values(), [], 'nothing is written before the end of the turn')
  t.same(await Promise.all(runs), [1, 2, 3, 4, 5], 'each run resolves with what its work returned')
  t.equal(version() - before, 1, 'one commit for the five writes')
  for (const seen of seenAtResolve) t.same(seen, ['a', 'b', 'c', 'd', 'e'], 'another connection sees every row when a run resolves')
  t.notOk(writer.inTransaction, 'no transaction is left open')

  // A later turn is a new transaction.
  await commits.run(() => insert.run('f', 1))
  t.equal(version() - before, 2)
})

t.test('a run that throws rolls back its own savepoint only, and rejects with what it threw', async (t) => {
  const { writer, insert, values } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const results = await Promise.allSettled([
    commits.run(() => insert.run('a', 1)),
    commits.run(() => { insert.run('b', 1); throw new Error('refused after a write') }),
    commits.run(() => insert.run('a', 1)), // the unique constraint: SQLite's own error
    commits.run(() => insert.run('c', 1))
  ])
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled'])
  t.equal((results[1] as PromiseRejectedResult).reason.message, 'refused after a write')
  t.match((results[2] as PromiseRejectedResult).reason, { code: 'SQLITE_CONSTRAINT_UNIQUE' })
  t.same(values(), ['a', 'c'], 'the failed runs left no row, the others were kept')
})

t.test('a run alone in its turn: no savepoint; what it throws rejects it and leaves nothing, the next turn goes on', async (t) => {
  const { writer, insert, values, version } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const statements: string[] = []
  const traced = new Sqlite(writer.name, { verbose: (sql) => statements.push(String(sql)) })
  traced.pragma('journal_mode = WAL')
  t.teardown(() => traced.close())
  const alone = groupCommit(traced, transactor(drizzle({ client: traced }), traced))
  await alone.run(() => traced.prepare('insert into rows (value, parent) values (?, ?)').run('traced', 1))
  t.notOk(statements.some((sql) => /savepoint/i.test(sql)), `no savepoint: ${statements.join('; ')}`)
  t.ok(statements.some((sql) => /^begin immediate/i.test(sql)) && statements.some((sql) => /^commit/i.test(sql)), 'one IMMEDIATE transaction')

  const before = version()
  await t.rejects(commits.run(() => { insert.run('lost', 1); throw new Error('refused after a write') }), { message: 'refused after a write' })
  await t.rejects(commits.run(() => insert.run('traced', 1)), { code: 'SQLITE_CONSTRAINT_UNIQUE' })
  t.equal(version(), before, 'nothing committed')
  t.notOk(writer.inTransaction)
  await commits.run(() => insert.run('after', 1))
  t.same(values(), ['traced', 'after'])
})

t.test('a commit that fails rejects every run of the group and keeps none of its rows', async (t) => {
  const { writer, insert, values } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const results = await Promise.allSettled([
    commits.run(() => insert.run('a', 1)),
    // A deferred foreign key is checked at COMMIT: the whole group fails there.
    commits.run(() => insert.run('orphan', 99))
  ])
  t.same(results.map((r) => r.status), ['rejected', 'rejected'])
  for (const r of results) t.match((r as PromiseRejectedResult).reason, { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' })
  t.same(values(), [], 'nothing of the group was stored')
  t.notOk(writer.inTransaction)

  // The next group works as usual.
  await commits.run(() => insert.run('b', 1))
  t.same(values(), ['b'])
})

t.test('runs queued when the database closes are rejected, not left hanging', async (t) => {
  const { writer, insert } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const run = commits.run(() => insert.run('a', 1))
  writer.close()
  await t.rejects(run, /database is closed/)
})

t.test('when SQLite rolls the whole transaction back mid-group, every run fails and none of its rows stay', async (t) => {
  const { writer, insert, values } = files(t)
  // RAISE(ROLLBACK) ends the whole transaction, as an I/O error or a full memory would.
  writer.exec("create trigger doom before insert on rows when new.value = 'doom' begin select raise(rollback, 'rolled back whole'); end")
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const results = await Promise.allSettled(['a', 'doom', 'c', 'd'].map((value) => commits.run(() => insert.run(value, 1))))
  t.same(results.map((r) => r.status), ['rejected', 'rejected', 'rejected', 'rejected'])
  t.same(values(), [], 'no run committed on its own after the rollback')
  t.notOk(writer.inTransaction)
})

t.test('a test that fakes setImmediate after the server started does not stall its creates', async (t) => {
  const { writer, insert, values } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const real = globalThis.setImmediate
  globalThis.setImmediate = (() => { throw new Error('a fake timer that never runs') }) as unknown as typeof setImmediate
  try {
    await commits.run(() => insert.run('a', 1))
  } finally {
    globalThis.setImmediate = real
  }
  t.same(values(), ['a'])
})
