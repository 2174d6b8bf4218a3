// The fixtures plugin: at boot, applies the fixtures file, or seeds the demo organization into a new database.
import { sql } from 'drizzle-orm'
import fp from 'fastify-plugin'
import { applyFixtures, fixturesRecorded } from '../boot-state/apply.js'
import { ensureCatalog } from '../boot-state/catalog.js'
import { readFixturesFile } from '../boot-state/parse.js'
import { DEMO_FIXTURES, DEMO_ORG_KEY, DEMO_PROJECT_ID } from '../boot-state/demo.js'
import type { Fixtures } from '../boot-state/schema.js'
import { keyDigest } from '../keys.js'
import { apiKeys, organizations } from '../db/schema.js'
import { eq } from 'drizzle-orm'

export interface DemoInfo {
  apiKey: string
  projectId: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The demo organization's key and project, when this database holds them. */
    demo: DemoInfo | null
    /** What a reset to fixtures restores: the configured fixtures, or the demo organization. */
    bootFixtures: Fixtures
  }
}

export interface FixturesPluginOptions {
  /** A fixtures file to read, or a document given directly (tests, the embeddable API). */
  fixtures?: string | Fixtures
}

export default fp<FixturesPluginOptions>(async (app, opts) => {
  const now = app.clock.now()
  if (opts.fixtures !== undefined) {
    const doc = typeof opts.fixtures === 'string' ? readFixturesFile(opts.fixtures) : opts.fixtures
    const result = applyFixtures(app.db, app.ids, doc, now)
    app.log.info({ applied: result.applied }, result.applied ? 'fixtures applied' : 'fixtures already applied to this database')
    app.decorate('bootFixtures', doc)
  } else {
    app.decorate('bootFixtures', DEMO_FIXTURES)
    const count = app.db.select({ n: sql<number>`count(*)` }).from(organizations).get()!.n
    // A database emptied on purpose (a reset to empty) stays empty.
    if (count === 0 && !fixturesRecorded(app.db)) {
      applyFixtures(app.db, app.ids, DEMO_FIXTURES, now)
      app.log.info('new database: seeded the demo organization')
    } else {
      ensureCatalog(app.db, now)
    }
  }
  const demoKey = app.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.digest, keyDigest(DEMO_ORG_KEY))).get()
  app.decorate('demo', demoKey === undefined ? null : { apiKey: DEMO_ORG_KEY, projectId: DEMO_PROJECT_ID })
}, { name: 'fixtures', dependencies: ['db', 'clock'] })
