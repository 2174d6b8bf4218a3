// The console's answers' security headers, and the refusal of state-changing requests sent from another site.
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Nothing from another origin, no inline script or style: the console works offline and a value
 * that escaped its escaping still could not run. Frames only from this server (the mailbox shows
 * an email's HTML in a sandboxed frame); the console itself cannot be framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'"
].join('; ')

/**
 * An email's HTML, shown in the mailbox's frame: its own inline styles and data: images only, no
 * script (the sandbox has no allow-scripts either), links opening in a new tab (allow-popups).
 */
export const EMAIL_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  "frame-ancestors 'self'",
  'sandbox allow-popups allow-popups-to-escape-sandbox'
].join('; ')

export async function securityHeaders (_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('content-security-policy', CONSOLE_CSP)
  reply.header('x-content-type-options', 'nosniff')
  reply.header('referrer-policy', 'same-origin')
  reply.header('cross-origin-opener-policy', 'same-origin')
  reply.header('cache-control', 'no-store')
}

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
