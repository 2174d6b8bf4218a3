// The organization schema, field for field as the vendor publishes it.
import { Type, type Static } from 'typebox'
import { MAX_NAME_LENGTH } from '../domain/rules.js'
import { IsoDateTime, NameSchema, PlanSchema, Success } from './common.js'

export const OrganizationSchema = Type.Object({
  id: Type.String({ description: 'The organization id' }),
  name: Type.String({ description: 'The organization name' }),
  plan: { ...PlanSchema, description: 'The subscription plan' },
  created_at: IsoDateTime
})

export type Organization = Static<typeof OrganizationSchema>

export const OrganizationResponse = Success(Type.Object({ organization: OrganizationSchema }))

export const UpdateOrganizationBody = Type.Object({
  name: NameSchema(`The new name of the organization, unique across organizations (at most ${MAX_NAME_LENGTH} characters)`)
})
