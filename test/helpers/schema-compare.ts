// Structural comparison of a vendor JSON schema with ours: every difference as a field path and a message, first one first.
import type { JsonSchema } from './vendor.js'

/**
 * Which way the data flows decides what "compatible" allows for `null`: a request schema of ours
 * must accept null wherever the vendor's does; a response schema of ours may send null only where
 * the vendor's allows it. Everything else is compared both ways (see test/app/contract.test.ts).
 */
export type Direction = 'request' | 'response'

export interface Difference {
  /** The field, e.g. `data.invitations[].status`; `(root)` for the schema itself. */
  path: string
  message: string
}

/** What the comparison looks at, after $refs are resolved and unions of one type with null folded. */
interface Shape {
  types: string[]
  nullable: boolean
  enum?: unknown[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  /** A union the comparison cannot fold: compared as unsupported. */
  union?: JsonSchema[]
}

export type RefResolver = (ref: string) => JsonSchema

function isSchema (value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const sorted = (values: readonly unknown[]) => [...values].map((v) => JSON.stringify(v)).sort()
const list = (values: readonly unknown[]) => `[${sorted(values).join(', ')}]`

function typeOfValue (value: unknown): string {
  if (value === null) return 'null'
  if (Number.isInteger(value)) return 'integer'
  return typeof value
}

/** Resolves $ref, merges allOf, folds `anyOf: [X, {type: null}]` into X made nullable. */
function shapeOf (schema: JsonSchema, resolve: RefResolver, seen: readonly string[] = []): Shape {
  if (typeof schema.$ref === 'string') {
    if (seen.includes(schema.$ref)) throw new Error(`circular $ref ${schema.$ref}`)
    return shapeOf(resolve(schema.$ref), resolve, [...seen, schema.$ref])
  }
  if (Array.isArray(schema.allOf)) {
    const { allOf, ...rest } = schema
    const merged = (allOf as JsonSchema[]).reduce<JsonSchema>((acc, sub) => {
      const part = isSchema(sub) && typeof sub.$ref === 'string' ? resolve(sub.$ref) : sub
      return {
        ...acc,
        ...part,
        properties: { ...(acc.properties as object | undefined), ...(part.properties as object | undefined) },
        required: [...((acc.required as string[] | undefined) ?? []), ...((part.required as string[] | undefined) ?? [])]
      }
    }, rest)
    return shapeOf(merged, resolve, seen)
  }
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined
  if (Array.isArray(union)) {
    const members = union.map((member) => shapeOf(member, resolve, seen))
    const nonNull = members.filter((m) => !(m.types.length === 0 && m.nullable && m.enum === undefined && m.union === undefined))
    const nullable = nonNull.length < members.length || nonNull.some((m) => m.nullable)
    const onlyEnums = nonNull.every((m) => m.enum !== undefined && m.properties === undefined && m.items === undefined)
    if (nonNull.length === 1) return { ...nonNull[0]!, nullable }
    if (nonNull.length > 1 && onlyEnums) {
      // A union of literals is an enum.
      return { types: [...new Set(nonNull.flatMap((m) => m.types))].sort(), nullable, enum: nonNull.flatMap((m) => m.enum!) }
    }
    return { types: [], nullable, union }
  }
  const declared = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type as string[] : [schema.type as string]
  let enumValues = Array.isArray(schema.enum) ? schema.enum as unknown[] : schema.const !== undefined ? [schema.const] : undefined
  const nullable = declared.includes('null') || (enumValues?.includes(null) ?? false)
  enumValues = enumValues?.filter((value) => value !== null)
  let types = declared.filter((type) => type !== 'null')
  // An enum without a type (TypeBox's Type.Enum) has the type of its values.
  if (types.length === 0 && enumValues !== undefined) types = [...new Set(enumValues.map(typeOfValue))]
  const shape: Shape = { types: types.sort(), nullable }
  if (enumValues !== undefined && enumValues.length > 0) shape.enum = enumValues
  if (isSchema(schema.properties)) shape.properties = schema.properties as Record<string, JsonSchema>
  if (Array.isArray(schema.required)) shape.required = schema.required as string[]
  if (isSchema(schema.items)) shape.items = schema.items
  return shape
}

function join (path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

/**
 * Every structural difference between the vendor's schema and ours, outermost first, properties in
 * the vendor's order then ours: types (integer and number are different), nullability (by
 * direction), enums (equal sets where the vendor has one; a response of ours may fix a value the
 * vendor leaves open), property names (the same), required names (the same for a request; for a
 * response every name the vendor requires, ours may require more), array items. Formats, lengths
 * and ranges are not compared (ours may be stricter, e.g. at most 100 emails).
 */
export function * schemaDifferences (
  vendor: JsonSchema,
  ours: JsonSchema,
  direction: Direction,
  resolveOurs: RefResolver,
  resolveVendor: RefResolver = (ref) => { throw new Error(`the vendor extract has no $ref, found ${ref}`) },
  path = ''
): Generator<Difference> {
  const at = path === '' ? '(root)' : path
  const v = shapeOf(vendor, resolveVendor)
  const o = shapeOf(ours, resolveOurs)
  if (v.union !== undefined || o.union !== undefined) {
    if (JSON.stringify(v.union) !== JSON.stringify(o.union)) yield { path: at, message: `a union the comparison cannot fold: vendor ${JSON.stringify(vendor)} vs ours ${JSON.stringify(ours)}` }
    return
  }
  if (sorted(v.types).join() !== sorted(o.types).join()) {
    yield { path: at, message: `vendor type ${list(v.types)} vs ours ${list(o.types)}` }
    return
  }
  if (direction === 'request' && v.nullable && !o.nullable) yield { path: at, message: 'the vendor accepts null, ours does not' }
  if (direction === 'response' && o.nullable && !v.nullable) yield { path: at, message: 'ours may send null, the vendor does not allow it' }
  // Where the vendor has no enum, a response of ours may still fix the value (`success: true`).
  const fixedResponseValue = direction === 'response' && v.enum === undefined
  if ((v.enum !== undefined || o.enum !== undefined) && !fixedResponseValue) {
    if (v.enum === undefined || o.enum === undefined || sorted(v.enum).join() !== sorted(o.enum).join()) {
      yield { path: at, message: `vendor enum ${v.enum === undefined ? 'none' : list(v.enum)} vs ours ${o.enum === undefined ? 'none' : list(o.enum)}` }
    }
  }
  if (v.properties !== undefined || o.properties !== undefined) {
    const vProps = v.properties ?? {}
    const oProps = o.properties ?? {}
    for (const name of Object.keys(vProps)) {
      if (!(name in oProps)) yield { path: join(path, name), message: 'the vendor declares this property, ours does not' }
    }
    for (const name of Object.keys(oProps)) {
      if (!(name in vProps)) yield { path: join(path, name), message: 'ours declares this property, the vendor does not' }
    }
    const vRequired = v.required ?? []
    const oRequired = o.required ?? []
    for (const name of vRequired) {
      if (!oRequired.includes(name)) yield { path: join(path, name), message: 'required by the vendor, optional in ours' }
    }
    // A response of ours may always send what the vendor leaves optional.
    for (const name of direction === 'request' ? oRequired : []) {
      if (!vRequired.includes(name)) yield { path: join(path, name), message: 'required in ours, optional for the vendor' }
    }
    for (const name of Object.keys(vProps)) {
      if (name in oProps) yield * schemaDifferences(vProps[name]!, oProps[name]!, direction, resolveOurs, resolveVendor, join(path, name))
    }
  }
  if (v.items !== undefined || o.items !== undefined) {
    if (v.items === undefined || o.items === undefined) {
      yield { path: at, message: `array items: vendor ${v.items === undefined ? 'undeclared' : 'declared'} vs ours ${o.items === undefined ? 'undeclared' : 'declared'}` }
    } else {
      yield * schemaDifferences(v.items, o.items, direction, resolveOurs, resolveVendor, `${path}[]`)
    }
  }
}

/** The first difference, or null when the schemas agree. */
export function firstDifference (vendor: JsonSchema, ours: JsonSchema, direction: Direction, resolveOurs: RefResolver): Difference | null {
  const first = schemaDifferences(vendor, ours, direction, resolveOurs).next()
  return first.done === true ? null : first.value
}

/** `{ path, message }` as one line: `data.invitations[].status: vendor enum [...] vs ours [...]`. */
export function formatDifference ({ path, message }: Difference): string {
  return `${path}: ${message}`
}
