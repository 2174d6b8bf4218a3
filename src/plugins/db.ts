// The database plugin: opens, checks and migrates SQLite, decorates the Drizzle handle and its health, closes it on close.
import type { Database as SqliteDatabase } from 'better-sqlite3'
import fp from 'fastify-plugin'
import { openDatabase, type Db } from '../db/index.js'
import { groupCommit, type GroupCommit } from '../db/group-commit.js'
import { createIdGenerator, type IdGenerator } from '../db/ids.js'
import { databaseHealth, type DatabaseHealth } from '../db/integrity.js'
import { createTokenSigner, type TokenSigner } from '../db/tokens.js'
import { transactor, type Transact } from '../db/transaction.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    sqlite: SqliteDatabase
    ids: IdGenerator
    tokens: TokenSigner
    /** The one way to write: a function in one IMMEDIATE transaction (src/db/transaction.ts). */
    transact: Transact
    /** One IMMEDIATE transaction per event-loop turn for the writes queued in it (the invitation creates). */
    commits: GroupCommit
    /** What GET /health asks: a real read, and whether any query found the file damaged. */
    dbHealth: DatabaseHealth
  }
}

export interface DbPluginOptions {
  path: string
  idSeed: string
}

export default fp<DbPluginOptions>(async (app, opts) => {
  const { db, sqlite } = openDatabase(opts.path)
  app.decorate('db', db)
  app.decorate('sqlite', sqlite)
  app.decorate('ids', createIdGenerator(sqlite, opts.idSeed))
  app.decorate('tokens', createTokenSigner(sqlite))
  const transact = transactor(db, sqlite)
  app.decorate('transact', transact)
  app.decorate('commits', groupCommit(sqlite, transact))
  const health = databaseHealth(sqlite)
  app.decorate('dbHealth', health)
  // Every route's failure passes here before the error handler: a query that met a damaged page
  // makes /health fail from then on, also when its own read touches no damaged page.
  app.addHook('onError', async (_request, _reply, error) => {
    health.noteError(error)
  })
  app.addHook('onClose', async () => {
    sqlite.close()
  })
}, { name: 'db' })
