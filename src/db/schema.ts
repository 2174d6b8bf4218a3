// The data model: every table the API needs (docs/decisions.md), with its rules as constraints.
import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import {
  DELIVERY_STATES, GOVERNANCE_CONTROL_TYPES, INVITATION_KINDS, INVITATION_STATUSES, PLANS, ROLE_SCOPES, type DeliveryState, type GovernanceControlType, type InvitationStatus, type Plan, type RoleScope
} from '../domain/vocabulary.js'
import type { InvitationKind } from '../domain/vocabulary.js'

// Times are stored as integer milliseconds since the epoch, read from the server clock.
const createdAt = () => integer('created_at').notNull()

const inList = (column: string, values: readonly string[]) =>
  sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`)

// Key/value facts about the database itself: the id sequence, the fixtures digest last applied.
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull()
})

export const organizations = sqliteTable('organizations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  plan: text('plan').$type<Plan>().notNull(),
  trialEndsAt: integer('trial_ends_at'),
  createdAt: createdAt()
}, (t) => [
  // Not unique: tenants on one server learn nothing of each other's names (docs/decisions.md). The
  // index serves the boot fixtures' lookup by name of an organization a database made before they kept its id.
  index('organizations_name_idx').on(t.name),
  check('organizations_plan_check', inList('plan', PLANS))
])

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  // Always lower case: addresses are compared case-insensitively.
  email: text('email').notNull(),
  name: text('name'),
  image: text('image'),
  createdAt: createdAt()
}, (t) => [
  uniqueIndex('users_email_unique').on(t.email),
  check('users_email_lower', sql`${t.email} = lower(${t.email})`)
])

export const projects = sqliteTable('projects', {
  id: text('id').primaryKey(),
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  description: text('description'),
  createdAt: createdAt(),
  // The governance policy the project is enrolled in (one of its organization's), or null. Last,
  // as migration 0001 added it.
  governancePolicyId: text('governance_policy_id').references(() => governancePolicies.id, { onDelete: 'set null' })
}, (t) => [
  uniqueIndex('projects_org_name_unique').on(t.organizationId, t.name)
])

// System roles have no organization and no project; custom organization roles have an
// organization; custom project roles have a project and its organization.
export const roles = sqliteTable('roles', {
  id: text('id').primaryKey(),
  scope: text('scope').$type<RoleScope>().notNull(),
  name: text('name').notNull(),
  description: text('description'),
  organizationId: text('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
  projectId: text('project_id').references(() => projects.id, { onDelete: 'cascade' }),
  createdAt: createdAt()
}, (t) => [
  check('roles_scope_check', inList('scope', ROLE_SCOPES)),
  check('roles_project_scope', sql`${t.projectId} is null or ${t.scope} = 'PROJECT'`),
  check('roles_project_has_org', sql`${t.projectId} is null or ${t.organizationId} is not null`),
  // Role names are unique among the system roles of a scope, an organization's roles, a project's.
  uniqueIndex('roles_system_name_unique').on(t.scope, t.name).where(sql`organization_id is null`),
  uniqueIndex('roles_org_name_unique').on(t.organizationId, t.name)
    .where(sql`organization_id is not null and project_id is null`),
  uniqueIndex('roles_project_name_unique').on(t.projectId, t.name).where(sql`project_id is not null`)
])

// The platform's permission catalogue, named resource:action (e.g. traces:read). Organization and
// project permissions are separate sets, so a name is unique within its scope.
export const permissions = sqliteTable('permissions', {
  id: text('id').primaryKey(),
  scope: text('scope').$type<RoleScope>().notNull(),
  name: text('name').notNull(),
  description: text('description')
}, (t) => [
  check('permissions_scope_check', inList('scope', ROLE_SCOPES)),
  uniqueIndex('permissions_scope_name_unique').on(t.scope, t.name)
])

// Policies are named groups of permissions, defined by an organization (no project: organization
// permissions) or by one of its projects (project permissions). Roles are groups of policies.
export const policies = sqliteTable('policies', {
  id: text('id').primaryKey(),
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  projectId: text('project_id').references(() => projects.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  description: text('description'),
  createdAt: createdAt()
}, (t) => [
  uniqueIndex('policies_org_name_unique').on(t.organizationId, t.name).where(sql`project_id is null`),
  uniqueIndex('policies_project_name_unique').on(t.projectId, t.name).where(sql`project_id is not null`)
])

export const policyPermissions = sqliteTable('policy_permissions', {
  policyId: text('policy_id').notNull().references(() => policies.id, { onDelete: 'cascade' }),
  permissionId: text('permission_id').notNull().references(() => permissions.id, { onDelete: 'cascade' })
}, (t) => [primaryKey({ columns: [t.policyId, t.permissionId] })])

export const rolePolicies = sqliteTable('role_policies', {
  roleId: text('role_id').notNull().references(() => roles.id, { onDelete: 'cascade' }),
  policyId: text('policy_id').notNull().references(() => policies.id, { onDelete: 'cascade' })
}, (t) => [primaryKey({ columns: [t.roleId, t.policyId] })])

// An organization's governance policies; projects enroll through projects.governance_policy_id.
export const governancePolicies = sqliteTable('governance_policies', {
  id: text('id').primaryKey(),
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  description: text('description'),
  createdAt: createdAt()
}, (t) => [uniqueIndex('governance_policies_org_name_unique').on(t.organizationId, t.name)])

// The controls a governance policy enforces, listed by position (the order they were declared in).
export const governanceControls = sqliteTable('governance_controls', {
  id: text('id').primaryKey(),
  governancePolicyId: text('governance_policy_id').notNull().references(() => governancePolicies.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  type: text('type').$type<GovernanceControlType>().notNull(),
  position: integer('position').notNull()
}, (t) => [
  check('governance_controls_type_check', inList('type', GOVERNANCE_CONTROL_TYPES)),
  uniqueIndex('governance_controls_policy_name_unique').on(t.governancePolicyId, t.name)
])

export const organizationMembers = sqliteTable('organization_members', {
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  roleId: text('role_id').notNull().references(() => roles.id),
  createdAt: createdAt()
}, (t) => [primaryKey({ columns: [t.organizationId, t.userId] })])

export const projectMembers = sqliteTable('project_members', {
  projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  roleId: text('role_id').notNull().references(() => roles.id),
  createdAt: createdAt()
}, (t) => [primaryKey({ columns: [t.projectId, t.userId] })])

// API keys are never stored in clear: a SHA-256 digest to find them, the last 6 characters to
// show them redacted. A key with a project is a project key; without one, an organization key.
export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  projectId: text('project_id').references(() => projects.id, { onDelete: 'cascade' }),
  name: text('name'),
  digest: text('digest').notNull(),
  last6: text('last6').notNull(),
  valid: integer('valid', { mode: 'boolean' }).notNull().default(true),
  createdAt: createdAt()
}, (t) => [uniqueIndex('api_keys_digest_unique').on(t.digest)])

// AUTOINCREMENT so that an id freed by a revoked invitation is never handed out again. No token
// column: accept/decline tokens are derived from the row (src/db/tokens.ts). Every index here
// costs a page write per invitation on the hot path, so there are only the two that queries need.
export const projectInvitations = sqliteTable('project_invitations', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  status: text('status').$type<InvitationStatus>().notNull(),
  roleId: text('project_role_id').references(() => roles.id, { onDelete: 'set null' }),
  createdAt: createdAt()
}, (t) => [
  check('project_invitations_status_check', inList('status', INVITATION_STATUSES)),
  check('project_invitations_email_lower', sql`${t.email} = lower(${t.email})`),
  // The rule that no two PENDING invitations exist for one project and address, in the database.
  uniqueIndex('project_invitations_pending_unique').on(t.projectId, t.email).where(sql`status = 'PENDING'`),
  index('project_invitations_project_idx').on(t.projectId, t.id)
])

export const organizationInvitations = sqliteTable('organization_invitations', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  status: text('status').$type<InvitationStatus>().notNull(),
  roleId: text('organization_role_id').references(() => roles.id, { onDelete: 'set null' }),
  createdAt: createdAt()
}, (t) => [
  check('organization_invitations_status_check', inList('status', INVITATION_STATUSES)),
  check('organization_invitations_email_lower', sql`${t.email} = lower(${t.email})`),
  uniqueIndex('organization_invitations_pending_unique').on(t.organizationId, t.email).where(sql`status = 'PENDING'`),
  index('organization_invitations_org_idx').on(t.organizationId, t.id)
])

// The emails the real service would send; this server records them so tests can read them.
// No foreign keys to the invitation: the record outlives a revoked invitation, as a sent email does.
// No index beyond the id: it is appended on every invitation and read rarely (by tests).
export const invitationEmails = sqliteTable('invitation_emails', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  kind: text('kind').$type<InvitationKind>().notNull(),
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  projectId: text('project_id'),
  invitationId: integer('invitation_id').notNull(),
  to: text('to_email').notNull(),
  token: text('token').notNull(),
  createdAt: createdAt(),
  // Sent over SMTP too (CONFIDENT_MOCK_SMTP_URL): pending, sent or failed, and why it failed; null
  // when the server had no SMTP server to send to when the email was recorded.
  delivery: text('delivery').$type<DeliveryState>(),
  deliveryError: text('delivery_error')
}, () => [
  check('invitation_emails_kind_check', inList('kind', INVITATION_KINDS)),
  // A null delivery passes (SQLite's CHECK): an email recorded without SMTP.
  check('invitation_emails_delivery_check', inList('delivery', DELIVERY_STATES)),
  // The emails waiting for the SMTP server, found without reading the others.
  index('invitation_emails_pending_idx').on(sql`id`).where(sql`delivery = 'pending'`)
])

// The document that made an organization (a tenant's, or its entry in the boot fixtures), so that a
// reset of that one organization can make it again: the fixtures format with every id the apply
// produced, and its keys as stored (digest and last 6 characters), never in clear. Applied again
// at `created_at`, the time it was first applied. Goes with the organization.
export const organizationDocuments = sqliteTable('organization_documents', {
  organizationId: text('organization_id').primaryKey().references(() => organizations.id, { onDelete: 'cascade' }),
  document: text('document').notNull(),
  createdAt: createdAt()
})
