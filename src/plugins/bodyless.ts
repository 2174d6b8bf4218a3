// Which requests have their body read: operations that declare no body (and unknown routes) answer as if none was sent, whatever the body and its headers say.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify'
import { errorCodes } from 'fastify'
import fp from 'fastify-plugin'
import { UnsupportedEncodingError } from './error-handler.js'

/**
 * The vendor's Admin SDKs send `Content-Type: application/json` on every call, body-less DELETEs and
 * the resend PUT included (with `Content-Length: 0`, or none); without the JSON type, aiohttp sends
 * `application/octet-stream` and axios `application/x-www-form-urlencoded`. The vendor's OpenAPI
 * declares no body for those operations, so a body sent to one is not read at all: neither parsed
 * nor checked against its Content-Type or Content-Encoding (the decision is in the README, "Where
 * the vendor docs are silent"). Only its declared size is still checked: over the body limit, 413,
 * as everywhere. Unknown routes read no body either: they answer 404 whatever was sent, at any size.
 *
 * The hooks are attached per route when the route is added, so a GET (whose body Fastify never
 * reads) and an operation with a body pay for nothing but the check they need.
 */

/** The headers that make Fastify read and parse a body: hidden while it would, then put back. */
const BODY_HEADERS = ['content-type', 'content-length', 'transfer-encoding', 'content-encoding'] as const
/** Methods whose body Fastify reads (it never reads one for GET or HEAD). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
const kHidden = Symbol('confident-mock.hiddenBodyHeaders')

type Request = FastifyRequest & { [kHidden]?: Array<[string, string | string[]]> }
type Hook = (request: Request, reply: FastifyReply, done: HookHandlerDoneFunction) => void
type PayloadHook = (request: Request, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void) => void

/** Removes the body headers from the raw request, so that Fastify calls the handler with no body. */
function hide (request: Request): void {
  const headers = request.raw.headers
  let hidden: Array<[string, string | string[]]> | undefined
  for (const name of BODY_HEADERS) {
    const value = headers[name]
    if (value === undefined) continue
    (hidden ??= []).push([name, value])
    delete headers[name]
  }
  if (hidden !== undefined) request[kHidden] = hidden
}

/** Puts them back, before anything else reads them: the handler, the journal, the log. */
const restore: Hook = (request, _reply, done) => {
  const hidden = request[kHidden]
  if (hidden !== undefined) {
    for (const [name, value] of hidden) request.raw.headers[name] = value
    delete request[kHidden]
  }
  done()
}

/** For an operation that declares no body: refuse only a declared size over the limit, then read nothing. */
function ignoreBody (limit: number): PayloadHook {
  return (request, _reply, payload, done) => {
    if (Number(request.headers['content-length']) > limit) return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE())
    hide(request)
    done(null, payload)
  }
}

/** For an operation with a body: it is read as sent, so a compressed one would reach the JSON parser as bytes. */
const refuseEncoded: PayloadHook = (request, _reply, payload, done) => {
  const encoding = request.headers['content-encoding']
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return done(new UnsupportedEncodingError())
  done(null, payload)
}

const list = <T> (hooks: T | T[] | undefined): T[] => hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]

export default fp(async (app) => {
  const serverLimit = app.initialConfig.bodyLimit ?? 1024 * 1024
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.schema?.body !== undefined) {
      route.preParsing = [refuseEncoded as never, ...list(route.preParsing)]
      return
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!methods.some((m) => BODY_METHODS.has(m.toUpperCase()))) return
    route.preParsing = [ignoreBody(route.bodyLimit ?? serverLimit) as never, ...list(route.preParsing)]
    route.preValidation = [restore as never, ...list(route.preValidation)]
  })
  // Unknown routes get no onRoute: these two run for every request, and cost a property read.
  app.addHook('preParsing', ((request, _reply, payload, done) => {
    if (request.is404) hide(request)
    done(null, payload)
  }) as PayloadHook as never)
  app.addHook('onResponse', restore as never)
}, { name: 'bodyless' })
