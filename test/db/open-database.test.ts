// openDatabase (src/db/index.ts): the folder made one level at a time, a damaged file refused at boot, and the read /health makes (src/db/integrity.ts).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { openDatabase } from '../../src/db/index.js'
import { databaseHealth, DatabaseFileError } from '../../src/db/integrity.js'
import { overwritePages, SecondConnection } from './damage.js'

function folder (t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'confident-mock-open-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A migrated database file with `rows` rows in a table of its own, closed. */
function databaseFile (dir: string, rows = 0): string {
  const path = join(dir, 'state.sqlite')
  const { sqlite } = openDatabase(path)
  sqlite.exec('create table filler (id integer primary key, text text not null)')
  const insert = sqlite.prepare('insert into filler (text) values (?)')
  sqlite.transaction(() => { for (let i = 0; i < rows; i++) insert.run(`row ${i} ${'x'.repeat(200)}`) })()
  sqlite.close()
  return path
}

/** What openDatabase threw, or a failure when it opened. */
function refusal (t: { fail: (message: string) => void }, path: string): DatabaseFileError | undefined {
  try {
    openDatabase(path).sqlite.close()
  } catch (err) {
    return err as DatabaseFileError
  }
  t.fail(`${path} opened`)
  return undefined
}

t.test('a new path several folders deep: each missing folder made, the database migrated', async (t) => {
  const dir = folder(t)
  const path = join(dir, 'a', 'b', 'c', 'state.sqlite')
  const { sqlite } = openDatabase(path)
  t.teardown(() => sqlite.close())
  t.ok(statSync(join(dir, 'a', 'b', 'c')).isDirectory())
  t.ok((sqlite.prepare("select count(*) from sqlite_schema where name = 'organizations'").pluck().get() as number) === 1, 'migrated')
  // A folder that exists already is fine too, as is an empty file (nothing to check).
  const existing = join(dir, 'a', 'empty.sqlite')
  writeFileSync(existing, '')
  openDatabase(existing).sqlite.close()
  t.ok(statSync(existing).size > 0)
})

t.test('a path that cannot be made fails at once, naming the folder, the path and the reason', async (t) => {
  const dir = folder(t)
  writeFileSync(join(dir, 'file'), 'not a folder')
  const cases: Array<[string, string, RegExp]> = [
    // Node's recursive mkdirSync never returns on this one (issue 20).
    ['a folder under /proc', '/proc/nonexistent/x.sqlite', /^cannot create the folder \/proc\/nonexistent for the database \/proc\/nonexistent\/x\.sqlite: .*\(ENOENT\)$/],
    ['a file where its folder should be', join(dir, 'file', 'x.sqlite'), /^cannot create the folder .*\/file for the database .*\/file\/x\.sqlite: a file of that name is in the way$/],
    ['a file further up', join(dir, 'file', 'a', 'b', 'x.sqlite'), /^cannot create the folder .*\/file\/a\/b for the database .*: .*\/file is a file, not a folder$/]
  ]
  for (const [label, path, message] of cases) {
    const started = Date.now()
    const error = refusal(t, path)
    t.type(error, DatabaseFileError, label)
    t.match(error?.message, message, label)
    t.ok(Date.now() - started < 1000, `${label}: at once`)
  }
})

t.test('a folder in the place of the file: the path and SQLite\'s reason', async (t) => {
  const dir = folder(t)
  mkdirSync(join(dir, 'state.sqlite'))
  t.match(refusal(t, join(dir, 'state.sqlite'))?.message, /^cannot open the database .*state\.sqlite: .+/)
})

t.test('a damaged file is refused with what SQLite said and what to do; nothing is changed in it', async (t) => {
  const advice = /Restore it from a backup, or delete it \(and .*state\.sqlite-wal and .*state\.sqlite-shm beside it, if present\) to start with an empty database$/
  await t.test('every page after the header overwritten', async (t) => {
    const path = databaseFile(folder(t))
    overwritePages(path)
    const error = refusal(t, path)
    t.type(error, DatabaseFileError)
    t.match(error?.message, /^the database file .*state\.sqlite is damaged \(SQLite: .*malformed.*\)\. /)
    t.match(error?.message, advice)
  })
  await t.test('only a table\'s pages, which nothing at boot reads but the check', async (t) => {
    const path = databaseFile(folder(t), 200)
    const reader = new SecondConnection(path)
    const pages = reader.pagesOf('filler').filter((page) => page.path !== '/').map((page) => page.pageno)
    reader.close()
    t.ok(pages.length >= 5, `${pages.length} leaf pages`)
    overwritePages(path, pages.slice(-2))
    const before = statSync(path)
    const error = refusal(t, path)
    // quick_check reports some damage as rows naming the page, and raises SQLITE_CORRUPT for this.
    t.match(error?.message, /^the database file .*state\.sqlite is damaged \(SQLite: .*malformed.*\)\. /)
    t.match(error?.message, advice)
    t.equal(statSync(path).mtimeMs, before.mtimeMs, 'the file is left as it was, for a restore or a look')
  })
  await t.test('a file that is not a database at all', async (t) => {
    const path = join(folder(t), 'state.sqlite')
    writeFileSync(path, 'organizations:\n  - name: Acme\n'.repeat(400))
    t.match(refusal(t, path)?.message, /^the database file .*state\.sqlite is damaged \(SQLite: file is not a database\)\. /)
  })
})

t.test('the health read: ok on a sound file; the reason once a read meets a damaged page; damage sticks', async (t) => {
  const path = databaseFile(folder(t), 200)
  const { sqlite } = openDatabase(path)
  t.teardown(() => sqlite.close())
  const health = databaseHealth(sqlite)
  t.equal(health.check(), null)
  t.equal(health.check(), null, 'again, from the prepared statement')

  const other = new SecondConnection(path)
  t.teardown(() => other.close())
  // Every page in the file, and this connection's cache filled from it (the checkpoint emptied the
  // WAL, which made it drop its cache).
  other.checkpoint()
  t.equal(health.check(), null)
  const root = other.pagesOf('filler')[0]!
  t.equal(root.path, '/')
  overwritePages(path, [root.pageno])
  t.equal(health.check(), null, 'the page is still in this connection\'s cache: nothing read it again')
  other.touchHeader()
  t.equal(health.check(), 'The database file is damaged: database disk image is malformed', 'once another connection wrote, the page comes from the file')
  t.equal(health.check(), 'The database file is damaged: database disk image is malformed', 'and stays so')
})

t.test('the health read: an error that is not damage is a reason, not a verdict; damage seen elsewhere is one', async (t) => {
  const { sqlite } = openDatabase(':memory:')
  const health = databaseHealth(sqlite)
  t.equal(health.check(), null)
  health.noteError(Object.assign(new Error('UNIQUE constraint failed: users.email'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))
  health.noteError(new Error('no code'))
  t.equal(health.check(), null, 'other errors say nothing about the file')
  sqlite.close()
  t.equal(health.check(), 'The database cannot be read: The database connection is not open')

  const second = databaseHealth(openDatabase(':memory:').sqlite)
  second.noteError(Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }))
  t.equal(second.check(), 'The database file is damaged: database disk image is malformed', 'a request\'s SQLITE_CORRUPT')
})
