// What the console shows: organizations and projects with everything they hold, read-only, keys masked, long lists a page at a time.
import type { Plan } from '../domain/vocabulary.js'
import { redactKey } from '../domain/keys.js'
import type {
  ApiKeyViewRow, GovernanceViewRow, InspectRepository, InvitationViewRow, MemberViewRow, PolicyViewRow, ProjectSummaryRow, RoleViewRow
} from '../repositories/inspect.js'
import { DEFAULT_ORGANIZATION_ROLE, DEFAULT_PROJECT_ROLE } from '../domain/rules.js'
import { pageOf as pageOfSize, type Page } from './paging.js'

// 50 rows a list: a page of an organization with 1,000 members and a project with 10,000
// invitations renders in under 50 ms (the console's target in the benchmark), and a page stays
// short enough to scan by eye.
export const CONSOLE_PAGE_SIZE = 50

export type { Page }

export interface OrganizationOverview {
  id: string
  name: string
  plan: Plan
  trialEndsAt: string | null
  createdAt: string
  projects: number
  members: number
  /** Pending invitations to the organization and to its projects. */
  pendingInvitations: number
}

export type MemberView = MemberViewRow

export interface InvitationView extends Omit<InvitationViewRow, 'createdAt' | 'roleName'> {
  /** The role it grants: the default one when it names none. */
  roleName: string
  createdAt: string
}

/** A key as the console shows it: as /v1 does, 15 asterisks and its last 6 characters. */
export interface ApiKeyView extends Omit<ApiKeyViewRow, 'createdAt' | 'last6'> {
  createdAt: string
  redacted: string
}

export interface OrganizationDetail {
  organization: { id: string, name: string, plan: Plan, trialEndsAt: string | null, createdAt: string }
  projects: ProjectSummaryRow[]
  members: Page<MemberView>
  invitations: Page<InvitationView>
  roles: RoleViewRow[]
  policies: PolicyViewRow[]
  governancePolicies: GovernanceViewRow[]
  apiKeys: ApiKeyView[]
}

export interface ProjectDetail {
  organization: { id: string, name: string }
  project: { id: string, name: string, description: string | null, createdAt: string }
  members: Page<MemberView>
  invitations: Page<InvitationView>
  roles: RoleViewRow[]
  policies: PolicyViewRow[]
  apiKeys: ApiKeyView[]
  /** The governance policy the project is enrolled in, or null. */
  governancePolicy: GovernanceViewRow | null
}

/** Which page of each paginated list to show (from 1; past the last page shows the last). */
export interface PageChoice {
  membersPage?: number | undefined
  invitationsPage?: number | undefined
}

export interface InspectServiceDeps {
  inspect: InspectRepository
}

const iso = (ms: number) => new Date(ms).toISOString()

/** Page `page` of a list of `total`, CONSOLE_PAGE_SIZE rows a page. */
function pageOf<R, T> (total: number, page: number | undefined, read: (limit: number, offset: number) => R[], present: (row: R) => T): Page<T> {
  return pageOfSize(total, page, CONSOLE_PAGE_SIZE, read, present)
}

const invitation = (defaultRole: string) => ({ createdAt, roleName, ...row }: InvitationViewRow): InvitationView =>
  ({ ...row, roleName: roleName ?? defaultRole, createdAt: iso(createdAt) })

const apiKey = ({ createdAt, last6, ...row }: ApiKeyViewRow): ApiKeyView => ({ ...row, createdAt: iso(createdAt), redacted: redactKey(last6) })

const same = <T>(row: T): T => row

export function inspectService ({ inspect }: InspectServiceDeps) {
  return {
    /** One page of organizations, oldest first, with their project, member and pending invitation counts. */
    organizations (page?: number): Page<OrganizationOverview> {
      return pageOf(inspect.countOrganizations(), page, inspect.organizations, ({ trialEndsAt, createdAt, ...o }) =>
        ({ ...o, trialEndsAt: trialEndsAt === null ? null : iso(trialEndsAt), createdAt: iso(createdAt) }))
    },

    /** Everything an organization holds, its members and invitations a page each; null when there is no such organization. */
    organization (organizationId: string, choice: PageChoice = {}): OrganizationDetail | null {
      const o = inspect.findOrganization(organizationId)
      if (o === null) return null
      return {
        organization: { ...o, trialEndsAt: o.trialEndsAt === null ? null : iso(o.trialEndsAt), createdAt: iso(o.createdAt) },
        projects: inspect.projects(o.id),
        members: pageOf(inspect.countOrganizationMembers(o.id), choice.membersPage,
          (limit, offset) => inspect.organizationMembers(o.id, limit, offset), same),
        invitations: pageOf(inspect.countOrganizationInvitations(o.id), choice.invitationsPage,
          (limit, offset) => inspect.organizationInvitations(o.id, limit, offset), invitation(DEFAULT_ORGANIZATION_ROLE)),
        roles: inspect.organizationRoles(o.id),
        policies: inspect.organizationPolicies(o.id),
        governancePolicies: inspect.governancePolicies(o.id),
        apiKeys: inspect.organizationKeys(o.id).map(apiKey)
      }
    },

    /** The names of an organization and of one of its projects, to link to them; null for one that is gone. */
    names (organizationId: string, projectId: string | null): { organizationName: string | null, projectName: string | null } {
      const o = inspect.findOrganization(organizationId)
      const p = o === null || projectId === null ? null : inspect.findProject(organizationId, projectId)
      return { organizationName: o?.name ?? null, projectName: p?.name ?? null }
    },

    /** Everything a project of the organization holds; null when either is missing or the project is another organization's. */
    project (organizationId: string, projectId: string, choice: PageChoice = {}): ProjectDetail | null {
      const o = inspect.findOrganization(organizationId)
      const p = o === null ? null : inspect.findProject(organizationId, projectId)
      if (o === null || p === null) return null
      return {
        organization: { id: o.id, name: o.name },
        project: { id: p.id, name: p.name, description: p.description, createdAt: iso(p.createdAt) },
        members: pageOf(inspect.countProjectMembers(p.id), choice.membersPage,
          (limit, offset) => inspect.projectMembers(p.id, limit, offset), same),
        invitations: pageOf(inspect.countProjectInvitations(p.id), choice.invitationsPage,
          (limit, offset) => inspect.projectInvitations(p.id, limit, offset), invitation(DEFAULT_PROJECT_ROLE)),
        roles: inspect.projectRoles(p.id),
        policies: inspect.projectPolicies(p.id),
        apiKeys: inspect.projectKeys(p.id).map(apiKey),
        governancePolicy: p.governancePolicyId === null ? null : inspect.findGovernancePolicy(p.governancePolicyId)
      }
    }
  }
}

export type InspectService = ReturnType<typeof inspectService>
