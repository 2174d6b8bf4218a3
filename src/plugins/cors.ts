// The CORS plugin (opt-in, CONFIDENT_MOCK_CORS): lets an admin console in a browser call the server.
import cors from '@fastify/cors'
import fp from 'fastify-plugin'
import { API_KEY_HEADER } from './auth.js'

export interface CorsPluginOptions {
  /** '*' for any origin, or the origins allowed (src/config.ts, corsOrigins). */
  origins: '*' | string[]
}

/**
 * @fastify/cors, registered before the faults, the journal and every route: its onRequest hook runs
 * first, so a preflight is answered (204) before authentication, before any fault and without a
 * journal entry, and every other answer (errors included) carries the CORS headers.
 */
export default fp<CorsPluginOptions>(async (app, opts) => {
  await app.register(cors, {
    origin: opts.origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // The vendor's key header, the admin token's two forms, and JSON bodies.
    allowedHeaders: [API_KEY_HEADER.toUpperCase(), 'Content-Type', 'X-Admin-Token', 'Authorization'],
    // What a console reads: when to retry, and the snapshot's file name.
    exposedHeaders: ['Retry-After', 'Content-Disposition'],
    credentials: false,
    maxAge: 600,
    // Any OPTIONS is answered as a preflight: the strict mode's answer to one without Origin is a
    // text/plain 400, not the error envelope.
    strictPreflight: false
  })
}, { name: 'cors' })
