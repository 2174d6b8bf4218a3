// The served OpenAPI document (/openapi.json, /openapi.yaml) and the Swagger UI page (/docs).
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import SwaggerParser from '@apidevtools/swagger-parser'
import t from 'tap'
import { parse } from 'yaml'
import { MANAGEMENT_TAGS } from '../../scripts/extract-vendor-schemas.js'
import { CONTROL_PREFIX, VENDOR_PREFIX } from '../../src/http/prefixes.js'
import { build, json } from '../helpers/build.js'
import { servedUnder } from '../helpers/routes.js'

/** A GET with its path sent byte for byte (fetch and inject would resolve dot segments). */
function rawGet (origin: string, path: string): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(origin, { path, method: 'GET' }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

type Obj = Record<string, any>

const ADMIN_TOKEN = 'openapi-test-admin-token'
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Obj

// With an admin token configured, to show the document and the page need neither it nor a key.
const app = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: ADMIN_TOKEN } })
const res = await app.inject({ method: 'GET', url: '/openapi.json' })
const doc = json<Obj>(res)

function * operationsOf (document: Obj): Generator<{ method: string, path: string, op: Obj }> {
  for (const [path, item] of Object.entries<Obj>(document.paths)) {
    for (const [method, op] of Object.entries<Obj>(item)) yield { method: method.toUpperCase(), path, op }
  }
}

function * refsIn (value: unknown): Generator<string> {
  if (Array.isArray(value)) for (const item of value) yield * refsIn(item)
  else if (typeof value === 'object' && value !== null) {
    for (const [key, sub] of Object.entries(value)) {
      if (key === '$ref' && typeof sub === 'string') yield sub
      else yield * refsIn(sub)
    }
  }
}

t.test('GET /openapi.json is a valid OpenAPI 3 document, with no key', async (t) => {
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.match(doc.openapi, /^3\.1\./)
  await t.resolves(SwaggerParser.validate(structuredClone(doc) as Awaited<ReturnType<typeof SwaggerParser.validate>>), 'swagger-parser validates it')
  t.same(doc.info, { title: pkg.name, version: pkg.version, description: pkg.description }, 'info from package.json')
  t.equal(doc.servers, undefined, 'servers left relative')
})

t.test('every route served under /v1 and /__admin is documented with its method and an operationId', async (t) => {
  const routes = [...servedUnder(app, VENDOR_PREFIX), ...servedUnder(app, CONTROL_PREFIX)]
  t.ok(routes.length >= 40, `${routes.length} routes`)
  const ids = new Set<string>()
  for (const { method, path } of routes) {
    const op = doc.paths[path]?.[method.toLowerCase()]
    t.type(op?.operationId, 'string', `${method} ${path} is documented with an operationId`)
    t.notOk(ids.has(op?.operationId), `${op?.operationId} is unique`)
    ids.add(op?.operationId)
  }
  const documented = [...operationsOf(doc)].filter(({ path }) => path !== '/health')
  t.equal(documented.length, routes.length, 'and nothing else but /health')
})

t.test('/v1 operations need the API key and carry vendor tags; control operations only Control tags', async (t) => {
  t.same(doc.components.securitySchemes.confidentApiKey, {
    type: 'apiKey', in: 'header', name: 'CONFIDENT_API_KEY', description: 'An organization API key, raw (no Bearer prefix)'
  })
  t.match(doc.components.securitySchemes.adminToken, { type: 'apiKey', in: 'header', name: 'X-Admin-Token' })
  t.match(doc.components.securitySchemes.adminBearer, { type: 'http', scheme: 'bearer' })
  t.equal(doc.security, undefined, 'no document-wide requirement')
  const declared = doc.tags.map((tag: Obj) => tag.name)
  for (const { method, path, op } of operationsOf(doc)) {
    const where = `${method} ${path}`
    t.ok(op.tags.length > 0 && op.tags.every((tag: string) => declared.includes(tag)), `${where}: tags declared at the top`)
    if (path.startsWith('/v1/')) {
      t.same(op.security, [{ confidentApiKey: [] }], `${where} requires the key`)
      t.ok(op.tags.every((tag: string) => MANAGEMENT_TAGS.includes(tag)), `${where}: vendor tags ${op.tags}`)
      t.type(op.description, 'string', `${where} is described`)
    } else if (path.startsWith('/__admin/')) {
      t.same(op.security, [{}, { adminToken: [] }, { adminBearer: [] }], `${where}: the token is optional`)
      t.ok(op.tags.every((tag: string) => tag.startsWith('Control: ')), `${where}: Control tags ${op.tags}`)
      t.match(op.responses[401], { content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } } }, `${where}: 401 documented`)
    } else {
      t.equal(path, '/health')
      t.equal(op.security, undefined, '/health needs nothing')
    }
  }
  t.notOk(declared.some((tag: string) => tag.startsWith('Control: ') && MANAGEMENT_TAGS.includes(tag)), 'Control tags and vendor tags are apart')
})

