// Member schemas for projects and the organization, field for field as the vendor publishes them.
import { Type, type Static } from 'typebox'
import { InProjectParams, PageQuerySchema, Success } from './common.js'

export const PageQuery = PageQuerySchema('members')

const UserId = Type.String({ minLength: 1, maxLength: 64, description: 'The unique identifier of the member' })

export const UserIdParams = Type.Object({ userId: UserId })

export const ProjectMemberParams = InProjectParams(UserIdParams)

export const UpdateMemberRoleBody = Type.Object({
  roleId: Type.String({ format: 'uuid', description: 'The id of the role to assign to the member' })
})

const NamedRoleSchema = Type.Object({
  id: Type.String({ description: 'The role id' }),
  name: Type.String({ description: 'The role name' })
})

const person = {
  id: Type.String({ description: 'The user id' }),
  email: Type.String({ description: 'The member\'s email address, lower case' }),
  name: Type.Union([Type.String(), Type.Null()], { description: 'The member\'s display name' }),
  image: Type.Union([Type.String(), Type.Null()], { description: 'URL of the member\'s avatar image' })
}

export const ProjectMemberSchema = Type.Object({
  ...person,
  projectRole: Type.Union([NamedRoleSchema, Type.Null()], { description: 'The member\'s project role' })
})

export const OrganizationMemberSchema = Type.Object({
  ...person,
  organizationRole: Type.Union([NamedRoleSchema, Type.Null()], { description: 'The member\'s organization role' })
})

export type ProjectMember = Static<typeof ProjectMemberSchema>
export type OrganizationMember = Static<typeof OrganizationMemberSchema>

const Total = Type.Integer({ description: 'How many members there are in all, whatever the page' })

export const ProjectMemberListResponse = Success(Type.Object({ members: Type.Array(ProjectMemberSchema), total: Total }))
export const ProjectMemberResponse = Success(Type.Object({ member: ProjectMemberSchema }))
export const OrganizationMemberListResponse = Success(Type.Object({ members: Type.Array(OrganizationMemberSchema), total: Total }))
export const OrganizationMemberResponse = Success(Type.Object({ member: OrganizationMemberSchema }))

export const RemoveMemberResponse = Success(Type.Object({
  id: Type.String({ description: 'The id of the removed member' }),
  removed: Type.Literal(true)
}))
