// The console's sign-in: with an admin token configured, every console page needs a session cookie that only the token can make.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

export const SESSION_COOKIE = 'confident_mock_console'

// A session lasts a working day; signing in again is one paste of the token.
const SESSION_SECONDS = 12 * 60 * 60

const sha256 = (text: string) => createHash('sha256').update(text).digest()

export interface ConsoleAuth {
  /** Whether the console asks for the token at all. */
  readonly required: boolean
  /** Whether the request carries a valid session (always true when no token is configured). */
  signedIn: (request: FastifyRequest) => boolean
  /** Whether the typed token is the configured one (constant time). */
  tokenMatches: (given: string) => boolean
  /** Sets the session cookie on the answer. */
  signIn: (request: FastifyRequest, reply: FastifyReply) => void
  signOut: (request: FastifyRequest, reply: FastifyReply) => void
}

/**
 * The cookie holds an HMAC of a fixed label under the token, never the token itself: it proves the
 * token was typed, survives a restart, and dies when the token changes. HttpOnly (no script reads
 * it), SameSite=Strict (no other site's page sends it), Secure when the console is reached over
 * HTTPS.
 */
export function consoleAuth (token: string | undefined): ConsoleAuth {
  if (token === undefined) {
    return { required: false, signedIn: () => true, tokenMatches: () => false, signIn: () => {}, signOut: () => {} }
  }
  const expectedToken = sha256(token)
  const session = createHmac('sha256', token).update('confident-mock console session v1').digest('base64url')
  const expectedSession = sha256(session)
  const cookieOptions = (request: FastifyRequest) => ({
    httpOnly: true, sameSite: 'strict' as const, path: '/', secure: request.protocol === 'https'
  })
  return {
    required: true,
    signedIn (request) {
      const given = request.cookies[SESSION_COOKIE]
      return typeof given === 'string' && timingSafeEqual(sha256(given), expectedSession)
    },
    tokenMatches: (given) => timingSafeEqual(sha256(given), expectedToken),
    signIn (request, reply) {
      reply.setCookie(SESSION_COOKIE, session, { ...cookieOptions(request), maxAge: SESSION_SECONDS })
    },
    signOut (request, reply) {
      reply.clearCookie(SESSION_COOKIE, cookieOptions(request))
    }
  }
}
