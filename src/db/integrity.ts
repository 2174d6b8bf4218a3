// Is the database file sound: the check at boot, the read /health makes, and the errors that say a file is damaged.
import type Sqlite from 'better-sqlite3'

/**
 * The most problems quick_check reports (its argument bounds its output, not its time, which grows
 * with the file: about 3.8 ms per MB, docs/decisions.md "A damaged database"). Three say enough to
 * tell damage from a mistake, and stop the check early on a file that is all garbage.
 */
const QUICK_CHECK_PROBLEMS = 3

/** The longest reason an answer or a boot message quotes from SQLite. */
const MAX_REASON = 300

/** SQLite's result codes for a file whose content is not a sound database (SQLITE_CORRUPT_INDEX and the like included). */
export function isDamage (err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
}

/** A message on one line, cut to a length a log line or an answer can carry. */
function oneLine (text: string): string {
  // quick_check's lines, each a problem, after a "*** in database main ***" heading.
  const line = text.replace(/\*\*\* in database \w+ \*\*\*/g, '').trim().replace(/\s*\n\s*/g, '; ')
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 1)}…` : line
}

/** A database path that cannot be used, with the reason and, for a damaged file, what the user can do. */
export class DatabaseFileError extends Error {
  override name = 'DatabaseFileError'
}

/** What to tell the user about a damaged file: what SQLite said and what they can do. */
function damaged (path: string, said: string): DatabaseFileError {
  return new DatabaseFileError(`the database file ${path} is damaged (SQLite: ${oneLine(said)}). ` +
    `Restore it from a backup, or delete it (and ${path}-wal and ${path}-shm beside it, if present) to start with an empty database`)
}

/**
 * The error openDatabase throws for a failure while opening, checking or migrating `path`: a
 * damaged file says so and what to do; anything else names the path and SQLite's reason.
 */
export function openError (path: string, err: unknown): DatabaseFileError {
  if (err instanceof DatabaseFileError) return err
  const error = err as Error & { code?: string }
  if (isDamage(error)) return damaged(path, error.message)
  const code = error.code !== undefined && error.code !== error.message ? ` (${error.code})` : ''
  return new DatabaseFileError(`cannot open the database ${path}: ${oneLine(error.message)}${code}`)
}

/**
 * `PRAGMA quick_check` at boot: every page of every b-tree is read and its structure checked (not
 * that each index matches its table, which integrity_check adds at about twice the time). Throws
 * the damaged-file error when it finds a problem. Its cost grows with the file; see
 * QUICK_CHECK_PROBLEMS.
 */
export function checkIntegrity (sqlite: Sqlite.Database, path: string): void {
  const problems = sqlite.pragma(`quick_check(${QUICK_CHECK_PROBLEMS})`, { simple: false }) as Array<{ quick_check: string }>
  if (problems.length === 1 && problems[0]!.quick_check === 'ok') return
  throw damaged(path, problems.map((row) => row.quick_check).join('; '))
}

/** What /health asks of the database. */
export interface DatabaseHealth {
  /** null when the database answers a real read; otherwise a short reason, for the 503 answer. */
  check: () => string | null
  /** Records an error a query raised: once one says the file is damaged, every check fails with it. */
  noteError: (err: unknown) => void
}

/**
 * The read /health makes: the first row of every table, from a prepared statement (about 20 µs).
 * Each table's root page and the pages down to its first leaf are loaded and their structure checked,
 * so a damaged root, or a damaged schema, fails it. It cannot see damage in pages it does not read,
 * nor in pages SQLite still holds in its cache (they are read again after another connection writes
 * the file, or when the cache needs the room): for those, the first query that reads a damaged
 * page, whichever request made it, fails every later check (`noteError`). Damage does not heal; a
 * restart runs the boot check.
 */
export function databaseHealth (sqlite: Sqlite.Database): DatabaseHealth {
  let damage: string | null = null
  let probe: Sqlite.Statement | undefined
  const prepare = () => {
    const tables = sqlite.prepare("select name from sqlite_schema where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name")
      .pluck().all() as string[]
    const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`
    // NOT INDEXED: the table's own b-tree, not a smaller covering index the planner would prefer.
    return sqlite.prepare(`select ${tables.map((table) => `(select 1 from ${quoted(table)} not indexed limit 1)`).join(', ') || '1'}`)
  }
  return {
    check () {
      if (damage !== null) return damage
      try {
        (probe ??= prepare()).get()
        return null
      } catch (err) {
        // A statement made before a failure is not trusted after it: prepared again next time.
        probe = undefined
        if (isDamage(err)) damage = `The database file is damaged: ${oneLine((err as Error).message)}`
        return damage ?? `The database cannot be read: ${oneLine((err as Error).message)}`
      }
    },
    noteError (err) {
      if (isDamage(err)) damage ??= `The database file is damaged: ${oneLine((err as Error).message)}`
    }
  }
}
