// One exit for every failure: the vendor's error envelope, for route errors and unknown routes alike; none repeats a credential.
import { isUtf8 } from 'node:buffer'
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import createError from '@fastify/error'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { scrubText, secretsOf } from '../redact.js'

export interface ErrorEnvelope {
  success: false
  error: string
  deprecated: false
}

export function envelope (message: string): ErrorEnvelope {
  return { success: false, error: message, deprecated: false }
}

const GENERIC_500 = 'An unexpected error occurred'

/**
 * Errors Fastify raises before routing (a path that is not valid percent-encoding, a path
 * parameter over the router's limit): the Fastify `frameworkErrors` option.
 */
export function frameworkErrors (error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The request path is not a valid URL'
  reply.code(400).send(envelope(message))
}

/** Node's client errors that say more than "malformed", by code. */
const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request headers are too large'],
  // The client ended its side mid-request: in the headers, or in a body shorter than its Content-Length.
  HPE_INVALID_EOF_STATE: [400, 'The request ended before it was complete (its headers, or a body shorter than its Content-Length)'],
  // Node's headersTimeout and the requestTimeout set in src/app.ts (60 s each, checked every 30 s):
  // the headers, or the whole body, did not arrive in time.
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request timed out: its headers or body did not arrive in time']
}

/**
 * Requests Node's HTTP parser refuses (oversized headers, malformed framing) never reach Fastify:
 * answer them on the socket, in the envelope. The Fastify `clientErrorHandler` option.
 */
export function clientErrorHandler (error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  // As Node's own handler: once a response on this connection has begun, another cannot be written into it.
  if ((socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true) {
    socket.destroy()
    return
  }
  const [status, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Malformed HTTP request']
  const body = JSON.stringify(envelope(message))
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

export const UnsupportedEncodingError = createError('CM_UNSUPPORTED_ENCODING', 'Unsupported Content-Encoding: send the body uncompressed', 415)
export const InvalidBodyError = createError<[string]>('CM_INVALID_BODY', '%s', 400)

/** A JSON text's own problems JSON.parse lets through: an unpaired surrogate, a key twice in one object. */
export function jsonTextProblem (text: string, value: unknown): string | null {
  // Only a \uD800-\uDFFF escape can put a lone surrogate in a string of valid UTF-8 text.
  if (/\\u[dD][89a-fA-F]/.test(text) && holdsLoneSurrogate(value)) {
    return 'Request body is not valid JSON: a string holds an unpaired UTF-16 surrogate (\\uD800-\\uDFFF)'
  }
  const key = duplicateKey(text)
  if (key === null) return null
  // A long key is not quoted at all: cut short, a secret used as a key (a client's mistake) could no
  // longer be found and scrubbed whole, and no field of this API has a name that long.
  const which = key.length > MAX_QUOTED_KEY ? `a key of ${key.length} characters` : `the key ${JSON.stringify(key)}`
  return `Request body is not valid JSON: ${which} appears twice in one object`
}

/** The longest duplicated key a 400 message quotes; the API's own field names are far shorter. */
const MAX_QUOTED_KEY = 40

/** Under the u flag a pair is one code point: only an unpaired surrogate matches. */
const LONE_SURROGATE = /[\ud800-\udfff]/u

/** Walks the value without recursion: JSON.parse accepts nesting deeper than the call stack. */
function holdsLoneSurrogate (value: unknown): boolean {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const item = stack.pop()
    if (typeof item === 'string') {
      if (LONE_SURROGATE.test(item)) return true
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        if (LONE_SURROGATE.test(key)) return true
        stack.push(child)
      }
    }
  }
  return false
}

/**
 * Strings and the punctuation that gives them a role; numbers and literals never hold these
 * characters. The string pattern is the unrolled form, which crosses a long string in one step
 * rather than one alternation per character (90 ms for 1 MiB).
 */
const JSON_TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|[{}[\],]/g

/**
 * The first key an object of this (valid) JSON text holds twice, compared decoded (`"a"` and
 * `"\u0061"` are one key), or null. JSON.parse would keep the last silently: a client and any
 * proxy reading the first would disagree on what was sent.
 */
function duplicateKey (text: string): string | null {
  // One frame per open object (its keys so far) or array (null); a string right after { or , of an object is a key.
  const frames: Array<Set<string> | null> = []
  let expectKey = false
  JSON_TOKEN.lastIndex = 0
  for (let match = JSON_TOKEN.exec(text); match !== null; match = JSON_TOKEN.exec(text)) {
    const token = match[0]
    if (token === '{') {
      frames.push(new Set())
      expectKey = true
    } else if (token === '[') {
      frames.push(null)
      expectKey = false
    } else if (token === '}' || token === ']') {
      frames.pop()
      expectKey = false
    } else if (token === ',') {
      expectKey = frames.at(-1) instanceof Set
    } else if (expectKey) {
      const keys = frames.at(-1) as Set<string>
      const key = token.includes('\\') ? JSON.parse(token) as string : token.slice(1, -1)
      if (keys.has(key)) return key
      keys.add(key)
      expectKey = false
    }
  }
  return null
}

type JsonTextParser = (request: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => void

/**
 * The JSON body parser: the body must be UTF-8 (the default parser would turn bad bytes into
 * U+FFFD and store them), then Fastify's own parser (`__proto__` and `constructor` keys removed),
 * then no lone surrogate (SQLite would store it as bytes that are not UTF-8) and no duplicate key.
 * With `emptyIsNone`, an empty or blank body reads as no body. Register it with `parseAs: 'buffer'`.
 * @see https://fastify.dev/docs/latest/Reference/ContentTypeParser/
 */
export function strictJsonParser (parse: JsonTextParser, opts: { emptyIsNone?: boolean } = {}) {
  return (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    if (!isUtf8(body)) return done(new InvalidBodyError('Request body is not valid UTF-8'))
    const text = body.toString('utf8')
    if (opts.emptyIsNone === true && text.trim() === '') return done(null, undefined)
    parse(request, text, (err, value) => {
      if (err !== null) return done(err)
      const problem = jsonTextProblem(text, value)
      if (problem !== null) return done(new InvalidBodyError(problem))
      done(null, value)
    })
  }
}
/** Messages for the framework's own client errors, which are terse or name internals. */
function clientMessage (error: FastifyError, request: FastifyRequest): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Request body is not valid JSON'
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported Content-Type: send the body as application/json'
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      // 1 MiB everywhere but a snapshot import's 64 MiB.
      const limit = request.routeOptions.bodyLimit ?? 1024 * 1024
      return `Request body is larger than ${limit / (1024 * 1024)} MiB`
    }
    default:
      // A JSON.parse failure surfaces as a SyntaxError with status 400.
      return error instanceof SyntaxError ? 'Request body is not valid JSON' : error.message
  }
}

