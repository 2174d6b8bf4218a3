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

/** Makes the next turn a busy one: two writes in this turn (the first committed at once, the second queued). */
async function busyTurn (commits: ReturnType<typeof groupCommit>, insert: { run: (value: string, parent: number) => unknown }, tag: string) {
  await Promise.all([commits.run(() => insert.run(`${tag}-1`, 1)), commits.run(() => insert.run(`${tag}-2`, 1))])
}

t.test('after a quiet turn the first write commits at once; the rest of its turn commit together, once, and each promise resolves after that commit', async (t) => {
  const { writer, insert, values, version } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const before = version()
  const seenAtResolve = new Map<string, string[]>()
  const runs = ['a', 'b', 'c', 'd', 'e'].map((value) => commits.run(() => insert.run(value, 1).lastInsertRowid)
    .then((id) => { seenAtResolve.set(value, values()); return id }))
  t.same(values(), ['a'], 'the first is committed before run() returns; the others wait for the end of the turn')
  t.equal(version() - before, 1)
  t.same(await Promise.all(runs), [1, 2, 3, 4, 5], 'each run resolves with what its work returned')
  t.equal(version() - before, 2, 'one commit for the four that came after')
  t.same(seenAtResolve.get('a'), ['a'], 'the first resolves once its own commit is done')
  for (const value of ['b', 'c', 'd', 'e']) t.same(seenAtResolve.get(value), ['a', 'b', 'c', 'd', 'e'], 'another connection sees every row of the group when a run resolves')
  t.notOk(writer.inTransaction, 'no transaction is left open')

  // The turn before had five writes: the first of this one waits for its group, alone or not.
  const later = commits.run(() => insert.run('f', 1))
  t.same(values(), ['a', 'b', 'c', 'd', 'e'], 'under load, nothing is written before the end of the turn')
  await later
  t.equal(version() - before, 3)

  // That turn had one write: quiet again, the next commits at once.
  const quiet = commits.run(() => insert.run('g', 1))
  t.same(values(), ['a', 'b', 'c', 'd', 'e', 'f', 'g'])
  await quiet
  t.equal(version() - before, 4)
})

t.test('one write at a time (one client): each commits at once, in its own transaction', async (t) => {
  const { writer, insert, values, version } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const before = version()
  for (const value of ['a', 'b', 'c']) {
    const run = commits.run(() => insert.run(value, 1))
    t.equal(values().at(-1), value, `${value} is committed before run() returns`)
    await run
    await new Promise((resolve) => setImmediate(resolve))
  }
  t.equal(version() - before, 3)
})

t.test('a run that throws rolls back its own savepoint only, and rejects with what it threw', async (t) => {
  const { writer, insert, values } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  await busyTurn(commits, insert, 'load')
  const results = await Promise.allSettled([
    commits.run(() => insert.run('a', 1)),
    commits.run(() => { insert.run('b', 1); throw new Error('refused after a write') }),
    commits.run(() => insert.run('a', 1)), // the unique constraint: SQLite's own error
    commits.run(() => insert.run('c', 1))
  ])
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled'])
  t.equal((results[1] as PromiseRejectedResult).reason.message, 'refused after a write')
  t.match((results[2] as PromiseRejectedResult).reason, { code: 'SQLITE_CONSTRAINT_UNIQUE' })
  t.same(values(), ['load-1', 'load-2', 'a', 'c'], 'the failed runs left no row, the others were kept')
})

