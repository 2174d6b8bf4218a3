// Domain failures as typed errors carrying their status; the root error handler turns them into the envelope.
import createError from '@fastify/error'

export const MissingApiKeyError = createError('CM_MISSING_API_KEY', 'Missing API key: send your organization API key in the CONFIDENT_API_KEY header', 401)
export const InvalidApiKeyError = createError('CM_INVALID_API_KEY', 'Invalid API key', 401)
export const ProjectKeyError = createError('CM_PROJECT_KEY', 'This endpoint requires an organization API key; a project API key was sent', 403)
export const ProjectNotFoundError = createError('CM_PROJECT_NOT_FOUND', 'Project not found', 404)
export const ProjectNameTakenError = createError<[string]>('CM_PROJECT_NAME_TAKEN', 'A project named "%s" already exists in this organization', 409)
export const NotAnOrganizationMemberError = createError('CM_NOT_ORGANIZATION_MEMBER', 'email does not name a member of this organization', 400)
export const MemberNotFoundError = createError('CM_MEMBER_NOT_FOUND', 'Member not found', 404)
export const OwnerRoleChangeError = createError<[string]>('CM_OWNER_ROLE_CHANGE', 'The %s Owner keeps the Owner role until ownership is transferred: give the Owner role to another member', 409)
export const OwnerRemovalError = createError<[string]>('CM_OWNER_REMOVAL', 'The %s Owner cannot be removed: transfer ownership to another member first', 409)
export const ProjectOwnerRemovalError = createError<[string]>('CM_PROJECT_OWNER_REMOVAL', 'This member is the Owner of project "%s": transfer its ownership before removing them from the organization', 409)
export const InvitationNotFoundError = createError('CM_INVITATION_NOT_FOUND', 'Invitation not found', 404)
export const InvitingNotAllowedError = createError(
  'CM_PLAN_FORBIDS_INVITING',
  'Inviting members is not available on the Free plan outside of the trial period',
  403
)
export const UnknownRoleError = createError<[string, string]>('CM_UNKNOWN_ROLE', '%s does not name a role available to this %s', 400)
export const OwnerRoleError = createError('CM_OWNER_ROLE', 'The Owner role cannot be assigned to invitees', 400)
export const InvitationNotPendingError = createError<[string]>('CM_INVITATION_NOT_PENDING', 'Invitation is %s, not PENDING', 409)
export const InvitationAcceptedError = createError('CM_INVITATION_ACCEPTED', 'An accepted invitation cannot be revoked', 409)
export const InvalidTokenError = createError('CM_INVALID_TOKEN', 'No invitation has this token', 404)
export const AdminTokenMissingError = createError('CM_ADMIN_TOKEN_MISSING', 'Missing admin token: this server protects /__admin; send it in the X-Admin-Token header or as Authorization: Bearer <token>', 401)
export const AdminTokenInvalidError = createError('CM_ADMIN_TOKEN_INVALID', 'Invalid admin token', 401)
export const CrossSiteRequestError = createError('CM_CROSS_SITE', 'A state-changing request sent by a page of another site is refused (allow its origin with CONFIDENT_MOCK_CORS)', 403)
export const BadDocumentError = createError<[string]>('CM_BAD_DOCUMENT', '%s', 400)
export const OrganizationTakenError = createError<[string]>('CM_ORGANIZATION_TAKEN', '%s', 409)
/** An organization that cannot be made again from its document (it has none, or it no longer applies). */
export const OrganizationDocumentError = createError<[string]>('CM_ORGANIZATION_DOCUMENT', '%s', 409)
export const OrganizationNotFoundError = createError('CM_ORGANIZATION_NOT_FOUND', 'Organization not found', 404)
export const FaultNotFoundError = createError('CM_FAULT_NOT_FOUND', 'Fault not found', 404)
export const ApiKeyNotFoundError = createError('CM_API_KEY_NOT_FOUND', 'API key not found', 404)
export const LastOrganizationKeyError = createError<[string]>('CM_LAST_ORGANIZATION_KEY', 'This is the organization\'s last valid organization API key: create another one before you %s it', 409)
export const PolicyNotFoundError = createError('CM_POLICY_NOT_FOUND', 'Policy not found', 404)
export const PolicyNameTakenError = createError<[string, string]>('CM_POLICY_NAME_TAKEN', 'A policy named "%s" already exists in this %s', 409)
export const UnknownPermissionError = createError<[string, string, string]>('CM_UNKNOWN_PERMISSION', '%s (%s) is not a permission of the %s catalogue', 400)
export const RoleNotFoundError = createError('CM_ROLE_NOT_FOUND', 'Role not found', 404)
export const RoleNameTakenError = createError<[string, string]>('CM_ROLE_NAME_TAKEN', 'A role named "%s" already exists in this %s', 409)
export const SystemRoleError = createError<[string]>('CM_SYSTEM_ROLE', 'The system role %s cannot be modified or deleted', 403)
export const UnknownPolicyError = createError<[string, string, string]>('CM_UNKNOWN_POLICY', '%s (%s) does not name a policy of this %s', 400)
export const RoleInUseError = createError<[string]>('CM_ROLE_IN_USE', 'This role is still held by %s: give them another role (or revoke the invitations) first', 409)
export const GovernancePolicyNotFoundError = createError('CM_GOVERNANCE_POLICY_NOT_FOUND', 'Governance policy not found', 404)

// The body as sent: checked before any route sees it (src/http/json-body.ts, src/plugins/bodyless.ts).
export const UnsupportedEncodingError = createError('CM_UNSUPPORTED_ENCODING', 'Unsupported Content-Encoding: send the body uncompressed', 415)
export const InvalidBodyError = createError<[string]>('CM_INVALID_BODY', '%s', 400)

/** The vendor's error envelope, the body of every failure. */
export interface ErrorEnvelope {
  success: false
  error: string
  deprecated: false
}

export function envelope (message: string): ErrorEnvelope {
  return { success: false, error: message, deprecated: false }
}
