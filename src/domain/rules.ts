// Decisions where the vendor docs are silent (listed in docs/decisions.md), each in one place to change.
import { SYSTEM_ROLES, type Plan, type RoleScope } from './vocabulary.js'

/** Plans that may always invite; TRIAL and FREE may only while the trial runs (docs/decisions.md; "check 4" in test/routes/v1/projects/invitations.test.ts). */
export const INVITING_PLANS: ReadonlySet<Plan> = new Set<Plan>(['STARTER', 'TEAM', 'PREMIUM', 'ENTERPRISE'])

export function mayInvite (plan: Plan, trialEndsAt: number | null, now: number): boolean {
  return INVITING_PLANS.has(plan) || (trialEndsAt !== null && now < trialEndsAt)
}

/** The role an invitation with no role id grants on acceptance. */
export const DEFAULT_PROJECT_ROLE = 'Member'
export const DEFAULT_ORGANIZATION_ROLE = 'Member'

/** Addresses are compared case-insensitively and stored in lower case. */
export function normalizeEmail (email: string): string {
  return email.toLowerCase()
}

/** Lower-cases and drops repeats; the first occurrence keeps its place. */
export function uniqueEmails (emails: readonly string[]): string[] {
  return [...new Set(emails.map(normalizeEmail))]
}

/** A new tenant's plan when the control API's document names none: a paid plan, so inviting works. */
export const DEFAULT_TENANT_PLAN: Plan = 'TEAM'

/** The name of the project API key minted with a new project (the name the vendor's example shows). */
export const NEW_PROJECT_KEY_NAME = 'Default Key'

/**
 * An organization always keeps this many valid organization API keys: without one it is locked out
 * of the whole management API, and only the control API (/__admin) could let it back in. So the last
 * valid organization key can be neither invalidated nor deleted (409). Project keys have no such rule.
 */
export const MIN_VALID_ORGANIZATION_KEYS = 1

/** Whether invalidating or deleting this organization key would leave fewer valid ones than allowed. */
export function wouldLockOut (keyIsValid: boolean, validOrganizationKeys: number): boolean {
  return keyIsValid && validOrganizationKeys - 1 < MIN_VALID_ORGANIZATION_KEYS
}

/**
 * Text limits (ours: the vendor documents none). One rule for every name, in the API and in fixtures:
 * organizations, projects, policies, roles, API keys, members, permissions, governance policies and
 * controls are named with 1 to 200 characters (so any name the API accepts can also be written in a
 * fixtures file), and every description holds at most 2000.
 */
export const MAX_NAME_LENGTH = 200
export const MAX_DESCRIPTION_LENGTH = 2000
/** Longest address accepted anywhere: the most a mail system takes (RFC 5321's path limit, less the angle brackets). */
export const MAX_EMAIL_LENGTH = 254
/** Longest avatar image URL in fixtures: the common practical URL limit (browsers, CDNs). */
export const MAX_IMAGE_URL_LENGTH = 2048

/**
 * Most project ids one governance assign or unassign call takes (the same cap as invitation emails
 * and page sizes), and the longest id accepted in it (far above any id this server makes, well under
 * the body limit). The vendor documents neither.
 */
export const MAX_GOVERNANCE_PROJECT_IDS = 100
export const MAX_GOVERNANCE_PROJECT_ID_LENGTH = 500

/** Drops repeated ids (compared exactly); the first occurrence keeps its place. */
export function uniqueIds (ids: readonly string[]): string[] {
  return [...new Set(ids)]
}

/**
 * Custom policies and roles (ours: the vendor documents no limits): a policy lists at most 200
 * permission ids and a role at most 200 policy ids (far more than the catalogue holds, small enough
 * to check in one query). That it equals MAX_NAME_LENGTH is chance: the two are unrelated.
 */
export const MAX_ACCESS_IDS = 200

/** A custom role may not take a system role's name in its scope: the role list would show two of that name. */
export function isSystemRoleName (scope: RoleScope, name: string): boolean {
  return SYSTEM_ROLES[scope].includes(name)
}

/**
 * Who still holds a role, for the 409 that refuses to delete it: "2 members and 1 pending
 * invitation", only the non-zero parts; null when nobody does. Pending invitations count as well as
 * members, so that no invitation silently changes meaning (ours: the vendor names members only).
 */
export function roleHolders (members: number, pendingInvitations: number): string | null {
  const parts: string[] = []
  if (members > 0) parts.push(`${members} member${members === 1 ? '' : 's'}`)
  if (pendingInvitations > 0) parts.push(`${pendingInvitations} pending invitation${pendingInvitations === 1 ? '' : 's'}`)
  return parts.length === 0 ? null : parts.join(' and ')
}
