// The invitation rules, once for both kinds (project and organization): checks, skip logic, lifecycle.
import type { Database } from 'better-sqlite3'
import type { Clock } from '../clock.js'
import type { GroupCommit } from '../db/group-commit.js'
import type { TokenSigner } from '../db/tokens.js'
import {
  InvalidApiKeyError,
  InvalidTokenError,
  InvitationAcceptedError,
  InvitationNotFoundError,
  InvitationNotPendingError,
  InvitingNotAllowedError,
  OwnerRoleError,
  ProjectNotFoundError,
  UnknownRoleError
} from '../errors.js'
import { systemRoleId } from '../boot-state/catalog.js'

import type { InvitationRow, InvitationsRepository } from '../repositories/invitations.js'
import type { PeopleRepository } from '../repositories/people.js'
import type { ProjectsRepository } from '../repositories/projects.js'
import type { RolesRepository } from '../repositories/roles.js'
import { DEFAULT_ORGANIZATION_ROLE, DEFAULT_PROJECT_ROLE, mayInvite, uniqueEmails } from '../rules.js'
import { OWNER_ROLE, type Caller } from '../domain.js'

export type InvitationKindName = 'PROJECT' | 'ORGANIZATION'

export interface InvitationServiceDeps {
  sqlite: Database
  /** Where creates run: one transaction for every create of an event-loop turn. */
  commits: GroupCommit
  clock: Clock
  tokens: TokenSigner
  projects: ProjectsRepository
  roles: RolesRepository
  people: PeopleRepository
  projectInvitations: InvitationsRepository
  organizationInvitations: InvitationsRepository
}

/** What an invitation belongs to: its owner (a project or the organization) and the organization. */
interface Owner {
  kind: InvitationKindName
  ownerId: string
  organizationId: string
  projectId: string | null
}

const ROLE_FIELD = { PROJECT: 'projectRoleId', ORGANIZATION: 'organizationRoleId' } as const
const NOUN = { PROJECT: 'project', ORGANIZATION: 'organization' } as const

export interface Responded {
  kind: InvitationKindName
  ownerId: string
  invitation: InvitationRow
}

