// The whole stored state at once: wipe it (reset), export it as a versioned document, import one.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import type { TokenSigner } from '../db/tokens.js'
import { MIGRATIONS_FOLDER } from '../db/index.js'
import type { Tx } from '../db/transaction.js'
import type { InvitationKind } from '../domain/vocabulary.js'

export const SNAPSHOT_FORMAT = 'confident-mock-snapshot'
export const SNAPSHOT_VERSION = 1

/** Meta keys that belong to this database file and never travel in a snapshot. */
const LOCAL_META = ['token_secret']
/** The pseudo-table holding AUTOINCREMENT counters, exported so ids continue after an import. */
const SEQUENCES = 'sqlite_sequence'

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT
  version: typeof SNAPSHOT_VERSION
  /** The last migration applied to the exporting database: rows only fit the same schema. */
  schema: string
  exportedAt: string
  tables: Record<string, Array<Record<string, string | number | null>>>
}

/** A snapshot that cannot be imported; the message says which part and why. */
export class SnapshotError extends Error {
  override name = 'SnapshotError'
}

/** The tag of the newest committed migration, e.g. "0001_rbac_catalog". */
export function schemaTag (): string {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> }
  return journal.entries.at(-1)!.tag
}

/** The application's tables, in name order (not SQLite's own, not the migrations ledger). */
export function tableNames (sqlite: Database): string[] {
  return sqlite.prepare<[], { name: string }>(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != '__drizzle_migrations' order by name"
  ).all().map((r) => r.name)
}

interface Column {
  name: string
  /** The declared type, lower case: integer or text here. */
  type: string
}

function columnsOf (sqlite: Database, table: string): Map<string, Column> {
  const columns = sqlite.prepare<[], Column>(`select name, lower(type) as type from pragma_table_info('${table}')`).all()
  return new Map(columns.map((c) => [c.name, c]))
}

/** Times are integer milliseconds a Date can hold. */
const MAX_TIME = 8.64e15
/** Integer columns the code reads as booleans. */
const BOOLEAN_COLUMNS = new Set(['api_keys.valid'])

/**
 * SQLite stores any value in any column, but the code reading a row trusts its declared type: a
 * text creation time would make every later list a 500. So each value is checked against it.
 */
function checkValue (value: unknown, column: Column, table: string, where: string): string | number | null {
  if (value === null) return null
  if (column.type === 'integer') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new SnapshotError(`${where} must be an integer or null`)
    if (BOOLEAN_COLUMNS.has(`${table}.${column.name}`) && value !== 0 && value !== 1) throw new SnapshotError(`${where} must be 0 or 1`)
    if (column.name.endsWith('_at') && Math.abs(value) > MAX_TIME) throw new SnapshotError(`${where} must be a time in milliseconds since the epoch`)
    return value
  }
  if (typeof value !== 'string') throw new SnapshotError(`${where} must be a string or null`)
  return value
}

/**
 * Deletes every row of every table, and the AUTOINCREMENT counters, keeping only this file's
 * token secret; the id counter starts again at 0. Foreign keys are checked at the commit of the
 * transaction, so the order of deletion does not matter.
 */
function clearAll (sqlite: Database): void {
  sqlite.pragma('defer_foreign_keys = ON')
  for (const table of tableNames(sqlite)) {
    if (table === 'meta') sqlite.prepare(`delete from meta where key not in (${LOCAL_META.map(() => '?').join(', ')})`).run(...LOCAL_META)
    else sqlite.prepare(`delete from "${table}"`).run()
  }
  if (hasSequences(sqlite)) sqlite.prepare(`delete from ${SEQUENCES}`).run()
  sqlite.prepare("insert into meta (key, value) values ('id_counter', '0')").run()
}

function hasSequences (sqlite: Database): boolean {
  return sqlite.prepare(`select 1 from sqlite_master where name = '${SEQUENCES}'`).get() !== undefined
}

