// The boot-state plugin: at boot, applies the fixtures, or seeds the demo organization into a new database (src/services/state.ts).
import fp from 'fastify-plugin'
import type { DemoInfo } from '../boot-state/demo.js'
import type { BootResult } from '../services/state.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The demo organization's key and project, when this database holds them. */
    demo: DemoInfo | null
  }
}

const LOG: Record<BootResult['outcome'], string | null> = {
  fixtures: 'fixtures applied',
  already: 'fixtures already applied to this database',
  demo: 'new database: seeded the demo organization',
  kept: null
}

export default fp(async (app) => {
  const { outcome, demo } = app.state.boot()
  const line = LOG[outcome]
  if (outcome === 'fixtures' || outcome === 'already') app.log.info({ applied: outcome === 'fixtures' }, line!)
  else if (line !== null) app.log.info(line)
  app.decorate('demo', demo)
}, { name: 'boot-state', dependencies: ['services'] })
