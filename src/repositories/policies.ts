// Custom policies of an organization (no project) or of one of its projects, and the permissions each groups.
import type { Tx } from '../db/transaction.js'
import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { permissions, policies, policyPermissions } from '../db/schema.js'
import type { RoleScope } from '../domain/vocabulary.js'
import { groupBy } from './group.js'

/** Whose policies: an organization's own (projectId null) or one project's. */
export interface PolicyOwner {
  organizationId: string
  projectId: string | null
}

export interface PolicyRow {
  id: string
  name: string
  description: string | null
}

export interface PermissionRef {
  id: string
  name: string
}

export interface NewPolicy extends PolicyRow, PolicyOwner {
  createdAt: number
}

export function policiesRepository (db: Db) {
  const owned = (owner: PolicyOwner) => owner.projectId === null
    ? and(eq(policies.organizationId, owner.organizationId), isNull(policies.projectId))
    : and(eq(policies.organizationId, owner.organizationId), eq(policies.projectId, owner.projectId))
  const rows = () => db.select({ id: policies.id, name: policies.name, description: policies.description }).from(policies)

  return {
    /** The owner's policies in creation order (rowid breaks ties between equal times). */
    listForOwner (owner: PolicyOwner): PolicyRow[] {
      return rows().where(owned(owner)).orderBy(asc(policies.createdAt), asc(sql`${policies}.rowid`)).all()
    },

    /** A policy of this very owner: another organization's, another project's or the organization's own on a project is absent. */
    findForOwner (owner: PolicyOwner, policyId: string): PolicyRow | null {
      return rows().where(and(owned(owner), eq(policies.id, policyId))).get() ?? null
    },

    /** Which of these ids name policies of the owner. */
    ownedIds (owner: PolicyOwner, policyIds: readonly string[]): Set<string> {
      if (policyIds.length === 0) return new Set()
      const found = db.select({ id: policies.id }).from(policies).where(and(owned(owner), inArray(policies.id, [...policyIds]))).all()
      return new Set(found.map((p) => p.id))
    },

    /** Which of these ids name permissions of the scope. */
    permissionIdsIn (scope: RoleScope, permissionIds: readonly string[]): Set<string> {
      if (permissionIds.length === 0) return new Set()
      const found = db.select({ id: permissions.id }).from(permissions)
        .where(and(eq(permissions.scope, scope), inArray(permissions.id, [...permissionIds]))).all()
      return new Set(found.map((p) => p.id))
    },

    /** Whether another policy of the owner (than `exceptId`) has exactly this name. */
    nameTaken (owner: PolicyOwner, name: string, exceptId?: string): boolean {
      return db.select({ id: policies.id }).from(policies).where(and(
        owned(owner),
        eq(policies.name, name),
        exceptId === undefined ? undefined : ne(policies.id, exceptId))).get() !== undefined
    },

    /** The permissions of each policy, by name; a policy without permissions has no entry. */
    permissionsOf (policyIds: readonly string[]): Map<string, PermissionRef[]> {
      if (policyIds.length === 0) return new Map()
      const links = db.select({ policyId: policyPermissions.policyId, id: permissions.id, name: permissions.name }).from(policyPermissions)
        .innerJoin(permissions, eq(permissions.id, policyPermissions.permissionId))
        .where(inArray(policyPermissions.policyId, [...policyIds]))
        .orderBy(asc(permissions.name), asc(permissions.id)).all()
      return groupBy(links, (link) => link.policyId, ({ id, name }) => ({ id, name }))
    },

    insert (tx: Tx, policy: NewPolicy): void {
      tx.db.insert(policies).values(policy).run()
    },

    /** Sets the name, and the description unless it is undefined. */
    update (tx: Tx, policyId: string, fields: { name: string, description?: string | null | undefined }): void {
      const set: { name: string, description?: string | null } = { name: fields.name }
      if (fields.description !== undefined) set.description = fields.description
      tx.db.update(policies).set(set).where(eq(policies.id, policyId)).run()
    },

    /** The policy's permissions become exactly these (ids already checked, without repeats). */
    setPermissions (tx: Tx, policyId: string, permissionIds: readonly string[]): void {
      tx.db.delete(policyPermissions).where(eq(policyPermissions.policyId, policyId)).run()
      if (permissionIds.length === 0) return
      tx.db.insert(policyPermissions).values(permissionIds.map((permissionId) => ({ policyId, permissionId }))).run()
    },

    /** Deletes the policy; the database removes it from the roles that grant it (role_policies cascades). */
    delete (tx: Tx, policyId: string): void {
      tx.db.delete(policies).where(eq(policies.id, policyId)).run()
    }
  }
}

export type PoliciesRepository = ReturnType<typeof policiesRepository>
