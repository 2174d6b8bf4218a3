// A document checked against a request schema outside a route (a console form turned into a control call's body), with the routes' Ajv options and formats.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { Static, TSchema } from 'typebox'
import { BadDocumentError } from './errors.js'
import { withFormats } from './formats.js'

// Made on first use: a server whose console is never used never builds it. The options are those
// of the routes' body validator (src/app.ts): no coercion, defaults filled in, the same formats.
let ajv: Ajv | undefined
const compiled = new WeakMap<object, ValidateFunction>()

/** "body.rateLimit.limit must be >= 1": the field that failed, as the routes' 400s name it. */
function describe (error: ErrorObject): string {
  const path = error.instancePath.split('/').slice(1)
    .map((part) => /^\d+$/.test(part) ? `[${part}]` : `.${part}`).join('')
  let message = error.message ?? 'is invalid'
  if (error.keyword === 'required') message = `must have required property '${String(error.params['missingProperty'])}'`
  if (error.keyword === 'format') message = `must be a valid ${String(error.params['format'])}`
  return `body${path} ${message}`
}

/** The document as the schema types it (defaults filled in), or a 400 naming the first field that failed. */
export function checkBody<T extends TSchema> (schema: T, doc: unknown): Static<T> {
  let validate = compiled.get(schema)
  if (validate === undefined) {
    validate = (ajv ??= withFormats(new Ajv({ allErrors: false, strict: false, useDefaults: true, coerceTypes: false }))).compile(schema)
    compiled.set(schema, validate)
  }
  if (!validate(doc)) throw new BadDocumentError(describe(validate.errors![0]!))
  return doc as Static<T>
}
