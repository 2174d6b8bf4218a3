// Tenants: organizations made, changed and removed through the control API, with their clear keys.
import type { Database } from 'better-sqlite3'
import type { Static } from 'typebox'
import type { Db } from '../db/index.js'
import type { IdGenerator } from '../db/ids.js'
import { BadDocumentError, OrganizationNotFoundError, OrganizationTakenError } from '../errors.js'
import { applyFixtures } from '../boot-state/apply.js'
import { FixturesError } from '../boot-state/parse.js'
import type { FixtureOrganization } from '../boot-state/schema.js'
import { newKey } from '../keys.js'
import { DEFAULT_TENANT_PLAN } from '../rules.js'
import type { OrganizationSummarySchema, TenantSchema } from '../schemas/admin.js'
import type { Plan } from '../domain.js'
import type { TenantRow, TenantsRepository } from '../repositories/tenants.js'
import { immediate } from './immediate.js'

/** A fixtures organization whose name and plan may be left out. */
export type TenantDocument = Omit<FixtureOrganization, 'name' | 'plan'> & Partial<Pick<FixtureOrganization, 'name' | 'plan'>>

export type OrganizationSummary = Static<typeof OrganizationSummarySchema>
/** A new tenant with every key in clear. */
export type Tenant = Static<typeof TenantSchema>

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString()

export interface TenantServiceDeps {
  db: Db
  sqlite: Database
  ids: IdGenerator
  now: () => number
  tenants: TenantsRepository
}

const present = (row: TenantRow): OrganizationSummary =>
  ({ id: row.id, name: row.name, plan: row.plan, trialEndsAt: iso(row.trialEndsAt), createdAt: new Date(row.createdAt).toISOString() })

export function tenantService ({ db, sqlite, ids, now, tenants }: TenantServiceDeps) {
  function summary (id: string): OrganizationSummary {
    const row = tenants.find(id)
    if (row === null) throw new OrganizationNotFoundError()
    return present(row)
  }

  function describe (id: string, keys: Tenant['apiKeys']): Tenant {
    const orgKey = keys.find((k) => k.projectId === null && k.valid)!
    return {
      ...summary(id),
      apiKey: orgKey.key,
      apiKeys: keys,
      projects: tenants.projects(id).map((p) => ({ ...p, roles: tenants.projectRoles(p.id) })),
      roles: tenants.organizationRoles(id),
      members: tenants.members(id)
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
      const make = immediate(sqlite, (): string => {
        const id = doc.id ?? ids.cuid()
        const org: FixtureOrganization = { ...doc, id, name: doc.name ?? `Organization ${id}`, plan: doc.plan ?? DEFAULT_TENANT_PLAN, apiKeys }
        const taken = tenants.findTaken(id, org.name)
        if (taken !== null) {
          throw new OrganizationTakenError(taken.id === id ? `An organization with id ${id} already exists` : `An organization named "${org.name}" already exists`)
        }
        try {
          applyFixtures(db, ids, { organizations: [org] }, now(), { force: true, recordDigest: false })
        } catch (err) {
          if (err instanceof FixturesError) throw new BadDocumentError(err.message.replace(/^organizations\/0/, 'body'))
          // An id given in the document (a role's, a policy's...) that another row already has.
          const code = (err as { code?: unknown }).code
          if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
            throw new OrganizationTakenError(`An id in the document is already in use (${(err as Error).message.replace(/^UNIQUE constraint failed: /, '')})`)
          }
          throw err
        }
        return id
      })
      const id = make()
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
      summary(id)
      const set: { plan?: Plan, trialEndsAt?: number | null } = {}
      if (patch.plan !== undefined) set.plan = patch.plan
      if (patch.trialEndsAt !== undefined) {
        const ms = patch.trialEndsAt === null ? null : Date.parse(patch.trialEndsAt)
        if (ms !== null && Number.isNaN(ms)) throw new BadDocumentError(`body.trialEndsAt "${patch.trialEndsAt}" is not a time this server can read`)
        set.trialEndsAt = ms
      }
      tenants.update(id, set)
      return summary(id)
    },

    /** Removes the organization and everything it owns (projects, keys, invitations, outbox). */
    delete (id: string): void {
      summary(id)
      tenants.delete(id)
    }
  }
}

export type TenantService = ReturnType<typeof tenantService>
