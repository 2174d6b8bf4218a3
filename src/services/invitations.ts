// The invitation rules: the checks after authentication, the skip logic, and the one transaction.
import type { Database } from 'better-sqlite3'
import type { Clock } from '../clock.js'
import type { TokenSigner } from '../db/tokens.js'
import {
  InvitingNotAllowedError,
  OwnerRoleError,
  ProjectNotFoundError,
  UnknownRoleError
} from '../errors.js'
import type { ProjectsRepository } from '../repositories/projects.js'
import type { RolesRepository } from '../repositories/roles.js'
import type { InvitationRow, InvitationsRepository } from '../repositories/invitations.js'
import type { Caller } from '../plugins/auth.js'
import { OWNER_ROLE, mayInvite, uniqueEmails } from '../rules.js'

export interface InvitationServiceDeps {
  sqlite: Database
  clock: Clock
  tokens: TokenSigner
  projects: ProjectsRepository
  roles: RolesRepository
  projectInvitations: InvitationsRepository
}

export function invitationService (deps: InvitationServiceDeps) {
  const { sqlite, clock, tokens, projects, roles, projectInvitations } = deps

  function requireProject (caller: Caller, projectId: string) {
    const project = projects.findForOrg(projectId, caller.organizationId)
    if (project === null) throw new ProjectNotFoundError()
    return project
  }

  function requireMayInvite (caller: Caller) {
    if (!mayInvite(caller.plan, caller.trialEndsAt, clock.now())) throw new InvitingNotAllowedError()
  }

  /** A system project role or a custom role of this very project, and never Owner. */
  function requireProjectRole (projectId: string, roleId: string) {
    const role = roles.findById(roleId)
    if (role === null || role.scope !== 'PROJECT' || (role.projectId !== null && role.projectId !== projectId)) {
      throw new UnknownRoleError('projectRoleId')
    }
    if (role.projectId === null && role.name === OWNER_ROLE) throw new OwnerRoleError()
  }

  // better-sqlite3 transactions are synchronous: nothing in here awaits.
  const insertProjectInvitations = sqlite.transaction((
    organizationId: string, projectId: string, roleId: string | null, emails: string[], now: number
  ) => {
    const created = projectInvitations.insertPending(projectId, roleId, now, emails)
    projectInvitations.recordEmails(organizationId, projectId, now, created.map((row) => ({
      invitationId: row.id,
      to: row.email,
      token: tokens.sign({ kind: 'PROJECT', id: row.id, email: row.email, createdAt: row.createdAt })
    })))
    return created
  })

  return {
    /** Checks 3 to 6 of BEHAVIOUR.md section 3, then creates the invitations in one transaction. */
    createProjectInvitations (caller: Caller, projectId: string, emails: readonly string[], roleId: string | null): InvitationRow[] {
      requireProject(caller, projectId)
      requireMayInvite(caller)
      if (roleId !== null) requireProjectRole(projectId, roleId)
      const now = clock.now()
      // IMMEDIATE takes the write lock up front, so a second process on the same file waits
      // (busy_timeout) instead of failing on a read-to-write upgrade.
      return insertProjectInvitations.immediate(caller.organizationId, projectId, roleId, uniqueEmails(emails), now)
    },

    listProjectInvitations (caller: Caller, projectId: string): InvitationRow[] {
      requireProject(caller, projectId)
      return projectInvitations.listVisible(projectId)
    }
  }
}

export type InvitationService = ReturnType<typeof invitationService>
