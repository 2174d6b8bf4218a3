// API keys: the lookup every /v1 request makes, with the organization facts the checks need; minting, listing, validity, deletion.
import type { Database } from 'better-sqlite3'
import { rowOf } from '../db/rows.js'
import type { Tx } from '../db/transaction.js'
import { and, asc, count, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { apiKeys } from '../db/schema.js'
import type { Plan } from '../domain/vocabulary.js'

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

/** A stored key as the key endpoints show it: `last6` is all that is left of its value. */
export interface StoredKeyRow extends KeyRow {
  last6: string
}

export function apiKeysRepository (db: Db, sqlite: Database) {
  // Prepared once, read as an array (src/db/rows.ts): this runs on every authenticated request.
  const byDigest = rowOf(sqlite.prepare<[string]>(`
    select k.id, k.digest, k.organization_id, k.project_id, k.valid, o.plan, o.trial_ends_at
    from api_keys as k join organizations as o on o.id = k.organization_id
    where k.digest = ?
  `), (v): KeyRecord => ({
    id: v[0] as number,
    digest: v[1] as string,
    organizationId: v[2] as string,
    projectId: v[3] as string | null,
    valid: v[4] === 1,
    plan: v[5] as Plan,
    trialEndsAt: v[6] as number | null
  }))

  const stored = {
    id: apiKeys.id, name: apiKeys.name, valid: apiKeys.valid, createdAt: apiKeys.createdAt, last6: apiKeys.last6
  }
  const orgKeys = db.select(stored).from(apiKeys)
    .where(and(eq(apiKeys.organizationId, sql.placeholder('organizationId')), isNull(apiKeys.projectId)))
    .orderBy(asc(apiKeys.id)).prepare()
  const projectKeys = db.select(stored).from(apiKeys)
    .where(eq(apiKeys.projectId, sql.placeholder('projectId')))
    .orderBy(asc(apiKeys.id)).prepare()
  const orgKey = db.select(stored).from(apiKeys)
    .where(and(eq(apiKeys.id, sql.placeholder('id')), eq(apiKeys.organizationId, sql.placeholder('organizationId')), isNull(apiKeys.projectId)))
    .prepare()
  const projectKey = db.select(stored).from(apiKeys)
    .where(and(eq(apiKeys.id, sql.placeholder('id')), eq(apiKeys.projectId, sql.placeholder('projectId'))))
    .prepare()
  const validOrgKeys = db.select({ n: count() }).from(apiKeys)
    .where(and(eq(apiKeys.organizationId, sql.placeholder('organizationId')), isNull(apiKeys.projectId), eq(apiKeys.valid, true)))
    .prepare()

  return {
    findByDigest (digest: string): KeyRecord | null {
      return byDigest(digest)
    },

    /** Stores a new valid key (its digest, never its value). */
    insert (tx: Tx, key: NewKey): KeyRow {
      return tx.db.insert(apiKeys).values({ ...key, valid: true })
        .returning({ id: apiKeys.id, name: apiKeys.name, valid: apiKeys.valid, createdAt: apiKeys.createdAt }).get()
    },

    /** The organization's organization keys (no project), by id ascending. */
    listForOrg (organizationId: string): StoredKeyRow[] {
      return orgKeys.all({ organizationId })
    },

    /** The project's keys, by id ascending. */
    listForProject (projectId: string): StoredKeyRow[] {
      return projectKeys.all({ projectId })
    },

    /** One organization key of the organization; a project key or another organization's is absent. */
    findForOrg (id: number, organizationId: string): StoredKeyRow | null {
      return orgKey.get({ id, organizationId }) ?? null
    },

    /** One key of the project; an organization key or another project's is absent. */
    findForProject (id: number, projectId: string): StoredKeyRow | null {
      return projectKey.get({ id, projectId }) ?? null
    },

    /** How many valid organization keys the organization has. */
    countValidForOrg (organizationId: string): number {
      return validOrgKeys.get({ organizationId })?.n ?? 0
    },

    setValid (tx: Tx, id: number, valid: boolean): void {
      tx.db.update(apiKeys).set({ valid }).where(eq(apiKeys.id, id)).run()
    },

    delete (tx: Tx, id: number): void {
      tx.db.delete(apiKeys).where(eq(apiKeys.id, id)).run()
    }
  }
}

export type ApiKeysRepository = ReturnType<typeof apiKeysRepository>
