// Governance policy schemas, field for field as the vendor publishes them.
import { Type, type Static } from 'typebox'
import { GOVERNANCE_CONTROL_TYPES } from '../domain/vocabulary.js'
import { MAX_GOVERNANCE_PROJECT_ID_LENGTH, MAX_GOVERNANCE_PROJECT_IDS } from '../domain/rules.js'
import { PageQuerySchema, Success } from './common.js'

export const GovernanceControlSchema = Type.Object({
  id: Type.String({ description: 'The control id' }),
  name: Type.String({ description: 'The control name' }),
  type: Type.Enum([...GOVERNANCE_CONTROL_TYPES], { description: 'The kind of check the control is' })
})

export const GovernancePolicySchema = Type.Object({
  id: Type.String({ description: 'The governance policy id' }),
  name: Type.String({ description: 'The governance policy name' }),
  description: Type.Union([Type.String(), Type.Null()], { description: 'The governance policy description, or null' }),
  projectsCount: Type.Integer({ description: 'How many projects are enrolled in the policy' }),
  controls: Type.Array(GovernanceControlSchema, { description: 'The controls the policy enforces, in their declared order' })
})

export type GovernancePolicy = Static<typeof GovernancePolicySchema>

export const GovernancePolicyListResponse = Success(Type.Object({ governancePolicies: Type.Array(GovernancePolicySchema) }))

export const GovernancePolicyParams = Type.Object({
  // No length limits: any id that names no governance policy of the caller's is a 404.
  policyId: Type.String({ description: 'The unique identifier of the governance policy' })
})

export const GovernanceProjectIdsBody = Type.Object({
  projectIds: Type.Array(Type.String({ minLength: 1, maxLength: MAX_GOVERNANCE_PROJECT_ID_LENGTH, description: 'A project id' }), {
    minItems: 1,
    maxItems: MAX_GOVERNANCE_PROJECT_IDS,
    description: `The ids of the projects (1 to ${MAX_GOVERNANCE_PROJECT_IDS}; a repeated id counts once)`
  })
})

/** The page query of the members lists, the same bounds (vendor: page >= 1, pageSize 1..100, default 25). */
export const GovernancePolicyProjectsQuery = PageQuerySchema('projects')

const GovernancePolicyRefSchema = Type.Object({
  id: Type.String({ description: 'The governance policy id' }),
  name: Type.String({ description: 'The governance policy name' })
})

const ProjectIdList = (description: string) => Type.Array(Type.String(), { description })

export const AssignedProjectsResponse = Success(Type.Object({
  governancePolicy: GovernancePolicyRefSchema,
  assignedProjectIds: ProjectIdList('The projects now enrolled in the policy, in request order'),
  notFoundProjectIds: ProjectIdList('The ids that name no project of the organization, in request order'),
  count: Type.Integer({ description: 'How many projects are now assigned (the length of assignedProjectIds)' })
}))

export const UnassignedProjectsResponse = Success(Type.Object({
  governancePolicy: GovernancePolicyRefSchema,
  unassignedProjectIds: ProjectIdList('The projects removed from the policy, in request order'),
  skippedProjectIds: ProjectIdList('The ids that name no project of the organization on this policy, in request order'),
  count: Type.Integer({ description: 'How many projects were removed (the length of unassignedProjectIds)' })
}))

export const GovernancePolicyProjectsResponse = Success(Type.Object({
  projects: Type.Array(Type.Object({
    id: Type.String({ description: 'The project id' }),
    name: Type.String({ description: 'The project name' })
  }), { description: 'One page of the enrolled projects, by name then id' }),
  total: Type.Integer({ description: 'How many projects are enrolled in all, whatever the page' })
}))
