// The database plugin: opens and migrates SQLite, decorates the Drizzle handle, closes it on close.
import type { Database as SqliteDatabase } from 'better-sqlite3'
import fp from 'fastify-plugin'
import { openDatabase, type Db } from '../db/index.js'
import { groupCommit, type GroupCommit } from '../db/group-commit.js'
import { createIdGenerator, type IdGenerator } from '../db/ids.js'
import { createTokenSigner, type TokenSigner } from '../db/tokens.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    sqlite: SqliteDatabase
    ids: IdGenerator
    tokens: TokenSigner
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
  app.decorate('commits', groupCommit(sqlite))
  app.addHook('onClose', async () => {
    sqlite.close()
  })
}, { name: 'db' })
