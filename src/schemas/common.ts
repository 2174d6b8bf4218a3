// Shared schema atoms: the success and error envelopes and the vendor's common fields.
import { Type, type TSchema } from 'typebox'

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
