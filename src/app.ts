// The app factory: builds a ready Fastify instance from a Config; it never listens.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Ajv, type ErrorObject } from 'ajv'
import Fastify, { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import type { Clock } from './domain/clock.js'
import { AJV_OPTIONS, describeError } from './http/check-body.js'
import { compileAll, lazySerializerFactory, lazyValidatorCompiler } from './http/compilers.js'
import { corsOrigins, type Config } from './config.js'
import type { Fixtures } from './boot-state/schema.js'
import { withFormats } from './http/formats.js'
import bodylessPlugin from './plugins/bodyless.js'
import authPlugin, { API_KEY_HEADER } from './plugins/auth.js'
import clockPlugin from './plugins/clock.js'
import connectionsPlugin from './plugins/connections.js'
import corsPlugin, { withCorsHeaders } from './plugins/cors.js'
import consolePlugin from './console/index.js'
import dbPlugin from './plugins/db.js'
import errorHandler, { clientErrorHandler, frameworkErrors } from './plugins/error-handler.js'
import { strictJsonParser } from './http/json-body.js'
import faultsPlugin from './plugins/faults.js'
import httpRulesPlugin from './plugins/http-rules.js'
import bootStatePlugin from './plugins/boot-state.js'
import journalPlugin from './plugins/journal.js'
import openapiPlugin from './plugins/openapi.js'
import servicesPlugin from './plugins/services.js'
import { CONTROL_PREFIX, VENDOR_PREFIX } from './http/prefixes.js'
import { publicUrlResolver } from './http/public-url.js'
import v1 from './routes/v1/index.js'
import admin from './routes/admin/index.js'
import { REDACTED, scrubText, secretsOf } from './http/redact.js'
import { batchedStdout } from './http/log-stream.js'
import type { DeliveryTiming } from './services/delivery-timing.js'
import { ErrorEnvelopeSchema } from './schemas/common.js'
import health from './routes/health.js'

export interface BuildOptions {
  /** Fastify's logger option; by default, pino at the configured level (pretty on a TTY). */
  logger?: FastifyServerOptions['logger']
  /** A clock to use instead of real time. */
  clock?: Clock
  /** A fixtures document to apply instead of the file named in the config. */
  fixtures?: Fixtures
  /** How hard an SMTP delivery tries (tests make it quick); by default three attempts (src/services/delivery.ts). */
  deliveryTiming?: DeliveryTiming
}

/**
 * pino settings: no key or token reaches a log line, not even one a client put in the URL or the
 * Host header (the request line is logged with the caller's own credentials, the admin token and
 * any key in this server's format replaced, also when percent-encoded or in another case). As a
 * last net, every line is scrubbed of the admin token and of keys in this server's format before
 * it is written, whatever logged it.
 */
/** The user and password of an SMTP URL, each as written and decoded; none without one. */
function smtpCredentials (url: string | undefined): string[] {
  if (url === undefined) return []
  const { username, password } = new URL(url)
  return [...new Set([username, password, decodeURIComponent(username), decodeURIComponent(password)])].filter((s) => s.length >= 3)
}

export function loggerOptions (config: Config) {
  const configured = [
    ...(config.CONFIDENT_MOCK_ADMIN_TOKEN === undefined ? [] : [config.CONFIDENT_MOCK_ADMIN_TOKEN]),
    // The SMTP URL's user and password, as given and decoded: no log line may carry them.
    ...smtpCredentials(config.CONFIDENT_MOCK_SMTP_URL)
  ]
  return {
    level: config.LOG_LEVEL,
    redact: { paths: [`req.headers.${API_KEY_HEADER}`, 'req.headers.authorization', 'req.headers["x-admin-token"]'], censor: REDACTED },
    serializers: {
      req: (request: FastifyRequest) => {
        const secrets = [...secretsOf(request.headers), ...configured]
        return {
          method: request.method,
          url: scrubText(request.url, secrets),
          host: scrubText(request.host, secrets),
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort
        }
      }
    },
    hooks: { streamWrite: (line: string) => scrubText(line, configured) },
    ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {})
  }
}

/**
 * Each request's log line: method, URL and host (scrubbed by the req serializer), status and time
 * taken, written when it is answered. Fastify's own writes two (one when the request arrives, with
 * the request; one when it is answered, with the status): half of it was the larger part of a
 * create's logging cost at the default level, and the second line alone does not say which request.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored')
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
  }
}

/**
 * Two validators: request bodies are checked as sent (no coercion: a string is not an array of
 * one), while path parameters and query strings, which are always text, are coerced to the
 * declared types. Each Ajv instance is made when the first schema needs it, not at boot.
 */
