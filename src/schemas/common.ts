// Shared schema atoms: the success and error envelopes, the vendor's common fields, and the text fields with our limits.
import { Type, type TObject, type TProperties, type TSchema } from 'typebox'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PLANS } from '../domain/vocabulary.js'
import { MAX_DESCRIPTION_LENGTH, MAX_EMAIL_LENGTH, MAX_NAME_LENGTH } from '../domain/rules.js'

export const ErrorEnvelopeSchema = Type.Object({
  success: Type.Literal(false),
  error: Type.String({ description: 'Human-readable message' }),
  deprecated: Type.Literal(false)
}, { $id: 'ErrorEnvelope', description: 'Every error answers with this envelope' })

/** The vendor's success envelope: exactly `success` and `data`. */
export function Success<T extends TSchema> (data: T) {
  return Type.Object({ success: Type.Literal(true), data })
}

/** Error responses a route can send, for its `response` schema. */
export function errors (...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('ErrorEnvelope')]))
}

export const IsoDateTime = Type.String({ format: 'date-time', description: 'ISO 8601 with milliseconds, UTC' })

/**
 * The first and last instants an ISO 8601 date-time with a four-digit year names, in UTC: what a
 * `date-time` field can hold. Outside them toISOString writes "+010000-..." or "-000001-...".
 */
export const EARLIEST_ISO_MS = Date.parse('0000-01-01T00:00:00.000Z')
export const LATEST_ISO_MS = Date.parse('9999-12-31T23:59:59.999Z')

export const ProjectIdParams = Type.Object({
  // No length limits: any id that names no project of the caller's is a 404, as the contract says.
  projectId: Type.String({ description: 'The unique identifier of the project' })
})

/** The params of a route below /v1/projects/:projectId: the project's id, then the route's own. */
export function InProjectParams<T extends TProperties> (params: TObject<T>) {
  return Type.Object({ ...ProjectIdParams.properties, ...params.properties })
}

/** The subscription plan, one of the vendor's (src/domain/vocabulary.ts). */
export const PlanSchema = Type.Enum([...PLANS])

/** `description` when there is one: a field's own words, for the OpenAPI document. */
const described = (description: string | undefined) => description === undefined ? {} : { description }

/** A name of anything, in the API and in fixtures: 1 to MAX_NAME_LENGTH characters (src/domain/rules.ts). */
export function NameSchema (description?: string) {
  return Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH, ...described(description) })
}

/** A description of anything: at most MAX_DESCRIPTION_LENGTH characters (src/domain/rules.ts). */
export function DescriptionSchema (description?: string) {
  return Type.String({ maxLength: MAX_DESCRIPTION_LENGTH, ...described(description) })
}

/** A description that may be left out or null (absent on create: null; on update: unchanged; null: cleared). */
export function NullableDescriptionSchema (description?: string) {
  return Type.Optional(Type.Union([DescriptionSchema(), Type.Null()], described(description)))
}

/** An email address: at most MAX_EMAIL_LENGTH characters (src/domain/rules.ts). */
export function EmailSchema (description?: string) {
  return Type.String({ format: 'email', maxLength: MAX_EMAIL_LENGTH, ...described(description) })
}

/** The vendor's page query: page from 1, pageSize 1 to MAX_PAGE_SIZE (src/domain/vocabulary.ts); `of` names what a page holds. */
export function PageQuerySchema (of: string) {
  return Type.Object({
    // A maximum, so that "Infinity" or "1e309" (which Ajv's coercion reads as Infinity, an integer to it) is refused.
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 1, description: 'The page number to return. Defaults to 1.' })),
    pageSize: Type.Optional(Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: DEFAULT_PAGE_SIZE,
      description: `The maximum number of ${of} per page (max ${MAX_PAGE_SIZE}). Defaults to ${DEFAULT_PAGE_SIZE}.`
    }))
  })
}

/**
 * A page query with its defaults: validation has already filled them in (the schema's `default`),
 * so this only gives the handler a type that says so.
 */
export function pageOf (query: { page?: number | undefined, pageSize?: number | undefined }): { page: number, pageSize: number } {
  return { page: query.page ?? 1, pageSize: query.pageSize ?? DEFAULT_PAGE_SIZE }
}
