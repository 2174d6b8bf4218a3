// The invitation rules, once for both kinds (project and organization): checks, skip logic, lifecycle.
import type { Transact, Tx } from '../db/transaction.js'
import type { Clocks } from '../domain/clock.js'
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
  UnknownRoleError
} from '../domain/errors.js'
import { systemRoleId } from '../domain/roles.js'

import type { InvitationRow, InvitationsRepository, OwnedInvitationRow } from '../repositories/invitations.js'
import type { PeopleRepository } from '../repositories/people.js'
import type { OrganizationsRepository } from '../repositories/organizations.js'
import type { ProjectsRepository } from '../repositories/projects.js'
import type { RolesRepository } from '../repositories/roles.js'
import { DEFAULT_ORGANIZATION_ROLE, DEFAULT_PROJECT_ROLE, mayInvite, uniqueEmails } from '../domain/rules.js'
import { OWNER_ROLE, type Caller, type InvitationKind, type InvitationStatus, type Plan } from '../domain/vocabulary.js'
import type { Delivery } from './delivery.js'
import { requireOwner as requireScope, type Owner } from './scope.js'

export interface InvitationServiceDeps {
  transact: Transact
  /** Where creates run: one transaction for every create of an event-loop turn. */
  commits: GroupCommit
  /** Timestamps and the trial rule read the organization's clock (its own, or the server's). */
  clocks: Clocks
  tokens: TokenSigner
  projects: ProjectsRepository
  organizations: OrganizationsRepository
  roles: RolesRepository
  people: PeopleRepository
  projectInvitations: InvitationsRepository
  organizationInvitations: InvitationsRepository
  /** Sends the emails over SMTP too, once committed (CONFIDENT_MOCK_SMTP_URL); null: the outbox only. */
  delivery: Pick<Delivery, 'kick'> | null
}

const ROLE_FIELD = { PROJECT: 'projectRoleId', ORGANIZATION: 'organizationRoleId' } as const

export interface Responded {
  kind: InvitationKind
  ownerId: string
  invitation: InvitationRow
}

/** What the invitee page shows of an invitation, read by its token. */
export interface InvitationDescription {
  kind: InvitationKind
  status: InvitationStatus
  email: string
  organizationId: string
  organizationName: string
  /** Null for an organization invitation. */
  projectId: string | null
  projectName: string | null
  /** The invited role's name, the default role's when the invitation names none (null only if the role row cannot be read). */
  roleName: string | null
  invitationId: number
  /** ISO 8601. */
  createdAt: string
}

