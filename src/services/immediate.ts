// The services' write paths: a function run as one IMMEDIATE better-sqlite3 transaction.
import type { Database } from 'better-sqlite3'

/**
 * `fn` run as one IMMEDIATE transaction: the write lock is taken before the first read, so the
 * checks and the writes hold it together (a second process on the file waits). better-sqlite3
 * transactions are synchronous: nothing in `fn` awaits.
 */
export function immediate<A extends unknown[], R> (sqlite: Database, fn: (...args: A) => R): (...args: A) => R {
  const transaction = sqlite.transaction(fn)
  return (...args) => transaction.immediate(...args)
}