t.test('a run alone in its turn: no savepoint; what it throws rejects it and leaves nothing, the next turn goes on', async (t) => {
  const { writer, insert, values, version } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const statements: string[] = []
  const traced = new Sqlite(writer.name, { verbose: (sql) => statements.push(String(sql)) })
  traced.pragma('journal_mode = WAL')
  t.teardown(() => traced.close())
  const alone = groupCommit(traced, transactor(drizzle({ client: traced }), traced))
  const tracedInsert = traced.prepare<[string, number]>('insert into rows (value, parent) values (?, ?)')
  const oneTransaction = (what: string) => {
    t.notOk(statements.some((sql) => /savepoint/i.test(sql)), `${what}: no savepoint: ${statements.join('; ')}`)
    t.ok(statements.some((sql) => /^begin immediate/i.test(sql)) && statements.some((sql) => /^commit/i.test(sql)), `${what}: one IMMEDIATE transaction`)
    statements.length = 0
  }
  // Quiet: committed at once.
  await alone.run(() => tracedInsert.run('traced', 1))
  oneTransaction('committed at once')
  // Under load: queued, and flushed at the end of its turn as a group of one.
  await busyTurn(alone, tracedInsert, 'traced-load')
  statements.length = 0
  const queued = alone.run(() => tracedInsert.run('traced-queued', 1))
  t.same(statements, [], 'under load, nothing runs before the end of the turn')
  await queued
  oneTransaction('flushed alone')

  const before = version()
  await t.rejects(commits.run(() => { insert.run('lost', 1); throw new Error('refused after a write') }), { message: 'refused after a write' })
  await t.rejects(commits.run(() => insert.run('traced', 1)), { code: 'SQLITE_CONSTRAINT_UNIQUE' })
  t.equal(version(), before, 'nothing committed')
  t.notOk(writer.inTransaction)
  await commits.run(() => insert.run('after', 1))
  t.same(values(), ['traced', 'traced-load-1', 'traced-load-2', 'traced-queued', 'after'])
})

t.test('a commit that fails rejects every run of the group and keeps none of its rows', async (t) => {
  const { writer, insert, values } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  await busyTurn(commits, insert, 'load')
  const results = await Promise.allSettled([
    commits.run(() => insert.run('a', 1)),
    // A deferred foreign key is checked at COMMIT: the whole group fails there.
    commits.run(() => insert.run('orphan', 99))
  ])
  t.same(results.map((r) => r.status), ['rejected', 'rejected'])
  for (const r of results) t.match((r as PromiseRejectedResult).reason, { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' })
  t.same(values(), ['load-1', 'load-2'], 'nothing of the group was stored')
  t.notOk(writer.inTransaction)

  // The next group works as usual; so does a write committed at once that fails at COMMIT.
  await commits.run(() => insert.run('b', 1))
  t.same(values(), ['load-1', 'load-2', 'b'])
  await new Promise((resolve) => setImmediate(resolve))
  await t.rejects(commits.run(() => insert.run('orphan', 99)), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' })
  t.same(values(), ['load-1', 'load-2', 'b'])
  t.notOk(writer.inTransaction)
})

t.test('runs queued when the database closes are rejected, not left hanging', async (t) => {
  const { writer, insert } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const first = commits.run(() => insert.run('a', 1))
  const queued = commits.run(() => insert.run('b', 1))
  writer.close()
  await first
  await t.rejects(queued, /database is closed/)
  await new Promise((resolve) => setImmediate(resolve))
  await t.rejects(commits.run(() => insert.run('c', 1)), /database is closed/, 'nor one that would commit at once')
})

t.test('when SQLite rolls the whole transaction back mid-group, every run fails and none of its rows stay', async (t) => {
  const { writer, insert, values } = files(t)
  // RAISE(ROLLBACK) ends the whole transaction, as an I/O error or a full memory would.
  writer.exec("create trigger doom before insert on rows when new.value = 'doom' begin select raise(rollback, 'rolled back whole'); end")
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  await busyTurn(commits, insert, 'load')
  const results = await Promise.allSettled(['a', 'doom', 'c', 'd'].map((value) => commits.run(() => insert.run(value, 1))))
  t.same(results.map((r) => r.status), ['rejected', 'rejected', 'rejected', 'rejected'])
  t.same(values(), ['load-1', 'load-2'], 'no run committed on its own after the rollback')
  t.notOk(writer.inTransaction)
})

t.test('a test that fakes setImmediate after the server started does not stall its creates', async (t) => {
  const { writer, insert, values } = files(t)
  const commits = groupCommit(writer, transactor(drizzle({ client: writer }), writer))
  const real = globalThis.setImmediate
  const fake = (() => { throw new Error('a fake timer that never runs') }) as unknown as typeof setImmediate
  globalThis.setImmediate = fake
  try {
    await commits.run(() => insert.run('a', 1))
  } finally {
    globalThis.setImmediate = real
  }
  // Under load a run is queued for the end of its turn: the module's own setImmediate ends it.
  await busyTurn(commits, insert, 'load')
  globalThis.setImmediate = fake
  try {
    await Promise.all([commits.run(() => insert.run('b', 1)), commits.run(() => insert.run('c', 1))])
  } finally {
    globalThis.setImmediate = real
  }
  t.same(values(), ['a', 'load-1', 'load-2', 'b', 'c'])
})
