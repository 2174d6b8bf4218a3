// The one way to write: a function run in one IMMEDIATE transaction, handed the Tx every repository write takes.
import type Sqlite from 'better-sqlite3'
import type { Db } from './index.js'

declare const inTransaction: unique symbol

/**
 * The open transaction, as repositories receive it. better-sqlite3 has one connection and runs a
 * transaction on it, so the handles are the connection's own: a Tx is the proof, checked by the type
 * system, that a write runs inside a transaction opened by `transact`, and the handle it runs on.
 * It is valid only while the function it was handed to runs.
 */
export interface Tx {
  readonly db: Db
  readonly sqlite: Sqlite.Database
  readonly [inTransaction]: true
}

/** Runs `fn` in a transaction and returns what it returned; what it throws rolls the transaction back. */
export type Transact = <R>(fn: (tx: Tx) => R) => R

/**
 * The transaction helper. At the top level it opens an IMMEDIATE transaction: the write lock is
 * taken before the first read, so the checks and the writes hold it together (a second process on
 * the file waits). Called inside one, it opens a savepoint: the inner function's failure rolls back
 * only its own writes. Synchronous, as better-sqlite3 is: nothing in `fn` awaits.
 */
export function transactor (db: Db, sqlite: Sqlite.Database): Transact {
  const tx = { db, sqlite } as Tx
  const run = sqlite.transaction((fn: (tx: Tx) => unknown) => fn(tx))
  return <R>(fn: (tx: Tx) => R): R => (sqlite.inTransaction ? run(fn) : run.immediate(fn)) as R
}