t.test('error responses are the ErrorEnvelope, and every $ref resolves into components.schemas', async (t) => {
  const refs = [...refsIn(doc.paths)]
  t.ok(refs.includes('#/components/schemas/ErrorEnvelope'))
  for (const ref of new Set(refs)) {
    t.match(ref, /^#\/components\/schemas\//, ref)
    t.type(doc.components.schemas[ref.replace('#/components/schemas/', '')], 'object', `${ref} resolves`)
  }
  const create = doc.paths['/v1/projects/{projectId}/invitations'].post
  t.same(Object.keys(create.responses), ['200', '400', '401', '403', '404', '413', '415'])
  t.match(create.responses[400], { description: /Bad request/, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } } })
  t.match(doc.components.schemas.ErrorEnvelope, { type: 'object', required: ['success', 'error', 'deprecated'] })
})

t.test('a body the control API lets be left out is not required', async (t) => {
  t.equal(doc.paths['/__admin/clock/freeze'].post.requestBody.required, false)
  t.equal(doc.paths['/__admin/reset'].post.requestBody.required, false)
  t.equal(doc.paths['/__admin/clock/set'].post.requestBody.required, true)
  t.equal(doc.paths['/v1/projects'].post.requestBody.required, true)
  t.notOk(JSON.stringify(doc).includes('x-confident-mock'), 'no marker left in the document')
})

t.test('GET /openapi.yaml parses to the same document', async (t) => {
  const yaml = await app.inject({ method: 'GET', url: '/openapi.yaml' })
  t.equal(yaml.statusCode, 200)
  t.match(yaml.headers['content-type'], /^application\/yaml/)
  t.same(parse(yaml.body), doc)
})

t.test('GET /docs answers the Swagger UI page, with no key', async (t) => {
  for (const url of ['/docs', '/docs/']) {
    const page = await app.inject({ method: 'GET', url })
    t.equal(page.statusCode, 200, url)
    t.match(page.headers['content-type'], /^text\/html/)
    t.match(page.body, /<html/i)
  }
  const initializer = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
  t.equal(initializer.statusCode, 200)
})

t.test('what the Swagger UI cannot answer is this server\'s 404 envelope, and nothing escapes /docs', async (t) => {
  const key = 'confident_org_00000000000000000000000000000abc'
  const unknown = await app.inject({ method: 'GET', url: `/docs/nothing?token=${ADMIN_TOKEN}&key=${key}` })
  t.equal(unknown.statusCode, 404)
  t.equal(json(unknown).success, false, 'the envelope')
  t.notMatch(unknown.body, ADMIN_TOKEN, 'no admin token in the answer')
  t.notMatch(unknown.body, key, 'no key in the answer')

  // Dot segments sent as they are (inject would resolve them first): a real server on loopback.
  const server = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: ADMIN_TOKEN } })
  const address = await server.listen({ port: 0, host: '127.0.0.1' })
  for (const path of ['/docs/../__admin/snapshot', '/docs/%2e%2e/__admin/snapshot', '/docs/%2E%2E/v1/projects', '/docs/static/%2e%2e/%2e%2e/v1/projects']) {
    const { status, body } = await rawGet(address, path)
    t.equal(status, 404, `${path}: not found, as no route of the UI`)
    t.equal(JSON.parse(body).success, false, `${path}: the envelope`)
  }
  const cached = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css' })
  t.equal(cached.statusCode, 200)
  const again = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css', headers: { 'if-none-match': String(cached.headers.etag) } })
  t.equal(again.statusCode, 304, 'conditional requests reach the UI\'s static files')
})

t.test('reading the document is neither journaled nor faulted', async (t) => {
  const headers = { 'x-admin-token': ADMIN_TOKEN }
  const fault = await app.inject({ method: 'POST', url: '/__admin/faults', headers, payload: { path: '/**', status: 503 } })
  t.equal(fault.statusCode, 201)
  for (const url of ['/openapi.json', '/openapi.yaml', '/docs']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} is not faulted`)
  }
  const journal = await app.inject({ method: 'GET', url: '/__admin/journal', headers })
  t.same(json(journal).data, [], 'nothing journaled')
  t.equal((await app.inject({ method: 'GET', url: '/v1/organization' })).statusCode, 503, 'while /v1 is faulted')
})
