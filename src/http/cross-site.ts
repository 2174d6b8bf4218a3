// Whether a state-changing request was sent by a page of another site: the console's forms and the control API refuse those.
import type { FastifyRequest } from 'fastify'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Whether a state-changing request comes from this server's own pages, by what the browser says
 * of where it was sent from (the algorithm of Go 1.25's CrossOriginProtection): Sec-Fetch-Site,
 * which every current browser sends, must be same-origin (or none: typed in, a bookmark); a
 * browser without it is judged by Origin against the Host it asked. A request with neither header
 * is not a browser's (curl, a script) and carries no ambient credentials to abuse. No token in
 * forms: it works behind a reverse proxy and for the invitee page, which has no session.
 */
export function isCrossSite (request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return false
  const site = request.headers['sec-fetch-site']
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none'
  const origin = request.headers.origin
  if (origin === undefined) return false
  try {
    // Both through URL, which drops a default port (Origin never carries :80, Host may).
    return new URL(origin).host !== new URL(`${request.protocol}://${request.host}`).host
  } catch {
    return true
  }
}
