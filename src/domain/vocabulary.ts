// The domain's vocabulary, in one place: what the vendor documents (plans, scopes, statuses, the
// system roles, control types, page sizes) and the caller. Schemas (src/schemas/, src/boot-state/schema.ts),
// the table definitions (src/db/schema.ts), the rules (src/domain/rules.ts) and the services all read it here;
// the limits the vendor leaves open (names, descriptions, addresses) are our decisions, in src/domain/rules.ts.

/** The subscription plans the vendor documents. */
export const PLANS = ['TRIAL', 'FREE', 'STARTER', 'ENTERPRISE', 'TEAM', 'PREMIUM'] as const
export type Plan = typeof PLANS[number]

export const INVITATION_STATUSES = ['PENDING', 'ACCEPTED', 'DECLINED'] as const
export type InvitationStatus = typeof INVITATION_STATUSES[number]

/** Where roles, policies, permissions and invitations belong: the organization, or one of its projects. */
export const ROLE_SCOPES = ['ORGANIZATION', 'PROJECT'] as const
export type RoleScope = typeof ROLE_SCOPES[number]

/** What an invitation is to: the scope of the role it grants (project first, the control API's order). */
export const INVITATION_KINDS = ['PROJECT', 'ORGANIZATION'] as const satisfies readonly RoleScope[]
export type InvitationKind = typeof INVITATION_KINDS[number]

/** Where an invitation email stands on its way to the SMTP server (CONFIDENT_MOCK_SMTP_URL): waiting, taken, given up. */
export const DELIVERY_STATES = ['pending', 'sent', 'failed'] as const
export type DeliveryState = typeof DELIVERY_STATES[number]

/** The vendor-documented system roles of each scope, the same in every organization. */
export const SYSTEM_PROJECT_ROLES = ['Owner', 'Manager', 'Member'] as const
export const SYSTEM_ORGANIZATION_ROLES = ['Owner', 'Admin', 'Member'] as const
export const SYSTEM_ROLES: Readonly<Record<RoleScope, readonly string[]>> = {
  ORGANIZATION: SYSTEM_ORGANIZATION_ROLES,
  PROJECT: SYSTEM_PROJECT_ROLES
}
/** The role that can never be given through an invitation. */
export const OWNER_ROLE = 'Owner'

/** The kinds of check a governance control is. */
export const GOVERNANCE_CONTROL_TYPES = ['RUNTIME', 'PRE_DEPLOYMENT_EVALS', 'PRE_DEPLOYMENT_RED_TEAMING', 'OPERATIONAL'] as const
export type GovernanceControlType = typeof GOVERNANCE_CONTROL_TYPES[number]

/** Page size when none is asked for, and the most a page may hold (vendor: default 25, max 100). */
export const DEFAULT_PAGE_SIZE = 25
export const MAX_PAGE_SIZE = 100

/** Who is calling: an organization, through one of its organization keys. */
export interface Caller {
  keyId: number
  organizationId: string
  plan: Plan
  trialEndsAt: number | null
}
