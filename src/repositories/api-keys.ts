// API keys: the lookup every /v1 request makes, with the organization facts the checks need; minting.
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { apiKeys, organizations, type Plan } from '../db/schema.js'

export interface KeyRecord {
  id: number
  digest: string
  organizationId: string
  projectId: string | null
  valid: boolean
  plan: Plan
  trialEndsAt: number | null
}

export interface NewKey {
  organizationId: string
  projectId: string | null
  name: string | null
  digest: string
  last6: string
  createdAt: number
}

export interface KeyRow {
  id: number
  name: string | null
  valid: boolean
  createdAt: number
}

export function apiKeysRepository (db: Db) {
  // Prepared once: this runs on every authenticated request.
  const byDigest = db.select({
    id: apiKeys.id,
    digest: apiKeys.digest,
    organizationId: apiKeys.organizationId,
    projectId: apiKeys.projectId,
    valid: apiKeys.valid,
    plan: organizations.plan,
    trialEndsAt: organizations.trialEndsAt
  }).from(apiKeys)
    .innerJoin(organizations, eq(organizations.id, apiKeys.organizationId))
    .where(eq(apiKeys.digest, sql.placeholder('digest')))
    .prepare()

  return {
    findByDigest (digest: string): KeyRecord | null {
      return byDigest.get({ digest }) ?? null
    },

    /** Stores a new valid key (its digest, never its value). */
    insert (key: NewKey): KeyRow {
      return db.insert(apiKeys).values({ ...key, valid: true })
        .returning({ id: apiKeys.id, name: apiKeys.name, valid: apiKeys.valid, createdAt: apiKeys.createdAt }).get()
    }
  }
}

export type ApiKeysRepository = ReturnType<typeof apiKeysRepository>
