// Operations that declare no request body answer as if none was sent, whatever the request's body and Content-Type headers say.
import { errorCodes, type FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

/**
 * The vendor's Admin SDKs send `Content-Type: application/json` on every call, body-less DELETEs and
 * the resend PUT included (with `Content-Length: 0`, or none); without the JSON type, aiohttp sends
 * `application/octet-stream` and axios `application/x-www-form-urlencoded`. The vendor's OpenAPI
 * declares no body for those operations, so a body sent to one is not read at all: neither parsed
 * nor checked against its Content-Type or Content-Encoding (the decision is in the README, "Where
 * the vendor docs are silent"). Only its declared size is still checked: over the body limit, 413,
 * as everywhere. Unknown routes declare no body either, so they answer 404 whatever was sent, at
 * any size.
 */
export function declaresNoBody (request: FastifyRequest): boolean {
  return request.routeOptions.schema?.body === undefined
}

/** The headers that make Fastify read and parse a body; hidden while it would, then put back. */
const BODY_HEADERS = ['content-type', 'content-length', 'transfer-encoding'] as const
const kHidden = Symbol('confident-mock.hiddenBodyHeaders')

type WithHidden = FastifyRequest & { [kHidden]?: Array<[string, string | string[]]> }

function restore (request: WithHidden): void {
  const hidden = request[kHidden]
  if (hidden === undefined) return
  for (const [name, value] of hidden) request.raw.headers[name] = value
  delete request[kHidden]
}

export default fp(async (app) => {
  // preParsing runs just before Fastify picks a content-type parser by these headers (it reads
  // request.raw.headers); without them it calls the handler with no body. The raw request is left
  // unread, and Node discards what it holds once the answer is sent.
  app.addHook('preParsing', async (request: WithHidden, _reply, payload) => {
    if (!declaresNoBody(request)) return payload
    // An unknown route answers 404 whatever it was sent, however large.
    const length = Number(request.headers['content-length'])
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024
    if (length > limit && !request.is404) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE()
    const hidden: Array<[string, string | string[]]> = []
    for (const name of BODY_HEADERS) {
      const value = request.raw.headers[name]
      if (value === undefined) continue
      hidden.push([name, value])
      delete request.raw.headers[name]
    }
    if (hidden.length > 0) request[kHidden] = hidden
    return payload
  })
  // Back before anything else reads them: the handler, the journal, the log.
  app.addHook('preValidation', async (request: WithHidden) => restore(request))
  app.addHook('onResponse', async (request: WithHidden) => restore(request))
}, { name: 'bodyless' })
