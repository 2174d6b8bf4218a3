// Tenants: organizations as the control API sees them (any organization, no caller), and what a new one holds.
import type { Database } from 'better-sqlite3'
import { rowsOf } from '../db/rows.js'
import type { Tx } from '../db/transaction.js'
import type { Plan } from '../domain/vocabulary.js'

export interface TenantRow {
  id: string
  name: string
  plan: Plan
  trialEndsAt: number | null
  createdAt: number
}

export interface Named {
  id: string
  name: string
}

/** A key as the control API shows it once it is stored: no clear value, its last 6 characters. */
export interface TenantKey {
  id: number
  name: string | null
  projectId: string | null
  valid: boolean
  last6: string
}

/** The document that made an organization, as stored (src/db/schema.ts organization_documents). */
export interface StoredDocumentRow {
  document: string
  createdAt: number
}

export interface TenantMember {
  userId: string
  email: string
  role: string
}

const ROW = 'id, name, plan, trial_ends_at as trialEndsAt, created_at as createdAt'

export function tenantsRepository (sqlite: Database) {
  const byId = sqlite.prepare<[string], TenantRow>(`select ${ROW} from organizations where id = ?`)
  const all = sqlite.prepare<[], TenantRow>(`select ${ROW} from organizations order by created_at, id`)
  const projects = sqlite.prepare<[string], Named>('select id, name from projects where organization_id = ? order by created_at, id')
  const projectRoles = sqlite.prepare<[string], Named>('select id, name from roles where project_id = ? order by created_at, rowid')
  const organizationRoles = sqlite.prepare<[string], Named>(
    'select id, name from roles where organization_id = ? and project_id is null order by created_at, rowid')
  const members = rowsOf(sqlite.prepare<[string]>(`
    select u.id, u.email, r.name from organization_members m
    join users u on u.id = m.user_id join roles r on r.id = m.role_id
    where m.organization_id = ? order by m.created_at, m.rowid`), ([userId, email, role]) => ({ userId, email, role }) as TenantMember)
  const keys = sqlite.prepare<[string], Omit<TenantKey, 'valid'> & { valid: number }>(
    'select id, name, project_id as projectId, valid, last6 from api_keys where organization_id = ? order by id')
  const documentOf = sqlite.prepare<[string], StoredDocumentRow>(
    'select document, created_at as createdAt from organization_documents where organization_id = ?')
  const setPlan = sqlite.prepare<[Plan, string]>('update organizations set plan = ? where id = ?')
  const setTrialEnd = sqlite.prepare<[number | null, string]>('update organizations set trial_ends_at = ? where id = ?')
  const remove = sqlite.prepare<[string]>('delete from organizations where id = ?')

  return {
    find (id: string): TenantRow | null {
      return byId.get(id) ?? null
    },

    /** Every organization, oldest first. */
    list (): TenantRow[] {
      return all.all()
    },

    /** The organization's projects, oldest first. */
    projects (id: string): Named[] {
      return projects.all(id)
    },

    /** A project's custom roles, oldest first. */
    projectRoles (projectId: string): Named[] {
      return projectRoles.all(projectId)
    },

    /** The organization's own custom roles, oldest first. */
    organizationRoles (id: string): Named[] {
      return organizationRoles.all(id)
    },

    /** The organization's members with the names of their roles, oldest first. */
    members (id: string): TenantMember[] {
      return members(id)
    },

    /** The organization's keys, organization and project keys alike, by id. */
    keys (id: string): TenantKey[] {
      return keys.all(id).map((k) => ({ ...k, valid: k.valid === 1 }))
    },

    /** The document the organization was made from, or null (made before documents were kept, or imported without one). */
    document (id: string): StoredDocumentRow | null {
      return documentOf.get(id) ?? null
    },

    /** Changes what is given; what is left out stays. */
    update (tx: Tx, id: string, set: { plan?: Plan, trialEndsAt?: number | null }): void {
      if (set.plan !== undefined) setPlan.run(set.plan, id)
      if (set.trialEndsAt !== undefined) setTrialEnd.run(set.trialEndsAt, id)
    },

    /** Removes the organization; its projects, keys, invitations, emails and document go with it (foreign keys cascade). */
    delete (tx: Tx, id: string): void {
      remove.run(id)
    }
  }
}

export type TenantsRepository = ReturnType<typeof tenantsRepository>
