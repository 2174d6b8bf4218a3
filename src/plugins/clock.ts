// The clock plugin: one server clock on the instance, for timestamps and the trial rule.
import fp from 'fastify-plugin'
import { Clock } from '../clock.js'

declare module 'fastify' {
  interface FastifyInstance {
    clock: Clock
  }
}

export interface ClockPluginOptions {
  clock?: Clock
}

export default fp<ClockPluginOptions>(async (app, opts) => {
  app.decorate('clock', opts.clock ?? new Clock())
}, { name: 'clock' })
