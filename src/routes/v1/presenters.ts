// The presenters: rows and service results turned into the vendor's field names and shapes, one per resource, for every route that answers with it.
import type { StoredKeyRow } from '../../repositories/api-keys.js'
import type { InvitationRow } from '../../repositories/invitations.js'
import type { MemberRow } from '../../repositories/members.js'
import type { OrganizationRow } from '../../repositories/organizations.js'
import type { ProjectRow } from '../../repositories/projects.js'
import { keyValue, type ApiKey } from '../../schemas/api-keys.js'
import type { OrganizationInvitation, ProjectInvitation } from '../../schemas/invitations.js'
import type { OrganizationMember, ProjectMember } from '../../schemas/members.js'
import type { Organization } from '../../schemas/organization.js'
import type { Policy } from '../../schemas/policies.js'
import type { NewApiKey, Project } from '../../schemas/projects.js'
import type { OrganizationRole, ProjectRole } from '../../schemas/roles.js'
import type { PolicyWithPermissions } from '../../services/access.js'
import type { RoleWithPolicies } from '../../services/organization.js'
import type { CreatedProject } from '../../services/projects.js'

const iso = (ms: number) => new Date(ms).toISOString()

export function toOrganization (row: OrganizationRow): Organization {
  return { id: row.id, name: row.name, plan: row.plan, created_at: iso(row.createdAt) }
}

export function toProject (row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    organizationId: row.organizationId,
    created_at: iso(row.createdAt),
    governancePolicy: row.governancePolicy
  }
}

/** A key as answered: its clear `value` when just minted, redacted otherwise. */
export function toApiKey (row: StoredKeyRow & { value?: string }): ApiKey {
  return {
    id: row.id,
    name: row.name,
    valid: row.valid,
    value: keyValue(row),
    created_at: iso(row.createdAt),
    // Not tracked: recording it would turn every authenticated read into a write.
    lastUsed: null
  }
}

/** The key minted with a new project, clear. */
export function toNewApiKey (key: CreatedProject['apiKey']): NewApiKey {
  return {
    id: key.id,
    name: key.name,
    valid: key.valid,
    value: key.value,
    created_at: iso(key.createdAt),
    // This server does not serve the data plane, so no project key is ever used.
    lastUsed: null
  }
}

export function toPolicy (policy: PolicyWithPermissions): Policy {
  return { id: policy.id, name: policy.name, description: policy.description, permissions: policy.permissions }
}

/** The fields a role has in either scope; its owner's id goes under the scope's own name. */
function role (row: RoleWithPolicies) {
  return { id: row.id, name: row.name, description: row.description, policies: row.policies }
}

export function toProjectRole (row: RoleWithPolicies): ProjectRole {
  return { ...role(row), projectId: row.projectId }
}

export function toOrganizationRole (row: RoleWithPolicies): OrganizationRole {
  return { ...role(row), organizationId: row.organizationId }
}

/** The fields a member has in either scope; the role goes under the scope's own name. */
function person (row: MemberRow) {
  return { id: row.userId, email: row.email, name: row.name, image: row.image }
}

export function toProjectMember (row: MemberRow): ProjectMember {
  return { ...person(row), projectRole: { id: row.roleId, name: row.roleName } }
}

export function toOrganizationMember (row: MemberRow): OrganizationMember {
  return { ...person(row), organizationRole: { id: row.roleId, name: row.roleName } }
}

/** The fields an invitation has in either scope; the role id goes under the scope's own name. */
function invitation (row: InvitationRow) {
  return { id: row.id, email: row.email, status: row.status, created_at: iso(row.createdAt) }
}

export function toProjectInvitation (row: InvitationRow): ProjectInvitation {
  return { ...invitation(row), projectRoleId: row.roleId }
}

export function toOrganizationInvitation (row: InvitationRow): OrganizationInvitation {
  return { ...invitation(row), organizationRoleId: row.roleId }
}
