// Extracts a structure-only copy of the vendor's organization-management operations into test/vendor/operations.json.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parse } from 'yaml'

export type JsonSchema = { [keyword: string]: unknown }

export interface VendorParameter {
  name: string
  in: string
  required: boolean
  schema?: JsonSchema
  fromOverrides?: true
}

export interface VendorOperation {
  method: string
  path: string
  operationId: string
  tags: string[]
  parameters: VendorParameter[]
  requestBody: JsonSchema | null
  response200: JsonSchema | null
}

export interface SourceFile {
  file: string
  sha256: string
}

export interface VendorExtract {
  source: SourceFile & { overrides?: SourceFile }
  operations: Record<string, VendorOperation>
}

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
export const DEFAULT_VENDOR_PATH = resolve(REPO_ROOT, '../shared/vendor/confident-openapi.yaml')
export const EXTRACT_PATH = join(REPO_ROOT, 'test/vendor/operations.json')

export const MANAGEMENT_TAGS: readonly string[] = [
  'Organization',
  'Organization API Keys',
  'Organization Governance Policies',
  'Organization Invitations',
  'Organization Members',
  'Organization Permissions',
  'Organization Policies',
  'Organization Roles',
  'Project API Keys',
  'Project Invitations',
  'Project Members',
  'Project Permissions',
  'Project Policies',
  'Project Roles',
  'Projects'
]

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

// Validation keywords only: annotations (description, title, example(s), default, x-*, ...) are dropped.
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties'])
const SCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'not'])
const SCHEMA_LIST_KEYWORDS = new Set(['oneOf', 'anyOf', 'allOf'])
const VALUE_KEYWORDS = new Set([
  'type', 'required', 'enum', 'const', 'format', 'pattern',
  'minItems', 'maxItems', 'uniqueItems', 'minLength', 'maxLength',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minProperties', 'maxProperties'
])

type Obj = Record<string, unknown>

