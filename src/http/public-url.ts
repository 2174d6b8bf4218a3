// The server's public base URL (links in emails, the pages): CONFIDENT_MOCK_PUBLIC_URL, or the address it listens on.
import type { AddressInfo } from 'node:net'

/** Where the base URL comes from, and what it is now. */
export interface PublicUrlResolver {
  /** The base URL now, without a trailing slash: e.g. `https://example.test/mock` or `http://localhost:4010`. */
  get: () => string
  /** Records the address the server listens on (server.address()); the base follows it unless one was configured. */
  listening: (address: AddressInfo | string | null) => void
}

/**
 * CONFIDENT_MOCK_PUBLIC_URL as stored: an absolute http(s) URL, maybe with a path (a reverse proxy's
 * prefix), without query, fragment or credentials, normalized (host in lower case, default port
 * dropped) and without trailing slash. Throws an error naming the variable and what is wrong.
 */
export function publicBaseUrl (value: string): string {
  const text = value.trim()
  const wrong = (why: string) => new Error(`CONFIDENT_MOCK_PUBLIC_URL ${why}`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw wrong(`must be an absolute http(s) URL such as https://example.test/mock, not "${text}"`)
  }
  // Not echoed: it holds what looks like a password.
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/\\]*@/i.test(text)) throw wrong('must carry no credentials (user:password@)')
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw wrong(`must be an http or https URL, not ${url.protocol} ("${text}")`)
  if (text.includes('?')) throw wrong(`must have no query (the part from "?"): "${text}"`)
  if (text.includes('#')) throw wrong(`must have no fragment (the part from "#"): "${text}"`)
  return url.href.replace(/\/+$/, '')
}

/** An http URL for a host and port: the wildcard addresses (every interface) read as localhost, IPv6 literals in brackets. */
export function listenUrl (host: string, port: number): string {
  let name = host
  if (name === '0.0.0.0' || name === '::' || name === '[::]') name = 'localhost'
  else if (name.includes(':') && !name.startsWith('[')) name = `[${name}]`
  return `http://${name}:${port}`
}

/**
 * The configured URL when there is one; else the address the server listens on once it does; else
 * (before any listen: app.inject in tests) the configured HOST and PORT.
 */
export function publicUrlResolver (opts: { configured?: string | undefined, host: string, port: number }): PublicUrlResolver {
  const configured = opts.configured === undefined ? undefined : publicBaseUrl(opts.configured)
  let listened: string | undefined
  return {
    get: () => configured ?? listened ?? listenUrl(opts.host, opts.port),
    listening (address) {
      // A string is a pipe or socket path: no URL to make of it.
      if (address !== null && typeof address === 'object') listened = listenUrl(address.address, address.port)
    }
  }
}
