// Accept/decline tokens: an HMAC of the invitation under a per-database secret, nothing stored per row.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import type { InvitationKind } from '../domain/vocabulary.js'

/** What a token is computed from: all fixed for the life of one invitation row. */
export interface TokenSubject {
  kind: InvitationKind
  id: number
  email: string
  createdAt: number
}

export interface TokenSigner {
  sign: (subject: TokenSubject) => string
  /** The kind and id a well-formed token names; the caller loads the row and calls `matches`. */
  parse: (token: string) => { kind: InvitationKind, id: number } | null
  matches: (token: string, subject: TokenSubject) => boolean
}

const PREFIX = { PROJECT: 'pi', ORGANIZATION: 'oi' } as const
const TOKEN = /^(pi|oi)_([1-9]\d{0,15})_([A-Za-z0-9_-]{22})$/

/**
 * Tokens are `pi_<id>_<mac>` (project) or `oi_<id>_<mac>` (organization); the 132-bit MAC covers
 * the id, address and creation time, so a token dies with its invitation (revoked, or an id
 * handed out again after a reset) and no token column or index costs a write per invitation.
 */
export function createTokenSigner (sqlite: Database): TokenSigner {
  sqlite.prepare("insert or ignore into meta (key, value) values ('token_secret', ?)").run(randomBytes(32).toString('hex'))
  const secret = Buffer.from(sqlite.prepare<[], { value: string }>("select value from meta where key = 'token_secret'").get()!.value, 'hex')
  const mac = (s: TokenSubject) =>
    createHmac('sha256', secret).update(`${s.kind}:${s.id}:${s.email}:${s.createdAt}`).digest('base64url').slice(0, 22)
  return {
    sign: (s) => `${PREFIX[s.kind]}_${s.id}_${mac(s)}`,
    parse (token) {
      const m = TOKEN.exec(token)
      if (m === null) return null
      return { kind: m[1] === 'pi' ? 'PROJECT' : 'ORGANIZATION', id: Number(m[2]) }
    },
    matches (token, s) {
      const expected = Buffer.from(this.sign(s))
      const given = Buffer.from(token)
      return given.length === expected.length && timingSafeEqual(given, expected)
    }
  }
}
