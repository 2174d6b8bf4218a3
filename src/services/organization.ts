// What a key's organization is and offers: itself (renamed), its roles and projects' roles, the permission catalogue, governance policies and their projects.

import type { Transact, Tx } from '../db/transaction.js'
import { GovernancePolicyNotFoundError } from '../domain/errors.js'

import type { GovernancePoliciesRepository, GovernancePolicyRef, GovernancePolicyRow } from '../repositories/governance-policies.js'
import type { OrganizationRow, OrganizationsRepository } from '../repositories/organizations.js'
import type { PermissionRow, PermissionsRepository } from '../repositories/permissions.js'
import type { ProjectsRepository } from '../repositories/projects.js'
import type { PolicyRef, RoleRow, RolesRepository } from '../repositories/roles.js'
import { uniqueIds } from '../domain/rules.js'
import { SYSTEM_ROLES, type Caller, type RoleScope } from '../domain/vocabulary.js'
import { readPage } from './paging.js'
import { requireProject } from './scope.js'

export interface OrganizationServiceDeps {
  transact: Transact
  organizations: OrganizationsRepository
  projects: ProjectsRepository
  roles: RolesRepository
  permissions: PermissionsRepository
  governancePolicies: GovernancePoliciesRepository
}

export interface RoleWithPolicies extends RoleRow {
  policies: PolicyRef[]
}

export interface AssignedProjects {
  governancePolicy: GovernancePolicyRef
  assignedProjectIds: string[]
  notFoundProjectIds: string[]
}

export interface UnassignedProjects {
  governancePolicy: GovernancePolicyRef
  unassignedProjectIds: string[]
  skippedProjectIds: string[]
}

export interface GovernancePolicyProjects {
  projects: GovernancePolicyRef[]
  total: number
}

/** The roles with the policies each grants, by policy name, in the order given. */
export function withPolicies (roles: RolesRepository, rows: readonly RoleRow[]): RoleWithPolicies[] {
  const byRole = roles.policiesOf(rows.map((r) => r.id))
  return rows.map((role) => ({ ...role, policies: byRole.get(role.id) ?? [] }))
}

export function organizationService (deps: OrganizationServiceDeps) {
  const { transact, organizations, projects, roles, permissions, governancePolicies } = deps

  function requireGovernancePolicy (caller: Caller, policyId: string): GovernancePolicyRef {
    const policy = governancePolicies.findForOrg(policyId, caller.organizationId)
    if (policy === null) throw new GovernancePolicyNotFoundError()
    return policy
  }

  // better-sqlite3 transactions are synchronous: nothing in here awaits. Each runs IMMEDIATE, so its
  // checks and its writes hold the write lock together (a second process on the file waits).
  // Any name, another organization's too: names are not unique on a server, so the answer never
  // tells one tenant what another is called (docs/decisions.md).
  function renameOrganization (tx: Tx, caller: Caller, name: string): OrganizationRow {
    organizations.rename(tx, caller.organizationId, name)
    return organizations.find(caller.organizationId)!
  }

  function assignProjects (tx: Tx, caller: Caller, policyId: string, projectIds: readonly string[]): AssignedProjects {
    const governancePolicy = requireGovernancePolicy(caller, policyId)
    const ids = uniqueIds(projectIds)
    const found = projects.governancePoliciesOf(caller.organizationId, ids)
    const assignedProjectIds = ids.filter((id) => found.has(id))
    governancePolicies.enroll(tx, governancePolicy.id, assignedProjectIds)
    return { governancePolicy, assignedProjectIds, notFoundProjectIds: ids.filter((id) => !found.has(id)) }
  }

  function unassignProjects (tx: Tx, caller: Caller, policyId: string, projectIds: readonly string[]): UnassignedProjects {
    const governancePolicy = requireGovernancePolicy(caller, policyId)
    const ids = uniqueIds(projectIds)
    const found = projects.governancePoliciesOf(caller.organizationId, ids)
    const onThisPolicy = (id: string) => found.get(id) === governancePolicy.id
    const unassignedProjectIds = ids.filter(onThisPolicy)
    governancePolicies.withdraw(tx, unassignedProjectIds)
    return { governancePolicy, unassignedProjectIds, skippedProjectIds: ids.filter((id) => !onThisPolicy(id)) }
  }

  /** System roles in the vendor's order (Owner first), then the owner's custom roles in creation order. */
  function rolesOf (scope: RoleScope, ownerId: string): RoleWithPolicies[] {
    const order = SYSTEM_ROLES[scope]
    const system = roles.listSystem(scope).sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
    return withPolicies(roles, [...system, ...roles.listCustom(scope, ownerId)])
  }

  return {
    /** The organization of the caller's key (it exists: the key was just resolved through it). */
    organization (caller: Caller): OrganizationRow {
      return organizations.find(caller.organizationId)!
    },

    /** A new name, free across organizations (409); the organization's own name is no conflict, and nothing else changes. */
    rename (caller: Caller, name: string): OrganizationRow {
      return transact((tx) => renameOrganization(tx, caller, name))
    },

    organizationRoles (caller: Caller): RoleWithPolicies[] {
      return rolesOf('ORGANIZATION', caller.organizationId)
    },

    projectRoles (caller: Caller, projectId: string): RoleWithPolicies[] {
      return rolesOf('PROJECT', requireProject(projects, caller, projectId).id)
    },

    /** The organization permission catalogue, by name: the same for every organization. */
    organizationPermissions (): PermissionRow[] {
      return permissions.list('ORGANIZATION')
    },

    /** The project permission catalogue, by name, once the project is known to be the caller's. */
    projectPermissions (caller: Caller, projectId: string): PermissionRow[] {
      requireProject(projects, caller, projectId)
      return permissions.list('PROJECT')
    },

    governancePolicies (caller: Caller): GovernancePolicyRow[] {
      return governancePolicies.listForOrg(caller.organizationId)
    },

    /**
     * The policy is the caller's (404). Then, in one transaction, each distinct id (first occurrence
     * keeps its place) that names a project of the organization is enrolled in the policy, moved off
     * any other it was on (`assignedProjectIds`, already enrolled ones included); every other id is
     * `notFoundProjectIds`.
     */
    assignProjects (caller: Caller, policyId: string, projectIds: readonly string[]): AssignedProjects {
      return transact((tx) => assignProjects(tx, caller, policyId, projectIds))
    },

    /**
     * The policy is the caller's (404). Then, in one transaction, each distinct id naming a project of
     * the organization enrolled in this policy is taken off it (`unassignedProjectIds`); every other
     * id (unknown, another organization's, on no policy or on another one) is `skippedProjectIds`.
     */
    unassignProjects (caller: Caller, policyId: string, projectIds: readonly string[]): UnassignedProjects {
      return transact((tx) => unassignProjects(tx, caller, policyId, projectIds))
    },

    /** The policy is the caller's (404); one page of its projects by name then id, and how many it has in all. */
    governancePolicyProjects (caller: Caller, policyId: string, page: number, pageSize: number): GovernancePolicyProjects {
      const policy = requireGovernancePolicy(caller, policyId)
      const total = governancePolicies.countProjects(policy.id)
      return { total, projects: readPage(total, page, pageSize, (limit, offset) => governancePolicies.projectsPage(policy.id, limit, offset)) }
    }
  }
}

export type OrganizationService = ReturnType<typeof organizationService>
