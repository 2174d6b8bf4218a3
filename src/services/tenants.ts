// Tenants: organizations made, changed, reset to the document that made them, and removed through the control API.
import type { Static } from 'typebox'
import type { Clocks } from '../domain/clock.js'
import type { IdGenerator } from '../db/ids.js'
import type { Transact } from '../db/transaction.js'
import { BadDocumentError, OrganizationDocumentError, OrganizationNotFoundError, OrganizationTakenError } from '../domain/errors.js'
import { applyFixtures } from '../boot-state/apply.js'
import { FixturesError, parseStoredOrganization } from '../boot-state/parse.js'
import type { FixtureOrganization, Fixtures, LoadableFixtures } from '../boot-state/schema.js'
import { newKey, redactKey } from '../domain/keys.js'
import { DEFAULT_TENANT_PLAN } from '../domain/rules.js'
import type { OrganizationSummarySchema, TenantResetSchema, TenantSchema } from '../schemas/admin.js'
import type { Plan } from '../domain/vocabulary.js'
import type { DocumentsRepository } from '../repositories/documents.js'
import type { TenantRow, TenantsRepository } from '../repositories/tenants.js'

/** A fixtures organization whose name and plan may be left out. */
export type TenantDocument = Omit<FixtureOrganization, 'name' | 'plan'> & Partial<Pick<FixtureOrganization, 'name' | 'plan'>>

export type OrganizationSummary = Static<typeof OrganizationSummarySchema>
/** A new tenant with every key in clear. */
export type Tenant = Static<typeof TenantSchema>
/** A tenant made again from its document: its keys as stored, none in clear. */
export type TenantReset = Static<typeof TenantResetSchema>

/** Where a constraint failure names the table and column, without the database's own words. */
const constraintOf = (err: unknown): string | null => {
  const code = (err as { code?: unknown }).code
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
    ? (err as Error).message.replace(/^UNIQUE constraint failed: /, '')
    : null
}

/**
 * Runs an apply of one organization's document, turning its refusals into the control API's
 * errors: a document the loader refuses (its message, the organization's path named `at`), and an
 * id in it that another row already has (the constraint named).
 */
function refusing (apply: () => void, at: string, refused: (message: string) => Error, taken: (constraint: string) => Error): void {
  try {
    apply()
  } catch (err) {
    if (err instanceof FixturesError) throw refused(err.message.replace(/^organizations\/0/, at))
    const constraint = constraintOf(err)
    if (constraint !== null) throw taken(constraint)
    throw err
  }
}

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString()

export interface TenantServiceDeps {
  transact: Transact
  ids: IdGenerator
  /** Tenants are made at the server clock's time; an organization's own clock goes with it (delete, reset). */
  clocks: Clocks
  tenants: TenantsRepository
  documents: DocumentsRepository
  /** The boot fixtures (or the demo organization): where an organization with no stored document of its own may come from. */
  bootDocument: () => Fixtures
}

const present = (row: TenantRow): OrganizationSummary =>
  ({ id: row.id, name: row.name, plan: row.plan, trialEndsAt: iso(row.trialEndsAt), createdAt: new Date(row.createdAt).toISOString() })

