// Applies a boot-state (fixtures) document, inside the caller's transaction: idempotent, by natural keys, each organization planned then written in bulk.
import { createHash } from 'node:crypto'
import type { IdGenerator } from '../db/ids.js'
import type { Tx } from '../db/transaction.js'
import type { DocumentsRepository } from '../repositories/documents.js'
import { catalogue } from './catalog.js'
import { permissionKey, permissionRows, planOrganization } from './plan.js'
import type { LoadableFixtures } from './schema.js'

export function digestOf (fixtures: LoadableFixtures): string {
  return createHash('sha256').update(JSON.stringify(fixtures)).digest('hex')
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

/**
 * Applies fixtures by natural keys (organization name or id, user email, project name or id, role
 * name, key value): what exists is updated, what is missing is added, nothing is duplicated. The
 * same document is applied once per database, so changes made through the API survive restarts.
 * Runs in the transaction `tx` stands for: what it throws rolls everything back.
 */
export function applyFixtures (tx: Tx, documents: DocumentsRepository, ids: IdGenerator, fixtures: LoadableFixtures, now: number,
  opts: ApplyOptions = {}): ApplyResult {
  // Only what is compared or recorded is hashed: a tenant's document (forced, not recorded) is not.
  const digest = opts.force === true && opts.recordDigest === false ? null : digestOf(fixtures)
  documents.addCatalogue(tx, catalogue(now))
  if (documents.fixturesDigest() === digest && opts.force !== true) {
    return { applied: false, organizationIds: [] }
  }
  documents.addPermissions(tx, permissionRows(fixtures))
  const permissions = new Map(documents.permissions().map((p) => [permissionKey(p.scope, p.name), p.id]))
  // The boot fixtures find an entry without an id by its name among the organizations they made (a
  // tenant may have taken the name: names are not unique); any other document, by id alone.
  const boot = opts.recordDigest !== false
  const recorded = boot ? documents.bootOrganizations() : null
  const named = new Map(recorded ?? [])
  // In a database from before they were recorded, a name this run has not written yet is looked up as it was then.
  const organizationNamed = boot
    ? (name: string) => documents.bootOrganizationNamed(name, recorded === null && !named.has(name) ? null : named)
    : () => null
  const context = { reads: documents, ids, now, keepUsers: opts.keepUsers === true, permissions, organizationNamed }
  // One organization after the other: a later one finds the users (and an organization listed
  // twice, its first entry) the earlier ones wrote.
  const stored = fixtures.organizations.map((org, i) => {
    const plan = planOrganization(context, org, `organizations/${i}`)
    const doc = plan.stored(documents.writeOrganization(tx, plan.writes))
    named.set(org.name, doc.id)
    return doc
  })
  if (boot) documents.recordBootOrganizations(tx, named)
  // An organization listed twice in one document is merged: the last entry's record stands.
  if (opts.recordDocuments !== false) {
    documents.recordDocuments(tx, stored.map((doc) => ({ organizationId: doc.id, document: JSON.stringify(doc) })), now)
  }
  if (digest !== null && opts.recordDigest !== false) documents.recordFixturesDigest(tx, digest)
  return { applied: true, organizationIds: stored.map((doc) => doc.id) }
}
