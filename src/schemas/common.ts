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

export const ProjectIdParams = Type.Object({
  // No length limits: any id that names no project of the caller's is a 404, as the contract says.
  projectId: Type.String({ description: 'The unique identifier of the project' })
})
