// The served contract: an OpenAPI 3.1 document built from the route schemas (/openapi.json, /openapi.yaml) and Swagger UI at /docs.
import { readFileSync } from 'node:fs'
import type { FastifyDynamicSwaggerOptions, SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger'
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { Type } from 'typebox'
import { PACKAGE_JSON } from '../paths.js'
import { CONTROL_PREFIX, VENDOR_PREFIX } from '../http/prefixes.js'
import { TAGS } from '../routes/tags.js'
import { API_KEY_HEADER } from './auth.js'

/** Names of the security schemes in components.securitySchemes. */
export const SECURITY = {
  apiKey: 'confidentApiKey',
  adminToken: 'adminToken',
  adminBearer: 'adminBearer'
} as const

/** What each error status means on this server, for the responses' descriptions. */
const ERROR_DESCRIPTIONS: Record<string, string> = {
  400: 'Bad request: the message names the field, or the rule that refused it',
  401: 'Missing, unknown or invalid credentials',
  403: 'Not allowed: a project key where an organization key is needed, or the plan rule',
  404: 'Not found in the caller\'s organization',
  409: 'Conflicts with the current state (a taken name, an invitation no longer pending, the Owner rule)',
  413: 'Body over the size limit',
  415: 'Unsupported media type or content encoding (JSON only)'
}

/** The control API answers 401 to every call when it runs with a token, whatever the route declares. */
const ADMIN_UNAUTHORIZED = { $ref: 'ErrorEnvelope', description: 'Missing or wrong admin token (only when CONFIDENT_MOCK_ADMIN_TOKEN is set)' }

/** Marks, for `documentObject`, an operation whose body may be left out (@fastify/swagger marks every body required). */
const OPTIONAL_BODY = 'x-confident-mock-optional-body'

/** A route schema as the document sees it. */
type RouteSchema = FastifySchema & { response?: Record<string, unknown>, [OPTIONAL_BODY]?: true }

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isErrorRef (value: unknown): value is { $ref: string } {
  return isObject(value) && value.$ref === 'ErrorEnvelope'
}

function describeResponse (status: string, response: unknown): unknown {
  if (isErrorRef(response)) {
    const description = ERROR_DESCRIPTIONS[status]
    return description === undefined ? response : { ...response, description }
  }
  if (/^2\d\d$/.test(status) && isObject(response) && response.description === undefined) {
    return { ...response, description: status === '201' ? 'Created' : 'Success' }
  }
  return response
}

/**
 * Per route, in the document only (validation and serialization are untouched): /v1 operations
 * require the API key, control operations take the token optionally (`{}` means "none needed"),
 * responses say what their status means here.
 */
export const documentRoute: SwaggerTransform = ({ schema, url }) => {
  const out: RouteSchema = { ...schema, response: undefined }
  let response = isObject(schema.response) ? schema.response : undefined
  // Route urls, never with a query: the vendor's get the API key, the control API's the optional token.
  if (url.startsWith(`${VENDOR_PREFIX}/`)) {
    out.security = [{ [SECURITY.apiKey]: [] }]
  } else if (url.startsWith(CONTROL_PREFIX)) {
    out.security = [{}, { [SECURITY.adminToken]: [] }, { [SECURITY.adminBearer]: [] }]
    response = { ...response, 401: response?.[401] ?? ADMIN_UNAUTHORIZED }
  }
  if (response === undefined) delete out.response
  else out.response = Object.fromEntries(Object.entries(response).map(([status, value]) => [status, describeResponse(status, value)]))
  if (isObject(schema.body) && Type.IsOptional(schema.body)) out[OPTIONAL_BODY] = true
  return { schema: out, url }
}

/** The finished document: bodies marked optional by `documentRoute` are not required. */
export const documentObject: SwaggerTransformObject = (documentObject) => {
  const document = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(isObject(item) ? item : {})) {
      if (!isObject(operation) || !(OPTIONAL_BODY in operation)) continue
      delete operation[OPTIONAL_BODY]
      if (isObject(operation.requestBody)) operation.requestBody.required = false
    }
  }
  return document
}

interface PackageJson { name: string, version: string, description: string }

/** Request headers a Swagger UI request passes on to the inner app: content negotiation, caching, ranges. */
const FORWARDED = ['accept', 'if-none-match', 'if-modified-since', 'range']

/** Response headers of the inner documentation app that the answer does not carry over (its own are set again). */
const NOT_COPIED = new Set(['content-length', 'connection', 'keep-alive', 'transfer-encoding', 'date'])

