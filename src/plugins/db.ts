// The database plugin: opens and migrates SQLite, decorates the Drizzle handle, closes it on close.
import type { Database as SqliteDatabase } from 'better-sqlite3'
import fp from 'fastify-plugin'
import { openDatabase, type Db } from '../db/index.js'
import { groupCommit, type GroupCommit } from '../db/group-commit.js'
import { createIdGenerator, type IdGenerator } from '../db/ids.js'
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
  app.addHook('onClose', async () => {
    sqlite.close()
  })
}, { name: 'db' })
