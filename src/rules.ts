// Decisions where the vendor docs are silent ("[ours]" in BEHAVIOUR.md), each in one place to change.
import type { Plan } from './db/schema.js'

/** Plans that may always invite; TRIAL and FREE may only while the trial runs (BEHAVIOUR.md section 7). */
export const INVITING_PLANS: ReadonlySet<Plan> = new Set<Plan>(['STARTER', 'TEAM', 'PREMIUM', 'ENTERPRISE'])

export function mayInvite (plan: Plan, trialEndsAt: number | null, now: number): boolean {
  return INVITING_PLANS.has(plan) || (trialEndsAt !== null && now < trialEndsAt)
}

/** The role an invitation with no role id grants on acceptance. */
export const DEFAULT_PROJECT_ROLE = 'Member'
export const DEFAULT_ORGANIZATION_ROLE = 'Member'

/** Vendor-documented system roles; Owner can never be given through an invitation. */
export const SYSTEM_PROJECT_ROLES = ['Owner', 'Manager', 'Member'] as const
export const SYSTEM_ORGANIZATION_ROLES = ['Owner', 'Admin', 'Member'] as const
export const OWNER_ROLE = 'Owner'

/** Addresses are compared case-insensitively and stored in lower case. */
export function normalizeEmail (email: string): string {
  return email.toLowerCase()
}

/** Lower-cases and drops repeats; the first occurrence keeps its place. */
export function uniqueEmails (emails: readonly string[]): string[] {
  return [...new Set(emails.map(normalizeEmail))]
}

/** The name of the project API key minted with a new project (the name the vendor's example shows). */
export const NEW_PROJECT_KEY_NAME = 'Default Key'
