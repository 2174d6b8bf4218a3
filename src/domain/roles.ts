// The system roles' and documented permissions' ids: derived from scope and name, the same in every database.
import { nameUuid } from '../db/ids.js'
import type { RoleScope } from './vocabulary.js'

/** System role ids are UUIDs derived from their names: the same in every database, whatever the seed. */
export function systemRoleId (scope: RoleScope, name: string): string {
  return nameUuid(`role:${scope}:${name}`)
}

/** Permission ids are derived from scope and name the same way, so clients can rely on them. */
export function permissionId (scope: RoleScope, name: string): string {
  return nameUuid(`permission:${scope}:${name}`)
}
