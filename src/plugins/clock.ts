// The clock plugin: one server clock on the instance, for timestamps and the trial rule.
import fp from 'fastify-plugin'
import { Clock } from '../domain/clock.js'

declare module 'fastify' {
  interface FastifyInstance {
    clock: Clock
  }
}

export interface ClockPluginOptions {
  clock?: Clock
  /** Start frozen at this ISO 8601 time (CONFIDENT_MOCK_CLOCK) when no clock is given. */
  frozenAt?: string
}

export default fp<ClockPluginOptions>(async (app, opts) => {
  app.decorate('clock', opts.clock ?? new Clock(opts.frozenAt === undefined ? undefined : Date.parse(opts.frozenAt)))
}, { name: 'clock' })
