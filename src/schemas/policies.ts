// Policy schemas for projects and the organization, field for field as the vendor publishes them, and the name/description atoms roles share.
import { Type, type Static } from 'typebox'
import { MAX_ACCESS_IDS, MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../domain/rules.js'
import { InProjectParams, NameSchema, NullableDescriptionSchema, Success } from './common.js'

/** The name of a custom policy or role: unique among its owner's (compared exactly, case included). */
export const AccessName = (what: string) => NameSchema(`Name of the ${what}, unique among its owner's (1 to ${MAX_NAME_LENGTH} characters)`)

/** Absent on create: null; absent on update: unchanged; null: cleared. */
export const AccessDescription = (what: string) => NullableDescriptionSchema(
  `Description of the ${what} (at most ${MAX_DESCRIPTION_LENGTH} characters); null clears it, left out on update keeps it`
)

/** An id list of a policy or role: may be empty; an id given twice counts once. */
export const AccessIds = (description: string) => Type.Array(Type.String(), { maxItems: MAX_ACCESS_IDS, description })

const PermissionRefSchema = Type.Object({
  id: Type.String({ description: 'The permission id' }),
  name: Type.String({ description: 'The permission name, resource:action' })
})

export const PolicySchema = Type.Object({
  id: Type.String({ description: 'The policy id' }),
  name: Type.String({ description: 'The policy name' }),
  description: Type.Union([Type.String(), Type.Null()], { description: 'The policy description, or null' }),
  permissions: Type.Array(PermissionRefSchema, { description: 'The permissions the policy grants, by name; may be empty' })
})

export type Policy = Static<typeof PolicySchema>

export const PolicyBody = Type.Object({
  name: AccessName('policy'),
  description: AccessDescription('policy'),
  permissionIds: AccessIds(`Ids of permissions of the policy's scope (organization permissions for an organization policy, project permissions for a project policy); at most ${MAX_ACCESS_IDS}, may be empty`)
})

export type PolicyInput = Static<typeof PolicyBody>

export const PolicyIdParams = Type.Object({
  // No length limits: any id that names no policy of the owner's is a 404.
  policyId: Type.String({ description: 'The unique identifier of the policy' })
})

export const ProjectPolicyParams = InProjectParams(PolicyIdParams)

export const PolicyListResponse = Success(Type.Object({ policies: Type.Array(PolicySchema) }))
export const PolicyResponse = Success(Type.Object({ policy: PolicySchema }))

/** What a delete of a policy or role answers. */
export const DeletedResponse = Success(Type.Object({
  id: Type.String({ description: 'The id of what was deleted' }),
  deleted: Type.Literal(true)
}))
