// Where each API lives: the vendor's under /v1, the server's own control API under /__admin.

export const VENDOR_PREFIX = '/v1'
export const CONTROL_PREFIX = '/__admin'

/**
 * Whether a request URL (path and query as sent) is the vendor API's: /v1 itself, with or without a
 * query string, or anything below it. Faults and the journal both decide with this, so a request a
 * fault can hit is a request the journal records.
 */
export function isVendorUrl (url: string): boolean {
  return url.startsWith(VENDOR_PREFIX) && (url.length === VENDOR_PREFIX.length || url[VENDOR_PREFIX.length] === '/' || url[VENDOR_PREFIX.length] === '?')
}
