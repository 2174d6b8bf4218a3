// Organizations: the caller's own (read and renamed), and its members as far as creating a project needs them.
import type { Database } from 'better-sqlite3'
import { rowOf } from '../db/rows.js'
import type { Tx } from '../db/transaction.js'
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { organizationMembers, organizations, users } from '../db/schema.js'
import type { Plan } from '../domain/vocabulary.js'

export interface OrganizationRow {
  id: string
  name: string
  plan: Plan
  createdAt: number
}

export function organizationsRepository (db: Db, sqlite: Database) {
  // GET /v1/organization's one read, prepared once.
  const byId = db.select({ id: organizations.id, name: organizations.name, plan: organizations.plan, createdAt: organizations.createdAt })
    .from(organizations).where(eq(organizations.id, sql.placeholder('id'))).prepare()

  // Read as an array (src/db/rows.ts): every invitation create and resend makes this check.
  const planOf = rowOf(sqlite.prepare<[string]>('select plan, trial_ends_at from organizations where id = ?'),
    (v) => ({ plan: v[0] as Plan, trialEndsAt: v[1] as number | null }))

  return {
    /** What the plan rule reads of an organization, as stored now; null when it is gone. */
    planOf (id: string): { plan: Plan, trialEndsAt: number | null } | null {
      return planOf(id)
    },

    find (id: string): OrganizationRow | null {
      return byId.get({ id }) ?? null
    },

    rename (tx: Tx, id: string, name: string): void {
      tx.db.update(organizations).set({ name }).where(eq(organizations.id, id)).run()
    },

    /** The user id of the organization's member with this (lower-case) address, or null. */
    memberByEmail (organizationId: string, email: string): string | null {
      return db.select({ id: users.id }).from(organizationMembers)
        .innerJoin(users, eq(users.id, organizationMembers.userId))
        .where(and(eq(organizationMembers.organizationId, organizationId), eq(users.email, email))).get()?.id ?? null
    }
  }
}

export type OrganizationsRepository = ReturnType<typeof organizationsRepository>
