// The services plugin: decorates the app with every service the composition root (src/services/index.ts) builds.
import fp from 'fastify-plugin'
import type { Fixtures } from '../boot-state/schema.js'
import type { PublicUrlResolver } from '../http/public-url.js'
import { buildServices, type Services } from '../services/index.js'
import type { DeliveryTiming } from '../services/delivery-timing.js'

declare module 'fastify' {
  // Each service is app.<name>: app.invitations, app.tenants, app.state...
  interface FastifyInstance extends Services {}
}

export interface ServicesPluginOptions {
  /** A fixtures file to read at boot, or a document given directly (tests, the embeddable API). */
  fixtures?: string | Fixtures | undefined
  /** The server's public base URL, for the links in emails (src/http/public-url.ts). */
  publicUrl: PublicUrlResolver
  /** The most /v1 requests the journal keeps (CONFIDENT_MOCK_JOURNAL_SIZE); 0 keeps none. */
  journalSize: number
  /** The admin token, redacted in the journal wherever a client may have sent it. */
  adminToken?: string | undefined
  /** Where invitation emails also go over SMTP (CONFIDENT_MOCK_SMTP_URL, _FROM), and how hard it tries. */
  smtp?: { url: string, from: string, timing?: DeliveryTiming | undefined } | undefined
}

export default fp<ServicesPluginOptions>(async (app, opts) => {
  const services = buildServices({
    db: app.db, sqlite: app.sqlite, ids: app.ids, tokens: app.tokens, commits: app.commits, transact: app.transact, clock: app.clock, fixtures: opts.fixtures, publicUrl: opts.publicUrl, journalSize: opts.journalSize, adminToken: opts.adminToken, smtp: opts.smtp, log: app.log
  })
  for (const [name, service] of Object.entries(services) as Array<[string, unknown]>) app.decorate(name, service)
  const { delivery } = services
  if (delivery !== null) {
    // Emails a previous run left pending go now; at close, what is pending stays so for the next start.
    app.addHook('onReady', async () => { delivery.kick() })
    app.addHook('onClose', async () => { await delivery.close() })
  }
}, { name: 'services', dependencies: ['db', 'clock'] })
