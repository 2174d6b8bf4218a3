// One exit for every failure: the vendor's error envelope, for route errors and unknown routes alike.
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import createError from '@fastify/error'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

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

/**
 * Requests Node's HTTP parser refuses (oversized headers, malformed framing) never reach Fastify:
 * answer them on the socket, in the envelope. The Fastify `clientErrorHandler` option.
 */
export function clientErrorHandler (error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, message] = error.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'Request headers are too large']
    : [400, 'Malformed HTTP request']
  const body = JSON.stringify(envelope(message))
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

export const UnsupportedEncodingError = createError('CM_UNSUPPORTED_ENCODING', 'Unsupported Content-Encoding: send the body uncompressed', 415)
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

export default fp(async (app) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      return reply.code(status).send(envelope(status === 503 ? 'Service unavailable' : GENERIC_500))
    }
    if (error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
      return reply.code(400).send(envelope('Content-Length does not match the body'))
    }
    request.log.info({ code: error.code, status }, error.message)
    return reply.code(status).send(envelope(clientMessage(error, request)))
  })

  // Bodies are read as sent: a compressed one would reach the JSON parser as bytes.
  app.addHook('preParsing', async (request) => {
    const encoding = request.headers['content-encoding']
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') throw new UnsupportedEncodingError()
  })

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(envelope(`Route ${request.method} ${request.url.split('?')[0]} not found`))
  })
}, { name: 'error-handler' })
