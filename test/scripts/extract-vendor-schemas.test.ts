// Unit tests of the vendor-schema extractor on small synthetic OpenAPI documents (no vendor file needed).
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import t from 'tap'
import { MANAGEMENT_TAGS, extractFromFile, extractOperations, overridesPathFor, renderExtract } from '../../scripts/extract-vendor-schemas.js'

type Doc = Record<string, unknown>

const ok = (schema: unknown) => ({ responses: { 200: { content: { 'application/json': { schema } } } } })

function doc (paths: Doc, components: Doc = {}): Doc {
  return { openapi: '3.1.0', tags: MANAGEMENT_TAGS.map((name) => ({ name })), paths, components }
}

function extract (vendor: Doc, overrides?: Doc) {
  return extractOperations({
    vendorText: JSON.stringify(vendor),
    vendorFile: 'vendor.yaml',
    overridesText: overrides ? JSON.stringify(overrides) : null,
    overridesFile: 'vendor-overrides.yaml'
  })
}

function responseOf (schema: unknown, components: Doc = {}) {
  const result = extract(doc({ '/x': { get: { tags: ['Projects'], operationId: 'op', ...ok(schema) } } }, components))
  return result.operations.op?.response200
}

t.test('selects management operations only, with their method, path and tags', async (t) => {
  const vendor = doc({
    '/v1/projects/{projectId}': {
      summary: 'not an operation',
      parameters: [{ name: 'projectId', in: 'path', required: true, schema: { type: 'string', description: 'dropped' } }],
      get: { tags: ['Projects', 'Legacy'], operationId: 'getThing', ...ok({ type: 'object' }) },
      post: { tags: ['Metrics'], operationId: 'notManagement', ...ok({ type: 'object' }) },
      patch: { operationId: 'untagged', ...ok({ type: 'object' }) }
    },
    '/v1/ignored': null
  })
  const result = extract(vendor)
  t.same(Object.keys(result.operations), ['getThing'])
  t.same(result.operations.getThing, {
    method: 'GET',
    operationId: 'getThing',
    parameters: [{ in: 'path', name: 'projectId', required: true, schema: { type: 'string' } }],
    path: '/v1/projects/{projectId}',
    requestBody: null,
    response200: { type: 'object' },
    tags: ['Projects', 'Legacy']
  })
  t.same(result.source, { file: 'vendor.yaml', sha256: createHash('sha256').update(JSON.stringify(vendor)).digest('hex') })
  const untagged = JSON.stringify({ openapi: '3.1.0', tags: [], paths: {} })
  t.throws(() => extractOperations({ vendorText: untagged, vendorFile: 'v.yaml' }), /tags not declared any more: Organization,/)
})