export function invitationService (deps: InvitationServiceDeps) {
  const { sqlite, commits, clock, tokens, projects, roles, people } = deps
  const repos = { PROJECT: deps.projectInvitations, ORGANIZATION: deps.organizationInvitations }

  // The caller's organization was there when the key was checked; a create runs later in the turn
  // (group commit), by when a control call may have removed the organization, and its key with it.
  const organizationExists = sqlite.prepare<[string], { one: number }>('select 1 as one from organizations where id = ?')

  /** A project of the caller's organization (404 otherwise), or the caller's organization itself (401 if gone since). */
  function requireOwner (kind: InvitationKindName, caller: Caller, ownerId: string): Owner {
    if (kind === 'ORGANIZATION') {
      if (organizationExists.get(caller.organizationId) === undefined) throw new InvalidApiKeyError()
      return { kind, ownerId: caller.organizationId, organizationId: caller.organizationId, projectId: null }
    }
    const project = projects.findForOrg(ownerId, caller.organizationId)
    if (project === null) throw new ProjectNotFoundError()
    return { kind, ownerId: project.id, organizationId: project.organizationId, projectId: project.id }
  }

  function requireMayInvite (caller: Caller) {
    if (!mayInvite(caller.plan, caller.trialEndsAt, clock.now())) throw new InvitingNotAllowedError()
  }

  /** A system role of the kind, or a custom role of this very project or organization; never Owner. */
  function requireRole (owner: Owner, roleId: string) {
    const role = roles.findById(roleId)
    const available = role !== null && role.scope === owner.kind && (owner.kind === 'PROJECT'
      ? role.projectId === null || role.projectId === owner.projectId
      : role.organizationId === null || role.organizationId === owner.organizationId)
    if (!available) throw new UnknownRoleError(ROLE_FIELD[owner.kind], NOUN[owner.kind])
    if (role.organizationId === null && role.name === OWNER_ROLE) throw new OwnerRoleError()
  }

  function tokenFor (kind: InvitationKindName, row: InvitationRow): string {
    return tokens.sign({ kind, id: row.id, email: row.email, createdAt: row.createdAt })
  }

  function recordEmails (owner: Owner, rows: readonly InvitationRow[], now: number) {
    repos[owner.kind].recordEmails(owner.organizationId, owner.projectId, now,
      rows.map((row) => ({ invitationId: row.id, to: row.email, token: tokenFor(owner.kind, row) })))
  }

  function requireInvitation (owner: Owner, invitationId: number): InvitationRow {
    const row = repos[owner.kind].findForOwner(owner.ownerId, invitationId)
    if (row === null) throw new InvitationNotFoundError()
    return row
  }

  const accept = sqlite.transaction((kind: InvitationKindName, ownerId: string, row: InvitationRow, now: number) => {
    const userId = people.ensureUser(row.email, now)
    const orgMember = systemRoleId('ORGANIZATION', DEFAULT_ORGANIZATION_ROLE)
    if (kind === 'PROJECT') {
      // A person must be an organization member to be a project member.
      people.joinOrganization(projects.findById(ownerId)!.organizationId, userId, orgMember, now)
      people.joinProject(ownerId, userId, row.roleId ?? systemRoleId('PROJECT', DEFAULT_PROJECT_ROLE), now)
    } else {
      people.joinOrganization(ownerId, userId, row.roleId ?? orgMember, now)
    }
    repos[kind].setStatus(row.id, 'ACCEPTED')
  })

  return {
    /**
     * Checks 3 to 6 of BEHAVIOUR.md section 3, then creates the invitations and their emails. All of
     * it runs inside the group transaction (see db/group-commit.ts): the checks read the same state
     * the insert writes to, without a read transaction of their own, and the answer comes after the
     * commit. Nothing in here awaits.
     */
    create (kind: InvitationKindName, caller: Caller, ownerId: string, emails: readonly string[], roleId: string | null): Promise<InvitationRow[]> {
      const addresses = uniqueEmails(emails)
      return commits.run(() => {
        const owner = requireOwner(kind, caller, ownerId)
        requireMayInvite(caller)
        if (roleId !== null) requireRole(owner, roleId)
        const now = clock.now()
        const created = repos[owner.kind].insertPending(owner.ownerId, roleId, now, addresses)
        recordEmails(owner, created, now)
        return created
      })
    },

    /** PENDING and DECLINED invitations, by id. */
    list (kind: InvitationKindName, caller: Caller, ownerId: string): InvitationRow[] {
      const owner = requireOwner(kind, caller, ownerId)
      return repos[kind].listVisible(owner.ownerId)
    },

    /** Sends the email of a PENDING invitation again: one more email record, same token. */
    resend (kind: InvitationKindName, caller: Caller, ownerId: string, invitationId: number): InvitationRow {
      const owner = requireOwner(kind, caller, ownerId)
      requireMayInvite(caller)
      const row = requireInvitation(owner, invitationId)
      if (row.status !== 'PENDING') throw new InvitationNotPendingError(row.status)
      recordEmails(owner, [row], clock.now())
      return row
    },

    /** Removes a PENDING or DECLINED invitation (its token stops working); ACCEPTED is a 409. */
    revoke (kind: InvitationKindName, caller: Caller, ownerId: string, invitationId: number): number {
      const owner = requireOwner(kind, caller, ownerId)
      const row = requireInvitation(owner, invitationId)
      if (row.status === 'ACCEPTED') throw new InvitationAcceptedError()
      repos[kind].delete(row.id)
      return row.id
    },

    /**
     * What the invitee does through the emailed link. Accepting makes them a member (of the
     * organization too, for a project invitation) with the invited role, Member when none.
     */
    respond (token: string, decision: 'ACCEPTED' | 'DECLINED'): Responded {
      const parsed = tokens.parse(token)
      const found = parsed === null ? null : repos[parsed.kind].findById(parsed.id)
      if (parsed === null || found === null || !tokens.matches(token, { kind: parsed.kind, ...found })) {
        throw new InvalidTokenError()
      }
      const { ownerId, ...row } = found
      if (row.status !== 'PENDING') throw new InvitationNotPendingError(row.status)
      if (decision === 'ACCEPTED') accept.immediate(parsed.kind, ownerId, row, clock.now())
      else repos[parsed.kind].setStatus(row.id, 'DECLINED')
      return { kind: parsed.kind, ownerId, invitation: { ...row, status: decision } }
    }
  }
}

export type InvitationService = ReturnType<typeof invitationService>