function isObj (value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function sha256 (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

class Resolver {
  readonly #doc: Obj

  constructor (doc: Obj) {
    this.#doc = doc
  }

  pointer (ref: string): unknown {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}: only local references are handled`)
    let node: unknown = this.#doc
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
      if (!isObj(node) || !(key in node)) throw new Error(`unresolvable $ref ${ref}`)
      node = node[key]
    }
    return node
  }

  // Follows $ref chains of non-schema objects (parameters, request bodies, responses).
  follow (value: unknown, seen: string[] = []): unknown {
    if (!isObj(value) || typeof value.$ref !== 'string') return value
    if (seen.includes(value.$ref)) throw new Error(`circular $ref ${value.$ref}`)
    return this.follow(this.pointer(value.$ref), [...seen, value.$ref])
  }

  schema (value: unknown, stack: readonly string[] = []): JsonSchema {
    if (typeof value === 'boolean') return value ? {} : { not: {} }
    if (!isObj(value)) throw new Error(`expected a schema object, got ${JSON.stringify(value)}`)
    const { $ref, ...rest } = value
    if (typeof $ref === 'string') {
      const resolved = stack.includes($ref)
        ? { $comment: `recursive $ref ${$ref} not inlined` }
        : this.schema(this.pointer($ref), [...stack, $ref])
      const { nullable, ...others } = rest
      const siblings = this.schema(others, stack)
      const combined = Object.keys(siblings).length === 0 ? resolved : { allOf: [resolved, siblings] }
      return nullable === true ? makeNullable(combined) : combined
    }
    const out: JsonSchema = {}
    for (const [key, val] of Object.entries(value)) {
      if (SCHEMA_MAP_KEYWORDS.has(key) && isObj(val)) {
        out[key] = Object.fromEntries(Object.entries(val).map(([name, sub]) => [name, this.schema(sub, stack)]))
      } else if (SCHEMA_KEYWORDS.has(key)) {
        out[key] = typeof val === 'boolean' ? val : this.schema(val, stack)
      } else if (SCHEMA_LIST_KEYWORDS.has(key) && Array.isArray(val)) {
        out[key] = val.map((sub) => this.schema(sub, stack))
      } else if (VALUE_KEYWORDS.has(key)) {
        out[key] = structuredClone(val)
      }
    }
    const nullable = value.nullable === true
    return nullable ? makeNullable(unwrapSingleAllOf(out)) : unwrapSingleAllOf(out)
  }
}

// `{ allOf: [X] }` with nothing beside it is X itself; OpenAPI 3.0 used it to put `nullable` next to a $ref.
function unwrapSingleAllOf (schema: JsonSchema): JsonSchema {
  const { allOf, ...rest } = schema
  if (Array.isArray(allOf) && allOf.length === 1 && Object.keys(rest).length === 0) {
    return allOf[0] as JsonSchema
  }
  return schema
}

// OpenAPI 3.0 `nullable: true` means "null is also allowed"; JSON Schema spells that with the type list.
function makeNullable (schema: JsonSchema): JsonSchema {
  const out = { ...schema }
  if (typeof out.type === 'string') {
    out.type = out.type === 'null' ? 'null' : [out.type, 'null']
  } else if (Array.isArray(out.type)) {
    if (!out.type.includes('null')) out.type = [...out.type, 'null']
  } else {
    return { anyOf: [schema, { type: 'null' }] }
  }
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
  return out
}

function jsonSchemaOf (resolver: Resolver, holder: unknown, where: string): JsonSchema | null {
  const followed = resolver.follow(holder)
  if (!isObj(followed) || !isObj(followed.content)) return null
  const media = followed.content['application/json']
  if (!isObj(media) || media.schema === undefined) {
    throw new Error(`${where}: content is not described as application/json`)
  }
  return resolver.schema(media.schema)
}

function parameterKey (param: VendorParameter): string {
  return `${param.in}:${param.name}`
}

function toParameter (resolver: Resolver, raw: unknown, fromOverrides: boolean): VendorParameter {
  const param = resolver.follow(raw)
  if (!isObj(param) || typeof param.name !== 'string' || typeof param.in !== 'string') {
    throw new Error(`malformed parameter ${JSON.stringify(raw)}`)
  }
  const out: VendorParameter = { name: param.name, in: param.in, required: param.required === true }
  if (param.in !== 'header' && param.schema !== undefined) out.schema = resolver.schema(param.schema)
  if (fromOverrides) out.fromOverrides = true
  return out
}

function collectParameters (resolver: Resolver, pathItem: Obj, op: Obj, overrideOp: Obj | undefined, overridesResolver: Resolver | undefined): VendorParameter[] {
  const merged = new Map<string, VendorParameter>()
  for (const list of [pathItem.parameters, op.parameters]) {
    for (const raw of Array.isArray(list) ? list : []) {
      const param = toParameter(resolver, raw, false)
      merged.set(parameterKey(param), param)
    }
  }
  if (overrideOp && overridesResolver && Array.isArray(overrideOp.parameters)) {
    for (const raw of overrideOp.parameters) {
      const param = toParameter(overridesResolver, raw, true)
      const key = parameterKey(param)
      if (!merged.has(key)) merged.set(key, param)
    }
  }
  return [...merged.values()]
}

function sortKeys (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (!isObj(value)) return value
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]))
}

export interface ExtractInput {
  vendorText: string
  vendorFile: string
  overridesText?: string | null
  overridesFile?: string
}

export function extractOperations (input: ExtractInput): VendorExtract {
  const doc: unknown = parse(input.vendorText)
  if (!isObj(doc) || !isObj(doc.paths)) throw new Error(`${input.vendorFile}: not an OpenAPI document (no paths)`)
  const resolver = new Resolver(doc)
  const overrides: unknown = input.overridesText ? parse(input.overridesText) : null
  const overridesResolver = isObj(overrides) ? new Resolver(overrides) : undefined
  const overridePaths = isObj(overrides) && isObj(overrides.paths) ? overrides.paths : {}

  const declaredTags = new Set(Array.isArray(doc.tags) ? doc.tags.filter(isObj).map((tag) => tag.name) : [])
  const missingTags = MANAGEMENT_TAGS.filter((tag) => !declaredTags.has(tag))
  if (missingTags.length > 0) throw new Error(`${input.vendorFile}: tags not declared any more: ${missingTags.join(', ')}`)

  const operations: Record<string, VendorOperation> = {}
  for (const [path, pathItem] of Object.entries(doc.paths)) {
    if (!isObj(pathItem)) continue
    for (const method of HTTP_METHODS) {
      const op = pathItem[method]
      if (!isObj(op)) continue
      const tags = Array.isArray(op.tags) ? op.tags.filter((tag): tag is string => typeof tag === 'string') : []
      if (!tags.some((tag) => MANAGEMENT_TAGS.includes(tag))) continue
      const where = `${method.toUpperCase()} ${path}`
      const operationId = op.operationId
      if (typeof operationId !== 'string') throw new Error(`${where}: no operationId`)
      if (operationId in operations) throw new Error(`${where}: duplicate operationId ${operationId}`)
      const overridePathItem = overridePaths[path]
      const overrideOp = isObj(overridePathItem) && isObj(overridePathItem[method]) ? overridePathItem[method] : undefined
      const responses = isObj(op.responses) ? op.responses : {}
      operations[operationId] = {
        method: method.toUpperCase(),
        path,
        operationId,
        tags,
        parameters: collectParameters(resolver, pathItem, op, overrideOp, overridesResolver),
        requestBody: jsonSchemaOf(resolver, op.requestBody, `${where} request body`),
        response200: jsonSchemaOf(resolver, responses['200'], `${where} 200 response`)
      }
    }
  }

  const source: VendorExtract['source'] = { file: input.vendorFile, sha256: sha256(input.vendorText) }
  if (input.overridesText && input.overridesFile) {
    source.overrides = { file: input.overridesFile, sha256: sha256(input.overridesText) }
  }
  return sortKeys({ source, operations }) as VendorExtract
}

export function overridesPathFor (vendorPath: string): string {
  return vendorPath.replace(/\.ya?ml$/, '') + '-overrides.yaml'
}

export function extractFromFile (vendorPath: string): VendorExtract {
  const overridesPath = overridesPathFor(vendorPath)
  const hasOverrides = existsSync(overridesPath)
  return extractOperations({
    vendorText: readFileSync(vendorPath, 'utf8'),
    vendorFile: basename(vendorPath),
    overridesText: hasOverrides ? readFileSync(overridesPath, 'utf8') : null,
    overridesFile: basename(overridesPath)
  })
}

export function renderExtract (extract: VendorExtract): string {
  return JSON.stringify(extract, null, 2) + '\n'
}

/* c8 ignore start: the command-line entry runs as `npm run vendor:extract`; tests call the functions above */
function main (): void {
  const vendorPath = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_VENDOR_PATH
  const extract = extractFromFile(vendorPath)
  mkdirSync(dirname(EXTRACT_PATH), { recursive: true })
  writeFileSync(EXTRACT_PATH, renderExtract(extract))
  const count = Object.keys(extract.operations).length
  process.stdout.write(`wrote ${count} operations from ${vendorPath} to ${EXTRACT_PATH}\n`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main()
}
/* c8 ignore stop */
