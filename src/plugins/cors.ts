// The CORS plugin (opt-in, CONFIDENT_MOCK_CORS): lets an admin console in a browser call the server.
import cors from '@fastify/cors'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
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
/** What a console reads: when to retry, and the snapshot's file name. */
const EXPOSED_HEADERS = ['Retry-After', 'Content-Disposition']

type FrameworkErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void

/**
 * Fastify's frameworkErrors handler (a path that is not a valid URL, a parameter too long) answers
 * before any hook, so before @fastify/cors: this gives its answer the same CORS headers, so a
 * console reads the error rather than a CORS failure.
 */
export function withCorsHeaders (handler: FrameworkErrorHandler, origins: '*' | string[]): FrameworkErrorHandler {
  return (error, request, reply) => {
    const origin = request.headers.origin
    if (origins === '*') {
      reply.header('access-control-allow-origin', '*')
    } else {
      reply.header('vary', 'Origin')
      if (typeof origin === 'string' && origins.includes(origin)) reply.header('access-control-allow-origin', origin)
    }
    if (reply.hasHeader('access-control-allow-origin')) reply.header('access-control-expose-headers', EXPOSED_HEADERS.join(', '))
    handler(error, request, reply)
  }
}

export default fp<CorsPluginOptions>(async (app, opts) => {
  await app.register(cors, {
    origin: opts.origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // The vendor's key header, the admin token's two forms, and JSON bodies.
    allowedHeaders: [API_KEY_HEADER.toUpperCase(), 'Content-Type', 'X-Admin-Token', 'Authorization'],
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
    // Any OPTIONS is answered as a preflight: the strict mode's answer to one without Origin is a
    // text/plain 400, not the error envelope.
    strictPreflight: false
  })
}, { name: 'cors' })
