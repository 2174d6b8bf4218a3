// What a key's organization is and offers: itself, its roles and projects' roles, the permission catalogue, governance policies.
import type { RoleScope } from '../db/schema.js'
import { ProjectNotFoundError } from '../errors.js'
import type { Caller } from '../plugins/auth.js'
import type { GovernancePoliciesRepository, GovernancePolicyRow } from '../repositories/governance-policies.js'
import type { OrganizationRow, OrganizationsRepository } from '../repositories/organizations.js'
import type { PermissionRow, PermissionsRepository } from '../repositories/permissions.js'
import type { ProjectsRepository } from '../repositories/projects.js'
import type { PolicyRef, RoleRow, RolesRepository } from '../repositories/roles.js'
import { SYSTEM_ORGANIZATION_ROLES, SYSTEM_PROJECT_ROLES } from '../rules.js'

export interface OrganizationServiceDeps {
  organizations: OrganizationsRepository
  projects: ProjectsRepository
  roles: RolesRepository
  permissions: PermissionsRepository
  governancePolicies: GovernancePoliciesRepository
}

export interface RoleWithPolicies extends RoleRow {
  policies: PolicyRef[]
}

const SYSTEM_ORDER: Record<RoleScope, readonly string[]> = { PROJECT: SYSTEM_PROJECT_ROLES, ORGANIZATION: SYSTEM_ORGANIZATION_ROLES }

export function organizationService (deps: OrganizationServiceDeps) {
  const { organizations, projects, roles, permissions, governancePolicies } = deps

  function requireProject (caller: Caller, projectId: string): string {
    const project = projects.findForOrg(projectId, caller.organizationId)
    if (project === null) throw new ProjectNotFoundError()
    return project.id
  }

  /** System roles in the vendor's order (Owner first), then the owner's custom roles in creation order. */
  function rolesOf (scope: RoleScope, ownerId: string): RoleWithPolicies[] {
    const order = SYSTEM_ORDER[scope]
    const system = roles.listSystem(scope).sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
    const all = [...system, ...roles.listCustom(scope, ownerId)]
    const policies = roles.policiesOf(all.map((r) => r.id))
    return all.map((role) => ({ ...role, policies: policies.get(role.id) ?? [] }))
  }

  return {
    /** The organization of the caller's key (it exists: the key was just resolved through it). */
    organization (caller: Caller): OrganizationRow {
      return organizations.find(caller.organizationId)!
    },

    organizationRoles (caller: Caller): RoleWithPolicies[] {
      return rolesOf('ORGANIZATION', caller.organizationId)
    },

    projectRoles (caller: Caller, projectId: string): RoleWithPolicies[] {
      return rolesOf('PROJECT', requireProject(caller, projectId))
    },

    /** The organization permission catalogue, by name: the same for every organization. */
    organizationPermissions (): PermissionRow[] {
      return permissions.list('ORGANIZATION')
    },

    /** The project permission catalogue, by name, once the project is known to be the caller's. */
    projectPermissions (caller: Caller, projectId: string): PermissionRow[] {
      requireProject(caller, projectId)
      return permissions.list('PROJECT')
    },

    governancePolicies (caller: Caller): GovernancePolicyRow[] {
      return governancePolicies.listForOrg(caller.organizationId)
    }
  }
}

export type OrganizationService = ReturnType<typeof organizationService>
