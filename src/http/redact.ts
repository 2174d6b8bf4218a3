// Secrets out of text: the keys a request carries, the admin token, and any key in this server's format, in whatever case or encoding they were pasted.
import type { IncomingHttpHeaders } from 'node:http'

export const REDACTED = '[redacted]'
/**
 * Keys this server mints (and the demo key), wherever a client may have pasted one, in any case;
 * also the start of one (4 or more of its hex digits), as a message that cuts a long value short
 * would quote it.
 */
const MINTED_KEY = /confident_(?:org|proj)_[0-9a-f]{4,32}/gi

/** ASCII letters to lower case, nothing else: the result has the same length, so indexes carry over. */
function asciiLower (text: string): string {
  // All ASCII (a log line, nearly always): the native lower-casing is the same and much faster.
  return NON_ASCII.test(text) ? text.replace(/[A-Z]+/g, (run) => run.toLowerCase()) : text.toLowerCase()
}

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/
/** Where a key in this server's format may start, in any case. */
const KEY_START = /confident_/i

/**
 * The text with every `%XX` read as the byte it encodes (one character per byte), and for each
 * character of that reading, where it starts and ends in the text; null when nothing is encoded.
 */
function percentDecoded (text: string): { decoded: string, start: number[], end: number[] } | null {
  if (!/%[0-9a-f]{2}/i.test(text)) return null
  let decoded = ''
  const start: number[] = []
  const end: number[] = []
  for (let i = 0; i < text.length;) {
    const encoded = text[i] === '%' && /^[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 3))
    const width = encoded ? 3 : 1
    decoded += encoded ? String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16)) : text[i]
    start.push(i)
    end.push(i + width)
    i += width
  }
  return { decoded, start, end }
}

/**
 * Each secret as it may be written: as is, inside a JSON string, as the bytes of its UTF-8 (what
 * percent-decoding gives back), with `+` for a space (a form-encoded query); in lower case.
 */
function needles (secrets: readonly string[]): string[] {
  const out = new Set<string>()
  for (const secret of secrets) {
    for (const form of formsOf(secret)) out.add(form)
  }
  return [...out]
}

/**
 * One secret's forms, remembered: the same key comes with every request of a client, and every
 * log line and journal entry is scrubbed of it. Forgotten all at once past FORMS_KEPT secrets.
 */
const forms = new Map<string, readonly string[]>()
const FORMS_KEPT = 1000

function formsOf (secret: string): readonly string[] {
  let known = forms.get(secret)
  if (known === undefined) {
    known = secret.length === 0
      ? []
      : [...new Set([secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('latin1'), secret.replaceAll(' ', '+')].map(asciiLower))]
    if (forms.size >= FORMS_KEPT) forms.clear()
    forms.set(secret, known)
  }
  return known
}

/**
 * Replaces every occurrence of the given secrets, and of any key in this server's format, in a
 * string: in any letter case, escaped as in JSON, and with some or all of their characters
 * percent-encoded (as a client may paste one into a URL). Only the secret's own span is replaced.
 */
export function scrubText (text: string, secrets: readonly string[]): string {
  const view = percentDecoded(text)
  const haystack = view === null ? text : view.decoded
  const sought = needles(secrets)
  const keyed = KEY_START.test(haystack)
  // Nothing to look for (a log line when no admin token is set): no lower-cased copy of the text.
  if (sought.length === 0 && !keyed) return text
  const lower = sought.length === 0 ? '' : asciiLower(haystack)
  const spans: Array<[number, number]> = []
  for (const needle of sought) {
    for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + 1)) spans.push([at, at + needle.length])
  }
  if (keyed) {
    for (const match of haystack.matchAll(MINTED_KEY)) spans.push([match.index, match.index + match[0].length])
  }
  if (spans.length === 0) return text
  // Back to positions in the text, merged where they overlap.
  const ranges = spans.map(([from, to]): [number, number] => view === null ? [from, to] : [view.start[from]!, view.end[to - 1]!])
    .sort((a, b) => a[0] - b[0])
  let out = ''
  let done = 0
  let open: [number, number] | null = null
  for (const range of ranges) {
    if (open !== null && range[0] < open[1]) {
      open[1] = Math.max(open[1], range[1])
      continue
    }
    if (open !== null) {
      out += text.slice(done, open[0]) + REDACTED
      done = open[1]
    }
    open = [range[0], range[1]]
  }
  return out + text.slice(done, open![0]) + REDACTED + text.slice(open![1])
}

/**
 * Credentials shorter than this are not looked for: no key (16 characters or more) or admin token
 * (8 or more) is that short, and replacing, say, every "a" would only garble the text.
 */
const SHORTEST_SECRET = 8

/** The credentials a request's headers carry: its API key, admin token, bearer token. */
export function secretsOf (headers: IncomingHttpHeaders): string[] {
  const secrets: string[] = []
  for (const name of ['confident_api_key', 'x-admin-token']) {
    const value = headers[name]
    if (typeof value === 'string') secrets.push(value)
  }
  const bearer = typeof headers.authorization === 'string' ? /^Bearer\s+(\S.*)$/i.exec(headers.authorization) : null
  if (bearer !== null) secrets.push(bearer[1]!.trim())
  return secrets.filter((secret) => secret.length >= SHORTEST_SECRET)
}
