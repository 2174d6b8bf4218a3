// The routes' validation options and error wording (src/app.ts uses them), and a document checked against a request schema outside a route (a console form as a control call's body).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { Static, TSchema } from 'typebox'
import { BadDocumentError } from '../domain/errors.js'
import { withFormats } from './formats.js'

/** Ajv's options for every request validator: the first error only, defaults filled in (coercion is the caller's choice). */
export const AJV_OPTIONS = { allErrors: false, strict: false, useDefaults: true } as const

/** "body.emails[1] must be a valid email": the field that failed, as every 400 names it. */
export function describeError (error: ErrorObject, dataVar: string): string {
  const path = error.instancePath.split('/').slice(1)
    .map((part) => /^\d+$/.test(part) ? `[${part}]` : `.${part}`).join('')
  let message = error.message ?? 'is invalid'
  if (error.keyword === 'required') message = `must have required property '${String(error.params['missingProperty'])}'`
  if (error.keyword === 'format') message = `must be a valid ${String(error.params['format'])}`
  return `${dataVar}${path} ${message}`
}

// Made on first use: a server whose console is never used never builds it. The options are those
// of the routes' body validator (src/app.ts): no coercion, defaults filled in, the same formats.
let ajv: Ajv | undefined
const compiled = new WeakMap<object, ValidateFunction>()

/** The document as the schema types it (defaults filled in), or a 400 naming the first field that failed. */
export function checkBody<T extends TSchema> (schema: T, doc: unknown): Static<T> {
  let validate = compiled.get(schema)
  if (validate === undefined) {
    validate = (ajv ??= withFormats(new Ajv({ ...AJV_OPTIONS, coerceTypes: false }))).compile(schema)
    compiled.set(schema, validate)
  }
  if (!validate(doc)) throw new BadDocumentError(describeError(validate.errors![0]!, 'body'))
  return doc as Static<T>
}
