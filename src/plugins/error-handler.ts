// One exit for every failure: the vendor's error envelope, for route errors and unknown routes alike; none repeats a credential.
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { envelope, type ErrorEnvelope } from '../domain/errors.js'
import { scrubText, secretsOf } from '../http/redact.js'

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
  // A callback hook: it runs on every answer, and an async one would cost each a promise and a turn.
  app.addHook('onSend', (request, reply, payload, done) => {
    const location = reply.getHeader('location')
    if (typeof location === 'string') {
      const clean = scrubbed(location, request)
      if (clean !== location) reply.header('location', clean)
    }
    done(null, reply.statusCode < 400 || typeof payload !== 'string' ? payload : scrubbedEnvelope(payload, request))
  })

  /** An error answer's text with any credential in its message replaced; any other text as it is. */
  function scrubbedEnvelope (payload: string, request: FastifyRequest): string {
    if (!payload.startsWith('{"success":false')) return payload
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
  }
}, { name: 'error-handler' })
