// What a boot-state document writes (src/boot-state/): the catalogue, and organizations with all they hold, in bulk; and the reads that resolve its names.
import type { Database, Statement } from 'better-sqlite3'
import { rowsOf } from '../db/rows.js'
import type { Tx } from '../db/transaction.js'
import type { GovernanceControlType, InvitationKind, InvitationStatus, Plan, RoleScope } from '../domain/vocabulary.js'

export interface OrganizationRow {
  id: string
  name: string
  plan: Plan
  trialEndsAt: number | null
  createdAt: number
}

export interface ProjectRow {
  id: string
  organizationId: string
  name: string
  description: string | null
  governancePolicyId: string | null
  createdAt: number
}

export interface PolicyRow {
  id: string
  organizationId: string
  projectId: string | null
  name: string
  description: string | null
  createdAt: number
}

export interface RoleRow {
  id: string
  scope: RoleScope
  name: string
  description: string | null
  organizationId: string | null
  projectId: string | null
  createdAt: number
}

export interface PermissionRow {
  id: string
  scope: RoleScope
  name: string
  description: string | null
}

export interface GovernancePolicyRow {
  id: string
  organizationId: string
  name: string
  description: string | null
  createdAt: number
}

export interface GovernanceControlRow {
  id: string
  governancePolicyId: string
  name: string
  type: GovernanceControlType
  position: number
}

export interface UserRow {
  id: string
  email: string
  name: string | null
  image: string | null
  createdAt: number
}

/** A membership of an organization or a project (ownerId is the one or the other). */
export interface MemberRow {
  ownerId: string
  userId: string
  roleId: string
  createdAt: number
}

/** An invitation of an organization or a project; id null: the next of its table. */
export interface InvitationRow {
  id: number | null
  ownerId: string
  email: string
  status: InvitationStatus
  roleId: string | null
  createdAt: number
}

/** A key as stored; id null: the next of the table. A key whose digest is stored already is updated instead. */
export interface ApiKeyRow {
  id: number | null
  organizationId: string
  projectId: string | null
  name: string | null
  digest: string
  last6: string
  valid: boolean
  createdAt: number
}

/** Rows added, and changes to rows that were stored already. */
export interface Changes<Row, Change> {
  added: Row[]
  changed: Change[]
}

/**
 * Everything one organization of a document writes, in the order each table receives its rows (it
 * decides the order lists show): a name resolved, an id minted, a rule checked, all before this.
 */
export interface OrganizationWrites {
  organization: OrganizationRow
  /** false: the organization is stored already; its name, plan and trial end are set. */
  isNew: boolean
  governancePolicies: Changes<GovernancePolicyRow, Pick<GovernancePolicyRow, 'id' | 'description'>>
  governanceControls: Changes<GovernanceControlRow, Pick<GovernanceControlRow, 'id' | 'type' | 'position'>> & {
    /** Stored controls their policy no longer lists. */
    removed: string[]
  }
  projects: Changes<ProjectRow, Pick<ProjectRow, 'id' | 'name' | 'description' | 'governancePolicyId'>>
  policies: Changes<PolicyRow, Pick<PolicyRow, 'id' | 'description'>>
  /** Stored policies whose permissions become those of `policyPermissions`: theirs are removed first. */
  policiesRelinked: string[]
  policyPermissions: Array<{ policyId: string, permissionId: string }>
  roles: Changes<RoleRow, Pick<RoleRow, 'id' | 'description'>>
  /** Stored roles whose policies become those of `rolePolicies`: theirs are removed first. */
  rolesRelinked: string[]
  rolePolicies: Array<{ roleId: string, policyId: string }>
  /** Stored users' name and image, each set only when given. */
  users: Changes<UserRow, { id: string, name?: string | null, image?: string | null }>
  /** Organization members with the role given: a member already is given it too. */
  organizationMembers: MemberRow[]
  /** Organization members added through a project membership: a member already keeps their role. */
  organizationMembersKept: MemberRow[]
  /** Project members with the role given: a member already is given it too. */
  projectMembers: MemberRow[]
  projectInvitations: InvitationRow[]
  organizationInvitations: InvitationRow[]
  apiKeys: ApiKeyRow[]
}

/** The ids the writes produced, in the order of their rows. */
export interface WrittenIds {
  projectInvitations: number[]
  organizationInvitations: number[]
  apiKeys: number[]
}

