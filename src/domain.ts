// The domain's vocabulary, in one place: plans, scopes, statuses, the system roles, the caller, and
// the text limits of names and descriptions. Schemas (src/schemas/, src/boot-state/schema.ts), the
// table definitions (src/db/schema.ts), the rules (src/rules.ts) and the services all read it here.

/** The subscription plans the vendor documents. */
export const PLANS = ['TRIAL', 'FREE', 'STARTER', 'ENTERPRISE', 'TEAM', 'PREMIUM'] as const
export type Plan = typeof PLANS[number]

export const INVITATION_STATUSES = ['PENDING', 'ACCEPTED', 'DECLINED'] as const
export type InvitationStatus = typeof INVITATION_STATUSES[number]

/** Where roles, policies, permissions and invitations belong: the organization, or one of its projects. */
export const ROLE_SCOPES = ['ORGANIZATION', 'PROJECT'] as const
export type RoleScope = typeof ROLE_SCOPES[number]

/** The vendor-documented system roles of each scope, the same in every organization. */
export const SYSTEM_PROJECT_ROLES = ['Owner', 'Manager', 'Member'] as const
export const SYSTEM_ORGANIZATION_ROLES = ['Owner', 'Admin', 'Member'] as const
export const SYSTEM_ROLES: Readonly<Record<RoleScope, readonly string[]>> = {
  ORGANIZATION: SYSTEM_ORGANIZATION_ROLES,
  PROJECT: SYSTEM_PROJECT_ROLES
}
/** The role that can never be given through an invitation. */
export const OWNER_ROLE = 'Owner'

/** Who is calling: an organization, through one of its organization keys. */
export interface Caller {
  keyId: number
  organizationId: string
  plan: Plan
  trialEndsAt: number | null
}
