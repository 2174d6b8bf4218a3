// Role schemas for projects and the organization, field for field as the vendor publishes them.
import { Type, type Static } from 'typebox'
import { Success } from './common.js'

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