/** What a stored organization holds that a document can name: the names it resolves against. */
export interface Holdings {
  projects: Array<{ id: string, name: string }>
  /** Its policies and its projects' (projectId null: the organization's own). */
  policies: Array<{ id: string, projectId: string | null, name: string }>
  /** Its custom roles and its projects'. */
  roles: Array<{ id: string, projectId: string | null, name: string }>
  governancePolicies: Array<{ id: string, name: string }>
  governanceControls: Array<{ id: string, governancePolicyId: string, name: string }>
  /** Of the addresses asked about: the first invitation of each owner (the organization, or one of its projects) and address. */
  invitations: Array<{ kind: InvitationKind, id: number, ownerId: string, email: string }>
}

/** A user as a document's plan finds it by address. */
export interface StoredUser {
  id: string
  email: string
  name: string | null
  image: string | null
}

/** The catalogue every database holds: the system roles and the documented permissions. */
export interface Catalogue {
  roles: RoleRow[]
  permissions: PermissionRow[]
}

/**
 * A statement that inserts every row of a JSON array of rows (each an array in `columns` order) in
 * one run, in the array's order (json_each walks the array; asking for that order with ORDER BY
 * costs a sort, a third of the run): prepared once, whatever the number of rows. JSON null, text
 * and numbers arrive as NULL, TEXT and INTEGER; true and false as 1 and 0.
 */
function bulkInsert (sqlite: Database, table: string, columns: readonly string[], conflict = ''): (rows: unknown[][]) => void {
  // "where true": an upsert's SELECT needs a WHERE, or its ON would read as a join's.
  const statement = sqlite.prepare<[string]>(`insert into ${table} (${columns.join(', ')})
    select ${columns.map((_, i) => `value ->> ${i}`).join(', ')} from json_each(?) where true ${conflict}`)
  return (rows) => {
    if (rows.length > 0) statement.run(JSON.stringify(rows))
  }
}

/**
 * A statement that inserts memberships (`owner` is the organization's or project's column) in runs:
 * consecutive rows of one owner, role and time go in one run, their user ids a JSON array. Only the
 * user id is read out of JSON, which makes a run three times as fast as bulkInsert's rows (1,000
 * memberships: 1.1 ms against 3.0, measured on the 2-core machine), and a document's members
 * mostly share one role. Runs go in the rows' order, each in its array's order, as bulkInsert's.
 */
function memberInsert (sqlite: Database, table: string, owner: string, conflict: string): (rows: readonly MemberRow[]) => void {
  const statement = sqlite.prepare<[string, string, number, string]>(`insert into ${table} (${owner}, role_id, created_at, user_id)
    select ?, ?, ?, value from json_each(?) where true ${conflict}`)
  return (rows) => {
    for (let start = 0; start < rows.length;) {
      const { ownerId, roleId, createdAt } = rows[start]!
      let end = start + 1
      while (end < rows.length && rows[end]!.ownerId === ownerId && rows[end]!.roleId === roleId && rows[end]!.createdAt === createdAt) end++
      statement.run(ownerId, roleId, createdAt, JSON.stringify(rows.slice(start, end).map((m) => m.userId)))
      start = end
    }
  }
}

/** Runs `statement` once per row: the few updates a document makes to rows stored already. */
function each<P extends unknown[]> (statement: Statement<P>, rows: readonly P[]): void {
  for (const row of rows) statement.run(...row)
}

