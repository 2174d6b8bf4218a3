// Roles: system roles (no owner) and custom organization or project roles.
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { roles, type RoleScope } from '../db/schema.js'

export interface RoleRef {
  id: string
  name: string
  scope: RoleScope
  organizationId: string | null
  projectId: string | null
}

export function rolesRepository (db: Db) {
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
    }
  }
}

export type RolesRepository = ReturnType<typeof rolesRepository>
