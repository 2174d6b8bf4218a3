// Who calls: the organization API key a /v1 request carries, resolved to its caller.
import type { Caller } from '../domain/vocabulary.js'
import { InvalidApiKeyError, MissingApiKeyError, ProjectKeyError } from '../domain/errors.js'
import { digestsEqual, keyDigest } from '../domain/keys.js'
import type { ApiKeysRepository } from '../repositories/api-keys.js'

export interface CredentialServiceDeps {
  apiKeys: ApiKeysRepository
}

/** The most key digests remembered; past it the memo starts again, so any number of keys costs bounded memory. */
const DIGESTS_KEPT = 1024

export function credentialService ({ apiKeys }: CredentialServiceDeps) {
  // A client sends the same key on every request: its SHA-256 is worked out once, not per request.
  const digests = new Map<string, string>()
  function digestOf (key: string): string {
    let digest = digests.get(key)
    if (digest === undefined) {
      if (digests.size >= DIGESTS_KEPT) digests.clear()
      digest = keyDigest(key)
      digests.set(key, digest)
    }
    return digest
  }

  return {
    /** The caller a key stands for: 401 for none, an unknown or an invalidated key, 403 for a project key. */
    authenticate (key: string | undefined): Caller {
      if (key === undefined || key === '') throw new MissingApiKeyError()
      const digest = digestOf(key)
      const record = apiKeys.findByDigest(digest)
      if (record === null || !digestsEqual(record.digest, digest) || !record.valid) throw new InvalidApiKeyError()
      if (record.projectId !== null) throw new ProjectKeyError()
      return { keyId: record.id, organizationId: record.organizationId, plan: record.plan, trialEndsAt: record.trialEndsAt }
    },

    /** The organization of a valid key, without the checks' errors: null for none or an invalid one. */
    organizationOf (key: string | undefined): string | null {
      if (key === undefined || key === '') return null
      const record = apiKeys.findByDigest(digestOf(key))
      return record?.valid === true ? record.organizationId : null
    }
  }
}

export type CredentialService = ReturnType<typeof credentialService>
