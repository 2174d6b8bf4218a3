// Governance policy schemas, field for field as the vendor publishes them.
import { Type, type Static } from 'typebox'
import { GOVERNANCE_CONTROL_TYPES } from '../db/schema.js'
import { Success } from './common.js'

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
