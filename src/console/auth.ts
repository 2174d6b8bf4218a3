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
 * The cookie's name for this server: cookies ignore ports, so two servers on one host (the dev
 * server on 4010, a test's on another port) would otherwise overwrite each other's session.
 */
export function cookieName (request: FastifyRequest): string {
  const port = /:(\d+)$/.exec(request.host)?.[1]
  return port === undefined ? SESSION_COOKIE : `${SESSION_COOKIE}_${port}`
}

export interface AuthOptions {
  /** The admin token; unset, the console is open. */
  token?: string | undefined
  /** Whether the console is reached over HTTPS (a public URL of https, behind a proxy). */
  https?: () => boolean
  /** The time, in ms (tests move it). */
  now?: () => number
}

/**
 * The cookie holds the time it was issued and an HMAC of that time under the token, never the
 * token: it proves the token was typed, survives a restart, dies when the token changes, and is
 * refused by the server once 12 hours old whatever the browser keeps. HttpOnly (no script reads
 * it), SameSite=Strict (no other site's page sends it), Secure when the console is reached over
 * HTTPS (the request's own protocol, or a public URL of https in front of a proxy). Signing out
 * clears the cookie in the browser; a copy kept elsewhere stays valid until it expires (there is
 * no session store to revoke it in).
 */
export function consoleAuth ({ token, https = () => false, now = Date.now }: AuthOptions): ConsoleAuth {
  if (token === undefined) {
    return { required: false, signedIn: () => true, tokenMatches: () => false, signIn: () => {}, signOut: () => {} }
  }
  const expectedToken = sha256(token)
  const mac = (issued: string) => createHmac('sha256', token).update(`confident-mock console session v2 ${issued}`).digest('base64url')
  const cookieOptions = (request: FastifyRequest) => ({
    httpOnly: true, sameSite: 'strict' as const, path: '/', secure: request.protocol === 'https' || https()
  })
  return {
    required: true,
    signedIn (request) {
      const given = request.cookies[cookieName(request)]
      const match = typeof given === 'string' ? /^(\d{1,15})\.([\w-]{43})$/.exec(given) : null
      if (match === null) return false
      const age = now() / 1000 - Number(match[1])
      return age >= -60 && age < SESSION_SECONDS && timingSafeEqual(sha256(match[2]!), sha256(mac(match[1]!)))
    },
    tokenMatches: (given) => timingSafeEqual(sha256(given), expectedToken),
    signIn (request, reply) {
      const issued = String(Math.floor(now() / 1000))
      reply.setCookie(cookieName(request), `${issued}.${mac(issued)}`, { ...cookieOptions(request), maxAge: SESSION_SECONDS })
    },
    signOut (request, reply) {
      reply.clearCookie(cookieName(request), cookieOptions(request))
    }
  }
}
