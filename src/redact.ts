// Secrets out of text: the keys a request carries, the admin token, and any key in this server's format.
import type { IncomingHttpHeaders } from 'node:http'

export const REDACTED = '[redacted]'
/** Keys this server mints (and the demo key), wherever a client may have pasted one. */
const MINTED_KEY = /confident_(?:org|proj)_[0-9a-f]{32}/g

/** Replaces every occurrence of the given secrets, and of any minted key, in a string. */
export function scrubText (text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join(REDACTED)
  }
  return out.includes('confident_') ? out.replace(MINTED_KEY, REDACTED) : out
}

/** The credentials a request's headers carry: its API key, admin token, bearer token. */
export function secretsOf (headers: IncomingHttpHeaders): string[] {
  const secrets: string[] = []
  for (const name of ['confident_api_key', 'x-admin-token']) {
    const value = headers[name]
    if (typeof value === 'string' && value !== '') secrets.push(value)
  }
  const bearer = typeof headers.authorization === 'string' ? /^Bearer\s+(\S.*)$/i.exec(headers.authorization) : null
  if (bearer !== null) secrets.push(bearer[1]!.trim())
  return secrets
}
