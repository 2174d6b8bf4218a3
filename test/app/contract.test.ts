// Contract test: the served /openapi.json against the vendor's operations (test/vendor/operations.json), operation by operation.
//
// For every vendor operation this server implements (matched by operationId), the served document must
// agree with the vendor on:
// - the method, the tags, and the path once parameter names are ignored (`{projectId}` and `{id}` are one path;
//   a parameter whose name differs is reported, as clients that fill paths by name would notice);
// - the `CONFIDENT_API_KEY` header: the vendor requires it, so the operation requires the apiKey scheme;
// - the query parameters, the request body and the 200 response body, compared structurally
//   (test/helpers/schema-compare.ts) after $refs are resolved, with this meaning of "compatible":
//   - the same JSON types at every field (integer and number count as different), the same property
//     names and the same required names, at every depth, array items included;
//   - enums equal as sets (a TypeBox union of literals counts as an enum);
//   - null: a request field the vendor lets be null, ours accepts null too (ours may accept null where
//     the vendor does not); a response field ours may send as null, the vendor allows null (ours may
//     never send null where the vendor allows it);
//   - not compared: formats, lengths, ranges, item counts, patterns, additionalProperties, descriptions
//     (ours may be stricter, e.g. at most 100 emails, and closes objects).
// When the vendor's file is at hand (../shared/vendor), each operation's summary must also be the vendor's
// (the extract keeps no prose, so in a user's clone that check reports a skip).
// A difference that is known and accepted is listed in ACCEPTED with its reason; the test fails on the
// first difference not listed, and on a listed one that has gone (so the list stays true).
import { readFileSync } from 'node:fs'
import t from 'tap'
import { parse } from 'yaml'
import { DEFAULT_VENDOR_PATH } from '../../scripts/extract-vendor-schemas.js'
import { routeKey } from '../../scripts/vendor-coverage.js'
import { build, json } from '../helpers/build.js'
import { formatDifference, schemaDifferences, type Direction } from '../helpers/schema-compare.js'
import { vendorExtract, vendorFileSkip, type JsonSchema, type VendorOperation } from '../helpers/vendor.js'

type Obj = Record<string, any>

/** Known differences between the vendor and this server, as `<METHOD> <vendor path> <part>: <field>: <message>`, each with why it is accepted. */
const ACCEPTED: Record<string, string> = {}

const document = await (async () => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(res.statusCode, 200, 'the document is served')
  return json<Obj>(res)
})()

const operations = new Map<string, { method: string, path: string, op: Obj }>()
for (const [path, item] of Object.entries<Obj>(document.paths)) {
  for (const [method, op] of Object.entries<Obj>(item)) {
    if (typeof op.operationId === 'string') operations.set(op.operationId, { method: method.toUpperCase(), path, op })
  }
}

function resolveOurs (ref: string): JsonSchema {
  const prefix = '#/components/schemas/'
  if (!ref.startsWith(prefix)) throw new Error(`unexpected $ref ${ref}`)
  const schema = document.components?.schemas?.[ref.slice(prefix.length)]
  if (schema === undefined) throw new Error(`$ref ${ref} does not resolve in components.schemas`)
  return schema
}

/** Query parameters as one object schema, so they compare like a body. */
function queryOf (parameters: Array<{ in: string, name: string, required?: boolean, schema?: JsonSchema }>): JsonSchema {
  const query = parameters.filter((p) => p.in === 'query')
  return {
    type: 'object',
    properties: Object.fromEntries(query.map((p) => [p.name, p.schema ?? {}])),
    required: query.filter((p) => p.required === true).map((p) => p.name)
  }
}

function jsonBody (holder: Obj | undefined): JsonSchema | null {
  return holder?.content?.['application/json']?.schema ?? null
}

const parameterNames = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)

