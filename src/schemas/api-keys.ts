// API key schemas (organization and project keys share them), field for field as the vendor publishes them.
import { Type, type Static } from 'typebox'
import { redactKey } from '../domain/keys.js'
import { MAX_NAME_LENGTH } from '../domain/rules.js'
import { InProjectParams, IsoDateTime, NameSchema, Success } from './common.js'

export const ApiKeySchema = Type.Object({
  id: Type.Integer({ description: 'The key id' }),
  name: Type.Union([Type.String(), Type.Null()], { description: 'The key label' }),
  valid: Type.Boolean({ description: 'Whether the key is active: an invalid key is rejected on authentication' }),
  value: Type.String({
    description: 'The full key in the answer that creates it, and only there; everywhere else 15 `*` followed by its last 6 characters'
  }),
  created_at: IsoDateTime,
  lastUsed: Type.Union([IsoDateTime, Type.Null()], {
    description: 'Always null here: this server does not track use, since recording it would turn every authenticated read into a write'
  })
})

export type ApiKey = Static<typeof ApiKeySchema>

/** A key's `value`, as its description says: the clear key when just minted, else its redacted form. */
export function keyValue (key: { value?: string | undefined, last6: string }): string {
  return key.value ?? redactKey(key.last6)
}

export const CreateApiKeyBody = Type.Object({
  name: NameSchema(`A label for the key (at most ${MAX_NAME_LENGTH} characters)`)
})

export const UpdateApiKeyBody = Type.Object({
  valid: Type.Boolean({ description: 'false deactivates the key (it stops authenticating at once), true reactivates it' })
})

export const ApiKeyIdParams = Type.Object({
  apiKeyId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The unique identifier of the API key' })
})
export const ProjectApiKeyParams = InProjectParams(ApiKeyIdParams)

export const ApiKeyListResponse = Success(Type.Object({ apiKeys: Type.Array(ApiKeySchema) }))
export const ApiKeyResponse = Success(Type.Object({ apiKey: ApiKeySchema }))
export const DeletedApiKeyResponse = Success(Type.Object({ id: Type.Integer(), deleted: Type.Literal(true) }))
