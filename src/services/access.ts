// Custom policies and roles of an organization or a project: list policies; create, update and delete both, with their checks.
import type { Transact } from '../db/transaction.js'
import type { Clocks } from '../domain/clock.js'
import type { IdGenerator } from '../db/ids.js'

import {
  PolicyNameTakenError,
  PolicyNotFoundError,
  RoleInUseError,
  RoleNameTakenError,
  RoleNotFoundError,
  SystemRoleError,
  UnknownPermissionError,
  UnknownPolicyError
} from '../domain/errors.js'

import type { PermissionRef, PoliciesRepository, PolicyRow } from '../repositories/policies.js'
import type { ProjectsRepository } from '../repositories/projects.js'
import type { RoleRow, RolesRepository } from '../repositories/roles.js'
import { isSystemRoleName, roleHolders, uniqueIds } from '../domain/rules.js'
import type { Caller } from '../domain/vocabulary.js'
import { withPolicies, type RoleWithPolicies } from './organization.js'
import { requireOwner, type Owner } from './scope.js'

export interface AccessServiceDeps {
  transact: Transact
  /** Timestamps read the caller's organization's clock. */
  clocks: Clocks
  ids: IdGenerator
  projects: ProjectsRepository
  policies: PoliciesRepository
  roles: RolesRepository
}

export interface PolicyWithPermissions extends PolicyRow {
  permissions: PermissionRef[]
}

/** A policy as sent: `description` left out keeps the current one on update (null on create); null clears it. */
export interface PolicyInput {
  name: string
  description?: string | null | undefined
  permissionIds: readonly string[]
}

export interface RoleInput {
  name: string
  description?: string | null | undefined
  policyIds: readonly string[]
}

