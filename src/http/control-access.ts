// Who may call the control API under /__admin: not a page of another site, and with the admin token when one is set; its unknown paths answered behind the same checks.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AdminTokenInvalidError, AdminTokenMissingError, CrossSiteRequestError, envelope } from '../domain/errors.js'
import { isCrossSite } from './cross-site.js'

export interface ControlAccessOptions {
  /** When set, every control call must carry it. */
  token?: string | undefined
  /** The origins CONFIDENT_MOCK_CORS lets in (a browser console of theirs may change state). */
  cors?: '*' | string[] | undefined
}

const sha256 = (text: string) => createHash('sha256').update(text).digest()

/** The token a request carries: X-Admin-Token, or Authorization: Bearer. */
function tokenOf (request: FastifyRequest): string | null {
  const header = request.headers['x-admin-token']
  if (typeof header === 'string' && header !== '') return header
  const auth = request.headers.authorization
  const match = typeof auth === 'string' ? /^Bearer\s+(\S.*)$/i.exec(auth) : null
  return match === null ? null : match[1]!.trim()
}

/**
 * The control scope's onRequest hook. A page of another site must not reset an open server on
 * 127.0.0.1 with a form or a no-cors fetch (the token, when set, is a header no page can add;
 * without one the control API is open): a state-changing call a browser says came from another
 * site is refused (403), unless its origin is one CONFIDENT_MOCK_CORS names. Then, when a token is
 * set, a call without it or with another is refused (401).
 */
export function controlAccess (opts: ControlAccessOptions): (request: FastifyRequest) => Promise<void> {
  const allowed = (origin: string | undefined) => opts.cors === '*' || (origin !== undefined && opts.cors?.includes(origin) === true)
  // Digests of equal length, compared in constant time: neither the token nor its length leaks.
  const expected = opts.token === undefined ? null : sha256(opts.token)
  return async (request) => {
    if (isCrossSite(request) && !allowed(request.headers.origin)) throw new CrossSiteRequestError()
    if (expected === null) return
    const given = tokenOf(request)
    if (given === null) throw new AdminTokenMissingError()
    if (!timingSafeEqual(sha256(given), expected)) throw new AdminTokenInvalidError()
  }
}

/** The control scope's not-found handler: an unknown path under the prefix, in the envelope, after the checks above. */
export function controlNotFound (request: FastifyRequest, reply: FastifyReply): void {
  reply.code(404).send(envelope(`Route ${request.method} ${request.url.split('?')[0]} not found`))
}