t.test('refuses documents it cannot read faithfully', async (t) => {
  const op = (extra: Doc) => ({ tags: ['Projects'], operationId: 'a', ...ok({ type: 'object' }), ...extra })
  t.throws(() => extractOperations({ vendorText: 'just text', vendorFile: 'v.yaml' }), /v.yaml: not an OpenAPI document/)
  t.throws(() => extractOperations({ vendorText: JSON.stringify({ tags: 'Projects', paths: {} }), vendorFile: 'v.yaml' }), /tags not declared/)
  t.throws(() => extract(doc({ '/a': { get: op({ operationId: undefined }) } })), /GET \/a: no operationId/)
  t.throws(() => extract(doc({ '/a': { get: op({}), put: op({}) } })), /PUT \/a: duplicate operationId a/)
  t.throws(() => extract(doc({ '/a': { get: op({ parameters: [{ in: 'query' }] }) } })), /malformed parameter/)
  t.throws(() => extract(doc({ '/a': { get: op({ parameters: [{ $ref: 'other.yaml#/p' }] }) } })), /unsupported \$ref other.yaml#\/p/)
  t.throws(() => extract(doc({ '/a': { get: op({ parameters: [{ $ref: '#/components/parameters/nope' }] }) } })), /unresolvable \$ref/)
  t.throws(() => extract(doc({ '/a': { get: op({ parameters: [{ $ref: '#/components/parameters/loop' }] }) } }, {
    parameters: { loop: { $ref: '#/components/parameters/loop' } }
  })), /circular \$ref/)
  t.throws(() => extract(doc({ '/a': { get: op({ requestBody: { content: { 'text/plain': { schema: { type: 'string' } } } } }) } })), /GET \/a request body: content is not described as application\/json/)
  t.throws(() => responseOf(42), /expected a schema object, got 42/)
})

t.test('keeps structural keywords only and inlines references', async (t) => {
  const components = {
    schemas: {
      'A/B': { type: 'string', description: 'slash in name' },
      Item: {
        type: 'object',
        title: 'dropped',
        'x-extension': 'dropped',
        example: { id: 'dropped' },
        required: ['id'],
        properties: {
          id: { type: 'integer', minimum: 1, maximum: 9, default: 1 },
          description: { type: 'string', nullable: true, pattern: '^.', minLength: 1 },
          tags: { type: 'array', items: { $ref: '#/components/schemas/A~1B' }, minItems: 1, maxItems: 2 }
        },
        additionalProperties: { type: 'number' }
      }
    }
  }
  t.same(responseOf({ $ref: '#/components/schemas/Item', description: 'sibling annotation' }, components), {
    additionalProperties: { type: 'number' },
    properties: {
      description: { minLength: 1, pattern: '^.', type: ['string', 'null'] },
      id: { maximum: 9, minimum: 1, type: 'integer' },
      tags: { items: { type: 'string' }, maxItems: 2, minItems: 1, type: 'array' }
    },
    required: ['id'],
    type: 'object'
  })
  t.same(responseOf({ oneOf: [true, false], not: { enum: [1] }, additionalProperties: false, properties: 'malformed' }), {
    additionalProperties: false,
    not: { enum: [1] },
    oneOf: [{}, { not: {} }]
  })
})

t.test('turns OpenAPI 3.0 nullable into JSON Schema', async (t) => {
  const named = { type: 'object', properties: { id: { type: 'string' } } }
  const components = { schemas: { Named: named } }
  t.same(responseOf({ type: 'string', nullable: true }), { type: ['string', 'null'] })
  t.same(responseOf({ type: 'string', nullable: false }), { type: 'string' })
  t.same(responseOf({ type: 'null', nullable: true }), { type: 'null' })
  t.same(responseOf({ type: ['string', 'integer'], nullable: true }), { type: ['string', 'integer', 'null'] })
  t.same(responseOf({ type: ['string', 'null'], nullable: true }), { type: ['string', 'null'] })
  t.same(responseOf({ type: 'string', enum: ['A', 'B'], nullable: true }), { enum: ['A', 'B', null], type: ['string', 'null'] })
  t.same(responseOf({ type: 'string', enum: ['A', null], nullable: true }), { enum: ['A', null], type: ['string', 'null'] })
  t.same(responseOf({ enum: ['A'], nullable: true }), { anyOf: [{ enum: ['A'] }, { type: 'null' }] })
  t.same(responseOf({ allOf: [{ $ref: '#/components/schemas/Named' }], nullable: true, description: 'x' }, components), {
    properties: { id: { type: 'string' } },
    type: ['object', 'null']
  })
  t.same(responseOf({ $ref: '#/components/schemas/Named', nullable: true }, components), {
    properties: { id: { type: 'string' } },
    type: ['object', 'null']
  })
  t.same(responseOf({ $ref: '#/components/schemas/Named', required: ['id'] }, components), {
    allOf: [{ properties: { id: { type: 'string' } }, type: 'object' }, { required: ['id'] }]
  })
  t.same(responseOf({ allOf: [{ type: 'string' }], minLength: 1 }), { allOf: [{ type: 'string' }], minLength: 1 })
  t.same(responseOf({ allOf: [true] }), {})
})

t.test('does not loop on recursive schemas', async (t) => {
  const components = {
    schemas: {
      Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } }
    }
  }
  t.same(responseOf({ $ref: '#/components/schemas/Node' }, components), {
    properties: {
      children: { items: { $comment: 'recursive $ref #/components/schemas/Node not inlined' }, type: 'array' }
    },
    type: 'object'
  })
})

