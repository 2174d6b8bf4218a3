// Role schemas for projects and the organization, field for field as the vendor publishes them.
import { Type, type Static, type TProperties } from 'typebox'
import { MAX_ACCESS_IDS } from '../domain/rules.js'
import { InProjectParams, Success } from './common.js'
import { AccessDescription, AccessIds, AccessName } from './policies.js'

const PolicyRefSchema = Type.Object({
  id: Type.String({ description: 'The policy id' }),
  name: Type.String({ description: 'The policy name' })
})

/** A role of either scope: the same fields, with its owner's id (`owner`) before its policies. */
function RoleSchema<T extends TProperties> (owner: T) {
  return Type.Object({
    id: Type.String({ format: 'uuid', description: 'The role id' }),
    name: Type.String({ description: 'The role name' }),
    description: Type.Union([Type.String(), Type.Null()], { description: 'The role description, or null' }),
    ...owner,
    policies: Type.Array(PolicyRefSchema, { description: 'The policies the role grants, by name; may be empty' })
  })
}

export const ProjectRoleSchema = RoleSchema({
  projectId: Type.Union([Type.String(), Type.Null()], { description: 'The project of a custom role; null for a system role' })
})

export const OrganizationRoleSchema = RoleSchema({
  organizationId: Type.Union([Type.String(), Type.Null()], { description: 'The organization of a custom role; null for a system role' })
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

export const ProjectRoleParams = InProjectParams(RoleIdParams)

export const ProjectRoleResponse = Success(Type.Object({ role: ProjectRoleSchema }))
export const OrganizationRoleResponse = Success(Type.Object({ role: OrganizationRoleSchema }))
