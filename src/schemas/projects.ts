// Project schemas, field for field as the vendor publishes them (note the mixed casing).
import { Type, type Static } from 'typebox'
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../domain/rules.js'
import { DescriptionSchema, EmailSchema, IsoDateTime, NameSchema, Success } from './common.js'

const Name = NameSchema(`Name of the project, unique within the organization (at most ${MAX_NAME_LENGTH} characters)`)
const Description = DescriptionSchema(`Description of the project (at most ${MAX_DESCRIPTION_LENGTH} characters)`)

export const ProjectSchema = Type.Object({
  id: Type.String({ description: 'The project id' }),
  name: Type.String({ description: 'The project name' }),
  description: Type.Union([Type.String(), Type.Null()], { description: 'The project description, or null' }),
  organizationId: Type.String({ description: 'The organization the project belongs to' }),
  created_at: IsoDateTime,
  governancePolicy: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()], {
    description: 'The governance policy the project is enrolled in, or null'
  })
})

/** A newly minted key: the only response in which `value` is the clear key. */
export const NewApiKeySchema = Type.Object({
  id: Type.Integer({ description: 'The key id' }),
  name: Type.Union([Type.String(), Type.Null()], { description: 'The key label' }),
  valid: Type.Boolean({ description: 'Whether the key is active' }),
  value: Type.String({ description: 'The full key: shown in this response only, redacted everywhere else' }),
  created_at: IsoDateTime,
  lastUsed: Type.Union([IsoDateTime, Type.Null()], { description: 'When the key last authenticated a request; null for a new key' })
})

export type Project = Static<typeof ProjectSchema>
export type NewApiKey = Static<typeof NewApiKeySchema>

export const CreateProjectBody = Type.Object({
  name: Name,
  description: Type.Optional(Description),
  email: Type.Optional(EmailSchema("Address of an organization member who becomes the project's Owner; without it the project has no members"))
})

export const UpdateProjectBody = Type.Object({
  name: Type.Optional(Name),
  description: Type.Optional(Description)
})

export const ProjectListResponse = Success(Type.Object({ projects: Type.Array(ProjectSchema) }))
export const ProjectResponse = Success(Type.Object({ project: ProjectSchema }))
export const CreatedProjectResponse = Success(Type.Object({ project: ProjectSchema, apiKey: NewApiKeySchema }))
export const DeletedProjectResponse = Success(Type.Object({ id: Type.String(), deleted: Type.Literal(true) }))
