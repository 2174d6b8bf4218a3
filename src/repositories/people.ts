// People and their memberships, as far as accepting an invitation needs them.
import type { Tx } from '../db/transaction.js'
import type { Database } from 'better-sqlite3'
import type { IdGenerator } from '../db/ids.js'

export function peopleRepository (sqlite: Database, ids: IdGenerator) {
  const userByEmail = sqlite.prepare<[string], { id: string }>('select id from users where email = ?')
  const insertUser = sqlite.prepare<[string, string, number]>('insert into users (id, email, created_at) values (?, ?, ?)')
  const joinOrganization = sqlite.prepare<[string, string, string, number]>(
    'insert into organization_members (organization_id, user_id, role_id, created_at) values (?, ?, ?, ?) on conflict do nothing')
  const joinProject = sqlite.prepare<[string, string, string, number]>(
    'insert into project_members (project_id, user_id, role_id, created_at) values (?, ?, ?, ?) on conflict do nothing')

  return {
    /** The user with this (lower-case) address, created if there is none yet. */
    ensureUser (tx: Tx, email: string, now: number): string {
      const found = userByEmail.get(email)
      if (found !== undefined) return found.id
      const id = ids.cuid()
      insertUser.run(id, email, now)
      return id
    },

    /** Adds a member with this role; an existing member keeps the role they have. */
    joinOrganization (tx: Tx, organizationId: string, userId: string, roleId: string, now: number): void {
      joinOrganization.run(organizationId, userId, roleId, now)
    },

    joinProject (tx: Tx, projectId: string, userId: string, roleId: string, now: number): void {
      joinProject.run(projectId, userId, roleId, now)
    }
  }
}

export type PeopleRepository = ReturnType<typeof peopleRepository>