export function documentsRepository (sqlite: Database) {
  const digest = sqlite.prepare<[], { value: string }>("select value from meta where key = 'fixtures_digest'")
  const setDigest = sqlite.prepare<[string]>(
    "insert into meta (key, value) values ('fixtures_digest', ?) on conflict (key) do update set value = excluded.value")
  const bootNames = sqlite.prepare<[], { value: string }>("select value from meta where key = 'fixtures_organizations'")
  const setBootNames = sqlite.prepare<[string]>(
    "insert into meta (key, value) values ('fixtures_organizations', ?) on conflict (key) do update set value = excluded.value")
  const setDocument = sqlite.prepare<[string, string, number]>(`insert into organization_documents (organization_id, document, created_at)
    values (?, ?, ?) on conflict (organization_id) do update set document = excluded.document, created_at = excluded.created_at`)

  const catalogueRoles = bulkInsert(sqlite, 'roles', ['id', 'scope', 'name', 'created_at'], 'on conflict do nothing')
  const cataloguePermissions = bulkInsert(sqlite, 'permissions', ['id', 'scope', 'name'], 'on conflict do nothing')
  const permissions = sqlite.prepare<[], PermissionRow>('select id, scope, name, description from permissions')
  const addPermission = sqlite.prepare<[string, RoleScope, string]>('insert into permissions (id, scope, name) values (?, ?, ?) on conflict do nothing')
  const describePermission = sqlite.prepare<[string, RoleScope, string, string | null]>(`insert into permissions (id, scope, name, description)
    values (?, ?, ?, ?) on conflict (scope, name) do update set description = excluded.description`)

  const organizationById = sqlite.prepare<[string], { id: string }>('select id from organizations where id = ?')
  const organizationByName = sqlite.prepare<[string], { id: string }>('select id from organizations where name = ? order by rowid limit 1')
  const projectById = sqlite.prepare<[string], { id: string, organizationId: string }>(
    'select id, organization_id as organizationId from projects where id = ?')
  const projects = sqlite.prepare<[string], { id: string, name: string }>('select id, name from projects where organization_id = ? order by rowid')
  const policies = sqlite.prepare<[string], { id: string, projectId: string | null, name: string }>(
    'select id, project_id as projectId, name from policies where organization_id = ? order by rowid')
  const roles = sqlite.prepare<[string], { id: string, projectId: string | null, name: string }>(
    'select id, project_id as projectId, name from roles where organization_id = ? order by rowid')
  const governancePolicies = sqlite.prepare<[string], { id: string, name: string }>(
    'select id, name from governance_policies where organization_id = ? order by rowid')
  const governanceControls = sqlite.prepare<[string], { id: string, governancePolicyId: string, name: string }>(`
    select c.id, c.governance_policy_id as governancePolicyId, c.name from governance_controls c
    join governance_policies g on g.id = c.governance_policy_id where g.organization_id = ? order by c.rowid`)
  const organizationInvitations = sqlite.prepare<[string, string], { id: number, ownerId: string, email: string }>(`
    select min(id) as id, organization_id as ownerId, email from organization_invitations
    where organization_id = ? and email in (select value from json_each(?)) group by email`)
  const projectInvitations = sqlite.prepare<[string, string], { id: number, ownerId: string, email: string }>(`
    select min(i.id) as id, i.project_id as ownerId, i.email from project_invitations i join projects p on p.id = i.project_id
    where p.organization_id = ? and i.email in (select value from json_each(?)) group by i.project_id, i.email`)
  const usersByEmail = rowsOf(sqlite.prepare<[string]>(
    // The addresses walked in order, each looked up by the email index: 15% less than `email in (...)`.
    'select u.id, u.email, u.name, u.image from json_each(?) j cross join users u on u.email = j.value'),
  ([id, email, name, image]) => ({ id, email, name, image }) as StoredUser)
  const keyOwners = sqlite.prepare<[string], { digest: string, organizationId: string }>(
    'select digest, organization_id as organizationId from api_keys where digest in (select value from json_each(?))')

  const addOrganization = sqlite.prepare<[string, string, Plan, number | null, number]>(
    'insert into organizations (id, name, plan, trial_ends_at, created_at) values (?, ?, ?, ?, ?)')
  const changeOrganization = sqlite.prepare<[string, Plan, number | null, string]>(
    'update organizations set name = ?, plan = ?, trial_ends_at = ? where id = ?')
  const addGovernancePolicies = bulkInsert(sqlite, 'governance_policies', ['id', 'organization_id', 'name', 'description', 'created_at'])
  const describeGovernancePolicy = sqlite.prepare<[string | null, string]>('update governance_policies set description = ? where id = ?')
  const removeControl = sqlite.prepare<[string]>('delete from governance_controls where id = ?')
  const addControls = bulkInsert(sqlite, 'governance_controls', ['id', 'governance_policy_id', 'name', 'type', 'position'])
  const changeControl = sqlite.prepare<[GovernanceControlType, number, string]>('update governance_controls set type = ?, position = ? where id = ?')
  const addProjects = bulkInsert(sqlite, 'projects', ['id', 'organization_id', 'name', 'description', 'governance_policy_id', 'created_at'])
  const changeProject = sqlite.prepare<[string, string | null, string | null, string]>(
    'update projects set name = ?, description = ?, governance_policy_id = ? where id = ?')
  const addPolicies = bulkInsert(sqlite, 'policies', ['id', 'organization_id', 'project_id', 'name', 'description', 'created_at'])
  const describePolicy = sqlite.prepare<[string | null, string]>('update policies set description = ? where id = ?')
  const unlinkPolicy = sqlite.prepare<[string]>('delete from policy_permissions where policy_id = ?')
  const linkPermissions = bulkInsert(sqlite, 'policy_permissions', ['policy_id', 'permission_id'], 'on conflict do nothing')
  const addRoles = bulkInsert(sqlite, 'roles', ['id', 'scope', 'name', 'description', 'organization_id', 'project_id', 'created_at'])
  const describeRole = sqlite.prepare<[string | null, string]>('update roles set description = ? where id = ?')
  const unlinkRole = sqlite.prepare<[string]>('delete from role_policies where role_id = ?')
  const linkPolicies = bulkInsert(sqlite, 'role_policies', ['role_id', 'policy_id'], 'on conflict do nothing')
  const addUsers = bulkInsert(sqlite, 'users', ['id', 'email', 'name', 'image', 'created_at'])
  const changeUser = sqlite.prepare<[number, string | null, number, string | null, string]>(`update users set
    name = case when ? then ? else name end, image = case when ? then ? else image end where id = ?`)
  const setOrganizationMembers = memberInsert(sqlite, 'organization_members', 'organization_id',
    'on conflict (organization_id, user_id) do update set role_id = excluded.role_id')
  const keepOrganizationMembers = memberInsert(sqlite, 'organization_members', 'organization_id', 'on conflict do nothing')
  const setProjectMembers = memberInsert(sqlite, 'project_members', 'project_id',
    'on conflict (project_id, user_id) do update set role_id = excluded.role_id')
  // One row at a time: each invitation's and key's id goes into the organization's stored document.
  const addProjectInvitation = sqlite.prepare<[number | null, string, string, InvitationStatus, string | null, number]>(
    'insert into project_invitations (id, project_id, email, status, project_role_id, created_at) values (?, ?, ?, ?, ?, ?)')
  const addOrganizationInvitation = sqlite.prepare<[number | null, string, string, InvitationStatus, string | null, number]>(
    'insert into organization_invitations (id, organization_id, email, status, organization_role_id, created_at) values (?, ?, ?, ?, ?, ?)')
  const setKey = sqlite.prepare<[number | null, string, string | null, string | null, string, string, number, number], { id: number }>(`
    insert into api_keys (id, organization_id, project_id, name, digest, last6, valid, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)
    on conflict (digest) do update set project_id = excluded.project_id, name = excluded.name, valid = excluded.valid returning id`)

  function bootOrganizations (): Map<string, string> | null {
    const value = bootNames.get()?.value
    return value === undefined ? null : new Map(Object.entries(JSON.parse(value) as Record<string, string>))
  }

  const inserted = (statement: Statement<[number | null, string, string, InvitationStatus, string | null, number]>, rows: InvitationRow[]) =>
    rows.map((i) => Number(statement.run(i.id, i.ownerId, i.email, i.status, i.roleId, i.createdAt).lastInsertRowid))

  return {
    /** The digest of the document last applied at boot (or by a reset to empty), or null: none ever was. */
    fixturesDigest (): string | null {
      return digest.get()?.value ?? null
    },

    recordFixturesDigest (tx: Tx, value: string): void {
      setDigest.run(value)
    },

    /** Records the documents organizations were made from (their stored form, as JSON), replacing the ones they had. */
    recordDocuments (tx: Tx, documents: Array<{ organizationId: string, document: string }>, appliedAt: number): void {
      for (const { organizationId, document } of documents) setDocument.run(organizationId, document, appliedAt)
    },

    /** Adds what the database lacks of the catalogue; changes nothing else. */
    addCatalogue (tx: Tx, catalogue: Catalogue): void {
      catalogueRoles(catalogue.roles.map((r) => [r.id, r.scope, r.name, r.createdAt]))
      cataloguePermissions(catalogue.permissions.map((p) => [p.id, p.scope, p.name]))
    },

    /** Adds permissions to the catalogue, in order; a description given (described) is set, one left out is kept. */
    addPermissions (tx: Tx, rows: Array<PermissionRow & { described: boolean }>): void {
      for (const p of rows) {
        if (p.described) describePermission.run(p.id, p.scope, p.name, p.description)
        else addPermission.run(p.id, p.scope, p.name)
      }
    },

    /** The whole permission catalogue, both scopes. */
    permissions (): PermissionRow[] {
      return permissions.all()
    },

    organizationById (id: string): string | null {
      return organizationById.get(id)?.id ?? null
    },

    /**
     * The ids of the organizations the boot fixtures made or matched, by the name their entry gives
     * (an entry with no id is found by it), or null: a database made before they were kept.
     * Names are not unique on a server: a tenant may take one; this, not the organizations' names,
     * says which organization a boot entry is.
     */
    bootOrganizations,

    recordBootOrganizations (tx: Tx, byName: ReadonlyMap<string, string>): void {
      setBootNames.run(JSON.stringify(Object.fromEntries(byName)))
    },

    /**
     * The organization a boot entry without an id names: the one recorded for that name, if it is
     * still stored; in a database made before they were recorded (where names were unique), the
     * oldest organization of that name.
     */
    bootOrganizationNamed (name: string, recorded = bootOrganizations()): string | null {
      if (recorded === null) return organizationByName.get(name)?.id ?? null
      const id = recorded.get(name)
      return id === undefined ? null : organizationById.get(id)?.id ?? null
    },

    /** The project with this id, in whichever organization. */
    projectById (id: string): { id: string, organizationId: string } | null {
      return projectById.get(id) ?? null
    },

    /** What the organization holds that a document names, one query per table; invitations only of these (lower-case) addresses. */
    holdings (organizationId: string, invited: readonly string[]): Holdings {
      const emails = JSON.stringify(invited)
      return {
        projects: projects.all(organizationId),
        policies: policies.all(organizationId),
        roles: roles.all(organizationId),
        governancePolicies: governancePolicies.all(organizationId),
        governanceControls: governanceControls.all(organizationId),
        invitations: invited.length === 0
          ? []
          : [
              ...projectInvitations.all(organizationId, emails).map((i) => ({ kind: 'PROJECT' as const, ...i })),
              ...organizationInvitations.all(organizationId, emails).map((i) => ({ kind: 'ORGANIZATION' as const, ...i }))
            ]
      }
    },

    /** The users of these (lower-case) addresses that exist, with their name and image, in one query. */
    usersByEmail (emails: readonly string[]): StoredUser[] {
      return emails.length === 0 ? [] : usersByEmail(JSON.stringify(emails))
    },

    /** The organizations these key digests belong to, for those stored. */
    keyOwners (digests: readonly string[]): Array<{ digest: string, organizationId: string }> {
      return digests.length === 0 ? [] : keyOwners.all(JSON.stringify(digests))
    },

    /** Writes one organization of a document, parents before children; answers the ids its invitations and keys got. */
    writeOrganization (tx: Tx, w: OrganizationWrites): WrittenIds {
      const o = w.organization
      if (w.isNew) addOrganization.run(o.id, o.name, o.plan, o.trialEndsAt, o.createdAt)
      else changeOrganization.run(o.name, o.plan, o.trialEndsAt, o.id)
      addGovernancePolicies(w.governancePolicies.added.map((g) => [g.id, g.organizationId, g.name, g.description, g.createdAt]))
      each(describeGovernancePolicy, w.governancePolicies.changed.map((g) => [g.description, g.id]))
      each(removeControl, w.governanceControls.removed.map((id) => [id]))
      each(changeControl, w.governanceControls.changed.map((c) => [c.type, c.position, c.id]))
      addControls(w.governanceControls.added.map((c) => [c.id, c.governancePolicyId, c.name, c.type, c.position]))
      // Renamed before any is added: a new project may take the name a stored one gives up.
      each(changeProject, w.projects.changed.map((p) => [p.name, p.description, p.governancePolicyId, p.id]))
      addProjects(w.projects.added.map((p) => [p.id, p.organizationId, p.name, p.description, p.governancePolicyId, p.createdAt]))
      addPolicies(w.policies.added.map((p) => [p.id, p.organizationId, p.projectId, p.name, p.description, p.createdAt]))
      each(describePolicy, w.policies.changed.map((p) => [p.description, p.id]))
      each(unlinkPolicy, w.policiesRelinked.map((id) => [id]))
      linkPermissions(w.policyPermissions.map((l) => [l.policyId, l.permissionId]))
      addRoles(w.roles.added.map((r) => [r.id, r.scope, r.name, r.description, r.organizationId, r.projectId, r.createdAt]))
      each(describeRole, w.roles.changed.map((r) => [r.description, r.id]))
      each(unlinkRole, w.rolesRelinked.map((id) => [id]))
      linkPolicies(w.rolePolicies.map((l) => [l.roleId, l.policyId]))
      addUsers(w.users.added.map((u) => [u.id, u.email, u.name, u.image, u.createdAt]))
      each(changeUser, w.users.changed.map((u) => [u.name === undefined ? 0 : 1, u.name ?? null, u.image === undefined ? 0 : 1, u.image ?? null, u.id]))
      setOrganizationMembers(w.organizationMembers)
      keepOrganizationMembers(w.organizationMembersKept)
      setProjectMembers(w.projectMembers)
      return {
        projectInvitations: inserted(addProjectInvitation, w.projectInvitations),
        organizationInvitations: inserted(addOrganizationInvitation, w.organizationInvitations),
        apiKeys: w.apiKeys.map((k) =>
          setKey.get(k.id, k.organizationId, k.projectId, k.name, k.digest, k.last6, k.valid ? 1 : 0, k.createdAt)!.id)
      }
    }
  }
}

export type DocumentsRepository = ReturnType<typeof documentsRepository>