export function accessService (deps: AccessServiceDeps) {
  const { transact, clocks, ids, projects, policies, roles } = deps

  function withPermissions (rows: readonly PolicyRow[]): PolicyWithPermissions[] {
    const byPolicy = policies.permissionsOf(rows.map((p) => p.id))
    return rows.map((p) => ({ ...p, permissions: byPolicy.get(p.id) ?? [] }))
  }

  function requirePolicy (owner: Owner, policyId: string): PolicyRow {
    const policy = policies.findForOwner(owner, policyId)
    if (policy === null) throw new PolicyNotFoundError()
    return policy
  }

  /** Every id names a permission of the owner's scope (organization or project); the first that does not is the 400. */
  function requirePermissions (owner: Owner, permissionIds: readonly string[]): string[] {
    const known = policies.permissionIdsIn(owner.scope, uniqueIds(permissionIds))
    const bad = permissionIds.findIndex((id) => !known.has(id))
    if (bad !== -1) throw new UnknownPermissionError(`permissionIds[${bad}]`, JSON.stringify(permissionIds[bad]), owner.noun)
    return uniqueIds(permissionIds)
  }

  /** Every id names a policy of the same owner: the organization's own for its roles, the project's for a project's. */
  function requirePolicies (owner: Owner, policyIds: readonly string[]): string[] {
    const known = policies.ownedIds(owner, uniqueIds(policyIds))
    const bad = policyIds.findIndex((id) => !known.has(id))
    if (bad !== -1) throw new UnknownPolicyError(`policyIds[${bad}]`, JSON.stringify(policyIds[bad]), owner.noun)
    return uniqueIds(policyIds)
  }

  function requireFreePolicyName (owner: Owner, name: string, exceptId?: string) {
    if (policies.nameTaken(owner, name, exceptId)) throw new PolicyNameTakenError(name, owner.noun)
  }

  function requireFreeRoleName (owner: Owner, name: string, exceptId?: string) {
    if (isSystemRoleName(owner.scope, name) || roles.nameTaken(owner.scope, owner.ownerId, name, exceptId)) {
      throw new RoleNameTakenError(name, owner.noun)
    }
  }

  /**
   * A custom role of this very owner. A system role of the owner's scope (one its role list shows)
   * is a 403; anything else (another project's or organization's role, an organization role on a
   * project, a project role on the organization, an unknown id) is a 404.
   */
  function requireCustomRole (owner: Owner, roleId: string): RoleRow {
    const role = roles.findRowById(roleId)
    if (role === null || role.scope !== owner.scope) throw new RoleNotFoundError()
    if (role.organizationId === null) throw new SystemRoleError(role.name)
    const owned = owner.scope === 'PROJECT'
      ? role.projectId === owner.projectId
      : role.organizationId === owner.organizationId && role.projectId === null
    if (!owned) throw new RoleNotFoundError()
    return role
  }

  return {
    /** The owner's policies in creation order, each with its permissions by name. `projectId` null: the organization's own. */
    listPolicies (caller: Caller, projectId: string | null): PolicyWithPermissions[] {
      return withPermissions(policies.listForOwner(requireOwner(projects, caller, projectId)))
    },

    // Each write below is one IMMEDIATE transaction (src/db/transaction.ts): nothing in them awaits.

    /** Project (404), permission ids of the owner's scope (400), a name free among the owner's policies (409). */
    createPolicy: (caller: Caller, projectId: string | null, input: PolicyInput): PolicyWithPermissions => transact((tx) => {
      const owner = requireOwner(projects, caller, projectId)
      const permissionIds = requirePermissions(owner, input.permissionIds)
      requireFreePolicyName(owner, input.name)
      const id = ids.uuid()
      policies.insert(tx, {
        id, organizationId: owner.organizationId, projectId: owner.projectId, name: input.name, description: input.description ?? null, createdAt: clocks.now(owner.organizationId)
      })
      policies.setPermissions(tx, id, permissionIds)
      return withPermissions([policies.findForOwner(owner, id)!])[0]!
    }),

    /** Project (404), policy (404), permission ids (400), name (409); name and permissions replaced, description as given. */
    updatePolicy: (caller: Caller, projectId: string | null, policyId: string, input: PolicyInput): PolicyWithPermissions => transact((tx) => {
      const owner = requireOwner(projects, caller, projectId)
      const policy = requirePolicy(owner, policyId)
      const permissionIds = requirePermissions(owner, input.permissionIds)
      requireFreePolicyName(owner, input.name, policy.id)
      policies.update(tx, policy.id, { name: input.name, description: input.description })
      policies.setPermissions(tx, policy.id, permissionIds)
      return withPermissions([policies.findForOwner(owner, policy.id)!])[0]!
    }),

    /** Project (404), policy (404). Roles that grant the policy lose it (the database cascades); they stay. */
    deletePolicy: (caller: Caller, projectId: string | null, policyId: string): string => transact((tx) => {
      const policy = requirePolicy(requireOwner(projects, caller, projectId), policyId)
      policies.delete(tx, policy.id)
      return policy.id
    }),

    /** Project (404), policy ids of the same owner (400), a name free among the owner's roles and the system roles (409). */
    createRole: (caller: Caller, projectId: string | null, input: RoleInput): RoleWithPolicies => transact((tx) => {
      const owner = requireOwner(projects, caller, projectId)
      const policyIds = requirePolicies(owner, input.policyIds)
      requireFreeRoleName(owner, input.name)
      const id = ids.uuid()
      roles.insert(tx, {
        id,
        scope: owner.scope,
        name: input.name,
        description: input.description ?? null,
        organizationId: owner.organizationId,
        projectId: owner.projectId,
        createdAt: clocks.now(owner.organizationId)
      })
      roles.setPolicies(tx, id, policyIds)
      return withPolicies(roles, [roles.findRowById(id)!])[0]!
    }),

    /** Project (404), a custom role of the owner (404; a system role 403), policy ids (400), name (409). */
    updateRole: (caller: Caller, projectId: string | null, roleId: string, input: RoleInput): RoleWithPolicies => transact((tx) => {
      const owner = requireOwner(projects, caller, projectId)
      const role = requireCustomRole(owner, roleId)
      const policyIds = requirePolicies(owner, input.policyIds)
      requireFreeRoleName(owner, input.name, role.id)
      roles.update(tx, role.id, { name: input.name, description: input.description })
      roles.setPolicies(tx, role.id, policyIds)
      return withPolicies(roles, [roles.findRowById(role.id)!])[0]!
    }),

    /** Project (404), a custom role of the owner (404; a system role 403), held by no member and no PENDING invitation (409). */
    deleteRole: (caller: Caller, projectId: string | null, roleId: string): string => transact((tx) => {
      const role = requireCustomRole(requireOwner(projects, caller, projectId), roleId)
      const { members, pendingInvitations } = roles.holders(role.id)
      const holders = roleHolders(members, pendingInvitations)
      if (holders !== null) throw new RoleInUseError(holders)
      roles.delete(tx, role.id)
      return role.id
    })
  }
}

export type AccessService = ReturnType<typeof accessService>
