// Which requests have their body read: operations that declare no body (and unknown routes) answer as if none was sent, whatever the body and its headers say.
import type { FastifyRequest, onRequestHookHandler, preParsingHookHandler, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { UnsupportedEncodingError } from '../domain/errors.js'

/**
 * The vendor's Admin SDKs send `Content-Type: application/json` on every call, body-less DELETEs and
 * the resend PUT included (with `Content-Length: 0`, or none); without the JSON type, aiohttp sends
 * `application/octet-stream` and axios `application/x-www-form-urlencoded`. The vendor's OpenAPI
 * declares no body for those operations, so a body sent to one is not read at all: neither parsed
 * nor checked against its Content-Type or Content-Encoding (docs/decisions.md,
 * "Body-less operations"), whatever its size: it is thrown away (src/plugins/connections.ts). Unknown
 * routes read no body either: they answer 404 whatever was sent.
 *
 * The hooks are attached per route when the route is added, so a GET (whose body Fastify never
 * reads) and an operation with a body pay for nothing but the check they need.
 */

/** The headers that make Fastify read and parse a body: hidden while it would, then put back. */
const BODY_HEADERS = ['content-type', 'content-length', 'transfer-encoding', 'content-encoding'] as const
/** Methods whose body Fastify reads (it never reads one for GET or HEAD). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
/** The headers hidden from each request, until they are put back. */
const hiddenHeaders = new WeakMap<FastifyRequest, Array<[string, string | string[]]>>()

/** Removes the body headers from the raw request, so that Fastify calls the handler with no body. */
function hide (request: FastifyRequest): void {
  const headers = request.raw.headers
  const hidden: Array<[string, string | string[]]> = []
  for (const name of BODY_HEADERS) {
    const value = headers[name]
    if (value === undefined) continue
    hidden.push([name, value])
    delete headers[name]
  }
  if (hidden.length > 0) hiddenHeaders.set(request, hidden)
}

/** Puts them back, before anything else reads them: the handler, the journal, the log. */
const restore: onRequestHookHandler = function (request, _reply, done) {
  const hidden = hiddenHeaders.get(request)
  if (hidden !== undefined) {
    for (const [name, value] of hidden) request.raw.headers[name] = value
    hiddenHeaders.delete(request)
  }
  done()
}

/** For an operation that declares no body: read nothing. */
const ignoreBody: preParsingHookHandler = function (request, _reply, payload, done) {
  hide(request)
  done(null, payload)
}

/** For an operation with a body: it is read as sent, so a compressed one would reach the JSON parser as bytes. */
const refuseEncoded: preParsingHookHandler = function (request, _reply, payload, done) {
  const encoding = request.headers['content-encoding']
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return done(new UnsupportedEncodingError())
  done(null, payload)
}

/**
 * For a control call whose options are all optional: sent with no body, it is a call with no
 * options whatever its Content-Type says (the SDKs' JSON type, or the octet-stream and form types
 * their HTTP clients fall back to). A body that is there is read by the strict rules.
 */
export const emptyIsNone: preParsingHookHandler = function (request, reply, payload, done) {
  const length = request.headers['content-length']
  if (request.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) return ignoreBody.call(this, request, reply, payload, done)
  done(null, payload)
}

const list = <T> (hooks: T | T[] | undefined): T[] => hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]

export default fp(async (app) => {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.schema?.body !== undefined) {
      route.preParsing = [refuseEncoded, ...list(route.preParsing)]
      return
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!methods.some((m) => BODY_METHODS.has(m.toUpperCase()))) return
    route.preParsing = [ignoreBody, ...list(route.preParsing)]
    route.preValidation = [restore, ...list(route.preValidation)]
  })
  // Unknown routes get no onRoute: these two run for every request, and cost a property read.
  app.addHook('preParsing', function (request, reply, payload, done) {
    if (request.is404) return ignoreBody.call(this, request, reply, payload, done)
    done(null, payload)
  })
  app.addHook('onResponse', restore)
}, { name: 'bodyless' })