/** Every difference for one operation, as lines `<METHOD> <vendor path> <part>: <field>: <message>`. */
function differencesOf (vendor: VendorOperation, ours: { method: string, path: string, op: Obj }): string[] {
  const id = `${vendor.method} ${vendor.path}`
  const found: string[] = []
  if (vendor.method !== ours.method) found.push(`${id} method: vendor ${vendor.method} vs ours ${ours.method}`)
  if (routeKey('GET', vendor.path) !== routeKey('GET', ours.path)) found.push(`${id} path: vendor ${vendor.path} vs ours ${ours.path}`)
  const vendorNames = parameterNames(vendor.path)
  const ourNames = parameterNames(ours.path)
  vendorNames.forEach((name, i) => {
    if (ourNames[i] !== undefined && ourNames[i] !== name) found.push(`${id} path: parameter ${name} is named ${ourNames[i]} here`)
  })
  if (JSON.stringify(vendor.tags) !== JSON.stringify(ours.op.tags)) found.push(`${id} tags: vendor ${JSON.stringify(vendor.tags)} vs ours ${JSON.stringify(ours.op.tags)}`)
  const needsKey = vendor.parameters.some((p) => p.in === 'header' && p.name === 'CONFIDENT_API_KEY' && p.required)
  const requiresKey = (ours.op.security ?? []).length === 1 && 'confidentApiKey' in ours.op.security[0]
  if (needsKey !== requiresKey) found.push(`${id} security: vendor ${needsKey ? 'requires' : 'does not require'} CONFIDENT_API_KEY, ours ${requiresKey ? 'requires' : 'does not require'} it`)

  const parts: Array<[string, JsonSchema | null, JsonSchema | null, Direction]> = [
    ['query', queryOf(vendor.parameters), queryOf(ours.op.parameters ?? []), 'request'],
    ['request body', vendor.requestBody, jsonBody(ours.op.requestBody), 'request'],
    ['200 response', vendor.response200, jsonBody(ours.op.responses?.['200']), 'response']
  ]
  for (const [part, vendorSchema, ourSchema, direction] of parts) {
    if (vendorSchema === null && ourSchema === null) continue
    if (vendorSchema === null || ourSchema === null) {
      found.push(`${id} ${part}: (root): vendor ${vendorSchema === null ? 'none' : 'a schema'} vs ours ${ourSchema === null ? 'none' : 'a schema'}`)
      continue
    }
    for (const difference of schemaDifferences(vendorSchema, ourSchema, direction, resolveOurs)) {
      found.push(`${id} ${part}: ${formatDifference(difference)}`)
    }
  }
  return found
}

const vendorOperations = Object.values(vendorExtract().operations)
const implemented = vendorOperations.filter((vendor) => operations.has(vendor.operationId))

t.test('every /v1 operation served is a vendor operation, under its operationId', async (t) => {
  const vendorIds = new Set(vendorOperations.map((op) => op.operationId))
  const served = [...operations.entries()].filter(([, { path }]) => path.startsWith('/v1/'))
  t.ok(served.length > 0, 'the document has /v1 operations')
  for (const [id, { method, path }] of served) t.ok(vendorIds.has(id), `${method} ${path}: ${id} is a vendor operationId`)
  t.equal(implemented.length, served.length, 'each served /v1 operation matches one vendor operation')
})

t.test('the apiKey scheme is the vendor\'s header', async (t) => {
  t.match(document.components.securitySchemes.confidentApiKey, { type: 'apiKey', in: 'header', name: 'CONFIDENT_API_KEY' })
})

t.test('each implemented vendor operation matches the vendor, but for the accepted differences', async (t) => {
  const seen = new Set<string>()
  for (const vendor of implemented) {
    const found = differencesOf(vendor, operations.get(vendor.operationId)!)
    const fresh = found.filter((line) => !(line in ACCEPTED))
    found.forEach((line) => seen.add(line))
    t.equal(fresh[0], undefined, fresh[0] ?? `${vendor.method} ${vendor.path} (${vendor.operationId}) matches`)
  }
  for (const line of Object.keys(ACCEPTED)) t.ok(seen.has(line), `accepted difference still present: ${line}`)
})