export interface ErrorHandlerOptions {
  /** The admin token: kept out of answers also when the request does not carry it as its credential. */
  adminToken?: string | undefined
}

/** The error as the log should see it: the same, unless its message or stack holds a secret. */
function scrubbedError (error: FastifyError, scrub: (text: string) => string): FastifyError {
  const message = scrub(error.message)
  const stack = error.stack === undefined ? undefined : scrub(error.stack)
  if (message === error.message && stack === error.stack) return error
  return Object.assign(Object.create(Object.getPrototypeOf(error) as object) as FastifyError, error, { message, stack })
}

export default fp<ErrorHandlerOptions>(async (app, opts) => {
  const configured = opts.adminToken === undefined ? [] : [opts.adminToken]
  /** A message with the request's own credentials, the admin token and any key in this server's format replaced. */
  const scrubbed = (message: string, request: FastifyRequest) => scrubText(message, [...secretsOf(request.headers), ...configured])

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
    if (status >= 500) {
      request.log.error({ err: scrubbedError(error, (text) => scrubbed(text, request)) }, 'request failed')
      return reply.code(status).send(envelope(status === 503 ? 'Service unavailable' : GENERIC_500))
    }
    if (error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
      return reply.code(400).send(envelope('Content-Length does not match the body'))
    }
    // Messages may quote what the client sent (a media type, a table name): never its credentials.
    request.log.info({ code: error.code, status }, scrubbed(error.message, request))
    return reply.code(status).send(envelope(scrubbed(clientMessage(error, request), request)))
  })

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(envelope(`Route ${request.method} ${scrubbed(request.url.split('?')[0]!, request)} not found`))
  })

  // The last net, for answers sent without this handler (a scope's own not-found handler, an
  // injected fault, a plugin's redirect): an error message or a Location header that repeats the
  // request's URL or body never repeats a credential in it.
  app.addHook('onSend', async (request, reply, payload) => {
    const location = reply.getHeader('location')
    if (typeof location === 'string') {
      const clean = scrubbed(location, request)
      if (clean !== location) reply.header('location', clean)
    }
    if (reply.statusCode < 400 || typeof payload !== 'string' || !payload.startsWith('{"success":false')) return payload
    let body: unknown
    try {
      body = JSON.parse(payload)
    } catch {
      return payload
    }
    const error = (body as Partial<ErrorEnvelope>).error
    if (typeof error !== 'string') return payload
    const clean = scrubbed(error, request)
    return clean === error ? payload : JSON.stringify({ ...(body as object), error: clean })
  })
}, { name: 'error-handler' })