export function invitationService (deps: InvitationServiceDeps) {
  const { transact, commits, clocks, tokens, projects, organizations, roles, people, delivery } = deps
  const repos = { PROJECT: deps.projectInvitations, ORGANIZATION: deps.organizationInvitations }

  // The caller's organization was there when the key was checked, before the body was read; the
  // create runs after that (under load, at the end of the turn: group commit), by when a control
  // call may have removed the organization, and its key with it, or changed its plan. So the checks
  // read the organization and the project as stored, inside the transaction that writes: what they
  // check is what the insert writes against.

  /** The caller's organization as stored now: gone since the key was checked is a 401 for both kinds (its keys went with it). */
  function organizationOf (caller: Caller): { plan: Plan, trialEndsAt: number | null } {
    const organization = organizations.planOf(caller.organizationId)
    if (organization === null) throw new InvalidApiKeyError()
    return organization
  }

  /** The plan rule, as stored, at `now`: the organization's time (403). */
  function requireMayInvite (organization: { plan: Plan, trialEndsAt: number | null }, now: number) {
    if (!mayInvite(organization.plan, organization.trialEndsAt, now)) throw new InvitingNotAllowedError()
  }

  /** The caller's organization (401 if gone), then a project of it (404 otherwise) or the organization itself. */
  function requireOwner (kind: InvitationKind, caller: Caller, ownerId: string): { owner: Owner, organization: { plan: Plan, trialEndsAt: number | null } } {
    const organization = organizationOf(caller)
    return { owner: requireScope(projects, caller, kind === 'PROJECT' ? ownerId : null), organization }
  }

  /** A system role of the kind, or a custom role of this very project or organization; never Owner. */
  function requireRole (owner: Owner, roleId: string) {
    const role = roles.findById(roleId)
    const available = role !== null && role.scope === owner.scope && (owner.scope === 'PROJECT'
      ? role.projectId === null || role.projectId === owner.projectId
      : role.organizationId === null || role.organizationId === owner.organizationId)
    if (!available) throw new UnknownRoleError(ROLE_FIELD[owner.scope], owner.noun)
    if (role.organizationId === null && role.name === OWNER_ROLE) throw new OwnerRoleError()
  }

  function tokenFor (kind: InvitationKind, row: InvitationRow): string {
    return tokens.sign({ kind, id: row.id, email: row.email, createdAt: row.createdAt })
  }

  function recordEmails (tx: Tx, owner: Owner, rows: readonly InvitationRow[], now: number) {
    repos[owner.scope].recordEmails(tx, owner.organizationId, owner.projectId, now,
      rows.map((row) => ({ invitationId: row.id, to: row.email, token: tokenFor(owner.scope, row) })), delivery === null ? null : 'pending')
  }

  function requireInvitation (owner: Owner, invitationId: number): InvitationRow {
    const row = repos[owner.scope].findForOwner(owner.ownerId, invitationId)
    if (row === null) throw new InvitationNotFoundError()
    return row
  }

  /**
   * The invitation a token names, if the token is its own: one check for every use of a token
   * (respond, describe). An unknown, forged or revoked token is an InvalidTokenError (404).
   */
  function requireByToken (token: string): { kind: InvitationKind, found: OwnedInvitationRow } {
    const parsed = tokens.parse(token)
    const found = parsed === null ? null : repos[parsed.kind].findById(parsed.id)
    if (parsed === null || found === null || !tokens.matches(token, { kind: parsed.kind, ...found })) {
      throw new InvalidTokenError()
    }
    return { kind: parsed.kind, found }
  }

  function accept (tx: Tx, kind: InvitationKind, ownerId: string, row: InvitationRow) {
    const organizationId = kind === 'PROJECT' ? projects.findById(ownerId)!.organizationId : ownerId
    // The inviting organization's time: the invitee joins it.
    const now = clocks.now(organizationId)
    const userId = people.ensureUser(tx, row.email, now)
    const orgMember = systemRoleId('ORGANIZATION', DEFAULT_ORGANIZATION_ROLE)
    if (kind === 'PROJECT') {
      // A person must be an organization member to be a project member.
      people.joinOrganization(tx, organizationId, userId, orgMember, now)
      people.joinProject(tx, ownerId, userId, row.roleId ?? systemRoleId('PROJECT', DEFAULT_PROJECT_ROLE), now)
    } else {
      people.joinOrganization(tx, ownerId, userId, row.roleId ?? orgMember, now)
    }
    repos[kind].setStatus(tx, row.id, 'ACCEPTED')
  }

  return {
    /**
     * Checks, first failure wins: the project is the caller's (404; for the organization, that it
     * still exists, 401), the plan may invite (403, mayInvite in src/domain/rules.ts), the role is offered
     * here and is not Owner (400). Then creates the invitations, skipping members and addresses
     * with a PENDING invitation (insertPending in src/repositories/invitations.ts), and their
     * emails. All of it runs inside the group transaction (see db/group-commit.ts): the checks read
     * the same state the insert writes to, without a read transaction of their own, and the answer
     * comes after the commit. Nothing in here awaits.
     */
    create (kind: InvitationKind, caller: Caller, ownerId: string, emails: readonly string[], roleId: string | null): Promise<InvitationRow[]> {
      const addresses = uniqueEmails(emails)
      const created = commits.run((tx) => {
        const now = clocks.now(caller.organizationId)
        const { owner, organization } = requireOwner(kind, caller, ownerId)
        requireMayInvite(organization, now)
        if (roleId !== null) requireRole(owner, roleId)
        const created = repos[owner.scope].insertPending(tx, owner.ownerId, roleId, now, addresses)
        recordEmails(tx, owner, created, now)
        return created
      })
      // Committed: their emails may go to the SMTP server now (the answer does not wait for them).
      return delivery === null ? created : created.then((rows) => { if (rows.length > 0) delivery.kick(); return rows })
    },

    /** PENDING and DECLINED invitations, by id. */
    list (kind: InvitationKind, caller: Caller, ownerId: string): InvitationRow[] {
      const { owner } = requireOwner(kind, caller, ownerId)
      return repos[kind].listVisible(owner.ownerId)
    },

    /**
     * The same list in pages of `size`: the first checked as list() is (the caller may see the
     * owner), the next ones each read after the last row of the one before, when asked.
     */
    pages (kind: InvitationKind, caller: Caller, ownerId: string, size: number): { first: InvitationRow[], after: (id: number) => InvitationRow[] } {
      const { owner } = requireOwner(kind, caller, ownerId)
      const repo = repos[kind]
      return { first: repo.listVisibleAfter(owner.ownerId, 0, size), after: (id) => repo.listVisibleAfter(owner.ownerId, id, size) }
    },

    /** Sends the email of a PENDING invitation again: one more email record, same token. */
    resend (kind: InvitationKind, caller: Caller, ownerId: string, invitationId: number): InvitationRow {
      const resent = transact((tx) => {
        const now = clocks.now(caller.organizationId)
        const { owner, organization } = requireOwner(kind, caller, ownerId)
        requireMayInvite(organization, now)
        const row = requireInvitation(owner, invitationId)
        if (row.status !== 'PENDING') throw new InvitationNotPendingError(row.status)
        recordEmails(tx, owner, [row], now)
        return row
      })
      delivery?.kick()
      return resent
    },

    /** Removes a PENDING or DECLINED invitation (its token stops working); ACCEPTED is a 409. */
    revoke (kind: InvitationKind, caller: Caller, ownerId: string, invitationId: number): number {
      return transact((tx) => {
        const { owner } = requireOwner(kind, caller, ownerId)
        const row = requireInvitation(owner, invitationId)
        if (row.status === 'ACCEPTED') throw new InvitationAcceptedError()
        repos[kind].delete(tx, row.id)
        return row.id
      })
    },

    /**
     * What the invitee does through the emailed link. Accepting makes them a member (of the
     * organization too, for a project invitation) with the invited role, Member when none.
     */
    respond (token: string, decision: 'ACCEPTED' | 'DECLINED'): Responded {
      // The status is read and changed in one transaction: two clicks on the link cannot both accept.
      return transact((tx) => {
        const { kind, found } = requireByToken(token)
        const { ownerId, ...row } = found
        if (row.status !== 'PENDING') throw new InvitationNotPendingError(row.status)
        if (decision === 'ACCEPTED') accept(tx, kind, ownerId, row)
        else repos[kind].setStatus(tx, row.id, 'DECLINED')
        return { kind, ownerId, invitation: { ...row, status: decision } }
      })
    },

    /**
     * What the invitee page shows, read by the token the emailed link carries, with the names as
     * they are now; checked as respond() checks it (404 for an unknown, forged or revoked token),
     * in any status. Reads only: opening the link changes nothing.
     */
    describe (token: string): InvitationDescription {
      const { kind, found } = requireByToken(token)
      const project = kind === 'PROJECT' ? projects.findById(found.ownerId) : null
      const organizationId = project?.organizationId ?? found.ownerId
      // The owners are there: deleting a project or an organization deletes its invitations.
      const organizationName = organizations.find(organizationId)!.name
      const projectName = project === null ? null : projects.findRowForOrg(project.id, organizationId)!.name
      const defaultRole = kind === 'PROJECT' ? DEFAULT_PROJECT_ROLE : DEFAULT_ORGANIZATION_ROLE
      return {
        kind,
        status: found.status,
        email: found.email,
        organizationId,
        organizationName,
        projectId: project?.id ?? null,
        projectName,
        roleName: found.roleId === null ? defaultRole : roles.findById(found.roleId)?.name ?? null,
        invitationId: found.id,
        createdAt: new Date(found.createdAt).toISOString()
      }
    }
  }
}

export type InvitationService = ReturnType<typeof invitationService>
