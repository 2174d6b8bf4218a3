// Looks up vendor operations in test/vendor/operations.json and validates response bodies against their 200 schema.
import { existsSync, readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import type { ErrorObject, ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { DEFAULT_VENDOR_PATH, type JsonSchema, type VendorExtract, type VendorOperation } from '../../scripts/extract-vendor-schemas.js'

export type { JsonSchema, VendorExtract, VendorOperation }

// ajv-formats is CommonJS: under NodeNext its default import is the whole module object.
const addFormats = addFormatsModule.default

export const EXTRACT_URL = new URL('../vendor/operations.json', import.meta.url)

let extract: VendorExtract | undefined
let ajv: Ajv | undefined
const validators = new Map<string, ValidateFunction>()

/**
 * Why a check that reads the vendor's own OpenAPI file is skipped, or false when the file is at hand.
 * A clone has no copy of it (only the structure-only extract is committed), so such a check says it
 * did not run rather than leaving the report without a word.
 */
export function vendorFileSkip (): string | false {
  return existsSync(DEFAULT_VENDOR_PATH)
    ? false
    : `the vendor's OpenAPI file is not at ${DEFAULT_VENDOR_PATH} (a clone has none; docs/testing.md, "Contract tests")`
}

export function vendorExtract (): VendorExtract {
  extract ??= JSON.parse(readFileSync(EXTRACT_URL, 'utf8')) as VendorExtract
  return extract
}

export function vendorOperation (operationId: string): VendorOperation {
  const operations = vendorExtract().operations
  const operation = Object.hasOwn(operations, operationId) ? operations[operationId] : undefined
  if (operation === undefined) {
    throw new Error(`unknown vendor operationId "${operationId}"; known: ${Object.keys(operations).join(', ')}`)
  }
  return operation
}

function isSchemaObject (value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// Deep copy in which every object schema with `properties` rejects undeclared keys, unless the vendor
// said otherwise. Direct allOf members are left open: closing each of them would reject the others' keys.
export function closeObjectSchemas (schema: JsonSchema, insideAllOf = false): JsonSchema {
  const out: JsonSchema = {}
  for (const [key, value] of Object.entries(schema)) {
    if ((key === 'properties' || key === 'patternProperties') && isSchemaObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, isSchemaObject(sub) ? closeObjectSchemas(sub) : sub]))
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isSchemaObject(value)) {
      out[key] = closeObjectSchemas(value)
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = value.map((sub: unknown) => isSchemaObject(sub) ? closeObjectSchemas(sub, key === 'allOf') : sub)
    } else {
      out[key] = structuredClone(value)
    }
  }
  if (isSchemaObject(out.properties) && !('additionalProperties' in out) && !insideAllOf) {
    out.additionalProperties = false
  }
  return out
}

function validatorFor (operationId: string): ValidateFunction {
  const cached = validators.get(operationId)
  if (cached) return cached
  const { response200 } = vendorOperation(operationId)
  if (response200 === null) throw new Error(`vendor operation "${operationId}" documents no 200 response body`)
  ajv ??= addFormats(new Ajv({ strict: false, allErrors: true }))
  const validate = ajv.compile(closeObjectSchemas(response200))
  validators.set(operationId, validate)
  return validate
}

function describe (error: ErrorObject): string {
  const where = error.instancePath === '' ? 'body' : `body${error.instancePath}`
  const params: Record<string, unknown> = error.params
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where} has undeclared property "${String(params.additionalProperty)}"`
    case 'required':
      return `${where} is missing required property "${String(params.missingProperty)}"`
    case 'enum':
      return `${where} must be one of ${JSON.stringify(params.allowedValues)}`
    default:
      return `${where} ${error.message ?? `fails ${error.keyword}`}`
  }
}

export function validateVendorResponse (operationId: string, body: unknown): string[] {
  const validate = validatorFor(operationId)
  if (validate(body)) return []
  return (validate.errors ?? []).map(describe)
}

export interface SameAssertion {
  same (found: unknown, wanted: unknown, message: string): unknown
}

export function assertVendorResponse (t: SameAssertion, operationId: string, body: unknown): void {
  t.same(validateVendorResponse(operationId, body), [], `body matches vendor schema for ${operationId}`)
}
