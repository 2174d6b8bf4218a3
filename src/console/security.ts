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
