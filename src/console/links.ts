// Relative URLs: every console link is written from the console's root, resolved by a <base href> the page computes, so the console works under any path prefix.
import type { FastifyRequest } from 'fastify'

/**
 * The way from the page a request asked for back to the console's root, as a relative URL: `./`
 * for `/` and `/mail`, `../` for `/mail/12`, `../../` for `/organizations/o/projects/p`. Behind a
 * reverse proxy that serves the console under `/mock/`, `/mock/mail/12` still finds `/mock/`.
 */
export function rootOf (request: FastifyRequest): string {
  const path = request.url.split('?')[0]!
  const depth = path.split('/').length - 2
  return depth <= 0 ? './' : '../'.repeat(depth)
}

/**
 * A console path (relative to the root, e.g. `mail?to=a`) as a Location for a redirect answered to
 * this request. Only paths of the console's own are accepted: anything that could leave it
 * (`//host`, `https:`, `\`) becomes the root, so a `next` parameter cannot send anyone elsewhere.
 */
export function redirectTo (request: FastifyRequest, target: string): string {
  return rootOf(request) + (isConsolePath(target) ? target : '')
}

/**
 * A path below the console's root: no scheme, no host, no backslash, no control character or
 * space (a Location header cannot carry them), and no dot segment, written or percent-encoded
 * (a browser reads `%2e%2e` as `..`: behind a proxy that would leave its prefix).
 */
function isConsolePath (target: string): boolean {
  if (!/^[A-Za-z0-9_~-][^\\:]*$/.test(target)) return false
  for (let i = 0; i < target.length; i++) {
    const code = target.charCodeAt(i)
    if (code <= 0x20 || code === 0x7f) return false
  }
  const path = target.split(/[?#]/)[0]!
  return path.split('/').every((segment) => !/^(\.|%2e){1,2}$/i.test(segment))
}

/** A query string from the non-empty values, for links that keep a page's filters. */
export function query (values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value))
  }
  const text = params.toString()
  return text === '' ? '' : `?${text}`
}

/** A form field as sent (empty when left blank): its trimmed text, or undefined for a blank one. */
export function filled (value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed === undefined || trimmed === '' ? undefined : trimmed
}
