// Roles: system roles (no owner) and custom organization or project roles, with the policies they group.
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { policies, rolePolicies, roles, type RoleScope } from '../db/schema.js'

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
      const owned = scope === 'PROJECT'
        ? eq(roles.projectId, ownerId)
        : and(eq(roles.scope, 'ORGANIZATION'), eq(roles.organizationId, ownerId), isNull(roles.projectId))
      return rows().where(owned).orderBy(asc(roles.createdAt), asc(sql`${roles}.rowid`)).all()
    },

    /** The policies of each role, by policy name; a role without policies has no entry. */
    policiesOf (roleIds: readonly string[]): Map<string, PolicyRef[]> {
      const byRole = new Map<string, PolicyRef[]>()
      if (roleIds.length === 0) return byRole
      const links = db.select({ roleId: rolePolicies.roleId, id: policies.id, name: policies.name }).from(rolePolicies)
        .innerJoin(policies, eq(policies.id, rolePolicies.policyId))
        .where(inArray(rolePolicies.roleId, [...roleIds]))
        .orderBy(asc(policies.name), asc(policies.id)).all()
      for (const { roleId, id, name } of links) {
        const list = byRole.get(roleId) ?? []
        list.push({ id, name })
        byRole.set(roleId, list)
      }
      return byRole
    }
  }
}

export type RolesRepository = ReturnType<typeof rolesRepository>
