// The permission catalogue: organization and project permissions, each a separate set.
import { asc, eq } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { permissions } from '../db/schema.js'
import type { RoleScope } from '../domain/vocabulary.js'

export interface PermissionRow {
  id: string
  name: string
  description: string | null
}

export function permissionsRepository (db: Db) {
  return {
    /** Every permission of a scope, by name. */
    list (scope: RoleScope): PermissionRow[] {
      return db.select({ id: permissions.id, name: permissions.name, description: permissions.description })
        .from(permissions).where(eq(permissions.scope, scope)).orderBy(asc(permissions.name)).all()
    }
  }
}

export type PermissionsRepository = ReturnType<typeof permissionsRepository>
