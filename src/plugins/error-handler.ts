// One exit for every failure: the vendor's error envelope, for route errors and unknown routes alike.
import type { FastifyError } from 'fastify'
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

/** Messages for the framework's own client errors, which are terse or name internals. */
function clientMessage (error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Request body is not valid JSON'
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported Content-Type: send the body as application/json'
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is larger than 1 MiB'
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
    request.log.info({ code: error.code, status }, error.message)
    return reply.code(status).send(envelope(clientMessage(error)))
  })

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(envelope(`Route ${request.method} ${request.url.split('?')[0]} not found`))
  })
}, { name: 'error-handler' })
