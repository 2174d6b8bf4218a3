// The auth plugin: resolves the CONFIDENT_API_KEY header to the calling organization.
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Caller } from '../domain.js'
import { InvalidApiKeyError, MissingApiKeyError, ProjectKeyError } from '../errors.js'
import { digestsEqual, keyDigest } from '../keys.js'
import { apiKeysRepository } from '../repositories/api-keys.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** An onRequest hook for the scopes that need an organization key. */
    authenticate: (request: FastifyRequest) => Promise<void>
    /**
     * The organization whose valid key a request carries, read before (or without) authenticate:
     * for faults limited to one organization and for the journal. Null for no key or an invalid one.
     */
    keyOrganization: (request: FastifyRequest) => string | null
  }
  interface FastifyRequest {
    caller: Caller | null
  }
}

/** Header names arrive lower-cased from Node. */
export const API_KEY_HEADER = 'confident_api_key'

export default fp(async (app) => {
  const keys = apiKeysRepository(app.db)
  app.decorateRequest('caller', null)
  app.decorate('keyOrganization', (request: FastifyRequest) => {
    const key = request.headers[API_KEY_HEADER]
    if (typeof key !== 'string' || key === '') return null
    const record = keys.findByDigest(keyDigest(key))
    return record?.valid === true ? record.organizationId : null
  })
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const key = request.headers[API_KEY_HEADER]
    if (typeof key !== 'string' || key === '') throw new MissingApiKeyError()
    const digest = keyDigest(key)
    const record = keys.findByDigest(digest)
    if (record === null || !digestsEqual(record.digest, digest) || !record.valid) throw new InvalidApiKeyError()
    if (record.projectId !== null) throw new ProjectKeyError()
    request.caller = {
      keyId: record.id,
      organizationId: record.organizationId,
      plan: record.plan,
      trialEndsAt: record.trialEndsAt
    }
  })
}, { name: 'auth', dependencies: ['db'] })

/** The caller of a request that passed `authenticate`. */
export function callerOf (request: FastifyRequest): Caller {
  if (request.caller === null) throw new Error('route is not behind authenticate')
  return request.caller
}
