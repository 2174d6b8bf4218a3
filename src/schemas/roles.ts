// Role schemas for projects and the organization, field for field as the vendor publishes them.
import { Type, type Static } from 'typebox'
import { MAX_ACCESS_IDS } from '../rules.js'
import { ProjectIdParams, Success } from './common.js'
import { AccessDescription, AccessIds, AccessName } from './policies.js'

const PolicyRefSchema = Type.Object({
  id: Type.String({ description: 'The policy id' }),
  name: Type.String({ description: 'The policy name' })
})

const roleFields = {
  id: Type.String({ format: 'uuid', description: 'The role id' }),
  name: Type.String({ description: 'The role name' }),
  description: Type.Union([Type.String(), Type.Null()], { description: 'The role description, or null' }),
  policies: Type.Array(PolicyRefSchema, { description: 'The policies the role grants, by name; may be empty' })
}

export const ProjectRoleSchema = Type.Object({
  id: roleFields.id,
  name: roleFields.name,
  description: roleFields.description,
  projectId: Type.Union([Type.String(), Type.Null()], { description: 'The project of a custom role; null for a system role' }),
  policies: roleFields.policies
})

export const OrganizationRoleSchema = Type.Object({
  id: roleFields.id,
  name: roleFields.name,
  description: roleFields.description,
  organizationId: Type.Union([Type.String(), Type.Null()], { description: 'The organization of a custom role; null for a system role' }),
  policies: roleFields.policies
})

export type ProjectRole = Static<typeof ProjectRoleSchema>
export type OrganizationRole = Static<typeof OrganizationRoleSchema>

export const ProjectRoleListResponse = Success(Type.Object({ roles: Type.Array(ProjectRoleSchema) }))
export const OrganizationRoleListResponse = Success(Type.Object({ roles: Type.Array(OrganizationRoleSchema) }))

export const RoleBody = Type.Object({
  name: AccessName('role'),
  description: AccessDescription('role'),
  policyIds: AccessIds(`Ids of policies of the role's owner (the organization's own policies for an organization role, the project's for a project role); at most ${MAX_ACCESS_IDS}, may be empty`)
})

export type RoleInput = Static<typeof RoleBody>

export const RoleIdParams = Type.Object({
  // No length limits: any id that names no custom role of the owner's is a 404 (a system role's, 403).
  roleId: Type.String({ description: 'The unique identifier of the role' })
})

export const ProjectRoleParams = Type.Object({
  projectId: ProjectIdParams.properties.projectId,
  roleId: RoleIdParams.properties.roleId
})

export const ProjectRoleResponse = Success(Type.Object({ role: ProjectRoleSchema }))
export const OrganizationRoleResponse = Success(Type.Object({ role: OrganizationRoleSchema }))