function validatorCompiler () {
  const options = AJV_OPTIONS
  let body: Ajv | undefined
  let text: Ajv | undefined
  return ({ schema, httpPart }: { schema: object, httpPart?: string }) => httpPart === 'body'
    ? (body ??= withFormats(new Ajv({ ...options, coerceTypes: false }))).compile(schema)
    : (text ??= withFormats(new Ajv({ ...options, coerceTypes: true }))).compile(schema)
}

/** "body.emails[1] must be a valid email": names the field that failed. */
function describeValidation (errors: ErrorObject[], dataVar: string): Error {
  const first = errors[0]!
  if (dataVar === 'body' && first.instancePath === '' && first.keyword === 'type') return new Error('Request body must be a JSON object')
  return new Error(describeError(first, dataVar))
}

/** Fastify types the validator factory for Ajv's own compile functions; ours returns Fastify's validator shape. */
type ValidatorFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']

/** A route the app serves (`app.servedRoutes`): one entry per method. */
export interface ServedRoute {
  method: string
  /** As Fastify matches it: `/v1/projects/:projectId`. */
  url: string
  /** As the OpenAPI document and the vendor's operations write it: `/v1/projects/{projectId}`. */
  path: string
}

/**
 * Lists each route as it is added. The HEAD route Fastify adds beside each GET is not one of its
 * own: it runs the GET's handler at the GET's URL (for a GET at a prefix's root, at that URL with a
 * trailing slash too). A HEAD route declared with its own handler is listed.
 */
export function routeCollector (routes: ServedRoute[]) {
  const getHandlers = new Map<string, unknown>()
  return (route: { method: string | string[], url: string, handler: unknown }) => {
    for (const method of ([] as string[]).concat(route.method)) {
      if (method === 'GET') getHandlers.set(route.url, route.handler)
      const twin = method === 'HEAD' && [route.url, route.url.replace(/(.)\/$/, '$1')].some((url) => getHandlers.get(url) === route.handler)
      if (twin) continue
      routes.push({ method, url: route.url, path: route.url.replace(/:(\w+)/g, '{$1}') })
    }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Every route the app serves, in the order they were added: the one list that the tests that
     * must cover each route, and `npm run vendor:coverage`, read.
     */
    servedRoutes: readonly ServedRoute[]
    /** Compiles every route's validators and serializers now (they compile on first use); returns how many. */
    compileSchemas: () => number
    /**
     * The base URL invitees and browsers reach this server at, without trailing slash:
     * CONFIDENT_MOCK_PUBLIC_URL, else the address it listens on (before a listen, HOST and PORT).
     */
    publicUrl: () => string
  }
}

