// The console's shared parameter schemas: ids in paths and page numbers in queries.
import { Type } from 'typebox'

/** An id in a console path: at most 64 characters are ever stored (fixtures, the control API); a longer one is simply not found. */
export const Id = Type.String({ minLength: 1, maxLength: 200 })

/** A list's page, from 1: past the last shows the last; the bound only keeps the number an integer SQLite takes. */
export const PageNumber = Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 }))
