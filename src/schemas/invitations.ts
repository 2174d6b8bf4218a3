// Invitation schemas, field for field as the vendor publishes them (note the mixed casing).
import { Type, type Static } from 'typebox'
import { IsoDateTime, Success } from './common.js'

export const InvitationStatusSchema = Type.Enum(['PENDING', 'ACCEPTED', 'DECLINED'], {
  description: 'The current status of the invitation'
})

export const ProjectInvitationSchema = Type.Object({
  id: Type.Integer({ description: 'Unique identifier for the invitation' }),
  email: Type.String({ description: 'The invited email address, lower case' }),
  status: InvitationStatusSchema,
  created_at: IsoDateTime,
  projectRoleId: Type.Union([Type.String(), Type.Null()], {
    description: 'The project role the invitee will receive, or null for the default (Member)'
  })
})

export type ProjectInvitation = Static<typeof ProjectInvitationSchema>

/** Longest address a mail system accepts (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254

export function CreateProjectInvitationsBody (maxEmails: number) {
  return Type.Object({
    emails: Type.Array(Type.String({ format: 'email', maxLength: MAX_EMAIL_LENGTH }), {
      minItems: 1,
      maxItems: maxEmails,
      description: `One or more email addresses to invite (at most ${maxEmails})`
    }),
    projectRoleId: Type.Optional(Type.String({
      format: 'uuid',
      description: 'Project role for every invitee; the Owner role cannot be assigned'
    }))
  })
}

export const ProjectInvitationListResponse = Success(Type.Object({
  invitations: Type.Array(ProjectInvitationSchema)
}))