/** Every table as it is in `tx`, the caller's transaction: one consistent state. */
function exportSnapshot (tx: Tx, exportedAt: number): Snapshot {
  const { sqlite } = tx
  const read = () => {
    const tables: Snapshot['tables'] = {}
    for (const table of tableNames(sqlite)) {
      const rows = sqlite.prepare<[], Record<string, string | number | null>>(`select * from "${table}" order by rowid`).all()
      tables[table] = table === 'meta' ? rows.filter((r) => !LOCAL_META.includes(String(r['key']))) : rows
    }
    tables[SEQUENCES] = hasSequences(sqlite)
      ? sqlite.prepare<[], { name: string, seq: number }>(`select name, seq from ${SEQUENCES} order by name`).all()
      : []
    return tables
  }
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, schema: schemaTag(), exportedAt: new Date(exportedAt).toISOString(), tables: read() }
}

/**
 * Earlier schemas whose rows a later one takes as they are: the migrations between them change
 * indexes, or add columns that may be null (a row without them gets null). 0003 made organization
 * names not unique; 0004 added the SMTP delivery columns of invitation_emails.
 */
const SAME_TABLES: Record<string, readonly string[]> = {
  '0003_organization_names_not_unique': ['0002_organization_documents'],
  '0004_smtp_delivery': ['0003_organization_names_not_unique', '0002_organization_documents']
}

/** Checks what a snapshot claims to be before anything is touched. */
function checkHeader (doc: unknown): asserts doc is Snapshot {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new SnapshotError('A snapshot must be a JSON object')
  const d = doc as Record<string, unknown>
  if (d['format'] !== SNAPSHOT_FORMAT) throw new SnapshotError(`Not a confident-mock snapshot: "format" must be "${SNAPSHOT_FORMAT}"`)
  if (d['version'] !== SNAPSHOT_VERSION) {
    throw new SnapshotError(`Snapshot version ${JSON.stringify(d['version'])} is not supported: this server reads version ${SNAPSHOT_VERSION}`)
  }
  const current = schemaTag()
  if (d['schema'] !== current && !(SAME_TABLES[current] ?? []).includes(d['schema'] as string)) {
    throw new SnapshotError(`Snapshot is of database schema ${JSON.stringify(d['schema'])}, this server's is "${current}": ` +
      'export it again from a server of the same version')
  }
  if (typeof d['tables'] !== 'object' || d['tables'] === null || Array.isArray(d['tables'])) {
    throw new SnapshotError('Snapshot "tables" must be an object of table names to arrays of rows')
  }
}

const INVITATION_TABLES = { PROJECT: 'project_invitations', ORGANIZATION: 'organization_invitations' } as const

/**
 * Replaces the whole state with the snapshot's, inside the caller's transaction: what it refuses
 * rolls all of it back. Outbox tokens are signed again with this database's secret, so the
 * recorded emails' links keep working here.
 */
function importSnapshot (sqlite: Database, tokens: TokenSigner, doc: unknown): Record<string, number> {
  checkHeader(doc)
  const known = new Set(tableNames(sqlite))
  for (const name of Object.keys(doc.tables)) {
    if (!known.has(name) && name !== SEQUENCES) throw new SnapshotError(`tables.${name}: this server has no such table`)
  }
  clearAll(sqlite)
  const counts: Record<string, number> = {}
  for (const table of known) {
    const rows: unknown = doc.tables[table] ?? []
    if (!Array.isArray(rows)) throw new SnapshotError(`tables.${table} must be an array of rows`)
    const columns = columnsOf(sqlite, table)
    for (const [i, row] of rows.entries()) {
      const where = `tables.${table}[${i}]`
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new SnapshotError(`${where} must be an object`)
      const entries = Object.entries(row as Record<string, unknown>)
      if (entries.length === 0) throw new SnapshotError(`${where} is empty: a row needs the columns of table ${table}`)
      for (const [column] of entries) if (!columns.has(column)) throw new SnapshotError(`${where}: table ${table} has no column "${column}"`)
      if (table === 'meta' && LOCAL_META.includes(String((row as Record<string, unknown>)['key']))) continue
      const values = entries.map(([column, value]) => checkValue(value, columns.get(column)!, table, `${where}.${column}`))
      const names = entries.map(([column]) => `"${column}"`).join(', ')
      const verb = table === 'meta' ? 'insert or replace' : 'insert'
      try {
        sqlite.prepare(`${verb} into "${table}" (${names}) values (${values.map(() => '?').join(', ')})`).run(...values)
      } catch (err) {
        throw new SnapshotError(`${where}: ${(err as Error).message}`)
      }
    }
    counts[table] = rows.length
  }
  const counter = sqlite.prepare<[], { value: string }>("select value from meta where key = 'id_counter'").get()
  if (!Array.isArray(doc.tables['meta']) || !(doc.tables['meta'] as unknown[]).some((r) => (r as { key?: unknown })?.key === 'id_counter') ||
    counter === undefined || !/^\d{1,15}$/.test(counter.value)) {
    // Without the counter, new ids would repeat those of the snapshot's rows.
    throw new SnapshotError('tables.meta must hold the id_counter row, a whole number: the sequence new ids continue from')
  }
  restoreSequences(sqlite, doc.tables[SEQUENCES], known)
  resignTokens(sqlite, tokens)
  const broken = sqlite.prepare<[], { table: string, rowid: number, parent: string }>('pragma foreign_key_check').all()
  if (broken.length > 0) {
    const b = broken[0]!
    throw new SnapshotError(`tables.${b.table}: the row with rowid ${b.rowid} refers to a ${b.parent} row the snapshot does not have`)
  }
  return counts
}

