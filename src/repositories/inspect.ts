// Read-only views for the console: organizations and projects with their counts, members, invitations, roles, policies, governance and keys, a page at a time.
import type { Database } from 'better-sqlite3'
import type { GovernanceControlType, InvitationStatus, Plan } from '../domain/vocabulary.js'

export interface OrganizationCountsRow {
  id: string
  name: string
  plan: Plan
  trialEndsAt: number | null
  createdAt: number
  projects: number
  members: number
  /** Pending invitations to the organization and to any of its projects. */
  pendingInvitations: number
}

export interface OrganizationInfoRow {
  id: string
  name: string
  plan: Plan
  trialEndsAt: number | null
  createdAt: number
}

export interface ProjectSummaryRow {
  id: string
  name: string
  description: string | null
  members: number
  pendingInvitations: number
}

export interface ProjectInfoRow {
  id: string
  organizationId: string
  name: string
  description: string | null
  createdAt: number
  governancePolicyId: string | null
}

export interface MemberViewRow {
  email: string
  name: string | null
  roleName: string
}

export interface InvitationViewRow {
  id: number
  email: string
  status: InvitationStatus
  /** Null when the invitation names no role (the default one applies) or its role was deleted. */
  roleName: string | null
  createdAt: number
}

export interface RoleViewRow {
  id: string
  name: string
  description: string | null
  policies: string[]
}

export interface PolicyViewRow {
  id: string
  name: string
  description: string | null
  permissions: string[]
}

export interface GovernanceViewRow {
  id: string
  name: string
  description: string | null
  controls: Array<{ name: string, type: GovernanceControlType }>
  projects: string[]
}

export interface ApiKeyViewRow {
  id: number
  name: string | null
  /** The project of a project key; null for an organization key. */
  projectName: string | null
  valid: boolean
  createdAt: number
  /** All that is stored of the key's value: never the key or its digest. */
  last6: string
}

type Json<T, K extends keyof T> = Omit<T, K> & { [P in K]: string }

// Names listed inside a row as one JSON array (a name may hold a comma), in name order.
const ROLE_POLICIES = `(select json_group_array(name) from (
  select p.name from role_policies rp join policies p on p.id = rp.policy_id where rp.role_id = r.id order by p.name)) as policies`
const POLICY_PERMISSIONS = `(select json_group_array(name) from (
  select pm.name from policy_permissions pp join permissions pm on pm.id = pp.permission_id where pp.policy_id = p.id order by pm.name)) as permissions`
const GOVERNANCE = `g.id, g.name, g.description,
  (select json_group_array(json_object('name', name, 'type', type)) from (
    select c.name, c.type from governance_controls c where c.governance_policy_id = g.id order by c.position)) as controls,
  (select json_group_array(name) from (
    select pr.name from projects pr where pr.governance_policy_id = g.id order by pr.name, pr.id)) as projects`
const KEYS = `k.id, k.name, pr.name as projectName, k.valid, k.created_at as createdAt, k.last6
  from api_keys k left join projects pr on pr.id = k.project_id`
const MEMBERS = (table: string, owner: string) => `
  select u.email, u.name, r.name as roleName from ${table} m
  join users u on u.id = m.user_id join roles r on r.id = m.role_id
  where m.${owner} = ? order by m.created_at, m.rowid limit ? offset ?`
// Newest first by id, the (owner, id) index's order: a page is an index range, however many there are.
const INVITATIONS = (table: string, owner: string, roleColumn: string) => `
  select i.id, i.email, i.status, r.name as roleName, i.created_at as createdAt from ${table} i
  left join roles r on r.id = i.${roleColumn}
  where i.${owner} = ? order by i.id desc limit ? offset ?`

const parseRole = ({ policies, ...row }: Json<RoleViewRow, 'policies'>): RoleViewRow => ({ ...row, policies: JSON.parse(policies) as string[] })
const parsePolicy = ({ permissions, ...row }: Json<PolicyViewRow, 'permissions'>): PolicyViewRow =>
  ({ ...row, permissions: JSON.parse(permissions) as string[] })
const parseGovernance = ({ controls, projects, ...row }: Json<GovernanceViewRow, 'controls' | 'projects'>): GovernanceViewRow =>
  ({ ...row, controls: JSON.parse(controls) as GovernanceViewRow['controls'], projects: JSON.parse(projects) as string[] })