export function tenantService ({ transact, ids, clocks, tenants, documents, bootDocument }: TenantServiceDeps) {
  function requireRow (id: string): TenantRow {
    const row = tenants.find(id)
    if (row === null) throw new OrganizationNotFoundError()
    return row
  }

  function summary (id: string): OrganizationSummary {
    return present(requireRow(id))
  }

  /** Its projects with their roles, its own roles, its members: what create and reset answer beside the keys. */
  function contents (id: string) {
    return {
      projects: tenants.projects(id).map((p) => ({ ...p, roles: tenants.projectRoles(p.id) })),
      roles: tenants.organizationRoles(id),
      members: tenants.members(id)
    }
  }

  /**
   * What a reset makes the organization from, and when: its stored document, applied again at the
   * time it was first applied; else (an organization of the boot fixtures, or the demo one, in a
   * database from before documents were kept) its entry in the boot document, at the server
   * clock's time, its id kept; else a 409.
   */
  function documentFor (row: TenantRow): { fixtures: LoadableFixtures, at: number } {
    const stored = tenants.document(row.id)
    if (stored !== null) {
      try {
        const doc = parseStoredOrganization(stored.document, 'its stored document')
        return { fixtures: { organizations: [{ ...doc, id: row.id }] }, at: stored.createdAt }
      } catch (err) {
        if (err instanceof FixturesError) throw new OrganizationDocumentError(`Organization ${row.id} cannot be reset: ${err.message}`)
        throw err
      }
    }
    const boot = bootDocument()
    // An entry without an id is this organization if the boot fixtures made it from that entry (not by its
    // name now: a tenant may have renamed itself so).
    const recorded = documents.bootOrganizations()
    const entry = boot.organizations.find((o) => o.id === row.id) ??
      boot.organizations.find((o) => o.id === undefined && documents.bootOrganizationNamed(o.name, recorded) === row.id)
    if (entry !== undefined) {
      return { fixtures: { ...(boot.permissions === undefined ? {} : { permissions: boot.permissions }), organizations: [{ ...entry, id: row.id }] }, at: clocks.server.now() }
    }
    throw new OrganizationDocumentError(`Organization ${row.id} has no document to reset to: it was not made by POST /__admin/organizations or the boot fixtures ` +
      'on this version of the server (made before documents were kept, or imported in a snapshot without one). POST /__admin/reset restores the whole boot state')
  }

  function describe (id: string, keys: Tenant['apiKeys']): Tenant {
    const orgKey = keys.find((k) => k.projectId === null && k.valid)!
    return {
      ...summary(id),
      apiKey: orgKey.key,
      apiKeys: keys,
      ...contents(id)
    }
  }

  return {
    /**
     * Makes an organization from a fixtures-format document, refusing one whose name or id is
     * taken (fixtures would merge into it; a tenant must be new). Mints an organization key when
     * the document has none, and answers with every key in clear.
     */
    create (doc: TenantDocument): Tenant {
      const given = doc.apiKeys ?? []
      for (const [i, k] of given.entries()) {
        if (given.findIndex((other) => other.key === k.key) !== i) throw new BadDocumentError(`body.apiKeys[${i}]: the same key is listed twice`)
      }
      const minted: NonNullable<FixtureOrganization['apiKeys']> =
        given.some((k) => k.project === undefined && k.valid !== false) ? [] : [{ key: newKey('organization'), name: 'default' }]
      const apiKeys = [...given, ...minted]
      // Inside the transaction, so a refused tenant does not use up an id of the sequence either.
      const id = transact((tx): string => {
        const id = doc.id ?? ids.cuid()
        const org: FixtureOrganization = { ...doc, id, name: doc.name ?? `Organization ${id}`, plan: doc.plan ?? DEFAULT_TENANT_PLAN, apiKeys }
        // By id alone: names are not unique (another tenant may have this one; docs/decisions.md).
        if (tenants.find(id) !== null) throw new OrganizationTakenError(`An organization with id ${id} already exists`)
        // The document is recorded as applied (organization_documents), keys as stored, minted ones too.
        // An id it gives (a role's, a policy's...) that another row already has is a 409.
        refusing(() => applyFixtures(tx, documents, ids, { organizations: [org] }, clocks.server.now(), { force: true, recordDigest: false }), 'body',
          (message) => new BadDocumentError(message),
          (constraint) => new OrganizationTakenError(`An id in the document is already in use (${constraint})`))
        return id
      })
      const projectIdByName = new Map(tenants.projects(id).map((p) => [p.name, p.id]))
      return describe(id, apiKeys.map((k) => ({
        key: k.key,
        name: k.name ?? null,
        projectId: k.project === undefined ? null : projectIdByName.get(k.project) ?? null,
        valid: k.valid ?? true
      })))
    },

    list (): OrganizationSummary[] {
      return tenants.list().map(present)
    },

    /** Changes the plan and trial end; what is left out stays. */
    update (id: string, patch: { plan?: Plan, trialEndsAt?: string | null }): OrganizationSummary {
      requireRow(id)
      const set: { plan?: Plan, trialEndsAt?: number | null } = {}
      if (patch.plan !== undefined) set.plan = patch.plan
      if (patch.trialEndsAt !== undefined) {
        const ms = patch.trialEndsAt === null ? null : Date.parse(patch.trialEndsAt)
        if (ms !== null && Number.isNaN(ms)) throw new BadDocumentError(`body.trialEndsAt "${patch.trialEndsAt}" is not a time this server can read`)
        set.trialEndsAt = ms
      }
      transact((tx) => tenants.update(tx, id, set))
      return summary(id)
    },

    /** Removes the organization and everything it owns (projects, keys, invitations, outbox, its document), and its own clock. */
    delete (id: string): void {
      requireRow(id)
      transact((tx) => tenants.delete(tx, id))
      clocks.drop(id)
    },

    /**
     * Makes the organization again from the document that made it, in one transaction: everything
     * it owns is removed (projects, members, invitations, keys, outbox emails, custom roles and
     * policies, governance policies) and the document applied again, with the same ids and the
     * same keys (stored as digests, so none comes back in clear). Its clock follows the server
     * clock again. Unknown: 404; no document, or one that no longer applies: 409, nothing changed.
     */
    reset (id: string): TenantReset {
      const { fixtures, at } = documentFor(requireRow(id))
      transact((tx) => {
        tenants.delete(tx, id)
        const cannot = `Organization ${id} cannot be made again from its document`
        refusing(() => applyFixtures(tx, documents, ids, fixtures, at, { force: true, recordDigest: false, keepUsers: true }), 'document',
          (message) => new OrganizationDocumentError(`${cannot}: ${message}`),
          (constraint) => new OrganizationDocumentError(`${cannot}: an id in it is now in use (${constraint})`))
      })
      clocks.drop(id)
      return {
        ...summary(id),
        apiKeys: tenants.keys(id).map(({ last6, ...k }) => ({ ...k, redacted: redactKey(last6) })),
        ...contents(id)
      }
    }
  }
}

export type TenantService = ReturnType<typeof tenantService>
