// Invitation schemas, field for field as the vendor publishes them (note the mixed casing).
import { Type, type Static } from 'typebox'
import { INVITATION_STATUSES } from '../domain/vocabulary.js'
import { EmailSchema, IsoDateTime, Success } from './common.js'

export const InvitationStatusSchema = Type.Enum([...INVITATION_STATUSES], {
  description: 'The current status of the invitation'
})

const invitationFields = {
  id: Type.Integer({ description: 'Unique identifier for the invitation' }),
  email: Type.String({ description: 'The invited email address, lower case' }),
  status: InvitationStatusSchema,
  created_at: IsoDateTime
}

export const ProjectInvitationSchema = Type.Object({
  ...invitationFields,
  projectRoleId: Type.Union([Type.String(), Type.Null()], {
    description: 'The project role the invitee will receive, or null for the default (Member)'
  })
})

export const OrganizationInvitationSchema = Type.Object({
  ...invitationFields,
  organizationRoleId: Type.Union([Type.String(), Type.Null()], {
    description: 'The organization role the invitee will receive, or null for the default (Member)'
  })
})

export type ProjectInvitation = Static<typeof ProjectInvitationSchema>
export type OrganizationInvitation = Static<typeof OrganizationInvitationSchema>

function Emails (maxEmails: number) {
  return Type.Array(EmailSchema(), {
    minItems: 1,
    maxItems: maxEmails,
    description: `One or more email addresses to invite (at most ${maxEmails})`
  })
}

function RoleId (noun: string) {
  return Type.Optional(Type.String({ format: 'uuid', description: `${noun} role for every invitee; the Owner role cannot be assigned` }))
}

/** The options of both invitation route plugins: the most addresses one create body takes (CONFIDENT_MOCK_MAX_EMAILS). */
export interface InvitationRoutesOptions {
  maxEmails: number
}

export function CreateProjectInvitationsBody (maxEmails: number) {
  return Type.Object({ emails: Emails(maxEmails), projectRoleId: RoleId('Project') })
}

export function CreateOrganizationInvitationsBody (maxEmails: number) {
  return Type.Object({ emails: Emails(maxEmails), organizationRoleId: RoleId('Organization') })
}

export const InvitationIdParams = Type.Object({
  invitationId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The unique identifier of the invitation' })
})

export const ProjectInvitationListResponse = Success(Type.Object({ invitations: Type.Array(ProjectInvitationSchema) }))
export const ProjectInvitationResponse = Success(Type.Object({ invitation: ProjectInvitationSchema }))
export const OrganizationInvitationListResponse = Success(Type.Object({ invitations: Type.Array(OrganizationInvitationSchema) }))
export const OrganizationInvitationResponse = Success(Type.Object({ invitation: OrganizationInvitationSchema }))
export const DeletedInvitationResponse = Success(Type.Object({ id: Type.Integer(), deleted: Type.Literal(true) }))
