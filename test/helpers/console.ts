// Console test helpers: pages fetched and forms posted through app.inject as a browser on the console's own pages would.
import type { App } from '../../src/app.js'

/** A hostile value for names, emails, paths and headers: markup, quotes, a javascript: URL. */
export const HOSTILE = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>javascript:alert(3)'

export interface PageOptions {
  /** A Cookie header (a signed-in session). */
  cookie?: string
  headers?: Record<string, string>
}

/** GETs a console page; answers the status, the HTML and the headers. */
export async function getPage (app: App, url: string, opts: PageOptions = {}) {
  const res = await app.inject({
    method: 'GET',
    url,
    headers: { accept: 'text/html', ...(opts.cookie === undefined ? {} : { cookie: opts.cookie }), ...opts.headers }
  })
  return { status: res.statusCode, html: res.body, headers: res.headers }
}

/**
 * POSTs a form as the console's own page does: URL-encoded, with the Sec-Fetch-Site a browser sends
 * for a same-origin form (override `headers` to act as another site).
 */
export async function postForm (app: App, url: string, fields: Record<string, string>, opts: PageOptions = {}) {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
      ...(opts.cookie === undefined ? {} : { cookie: opts.cookie }),
      ...opts.headers
    },
    payload: new URLSearchParams(fields).toString()
  })
  return { status: res.statusCode, html: res.body, headers: res.headers, location: res.headers.location as string | undefined }
}

/**
 * The text of an element by id (its inner HTML, tags removed, entities left as they are): enough
 * to assert what a region shows without a DOM library.
 */
export function region (html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`)
  if (start === -1) throw new Error(`no element with id="${id}"`)
  const open = html.lastIndexOf('<', start)
  const tag = /^<([a-z0-9]+)/i.exec(html.slice(open))![1]!
  // Finds the matching close tag, counting nested elements of the same name.
  let depth = 0
  const pattern = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'gi')
  pattern.lastIndex = open
  for (let m = pattern.exec(html); m !== null; m = pattern.exec(html)) {
    depth += m[1] === '/' ? -1 : 1
    if (depth === 0) return html.slice(open, m.index + m[0].length)
  }
  throw new Error(`element with id="${id}" is not closed`)
}

/** Asserts-friendly: whether the raw hostile markup appears anywhere unescaped. */
export function hasRawMarkup (html: string): boolean {
  return html.includes('<script>alert(1)</script>') || html.includes('<img src=x onerror=alert(2)>')
}