t.test('the comparison finds each kind of difference, first one first', async (t) => {
  const vendor = vendorExtract().operations.createProjectInvitations!
  const ours = operations.get('createProjectInvitations')!
  const mutated = (change: (schema: Obj) => void) => {
    const schema = structuredClone(vendor) as Obj
    change(schema)
    return schema as VendorOperation
  }
  const invitation = (schema: Obj) => schema.response200.properties.data.properties.invitations.items
  const cases: Array<[string, (schema: Obj) => void, string]> = [
    ['enum', (s) => { invitation(s).properties.status.enum = ['PENDING', 'ACCEPTED'] },
      'POST /v1/projects/{projectId}/invitations 200 response: data.invitations[].status: vendor enum ["ACCEPTED", "PENDING"] vs ours ["ACCEPTED", "DECLINED", "PENDING"]'],
    ['type', (s) => { invitation(s).properties.id.type = 'string' },
      'POST /v1/projects/{projectId}/invitations 200 response: data.invitations[].id: vendor type ["string"] vs ours ["integer"]'],
    ['null sent where the vendor allows none', (s) => { invitation(s).properties.projectRoleId.type = 'string' },
      'POST /v1/projects/{projectId}/invitations 200 response: data.invitations[].projectRoleId: ours may send null, the vendor does not allow it'],
    ['null refused where the vendor accepts it', (s) => { s.requestBody.properties.projectRoleId.type = ['string', 'null'] },
      'POST /v1/projects/{projectId}/invitations request body: projectRoleId: the vendor accepts null, ours does not'],
    ['property only the vendor has', (s) => { invitation(s).properties.token = { type: 'string' } },
      'POST /v1/projects/{projectId}/invitations 200 response: data.invitations[].token: the vendor declares this property, ours does not'],
    ['property only ours has', (s) => { delete invitation(s).properties.email },
      'POST /v1/projects/{projectId}/invitations 200 response: data.invitations[].email: ours declares this property, the vendor does not'],
    ['request field ours requires', (s) => { s.requestBody.required = [] },
      'POST /v1/projects/{projectId}/invitations request body: emails: required in ours, optional for the vendor'],
    ['response field ours may leave out', (s) => { s.response200.properties.data.required = ['invitations', 'next'] },
      'POST /v1/projects/{projectId}/invitations 200 response: data.next: required by the vendor, optional in ours'],
    ['items', (s) => { s.requestBody.properties.emails.items = { type: 'integer' } },
      'POST /v1/projects/{projectId}/invitations request body: emails[]: vendor type ["integer"] vs ours ["string"]'],
    ['query', (s) => { s.parameters.push({ in: 'query', name: 'dryRun', required: false, schema: { type: 'boolean' } }) },
      'POST /v1/projects/{projectId}/invitations query: dryRun: the vendor declares this property, ours does not'],
    ['path parameter name', (s) => { s.path = '/v1/projects/{id}/invitations' },
      'POST /v1/projects/{id}/invitations path: parameter id is named projectId here'],
    ['method', (s) => { s.method = 'PUT' }, 'PUT /v1/projects/{projectId}/invitations method: vendor PUT vs ours POST'],
    ['missing body', (s) => { s.requestBody = null }, 'POST /v1/projects/{projectId}/invitations request body: (root): vendor none vs ours a schema']
  ]
  t.same(differencesOf(vendor, ours), [], 'the real operation agrees')
  for (const [name, change, expected] of cases) t.equal(differencesOf(mutated(change), ours)[0], expected, name)
})

t.test('summaries are the vendor\'s', { skip: vendorFileSkip() }, async (t) => {
  const vendorDoc = parse(readFileSync(DEFAULT_VENDOR_PATH, 'utf8')) as Obj
  for (const vendor of implemented) {
    const summary = vendorDoc.paths[vendor.path][vendor.method.toLowerCase()].summary
    t.equal(operations.get(vendor.operationId)!.op.summary, summary, `${vendor.operationId}: ${summary}`)
  }
})
