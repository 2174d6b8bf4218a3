// Rows read as arrays and made into objects here: better-sqlite3 builds a row object property by property,
// which costs twice the query, and Drizzle's prepared reads switch raw mode on and map each field on every call.
import type { Statement } from 'better-sqlite3'

/**
 * A statement's rows as `shape` makes them from each row's values, in the statement's column
 * order. better-sqlite3 makes each row object one property at a time; reading arrays (`raw`) and
 * making the objects in JavaScript took a 1,000-member organization's member list from 2.5 ms to
 * 1.2 ms (the query in a loop on the 2-core machine). For reads of many rows.
 */
export function rowsOf<P extends unknown[], T> (statement: Statement<P>, shape: (values: unknown[]) => T): (...params: P) => T[] {
  const raw = statement.raw(true)
  return (...params) => (raw.all(...params) as unknown[][]).map(shape)
}

/**
 * A statement's one row, or null, as `shape` makes it from the row's values: for the reads on
 * every request's path (the key lookup). Drizzle's prepared `get` switches the statement to raw mode
 * and maps the row field by field on each call; this switches once.
 */
export function rowOf<P extends unknown[], T> (statement: Statement<P>, shape: (values: unknown[]) => T): (...params: P) => T | null {
  const raw = statement.raw(true)
  return (...params) => {
    const values = raw.get(...params) as unknown[] | undefined
    return values === undefined ? null : shape(values)
  }
}