const parseKey = ({ valid, ...row }: Omit<ApiKeyViewRow, 'valid'> & { valid: number }): ApiKeyViewRow => ({ ...row, valid: valid === 1 })

export function inspectRepository (sqlite: Database) {
  // The pending counts read the partial unique indexes on (owner, email) where status = 'PENDING':
  // only pending rows are in them, so a count never visits the accepted and declined ones.
  const organizationsPage = sqlite.prepare<[number, number], OrganizationCountsRow>(`
    select o.id, o.name, o.plan, o.trial_ends_at as trialEndsAt, o.created_at as createdAt,
      (select count(*) from projects p where p.organization_id = o.id) as projects,
      (select count(*) from organization_members m where m.organization_id = o.id) as members,
      (select count(*) from organization_invitations i where i.organization_id = o.id and i.status = 'PENDING')
        + (select count(*) from projects p join project_invitations i on i.project_id = p.id and i.status = 'PENDING'
           where p.organization_id = o.id) as pendingInvitations
    from organizations o order by o.created_at, o.id limit ? offset ?`)
  const organizationsCount = sqlite.prepare<[], { n: number }>('select count(*) as n from organizations')
  const organization = sqlite.prepare<[string], OrganizationInfoRow>(
    'select id, name, plan, trial_ends_at as trialEndsAt, created_at as createdAt from organizations where id = ?')
  const projects = sqlite.prepare<[string], ProjectSummaryRow>(`
    select p.id, p.name, p.description,
      (select count(*) from project_members m where m.project_id = p.id) as members,
      (select count(*) from project_invitations i where i.project_id = p.id and i.status = 'PENDING') as pendingInvitations
    from projects p where p.organization_id = ? order by p.created_at, p.id`)
  const project = sqlite.prepare<[string, string], ProjectInfoRow>(`
    select id, organization_id as organizationId, name, description, created_at as createdAt, governance_policy_id as governancePolicyId
    from projects where id = ? and organization_id = ?`)

  const organizationMembers = sqlite.prepare<[string, number, number], MemberViewRow>(MEMBERS('organization_members', 'organization_id'))
  const organizationMembersCount = sqlite.prepare<[string], { n: number }>('select count(*) as n from organization_members where organization_id = ?')
  const projectMembers = sqlite.prepare<[string, number, number], MemberViewRow>(MEMBERS('project_members', 'project_id'))
  const projectMembersCount = sqlite.prepare<[string], { n: number }>('select count(*) as n from project_members where project_id = ?')

  const organizationInvitations = sqlite.prepare<[string, number, number], InvitationViewRow>(
    INVITATIONS('organization_invitations', 'organization_id', 'organization_role_id'))
  const organizationInvitationsCount = sqlite.prepare<[string], { n: number }>(
    'select count(*) as n from organization_invitations where organization_id = ?')
  const projectInvitations = sqlite.prepare<[string, number, number], InvitationViewRow>(
    INVITATIONS('project_invitations', 'project_id', 'project_role_id'))
  const projectInvitationsCount = sqlite.prepare<[string], { n: number }>('select count(*) as n from project_invitations where project_id = ?')

  const organizationRoles = sqlite.prepare<[string], Json<RoleViewRow, 'policies'>>(`
    select r.id, r.name, r.description, ${ROLE_POLICIES} from roles r
    where r.organization_id = ? and r.project_id is null order by r.created_at, r.rowid`)
  const projectRoles = sqlite.prepare<[string], Json<RoleViewRow, 'policies'>>(`
    select r.id, r.name, r.description, ${ROLE_POLICIES} from roles r where r.project_id = ? order by r.created_at, r.rowid`)
  const organizationPolicies = sqlite.prepare<[string], Json<PolicyViewRow, 'permissions'>>(`
    select p.id, p.name, p.description, ${POLICY_PERMISSIONS} from policies p
    where p.organization_id = ? and p.project_id is null order by p.created_at, p.rowid`)
  const projectPolicies = sqlite.prepare<[string], Json<PolicyViewRow, 'permissions'>>(`
    select p.id, p.name, p.description, ${POLICY_PERMISSIONS} from policies p where p.project_id = ? order by p.created_at, p.rowid`)
  const governance = sqlite.prepare<[string], Json<GovernanceViewRow, 'controls' | 'projects'>>(`
    select ${GOVERNANCE} from governance_policies g where g.organization_id = ? order by g.created_at, g.rowid`)
  const governanceOne = sqlite.prepare<[string], Json<GovernanceViewRow, 'controls' | 'projects'>>(
    `select ${GOVERNANCE} from governance_policies g where g.id = ?`)
  const organizationKeys = sqlite.prepare<[string], Omit<ApiKeyViewRow, 'valid'> & { valid: number }>(
    `select ${KEYS} where k.organization_id = ? order by k.id`)
  const projectKeys = sqlite.prepare<[string], Omit<ApiKeyViewRow, 'valid'> & { valid: number }>(
    `select ${KEYS} where k.project_id = ? order by k.id`)

  return {
    /** One page of organizations, oldest first, each with its counts. */
    organizations (limit: number, offset: number): OrganizationCountsRow[] {
      return organizationsPage.all(limit, offset)
    },
    countOrganizations (): number {
      return organizationsCount.get()!.n
    },
    findOrganization (id: string): OrganizationInfoRow | null {
      return organization.get(id) ?? null
    },
    /** The organization's projects, oldest first, with their member and pending invitation counts. */
    projects (organizationId: string): ProjectSummaryRow[] {
      return projects.all(organizationId)
    },
    /** A project of this organization (one of another organization is as absent as a missing one). */
    findProject (organizationId: string, projectId: string): ProjectInfoRow | null {
      return project.get(projectId, organizationId) ?? null
    },

    /** One page of the organization's members, by join time. */
    organizationMembers (organizationId: string, limit: number, offset: number): MemberViewRow[] {
      return organizationMembers.all(organizationId, limit, offset)
    },
    countOrganizationMembers (organizationId: string): number {
      return organizationMembersCount.get(organizationId)!.n
    },
    projectMembers (projectId: string, limit: number, offset: number): MemberViewRow[] {
      return projectMembers.all(projectId, limit, offset)
    },
    countProjectMembers (projectId: string): number {
      return projectMembersCount.get(projectId)!.n
    },

    /** One page of the organization's invitations, newest first. */
    organizationInvitations (organizationId: string, limit: number, offset: number): InvitationViewRow[] {
      return organizationInvitations.all(organizationId, limit, offset)
    },
    countOrganizationInvitations (organizationId: string): number {
      return organizationInvitationsCount.get(organizationId)!.n
    },
    projectInvitations (projectId: string, limit: number, offset: number): InvitationViewRow[] {
      return projectInvitations.all(projectId, limit, offset)
    },
    countProjectInvitations (projectId: string): number {
      return projectInvitationsCount.get(projectId)!.n
    },

    /** The organization's custom roles (not its projects'), oldest first, with their policies' names. */
    organizationRoles (organizationId: string): RoleViewRow[] {
      return organizationRoles.all(organizationId).map(parseRole)
    },
    projectRoles (projectId: string): RoleViewRow[] {
      return projectRoles.all(projectId).map(parseRole)
    },
    /** The organization's own policies (not its projects'), oldest first, with their permissions' names. */
    organizationPolicies (organizationId: string): PolicyViewRow[] {
      return organizationPolicies.all(organizationId).map(parsePolicy)
    },
    projectPolicies (projectId: string): PolicyViewRow[] {
      return projectPolicies.all(projectId).map(parsePolicy)
    },
    /** The organization's governance policies, oldest first, with their controls and the names of the projects enrolled. */
    governancePolicies (organizationId: string): GovernanceViewRow[] {
      return governance.all(organizationId).map(parseGovernance)
    },
    findGovernancePolicy (id: string): GovernanceViewRow | null {
      const row = governanceOne.get(id)
      return row === undefined ? null : parseGovernance(row)
    },
    /** Every key of the organization, organization and project keys alike, by id. */
    organizationKeys (organizationId: string): ApiKeyViewRow[] {
      return organizationKeys.all(organizationId).map(parseKey)
    },
    projectKeys (projectId: string): ApiKeyViewRow[] {
      return projectKeys.all(projectId).map(parseKey)
    }
  }
}

export type InspectRepository = ReturnType<typeof inspectRepository>
