// Applies a boot-state (fixtures) document to the database: idempotent, in one transaction, by natural keys.
import { createHash } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db, Tx } from '../db/index.js'
import type { IdGenerator } from '../db/ids.js'
import { meta, organizationDocuments } from '../db/schema.js'
import { ensureCatalog } from './catalog.js'
import { Loader } from './loader.js'
import type { LoadableFixtures, StoredOrganization } from './schema.js'

export function digestOf (fixtures: LoadableFixtures): string {
  return createHash('sha256').update(JSON.stringify(fixtures)).digest('hex')
}

/** Marks a document as applied, so boot does not apply it again (after a reset to empty, too). */
export function recordFixturesDigest (db: Db | Tx, fixtures: LoadableFixtures): void {
  const digest = digestOf(fixtures)
  db.insert(meta).values({ key: 'fixtures_digest', value: digest })
    .onConflictDoUpdate({ target: meta.key, set: { value: digest } }).run()
}

/** Whether any document was ever applied to this database (or a reset emptied it on purpose). */
export function fixturesRecorded (db: Db): boolean {
  return db.select({ value: meta.value }).from(meta).where(eq(meta.key, 'fixtures_digest')).get() !== undefined
}

export interface ApplyResult {
  /** false when this very document was already applied to this database. */
  applied: boolean
  organizationIds: string[]
}

export interface ApplyOptions {
  /** Apply even when this document is the one last applied. */
  force?: boolean
  /** Remember this document as the boot fixtures applied (default true; false for a tenant). */
  recordDigest?: boolean
  /**
   * Record each organization's entry in the stored form (organization_documents), for a reset of
   * that organization (default true).
   */
  recordDocuments?: boolean
  /**
   * Leave users that exist as they are (default false: a document's name or image updates them).
   * Users are shared by organizations: an organization's reset must not change another's members.
   */
  keepUsers?: boolean
}

/** Records the document an organization was made from, replacing the one it had. */
export function recordDocument (db: Db | Tx, doc: StoredOrganization, appliedAt: number): void {
  const document = JSON.stringify(doc)
  db.insert(organizationDocuments).values({ organizationId: doc.id, document, createdAt: appliedAt })
    .onConflictDoUpdate({ target: organizationDocuments.organizationId, set: { document, createdAt: appliedAt } }).run()
}

/**
 * Applies fixtures by natural keys (organization name or id, user email, project name or id, role
 * name, key value): what exists is updated, what is missing is added, nothing is duplicated. The
 * same document is applied once per database, so changes made through the API survive restarts.
 */
export function applyFixtures (db: Db, ids: IdGenerator, fixtures: LoadableFixtures, now: number, opts: ApplyOptions = {}): ApplyResult {
  const digest = digestOf(fixtures)
  return db.transaction((tx) => {
    ensureCatalog(tx, now)
    const last = tx.select({ value: meta.value }).from(meta).where(eq(meta.key, 'fixtures_digest')).get()
    if (last?.value === digest && opts.force !== true) {
      return { applied: false, organizationIds: [] }
    }
    const loader = new Loader(tx, ids, now, opts.keepUsers === true)
    for (const entry of fixtures.permissions?.organization ?? []) loader.permission('ORGANIZATION', entry)
    for (const entry of fixtures.permissions?.project ?? []) loader.permission('PROJECT', entry)
    const documents = fixtures.organizations.map((org, i) => loader.organization(org, `organizations/${i}`))
    // An organization listed twice in one document is merged: the last entry's record stands.
    if (opts.recordDocuments !== false) for (const doc of documents) recordDocument(tx, doc, now)
    if (opts.recordDigest !== false) recordFixturesDigest(tx, fixtures)
    return { applied: true, organizationIds: documents.map((doc) => doc.id) }
  }, { behavior: 'immediate' })
}