export async function buildApp (config: Config, opts: BuildOptions = {}) {
  // The app's lazy compilers (src/http/compilers.ts) are kept under this key.
  const compilers = {}
  const validate = lazyValidatorCompiler(validatorCompiler(), compilers)
  const cors = config.CONFIDENT_MOCK_CORS === undefined ? undefined : corsOrigins(config.CONFIDENT_MOCK_CORS)
  // The default logger's lines go out in batches (src/http/log-stream.ts); on a terminal, pino-pretty's worker has its own.
  const log = opts.logger === undefined && !process.stdout.isTTY ? batchedStdout() : undefined
  const app = Fastify({
    logger: opts.logger ?? (log === undefined ? loggerOptions(config) : { ...loggerOptions(config), stream: log.stream }),
    // Bodies over 1 MiB are refused with 413 (docs/decisions.md, "Limits").
    bodyLimit: 1024 * 1024,
    schemaErrorFormatter: describeValidation,
    // Keys named __proto__ or constructor are dropped like any unknown field, not refused.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    // Long ids reach the handler (and get its 404) rather than the router's own error.
    routerOptions: { maxParamLength: 500 },
    frameworkErrors: cors === undefined ? frameworkErrors : withCorsHeaders(frameworkErrors, cors),
    clientErrorHandler,
    // An HTTP/1.1 request without Host reaches the app, which answers it in the envelope (src/plugins/http-rules.ts).
    http: { requireHostHeader: false },
    // While draining, requests already on an open connection are served (the database closes
    // after them) rather than refused with Fastify's own 503 body, which is not the envelope.
    return503OnClosing: false,
    // One log line per request, written when it is answered, instead of Fastify's two.
    logController: new OneLinePerRequest(),
    // A request whose body stops short of its Content-Length would otherwise hold its connection
    // forever (Fastify's default is no limit). 60 s, Node's own headersTimeout, which must not
    // exceed it: the answer is a 408 in the envelope, at most 30 s later (Node checks every 30 s).
    requestTimeout: 60_000,
    // Both compilers given here, so Fastify never loads its default Ajv compiler either.
    schemaController: { compilersFactory: { buildValidator: (() => validate) as unknown as ValidatorFactory, buildSerializer: lazySerializerFactory(compilers) } }
  }).withTypeProvider<TypeBoxTypeProvider>()
  if (log !== undefined) app.addHook('onClose', async () => { log.close() })
  // First, so that it sees every route (plugins and their scopes inherit it).
  const served: ServedRoute[] = []
  app.addHook('onRoute', routeCollector(served))
  app.decorate('servedRoutes', served)

  // A request the client gave up on before its answer still gets its line.
  app.addHook('onRequestAbort', (request, done) => {
    request.log.info({ req: request }, 'request aborted')
    done()
  })
  app.decorate('compileSchemas', () => compileAll(compilers))
  const publicUrl = publicUrlResolver({ configured: config.CONFIDENT_MOCK_PUBLIC_URL, host: config.HOST, port: config.PORT })
  app.decorate('publicUrl', publicUrl.get)
  app.addHook('onListen', async () => { publicUrl.listening(app.server.address()) })
  // JSON only: any other media type is refused with 415 rather than parsed as text.
  app.removeContentTypeParser('text/plain')
  // JSON read as bytes, so that a body that is not UTF-8 is refused rather than stored with U+FFFD.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(app.getDefaultJsonParser('remove', 'remove')))
  app.addSchema(ErrorEnvelopeSchema)

  await app.register(errorHandler, { adminToken: config.CONFIDENT_MOCK_ADMIN_TOKEN })
  // First of the hooks: what Node would refuse on its own is refused before anything else runs.
  await app.register(httpRulesPlugin)
  await app.register(connectionsPlugin)
  // First of the hooks: preflights are answered before auth, faults and the journal.
  if (cors !== undefined) await app.register(corsPlugin, { origins: cors })
  await app.register(bodylessPlugin)
  await app.register(clockPlugin, { clock: opts.clock, frozenAt: config.CONFIDENT_MOCK_CLOCK })
  await app.register(dbPlugin, { path: config.CONFIDENT_MOCK_DATABASE, idSeed: config.CONFIDENT_MOCK_ID_SEED })
  // The composition root (src/services/index.ts): every repository and service, built once.
  await app.register(servicesPlugin, {
    fixtures: opts.fixtures ?? config.CONFIDENT_MOCK_FIXTURES,
    publicUrl,
    journalSize: config.CONFIDENT_MOCK_JOURNAL_SIZE,
    adminToken: config.CONFIDENT_MOCK_ADMIN_TOKEN,
    smtp: config.CONFIDENT_MOCK_SMTP_URL === undefined
      ? undefined
      : { url: config.CONFIDENT_MOCK_SMTP_URL, from: config.CONFIDENT_MOCK_SMTP_FROM, timing: opts.deliveryTiming }
  })
  await app.register(bootStatePlugin)
  await app.register(authPlugin)
  // Both hook every request, so before the routes: faults stand in front of /v1, the journal after it.
  await app.register(faultsPlugin)
  await app.register(journalPlugin)

  // Before the routes: it collects them as they are added. Serves /openapi.json, /openapi.yaml, /docs.
  await app.register(openapiPlugin)
  await app.register(health)
  await app.register(v1, { prefix: VENDOR_PREFIX, maxEmails: config.CONFIDENT_MOCK_MAX_EMAILS })
  await app.register(admin, { prefix: CONTROL_PREFIX, token: config.CONFIDENT_MOCK_ADMIN_TOKEN, cors })
  // The pages at / (src/console): organizations, mailbox, requests, controls, the invitee's page.
  if (config.CONFIDENT_MOCK_CONSOLE === 'on') await app.register(consolePlugin, { token: config.CONFIDENT_MOCK_ADMIN_TOKEN })

  await app.ready()
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
