// The member rules, written once for projects and organizations: paging, role changes with ownership transfer, removal.

import type { Transact, Tx } from '../db/transaction.js'
import {
  MemberNotFoundError,
  OwnerRemovalError,
  OwnerRoleChangeError,
  ProjectOwnerRemovalError,
  UnknownRoleError
} from '../domain/errors.js'
import { systemRoleId } from '../domain/roles.js'

import type { MemberRow, MembersRepository, OrganizationProjectsRepository } from '../repositories/members.js'
import type { ProjectsRepository } from '../repositories/projects.js'
import type { RoleRef, RolesRepository } from '../repositories/roles.js'
import { OWNER_ROLE, type Caller, type RoleScope } from '../domain/vocabulary.js'
import { readPage } from './paging.js'
import { requireProject } from './scope.js'

export interface MemberServiceDeps {
  transact: Transact
  projects: ProjectsRepository
  roles: RolesRepository
  projectMembers: MembersRepository
  organizationMembers: MembersRepository
  organizationProjects: OrganizationProjectsRepository
}

export interface MemberPage {
  members: MemberRow[]
  total: number
}

/** What differs between project and organization members; everything else is one set of rules. */
interface Scope {
  noun: 'project' | 'organization'
  members: MembersRepository
  ownerRoleId: string
  /** The role a previous Owner is given when ownership is transferred (vendor: Manager, Admin). */
  demotedRoleId: string
  /** A system role of this scope, or a custom role of this very project or organization. */
  offers: (role: RoleRef, ownerId: string) => boolean
  /** Checks and deletions beyond the membership and its pending invitations, inside the transaction. */
  alsoRemove: (tx: Tx, ownerId: string, member: MemberRow) => void
}

const isSystem = (role: RoleRef) => role.organizationId === null && role.projectId === null

/** The rules of one scope: its Owner role, the role a demoted Owner gets, the roles it offers. */
function scopeOf (scope: RoleScope, members: MembersRepository, demotedRole: string, alsoRemove: Scope['alsoRemove']): Scope {
  return {
    noun: scope === 'PROJECT' ? 'project' : 'organization',
    members,
    ownerRoleId: systemRoleId(scope, OWNER_ROLE),
    demotedRoleId: systemRoleId(scope, demotedRole),
    offers: (role, ownerId) => {
      const owner = scope === 'PROJECT' ? role.projectId : role.organizationId
      return role.scope === scope && (isSystem(role) || owner === ownerId)
    },
    alsoRemove
  }
}

export function memberService (deps: MemberServiceDeps) {
  const { transact, projects, roles, organizationProjects } = deps

  const project = scopeOf('PROJECT', deps.projectMembers, 'Manager', () => {})

  // Leaving the organization means leaving its projects, which a project's Owner may not do.
  const organization = scopeOf('ORGANIZATION', deps.organizationMembers, 'Admin', (tx, organizationId, member) => {
    const owned = organizationProjects.withRole(organizationId, member.userId, project.ownerRoleId)
    if (owned.length > 0) throw new ProjectOwnerRemovalError(owned[0]!)
    organizationProjects.leaveAll(tx, organizationId, member.userId)
    organizationProjects.clearPending(tx, organizationId, member.email)
  })

  /** The id of a project of the caller's organization (404 otherwise). */
  const projectOf = (caller: Caller, projectId: string): string => requireProject(projects, caller, projectId).id

  function requireMember (scope: Scope, ownerId: string, userId: string): MemberRow {
    const member = scope.members.find(ownerId, userId)
    if (member === null) throw new MemberNotFoundError()
    return member
  }

  // Count and page are read in one transaction so that `total` describes the same state as the page.
  function list (tx: Tx, scope: Scope, ownerId: string, page: number, pageSize: number): MemberPage {
    const total = scope.members.count(ownerId)
    return { total, members: readPage(total, page, pageSize, (limit, offset) => scope.members.page(ownerId, limit, offset)) }
  }

  function updateRole (tx: Tx, scope: Scope, ownerId: string, userId: string, roleId: string): MemberRow {
    const member = requireMember(scope, ownerId, userId)
    const role = roles.findById(roleId)
    if (role === null || !scope.offers(role, ownerId)) throw new UnknownRoleError('roleId', scope.noun)
    if (role.id === member.roleId) return member
    if (member.roleId === scope.ownerRoleId) throw new OwnerRoleChangeError(scope.noun)
    if (role.id === scope.ownerRoleId) {
      // Transfer: whoever held the Owner role (fixtures may leave none, or several) is demoted.
      for (const owner of scope.members.withRole(ownerId, scope.ownerRoleId)) {
        scope.members.setRole(tx, ownerId, owner, scope.demotedRoleId)
      }
    }
    scope.members.setRole(tx, ownerId, userId, role.id)
    return requireMember(scope, ownerId, userId)
  }

  function remove (tx: Tx, scope: Scope, ownerId: string, userId: string): void {
    const member = requireMember(scope, ownerId, userId)
    if (member.roleId === scope.ownerRoleId) throw new OwnerRemovalError(scope.noun)
    scope.alsoRemove(tx, ownerId, member)
    scope.members.clearPending(tx, ownerId, member.email)
    scope.members.remove(tx, ownerId, userId)
  }

  return {
    listProjectMembers (caller: Caller, projectId: string, page: number, pageSize: number): MemberPage {
      return transact((tx) => list(tx, project, projectOf(caller, projectId), page, pageSize))
    },

    listMembers (caller: Caller, page: number, pageSize: number): MemberPage {
      return transact((tx) => list(tx, organization, caller.organizationId, page, pageSize))
    },

    /** Project first (404), then the member (404), the role (400), the Owner rule (409). */
    updateProjectMemberRole (caller: Caller, projectId: string, userId: string, roleId: string): MemberRow {
      // IMMEDIATE takes the write lock before the reads, so the Owner seen is the Owner replaced.
      return transact((tx) => updateRole(tx, project, projectOf(caller, projectId), userId, roleId))
    },

    updateMemberRole (caller: Caller, userId: string, roleId: string): MemberRow {
      return transact((tx) => updateRole(tx, organization, caller.organizationId, userId, roleId))
    },

    removeProjectMember (caller: Caller, projectId: string, userId: string): void {
      transact((tx) => remove(tx, project, projectOf(caller, projectId), userId))
    },

    removeMember (caller: Caller, userId: string): void {
      transact((tx) => remove(tx, organization, caller.organizationId, userId))
    }
  }
}

export type MemberService = ReturnType<typeof memberService>