t.test('reads request bodies, responses and parameters through references', async (t) => {
  const result = extract(doc({
    '/v1/projects/{projectId}/things/{thingId}': {
      parameters: [{ name: 'projectId', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        tags: ['Project Roles'],
        operationId: 'make',
        parameters: [
          { $ref: '#/components/parameters/Page' },
          { name: 'projectId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }
        ],
        requestBody: { $ref: '#/components/requestBodies/Make' },
        responses: { 200: { $ref: '#/components/responses/Made' } }
      },
      put: { tags: ['Project Roles'], operationId: 'noBody', requestBody: { required: true }, responses: { 200: { description: 'no content' } } },
      delete: { tags: ['Project Roles'], operationId: 'noResponses' }
    }
  }, {
    parameters: { Page: { name: 'page', in: 'query', schema: { type: 'integer', default: 1 } } },
    requestBodies: { Make: { content: { 'application/json': { schema: { type: 'object', required: ['name'] } } } } },
    responses: { Made: { $ref: '#/components/responses/Alias' }, Alias: { content: { 'application/json': { schema: { type: 'boolean' } } } } }
  }), {
    paths: {
      '/v1/projects/{projectId}/things/{thingId}': {
        post: {
          parameters: [
            { in: 'header', name: 'CONFIDENT_API_KEY', required: true, schema: { type: 'string' } },
            { in: 'path', name: 'projectId', required: true, schema: { type: 'integer' } },
            { in: 'path', name: 'thingId', required: true, schema: { $ref: '#/components/schemas/Id' } }
          ]
        },
        put: { summary: 'no parameters here' },
        delete: 'malformed'
      },
      '/v1/elsewhere': null
    },
    components: { schemas: { Id: { type: 'integer', description: 'dropped' } } }
  })
  const make = result.operations.make
  t.same(make?.parameters, [
    { in: 'path', name: 'projectId', required: true, schema: { format: 'uuid', type: 'string' } },
    { in: 'query', name: 'page', required: false, schema: { type: 'integer' } },
    { fromOverrides: true, in: 'header', name: 'CONFIDENT_API_KEY', required: true },
    { fromOverrides: true, in: 'path', name: 'thingId', required: true, schema: { type: 'integer' } }
  ], 'operation parameters win over path-item and override ones; headers keep name/in/required')
  t.same(make?.requestBody, { required: ['name'], type: 'object' })
  t.same(make?.response200, { type: 'boolean' })
  t.same(result.operations.noBody?.parameters, [{ in: 'path', name: 'projectId', required: true, schema: { type: 'string' } }])
  t.equal(result.operations.noBody?.requestBody, null, 'a request body without content is no schema')
  t.equal(result.operations.noBody?.response200, null, 'a 200 without content is no schema')
  t.equal(result.operations.noResponses?.response200, null)
  t.same(result.source.overrides, {
    file: 'vendor-overrides.yaml',
    sha256: result.source.overrides?.sha256
  })
  t.match(result.source.overrides?.sha256, /^[0-9a-f]{64}$/)

  const withoutPaths = extractOperations({ vendorText: JSON.stringify(doc({ '/a': { get: { tags: ['Projects'], operationId: 'a' } } })), vendorFile: 'v.yaml', overridesText: 'openapi: 3.1.0' })
  t.same(withoutPaths.operations.a?.parameters, [])
  t.equal(withoutPaths.source.overrides, undefined, 'no overrides entry without an overrides file name')
})

t.test('reads files and renders deterministic JSON', async (t) => {
  t.equal(overridesPathFor('/v/confident-openapi.yaml'), '/v/confident-openapi-overrides.yaml')
  t.equal(overridesPathFor('/v/api.yml'), '/v/api-overrides.yaml')
  const vendor = doc({ '/b': { get: { tags: ['Organization'], operationId: 'b', ...ok({ type: 'object' }) } }, '/a': { get: { tags: ['Organization'], operationId: 'a', ...ok({ type: 'object' }) } } })
  const overrides = { paths: { '/a': { get: { parameters: [{ in: 'header', name: 'CONFIDENT_API_KEY', required: true }] } } } }
  const dir = t.testdir({
    with: { 'api.yaml': JSON.stringify(vendor), 'api-overrides.yaml': JSON.stringify(overrides) },
    without: { 'api.yaml': JSON.stringify(vendor) }
  })
  const withOverrides = extractFromFile(join(dir, 'with/api.yaml'))
  t.same(withOverrides.operations.a?.parameters, [{ fromOverrides: true, in: 'header', name: 'CONFIDENT_API_KEY', required: true }])
  t.equal(withOverrides.source.overrides?.file, 'api-overrides.yaml')
  const withoutOverrides = extractFromFile(join(dir, 'without/api.yaml'))
  t.same(withoutOverrides.operations.a?.parameters, [])
  t.equal(withoutOverrides.source.overrides, undefined)
  const rendered = renderExtract(withoutOverrides)
  t.ok(rendered.endsWith('}\n'), 'ends with a newline')
  t.same(Object.keys(JSON.parse(rendered).operations), ['a', 'b'], 'operations are sorted by id')
  t.match(rendered, /^{\n {2}"operations": {\n {4}"a": {\n {6}"method": "GET",/)
})
