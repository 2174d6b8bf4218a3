// Who calls: the organization API key a /v1 request carries, resolved to its caller.
import type { Caller } from '../domain/vocabulary.js'
import { InvalidApiKeyError, MissingApiKeyError, ProjectKeyError } from '../domain/errors.js'
import { digestsEqual, keyDigest } from '../domain/keys.js'
import type { ApiKeysRepository } from '../repositories/api-keys.js'

export interface CredentialServiceDeps {
  apiKeys: ApiKeysRepository
}

export function credentialService ({ apiKeys }: CredentialServiceDeps) {
  return {
    /** The caller a key stands for: 401 for none, an unknown or an invalidated key, 403 for a project key. */
    authenticate (key: string | undefined): Caller {
      if (key === undefined || key === '') throw new MissingApiKeyError()
      const digest = keyDigest(key)
      const record = apiKeys.findByDigest(digest)
      if (record === null || !digestsEqual(record.digest, digest) || !record.valid) throw new InvalidApiKeyError()
      if (record.projectId !== null) throw new ProjectKeyError()
      return { keyId: record.id, organizationId: record.organizationId, plan: record.plan, trialEndsAt: record.trialEndsAt }
    },

    /** The organization of a valid key, without the checks' errors: null for none or an invalid one. */
    organizationOf (key: string | undefined): string | null {
      if (key === undefined || key === '') return null
      const record = apiKeys.findByDigest(keyDigest(key))
      return record?.valid === true ? record.organizationId : null
    }
  }
}

export type CredentialService = ReturnType<typeof credentialService>