function restoreSequences (sqlite: Database, rows: unknown, known: Set<string>): void {
  if (rows === undefined) return
  if (!Array.isArray(rows)) throw new SnapshotError(`tables.${SEQUENCES} must be an array of rows`)
  sqlite.prepare(`delete from ${SEQUENCES}`).run()
  for (const [i, row] of rows.entries()) {
    const { name, seq } = (row ?? {}) as { name?: unknown, seq?: unknown }
    if (typeof name !== 'string' || !known.has(name) || !Number.isSafeInteger(seq) || (seq as number) < 0) {
      throw new SnapshotError(`tables.${SEQUENCES}[${i}] must be { name: <a table>, seq: <a non-negative integer> }`)
    }
    sqlite.prepare(`insert into ${SEQUENCES} (name, seq) values (?, ?)`).run(name, seq)
  }
}

function resignTokens (sqlite: Database, tokens: TokenSigner): void {
  const emails = sqlite.prepare<[], { id: number, kind: InvitationKind, invitationId: number }>(
    'select id, kind, invitation_id as invitationId from invitation_emails').all()
  const update = sqlite.prepare<[string, number]>('update invitation_emails set token = ? where id = ?')
  const finders = {
    PROJECT: sqlite.prepare<[number], { email: string, createdAt: number }>(`select email, created_at as createdAt from ${INVITATION_TABLES.PROJECT} where id = ?`),
    ORGANIZATION: sqlite.prepare<[number], { email: string, createdAt: number }>(`select email, created_at as createdAt from ${INVITATION_TABLES.ORGANIZATION} where id = ?`)
  }
  for (const e of emails) {
    const invitation = finders[e.kind].get(e.invitationId)
    // An email whose invitation is gone keeps its dead token: it names no invitation here either.
    if (invitation !== undefined) update.run(tokens.sign({ kind: e.kind, id: e.invitationId, ...invitation }), e.id)
  }
}

/** The whole stored state at once, for src/services/state.ts. */
export function stateRepository (sqlite: Database) {
  return {
    /** Empties every table (see clearAll): a reset, before the boot document is applied again or not. */
    clear (tx: Tx): void {
      clearAll(sqlite)
    },

    /** Every table's rows, read in one transaction of their own. */
    exportSnapshot (tx: Tx, exportedAt: number): Snapshot {
      return exportSnapshot(tx, exportedAt)
    },

    /** Replaces the whole state with a snapshot's (see importSnapshot): its rows counted by table. */
    importSnapshot (tx: Tx, tokens: TokenSigner, doc: unknown): Record<string, number> {
      return importSnapshot(sqlite, tokens, doc)
    }
  }
}

export type StateRepository = ReturnType<typeof stateRepository>
