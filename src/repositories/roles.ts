// Roles: system roles (no owner) and custom organization or project roles, with the policies they group.
import type { Tx } from '../db/transaction.js'
import { and, asc, count, eq, inArray, isNull, ne, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { organizationInvitations, organizationMembers, policies, projectInvitations, projectMembers, rolePolicies, roles } from '../db/schema.js'
import type { RoleScope } from '../domain/vocabulary.js'
import { groupBy } from './group.js'

export interface RoleRef {
  id: string
  name: string
  scope: RoleScope
  organizationId: string | null
  projectId: string | null
}

export interface RoleRow extends RoleRef {
  description: string | null
}

export interface PolicyRef {
  id: string
  name: string
}

export interface NewRole extends RoleRow {
  createdAt: number
}

/** Who holds a role: members (of a project or the organization) and PENDING invitations naming it. */
export interface RoleHolders {
  members: number
  pendingInvitations: number
}

/** The custom roles of a project, or an organization's own (not its projects'). */
function ownedBy (scope: RoleScope, ownerId: string) {
  return scope === 'PROJECT'
    ? eq(roles.projectId, ownerId)
    : and(eq(roles.scope, 'ORGANIZATION'), eq(roles.organizationId, ownerId), isNull(roles.projectId))
}

export function rolesRepository (db: Db) {
  const rows = () => db.select({
    id: roles.id,
    name: roles.name,
    description: roles.description,
    scope: roles.scope,
    organizationId: roles.organizationId,
    projectId: roles.projectId
  }).from(roles)

  const byId = db.select({
    id: roles.id,
    name: roles.name,
    scope: roles.scope,
    organizationId: roles.organizationId,
    projectId: roles.projectId
  }).from(roles).where(eq(roles.id, sql.placeholder('id'))).prepare()

  return {
    findById (id: string): RoleRef | null {
      return byId.get({ id }) ?? null
    },

    /** The system roles of a scope, in no particular order. */
    listSystem (scope: RoleScope): RoleRow[] {
      return rows().where(and(eq(roles.scope, scope), isNull(roles.organizationId))).all()
    },

    /** A project's custom roles, or an organization's own (not its projects'), in creation order. */
    listCustom (scope: RoleScope, ownerId: string): RoleRow[] {
      return rows().where(ownedBy(scope, ownerId)).orderBy(asc(roles.createdAt), asc(sql`${roles}.rowid`)).all()
    },

    /** Any role with its description: system or custom, of any owner. */
    findRowById (id: string): RoleRow | null {
      return rows().where(eq(roles.id, id)).get() ?? null
    },

    /** Whether another custom role of the owner (than `exceptId`) has exactly this name; system roles are not looked at. */
    nameTaken (scope: RoleScope, ownerId: string, name: string, exceptId?: string): boolean {
      return db.select({ id: roles.id }).from(roles).where(and(
        ownedBy(scope, ownerId),
        eq(roles.name, name),
        exceptId === undefined ? undefined : ne(roles.id, exceptId))).get() !== undefined
    },

    insert (tx: Tx, role: NewRole): void {
      tx.db.insert(roles).values(role).run()
    },

    /** Sets the name, and the description unless it is undefined. */
    update (tx: Tx, id: string, fields: { name: string, description?: string | null | undefined }): void {
      const set: { name: string, description?: string | null } = { name: fields.name }
      if (fields.description !== undefined) set.description = fields.description
      tx.db.update(roles).set(set).where(eq(roles.id, id)).run()
    },

    /** The role's policies become exactly these (ids already checked, without repeats). */
    setPolicies (tx: Tx, id: string, policyIds: readonly string[]): void {
      tx.db.delete(rolePolicies).where(eq(rolePolicies.roleId, id)).run()
      if (policyIds.length === 0) return
      tx.db.insert(rolePolicies).values(policyIds.map((policyId) => ({ roleId: id, policyId }))).run()
    },

    /** Members holding the role and PENDING invitations naming it, project and organization ones alike. */
    holders (id: string): RoleHolders {
      const members = (table: typeof projectMembers | typeof organizationMembers) =>
        db.select({ n: count() }).from(table).where(eq(table.roleId, id)).get()!.n
      const pending = (table: typeof projectInvitations | typeof organizationInvitations) =>
        db.select({ n: count() }).from(table).where(and(eq(table.roleId, id), eq(table.status, 'PENDING'))).get()!.n
      return {
        members: members(projectMembers) + members(organizationMembers),
        pendingInvitations: pending(projectInvitations) + pending(organizationInvitations)
      }
    },

    /** Deletes a role nobody holds; invitations that named it keep a null role (the foreign key sets it). */
    delete (tx: Tx, id: string): void {
      tx.db.delete(roles).where(eq(roles.id, id)).run()
    },

    /** The policies of each role, by policy name; a role without policies has no entry. */
    policiesOf (roleIds: readonly string[]): Map<string, PolicyRef[]> {
      if (roleIds.length === 0) return new Map()
      const links = db.select({ roleId: rolePolicies.roleId, id: policies.id, name: policies.name }).from(rolePolicies)
        .innerJoin(policies, eq(policies.id, rolePolicies.policyId))
        .where(inArray(rolePolicies.roleId, [...roleIds]))
        .orderBy(asc(policies.name), asc(policies.id)).all()
      return groupBy(links, (link) => link.roleId, ({ id, name }) => ({ id, name }))
    }
  }
}

export type RolesRepository = ReturnType<typeof rolesRepository>