/**
 * The document and the Swagger UI are made by @fastify/swagger and @fastify/swagger-ui, but not at
 * boot: loading them (with yaml, @fastify/static and their dependencies) was a sixth of the time from
 * launch to the first healthy answer, for pages most runs never open. Here every route's options
 * are recorded as they are added; the first request for the document or the UI builds a small
 * inner Fastify app with both plugins and a stand-in for each recorded route (same method, URL and
 * schema, no handler, nothing compiled), and later requests reuse it.
 *
 * @see https://github.com/fastify/fastify-swagger @see https://github.com/fastify/fastify-swagger-ui
 */
export default fp(async (app) => {
  const routes: RouteOptions[] = []
  app.addHook('onRoute', (route) => {
    // HEAD routes are Fastify's automatic twins of GET ones; hidden ones are this plugin's own.
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true
    if (route.method !== 'HEAD' && !hidden) routes.push(route)
  })

  let docs: Promise<FastifyInstance> | undefined
  function documentation (): Promise<FastifyInstance> {
    return (docs ??= build().catch((err: unknown) => {
      docs = undefined
      throw err
    }))
  }

  async function build (): Promise<FastifyInstance> {
    const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }] =
      await Promise.all([import('fastify'), import('@fastify/swagger'), import('@fastify/swagger-ui')])
    // package.json sits next to migrations/ (src/paths.ts).
    const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as PackageJson
    const inner = Fastify({ logger: false, exposeHeadRoutes: false })
    // The stand-ins never run: nothing to validate or serialize.
    inner.setValidatorCompiler(() => () => true)
    inner.setSerializerCompiler(() => (data) => JSON.stringify(data))
    for (const schema of Object.values(app.getSchemas())) inner.addSchema(schema)
    await inner.register(swagger, swaggerOptions(pkg))
    await inner.register(swaggerUi, { routePrefix: '/docs' })
    await inner.register(async (scope) => {
      for (const { method, url, schema } of routes) scope.route({ method, url, schema: schema ?? {}, handler: async () => null })
    })
    await inner.ready()
    return inner
  }

  /**
   * /docs and everything under it: answered by the inner app's Swagger UI routes. Only paths that
   * stay under /docs once dot segments are resolved go in (the inner app also holds the stand-ins);
   * whatever the inner app cannot answer is this server's own 404, in the envelope, scrubbed.
   */
  async function ui (request: FastifyRequest, reply: FastifyReply) {
    const path = new URL(request.url, 'http://localhost').pathname
    if (path !== '/docs' && !path.startsWith('/docs/')) return reply.callNotFound()
    const inner = await documentation()
    const headers = Object.fromEntries(FORWARDED.flatMap((name) => {
      const value = request.headers[name]
      return typeof value === 'string' ? [[name, value]] : []
    }))
    const res = await inner.inject({ method: 'GET', url: request.url, headers })
    if (res.statusCode >= 400) return reply.callNotFound()
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined && !NOT_COPIED.has(name)) reply.header(name, value)
    }
    return reply.code(res.statusCode).send(res.rawPayload)
  }

  app.get('/docs', { schema: { hide: true } }, ui)
  app.get('/docs/*', { schema: { hide: true } }, ui)
  app.get('/openapi.json', { schema: { hide: true } }, async () => (await documentation()).swagger())
  app.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) => {
    const yaml = (await documentation()).swagger({ yaml: true })
    reply.type('application/yaml; charset=utf-8')
    return yaml
  })
}, { name: 'openapi' })

function swaggerOptions (pkg: PackageJson): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      // 3.1: the schemas' `type: 'null'` unions are valid as they are (3.0 has only `nullable`).
      openapi: '3.1.0',
      info: { title: pkg.name, version: pkg.version, description: pkg.description },
      // No servers: clients resolve paths against wherever they fetched the document.
      tags: [...TAGS],
      components: {
        securitySchemes: {
          [SECURITY.apiKey]: {
            type: 'apiKey',
            in: 'header',
            name: API_KEY_HEADER.toUpperCase(),
            description: 'An organization API key, raw (no Bearer prefix)'
          },
          [SECURITY.adminToken]: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Admin-Token',
            description: 'Needed only when the server runs with CONFIDENT_MOCK_ADMIN_TOKEN set'
          },
          [SECURITY.adminBearer]: {
            type: 'http',
            scheme: 'bearer',
            description: 'The admin token as `Authorization: Bearer <token>`, instead of X-Admin-Token'
          }
        }
      }
    },
    // Shared schemas (app.addSchema) keep their $id as their name under components.schemas.
    refResolver: { clone: true, buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` },
    transform: documentRoute,
    transformObject: documentObject
  }
}
