// Secret-leak checks: the forms a key or token takes when copied into text, a register of secrets with the one answer that made each, and clients recording every exchange.
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import type { App } from '../../src/app.js'

/** Percent-encodes every byte, not only the reserved ones. */
function percentAll (value: string): string {
  return [...Buffer.from(value)].map((b) => '%' + b.toString(16).padStart(2, '0')).join('')
}

/**
 * The ways a secret could show up in text besides as sent: URL-encoded (some or all of its bytes,
 * `+` for a space, any case), escaped in JSON, in base64, as a Buffer's bytes or hex, and for a key
 * in this server's format its random part without the prefix. Compared without regard to case,
 * except base64 (whose case carries information).
 */
export function secretForms (value: string): Array<{ form: string, text: string, caseSensitive: boolean }> {
  const forms: Array<{ form: string, text: string, caseSensitive: boolean }> = [
    { form: 'clear', text: value, caseSensitive: false },
    { form: 'percent-encoded', text: encodeURIComponent(value), caseSensitive: false },
    { form: 'form-encoded', text: new URLSearchParams({ x: value }).toString().slice(2), caseSensitive: false },
    { form: 'every byte percent-encoded', text: percentAll(value), caseSensitive: false },
    { form: 'JSON-escaped', text: JSON.stringify(value).slice(1, -1), caseSensitive: false },
    { form: 'unicode-escaped', text: [...value].map((c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).join(''), caseSensitive: false },
    { form: 'base64', text: Buffer.from(value).toString('base64').replace(/=+$/, ''), caseSensitive: true },
    { form: 'base64url', text: Buffer.from(value).toString('base64url'), caseSensitive: true },
    { form: 'hex', text: Buffer.from(value).toString('hex'), caseSensitive: false },
    { form: 'bytes', text: [...Buffer.from(value)].join(','), caseSensitive: false }
  ]
  const minted = /^confident_(?:org|proj)_([0-9a-f]{32})$/.exec(value)
  if (minted !== null) forms.push({ form: 'without its prefix', text: minted[1]!, caseSensitive: false })
  const seen = new Set<string>()
  return forms.filter((f) => !seen.has(`${f.caseSensitive}:${f.text}`) && seen.add(`${f.caseSensitive}:${f.text}`))
}

/** A text searched many times: its lower-case copy, and a lower-case copy with every `%XX` decoded, are made once. */
export class Haystack {
  readonly text: string
  readonly lower: string
  /** What some or all bytes percent-encoded (one character encoded, a mix) come back to. */
  readonly decoded: string
  constructor (text: string) {
    this.text = text
    this.lower = text.toLowerCase()
    this.decoded = text.replace(/%[0-9a-f]{2}/gi, (m) => String.fromCharCode(parseInt(m.slice(1), 16))).toLowerCase()
  }
}

/** The forms of the secret found in the text, each with a little of its surroundings. */
export function findSecret (haystack: Haystack | string, value: string): string[] {
  const h = typeof haystack === 'string' ? new Haystack(haystack) : haystack
  const found: string[] = []
  for (const { form, text, caseSensitive } of secretForms(value)) {
    const at = caseSensitive ? h.text.indexOf(text) : h.lower.indexOf(text.toLowerCase())
    if (at !== -1) found.push(`${form}: …${h.text.slice(Math.max(0, at - 40), at + text.length + 40)}…`)
  }
  if (found.length > 0) return found
  const bytes = Buffer.from(value).toString('latin1').toLowerCase()
  const at = h.decoded.indexOf(bytes)
  if (at !== -1) return [`partly percent-encoded: …${h.decoded.slice(Math.max(0, at - 40), at + bytes.length + 40)}… (decoded)`]
  // Most of it, as a message that cuts a long value short would quote it: all but 8 characters are
  // too many to leave out (a key's last 6 are shown on purpose, as the vendor does).
  const width = value.length - 8
  if (width < 12) return found
  for (let i = 0; i + width <= value.length; i++) {
    const part = value.slice(i, i + width).toLowerCase()
    const where = h.lower.indexOf(part)
    if (where !== -1) return [`${width} of its ${value.length} characters: …${h.text.slice(Math.max(0, where - 40), where + width + 40)}…`]
  }
  return found
}

export interface Secret {
  label: string
  value: string
  /** The number of the one exchange whose answer may show it (the answer that created it); null for none. */
  createdBy: number | null
  /** A known gap: why the log or the journal may show it (their checks for it are then `todo`). */
  gap?: string | undefined
}

/** The secrets of a run, in the order they were made. */
export class Secrets {
  readonly list: Secret[] = []
  add (label: string, value: string, createdBy: number | null = null, gap?: string): Secret {
    if (this.list.some((s) => s.value === value)) throw new Error(`secret ${label} registered twice`)
    const secret = { label, value, createdBy, gap }
    this.list.push(secret)
    return secret
  }
}

/** A request as the scenario writes it. `route` names the served route it is aimed at, as `METHOD /path/{param}`. */
export interface RequestSpec {
  label: string
  method: string
  url: string
  route?: string
  headers?: Record<string, string>
  /** Sent as is (give the content type in headers). */
  body?: string | Buffer
  /** Sent as JSON, with its content type. */
  json?: unknown
  /** A known gap: why its answer is expected to show a secret (checked as `todo`). */
  gap?: string
}

export interface Exchange extends RequestSpec {
  n: number
  status: number
  responseHeaders: Record<string, unknown>
  text: string
}

export interface Client {
  exchanges: Exchange[]
  send: (spec: RequestSpec) => Promise<Exchange>
  /** Bytes written straight to a socket (for what no HTTP client sends); the raw answer is recorded. */
  raw?: (label: string, bytes: string) => Promise<Exchange>
}

function prepared (spec: RequestSpec): { headers: Record<string, string>, body: string | Buffer | undefined } {
  if (spec.json === undefined) return { headers: { ...spec.headers }, body: spec.body }
  return { headers: { 'content-type': 'application/json', ...spec.headers }, body: JSON.stringify(spec.json) }
}

function recorder (transport: (spec: RequestSpec) => Promise<Omit<Exchange, keyof RequestSpec | 'n'>>): Client {
  const exchanges: Exchange[] = []
  return {
    exchanges,
    send: async (spec) => {
      const exchange = { ...spec, n: exchanges.length + 1, ...await transport(spec) }
      exchanges.push(exchange)
      return exchange
    }
  }
}

/** Requests through app.inject. */
export function injectClient (app: App): Client {
  return recorder(async (spec) => {
    const { headers, body } = prepared(spec)
    const res = await app.inject({ method: spec.method as 'GET', url: spec.url, headers, ...(body === undefined ? {} : { payload: body }) })
    return { status: res.statusCode, responseHeaders: res.headers, text: res.body }
  })
}

/** Requests over HTTP/1.1 with node:http, which sends the path exactly as written. */
export function httpClient (base: string): Client {
  const { hostname, port } = new URL(base)
  const client = recorder((spec) => new Promise((resolve, reject) => {
    const { headers, body } = prepared(spec)
    let answered = false
    const req = httpRequest({ host: hostname, port, method: spec.method, path: spec.url, headers, agent: false }, (res) => {
      answered = true
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, responseHeaders: res.headers, text: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    // A server refusing a large body answers, then closes the connection while the rest is being
    // sent: a write error then, once answered, is expected.
    req.on('error', (err) => {
      if (!answered) reject(err)
    })
    req.end(body)
  }))
  client.raw = (label, bytes) => new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    // The server answers and closes within milliseconds; 10 s is for a loaded machine.
    socket.setTimeout(10_000, () => socket.destroy())
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    // A server that refuses a request mid-send (431: headers too large) answers and closes while
    // the rest is still being written: the write's EPIPE or ECONNRESET is not the exchange failing.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err)
    })
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString()
      const exchange: Exchange = {
        label,
        method: 'RAW',
        url: bytes.split('\r\n')[0]!.slice(0, 200),
        n: client.exchanges.length + 1,
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        responseHeaders: {},
        text
      }
      client.exchanges.push(exchange)
      resolve(exchange)
    })
    socket.end(bytes)
  })
  return client
}

/** A stream for pino that keeps every line written to it. */
export function logCapture () {
  const lines: string[] = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      lines.push(chunk.toString())
      done()
    }
  })
  return { lines, stream, text: () => lines.join('') }
}

/** The whole of an answer as text: status, headers and body. */
export function answerText (exchange: Exchange): string {
  return `${exchange.status}\n${JSON.stringify(exchange.responseHeaders)}\n${exchange.text}`
}
