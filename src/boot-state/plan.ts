// One organization of a boot-state document as rows to write: names resolved by natural keys against what is stored, rules checked, ids minted in the document's order.
import type { IdGenerator } from '../db/ids.js'
import { storedKey } from '../domain/keys.js'
import { permissionId, systemRoleId } from '../domain/roles.js'
import { DEFAULT_ORGANIZATION_ROLE, DEFAULT_PROJECT_ROLE, normalizeEmail } from '../domain/rules.js'
import { OWNER_ROLE, SYSTEM_ORGANIZATION_ROLES, SYSTEM_PROJECT_ROLES, type InvitationKind, type RoleScope } from '../domain/vocabulary.js'
import type {
  ApiKeyRow, DocumentsRepository, GovernanceControlRow, GovernancePolicyRow, InvitationRow, MemberRow, OrganizationWrites, PolicyRow,
  ProjectRow, RoleRow, UserRow, WrittenIds
} from '../repositories/documents.js'
import { FixturesError } from './parse.js'
import type {
  FixtureGovernancePolicy, FixtureMember, FixturePermission, FixturePolicy, FixtureRole, LoadableFixtures, LoadableOrganization, StoredApiKey,
  StoredInvitation, StoredOrganization
} from './schema.js'

/** The document's own permissions, in its order: a description given is set, one left out is kept. */
export function permissionRows (fixtures: LoadableFixtures): Parameters<DocumentsRepository['addPermissions']>[1] {
  const row = (scope: RoleScope, entry: FixturePermission) => {
    const { name, description } = typeof entry === 'string' ? { name: entry, description: undefined } : entry
    return { id: permissionId(scope, name), scope, name, description: description ?? null, described: description !== undefined }
  }
  return [
    ...(fixtures.permissions?.organization ?? []).map((entry) => row('ORGANIZATION', entry)),
    ...(fixtures.permissions?.project ?? []).map((entry) => row('PROJECT', entry))
  ]
}

/** The reads a plan resolves names with (src/repositories/documents.ts). */
export type DocumentReads = Pick<DocumentsRepository, 'organizationById' | 'projectById' | 'holdings' | 'usersByEmail' | 'keyOwners'>

export interface PlanContext {
  reads: DocumentReads
  ids: IdGenerator
  now: number
  /** Users that exist are left as they are (a reset of one organization: users are shared). */
  keepUsers: boolean
  /** The permission catalogue: each permission's id by its scope and name (permissionKey). */
  permissions: ReadonlyMap<string, string>
  /**
   * The stored organization an entry without an id (or with one not stored yet) names, by its
   * name: the boot fixtures' own (DocumentsRepository.bootOrganizationNamed). A tenant's document,
   * or an organization's reset, finds by id alone: names are not unique on a server.
   */
  organizationNamed: (name: string) => string | null
}

export const permissionKey = (scope: RoleScope, name: string) => `${scope}:${name}`

export interface OrganizationPlan {
  writes: OrganizationWrites
  /**
   * The organization in the stored form, once written: the document with every id the apply used
   * (given, found or minted) and its keys as stored, never in clear. Applied again (to a database
   * without the organization), the stored form makes the same organization.
   */
  stored: (written: WrittenIds) => StoredOrganization
}

/** Where custom roles and policies belong: an organization (projectId null), or one of its projects, with the scope of their permissions. */
interface RoleOwner {
  scope: RoleScope
  organizationId: string
  projectId: string | null
}

/** An invitation's or a key's id: known when found, given by the write when added. */
interface Slot {
  id: number
}

/** A name within an organization (projectId null) or one of its projects, as a map's key. */
const within = (projectId: string | null, name: string) => JSON.stringify([projectId, name])

/**
 * The rows a plan adds to one table, in order. Two rows may have one id (a document giving the same
 * id twice): both are written, and the table's key refuses the second, as it would refuse a row
 * stored already.
 */
class Rows<R extends { id: string }> {
  list: R[] = []
  readonly byId = new Map<string, R>()

  add (row: R): void {
    this.list.push(row)
    if (!this.byId.has(row.id)) this.byId.set(row.id, row)
  }

  has (id: string): boolean {
    return this.byId.has(id)
  }

  /** Takes back the rows of this id; whether there were any. */
  remove (id: string): boolean {
    if (!this.byId.delete(id)) return false
    this.list = this.list.filter((row) => row.id !== id)
    return true
  }
}

/** A change to a row: merged into the row when this plan adds it, else kept (merged with earlier ones) for the stored row. */
function change<R extends { id: string }, C extends { id: string }> (added: Rows<R>, changed: Map<string, C>, c: C): void {
  const row = added.byId.get(c.id)
  if (row !== undefined) Object.assign(row, c)
  else changed.set(c.id, { ...changed.get(c.id), ...c })
}

/**
 * The stored form of an entity: `target` with each list of `lists` set when the document gave that
 * list, or when it is not empty (policies a role made, for one): a list left out stays left out.
 */
function withLists<T extends object, L extends Record<string, unknown[]>> (target: T, given: object, lists: L): Omit<T, keyof L> & Partial<L> {
  const out: Record<string, unknown> = { ...target as Record<string, unknown> }
  for (const [name, list] of Object.entries(lists)) {
    if (Object.hasOwn(given, name) || list.length > 0) out[name] = list
    else delete out[name]
  }
  return out as Omit<T, keyof L> & Partial<L>
}

/**
 * Plans one organization of a document by natural keys (organization name or id, user email,
 * project name or id, role, policy and control name, key value): what exists is updated, what is
 * missing is added, nothing is duplicated. What is stored is read first, one query per table; what
 * this plan adds is found by the same names as it goes, so an entity named twice is one entity.
 */
export function planOrganization (ctx: PlanContext, org: LoadableOrganization, path: string): OrganizationPlan {
  return new Planner(ctx).organization(org, path)
}

class Planner {
  readonly ctx: PlanContext
  readonly now: number
  /** Ids this plan adds: the generator skips only the stored ones, so a minted id must also miss these. */
  readonly claimed = new Set<string>()

  // What is stored, then what this plan adds, by name (`within` for policies and roles).
  readonly users = new Map<string, string>()
  /** The name and image of each stored user the document names, by id: a change that leaves them as they are writes nothing. */
  readonly storedUsers = new Map<string, { name: string | null, image: string | null }>()
  readonly projectsByName = new Map<string, string>()
  readonly projectNames = new Map<string, string>()
  readonly policyIds = new Map<string, string>()
  readonly roleIds = new Map<string, string>()
  readonly governanceIds = new Map<string, string>()
  /** A governance policy's controls: their ids by name. */
  readonly controlIds = new Map<string, Map<string, string>>()
  /** The first invitation of each kind, owner and address. */
  readonly invitationSlots = new Map<string, Slot>()
  readonly keyOwners = new Map<string, string>()

  // The writes, as they accumulate: rows added (in order), changes by id.
  readonly governance = { added: new Rows<GovernancePolicyRow>(), changed: new Map<string, Pick<GovernancePolicyRow, 'id' | 'description'>>() }
  readonly controls = {
    added: new Rows<GovernanceControlRow>(),
    changed: new Map<string, Pick<GovernanceControlRow, 'id' | 'type' | 'position'>>(),
    removed: [] as string[]
  }

  readonly projects = { added: new Rows<ProjectRow>(), changed: new Map<string, Pick<ProjectRow, 'id' | 'name' | 'description' | 'governancePolicyId'>>() }
  readonly policies = { added: new Rows<PolicyRow>(), changed: new Map<string, Pick<PolicyRow, 'id' | 'description'>>() }
  /** Each policy's permissions, when this plan sets them. */
  readonly policyPermissions = new Map<string, Set<string>>()
  readonly roles = { added: new Rows<RoleRow>(), changed: new Map<string, Pick<RoleRow, 'id' | 'description'>>() }
  /** Each role's policies, when this plan sets them. */
  readonly rolePolicies = new Map<string, Set<string>>()
  readonly usersAdded = new Rows<UserRow>()
  readonly usersChanged = new Map<string, { id: string, name?: string | null, image?: string | null }>()
  readonly organizationMembers: MemberRow[] = []
  /** The users this plan makes (or keeps) organization members. */
  readonly members = new Set<string>()
  readonly organizationMembersKept: MemberRow[] = []
  readonly projectMembers: MemberRow[] = []
  readonly invitations = { PROJECT: [] as InvitationRow[], ORGANIZATION: [] as InvitationRow[] }
  readonly addedSlots = { PROJECT: [] as Slot[], ORGANIZATION: [] as Slot[] }
  readonly apiKeys: ApiKeyRow[] = []
  readonly keySlots: Slot[] = []

  constructor (ctx: PlanContext) {
    this.ctx = ctx
    this.now = ctx.now
  }

  mint (kind: 'cuid' | 'uuid'): string {
    for (;;) {
      const id = this.ctx.ids[kind]()
      if (!this.claimed.has(id)) return this.claim(id)
    }
  }

  /** An id given by the document, or minted. */
  claim (id: string | undefined, kind: 'cuid' | 'uuid' = 'uuid'): string {
    if (id === undefined) return this.mint(kind)
    this.claimed.add(id)
    return id
  }

  /** ISO 8601 to milliseconds; a value the format check let through but Date cannot read (a leap second) is refused. */
  time (iso: string | null | undefined, path: string): number | null {
    if (iso == null) return null
    const ms = Date.parse(iso)
    if (Number.isNaN(ms)) throw new FixturesError(`${path}: "${iso}" is not a time this server can read`)
    return ms
  }

  permissionNamed (scope: RoleScope, name: string): string | undefined {
    return this.ctx.permissions.get(permissionKey(scope, name))
  }

  /** Adds or updates a policy; its permissions become exactly those listed, of the owner's scope. Its id. */
  policy (owner: RoleOwner, policy: FixturePolicy, path: string, seen: Set<string>): string {
    if (seen.has(policy.name)) throw new FixturesError(`${path}/name: policy "${policy.name}" is defined twice`)
    seen.add(policy.name)
    const found = this.policyIds.get(within(owner.projectId, policy.name))
    const id = found ?? this.claim(policy.id)
    if (found === undefined) this.addPolicy(owner, id, policy.name, policy.description ?? null)
    else change(this.policies.added, this.policies.changed, { id, description: policy.description ?? null })
    const permissions = new Set<string>()
    for (const [i, name] of (policy.permissions ?? []).entries()) {
      const permission = this.permissionNamed(owner.scope, name)
      if (permission === undefined) {
        throw new FixturesError(`${path}/permissions/${i}: no ${owner.scope.toLowerCase()} permission named "${name}" ` +
          '(add it under "permissions" at the top of the document)')
      }
      permissions.add(permission)
    }
    this.policyPermissions.set(id, permissions)
    return id
  }

  addPolicy (owner: RoleOwner, id: string, name: string, description: string | null): void {
    this.policies.added.add({ id, organizationId: owner.organizationId, projectId: owner.projectId, name, description, createdAt: this.now })
    this.policyIds.set(within(owner.projectId, name), id)
  }

  /**
   * The policy a role names. A name no policy has is created on the spot, granting the permission
   * of the same name when the catalogue has one: the first fixtures format listed permission names
   * on roles, and such documents keep their meaning. A policy made so is added to `made`, as the
   * stored document lists it (with its id), so that the document made again makes the same.
   */
  rolePolicy (owner: RoleOwner, name: string, made?: FixturePolicy[]): string {
    const found = this.policyIds.get(within(owner.projectId, name))
    if (found !== undefined) return found
    const id = this.mint('uuid')
    this.addPolicy(owner, id, name, null)
    const permission = this.permissionNamed(owner.scope, name)
    if (permission !== undefined) this.policyPermissions.set(id, new Set([permission]))
    made?.push({ id, name, permissions: permission === undefined ? [] : [name] })
    return id
  }

  /** Adds or updates a governance policy; its controls become exactly those listed, in that order. The policy with its ids. */
  governancePolicy (organizationId: string, policy: FixtureGovernancePolicy, path: string, seen: Set<string>): FixtureGovernancePolicy {
    if (seen.has(policy.name)) throw new FixturesError(`${path}/name: governance policy "${policy.name}" is defined twice`)
    seen.add(policy.name)
    const found = this.governanceIds.get(policy.name)
    const id = found ?? this.claim(policy.id)
    if (found === undefined) {
      this.governance.added.add({ id, organizationId, name: policy.name, description: policy.description ?? null, createdAt: this.now })
      this.governanceIds.set(policy.name, id)
    } else {
      change(this.governance.added, this.governance.changed, { id, description: policy.description ?? null })
    }
    const controls = policy.controls ?? []
    const names = controls.map((c) => c.name)
    const twice = names.find((name, i) => names.indexOf(name) !== i)
    if (twice !== undefined) throw new FixturesError(`${path}/controls/${names.lastIndexOf(twice)}/name: control "${twice}" is defined twice`)
    const held = this.controlIds.get(id) ?? new Map<string, string>()
    this.controlIds.set(id, held)
    for (const [name, controlId] of held) {
      if (names.includes(name)) continue
      held.delete(name)
      if (!this.controls.added.remove(controlId)) {
        this.controls.changed.delete(controlId)
        this.controls.removed.push(controlId)
      }
    }
    const resolved: NonNullable<FixtureGovernancePolicy['controls']> = []
    for (const [position, control] of controls.entries()) {
      const existing = held.get(control.name)
      const controlId = existing ?? this.claim(control.id)
      if (existing === undefined) {
        this.controls.added.add({ id: controlId, governancePolicyId: id, name: control.name, type: control.type, position })
        held.set(control.name, controlId)
      } else {
        change(this.controls.added, this.controls.changed, { id: controlId, type: control.type, position })
      }
      resolved.push({ ...control, id: controlId })
    }
    return { ...policy, id, ...(policy.controls === undefined ? {} : { controls: resolved }) }
  }

  roleNamed (known: Map<string, string>, name: string, path: string): string {
    const id = known.get(name)
    if (id === undefined) throw new FixturesError(`${path}: no role named "${name}" (known: ${[...known.keys()].join(', ')})`)
    return id
  }

  /** Adds or updates a custom role; policies it names that do not exist are made (see rolePolicy) and added to `made`. */
  role (role: FixtureRole, owner: RoleOwner, path: string, known: Map<string, string>, made?: FixturePolicy[]): string {
    const { scope, organizationId, projectId } = owner
    const systemNames: readonly string[] = scope === 'PROJECT' ? SYSTEM_PROJECT_ROLES : SYSTEM_ORGANIZATION_ROLES
    if (systemNames.includes(role.name)) throw new FixturesError(`${path}/name: "${role.name}" is a system role name`)
    if (known.has(role.name)) throw new FixturesError(`${path}/name: role "${role.name}" is defined twice`)
    const found = this.roleIds.get(within(projectId, role.name))
    if (found !== undefined && role.id !== undefined && found !== role.id) {
      throw new FixturesError(`${path}/id: role "${role.name}" already exists with id ${found}; an id cannot change`)
    }
    const id = found ?? this.claim(role.id)
    if (found === undefined) {
      this.roles.added.add({ id, scope, name: role.name, description: role.description ?? null, organizationId, projectId, createdAt: this.now })
      this.roleIds.set(within(projectId, role.name), id)
    } else {
      change(this.roles.added, this.roles.changed, { id, description: role.description ?? null })
    }
    this.rolePolicies.set(id, new Set((role.policies ?? []).map((name) => this.rolePolicy(owner, name, made))))
    return id
  }

  /** A member's user (stored, or added by newUsers), given the name and image the member has unless users are kept as they are. */
  user (member: Pick<FixtureMember, 'email' | 'name' | 'image'>): string {
    const id = this.users.get(normalizeEmail(member.email))!
    if (this.ctx.keepUsers) return id
    const set: { name?: string | null, image?: string | null } = {}
    if (member.name !== undefined) set.name = member.name
    if (member.image !== undefined) set.image = member.image
    if (Object.keys(set).length > 0) change(this.usersAdded, this.usersChanged, { id, ...set })
    return id
  }

  /**
   * Adds the users of a run of members that are neither stored nor added yet, in the order they
   * come: nothing else is minted in such a run, so their ids are minted together, the same as one
   * by one.
   */
  newUsers (members: ReadonlyArray<Pick<FixtureMember, 'email' | 'name' | 'image'>>): void {
    const fresh = new Map<string, Pick<FixtureMember, 'email' | 'name' | 'image'>>()
    for (const member of members) {
      const email = normalizeEmail(member.email)
      if (!this.users.has(email) && !fresh.has(email)) fresh.set(email, member)
    }
    const ids = this.ctx.ids.cuids(fresh.size, (id) => this.claimed.has(id))
    for (const [i, [email, member]] of [...fresh].entries()) {
      const id = this.claim(ids[i]!)
      this.usersAdded.add({ id, email, name: member.name ?? null, image: member.image ?? null, createdAt: this.now })
      this.users.set(email, id)
    }
  }

  /** Adds or updates an organization membership; with keepRole an existing member keeps theirs. */
  orgMember (organizationId: string, member: FixtureMember, orgRoles: Map<string, string>, path: string, keepRole = false): string {
    const userId = this.user(member)
    const roleId = this.roleNamed(orgRoles, member.role ?? DEFAULT_ORGANIZATION_ROLE, `${path}/role`)
    if (!keepRole) this.organizationMembers.push({ ownerId: organizationId, userId, roleId, createdAt: this.now })
    // A member this plan adds already keeps that membership: no row to write.
    else if (!this.members.has(userId)) this.organizationMembersKept.push({ ownerId: organizationId, userId, roleId, createdAt: this.now })
    this.members.add(userId)
    return userId
  }

  /**
   * Adds an invitation unless this owner already has one for the address, whatever its status; its
   * id, once written (a stored document's invitation is made again with the id it had).
   */
  invitation (kind: InvitationKind, ownerId: string, inv: StoredInvitation, known: Map<string, string>, path: string): Slot {
    const email = normalizeEmail(inv.email)
    if (inv.role === OWNER_ROLE) throw new FixturesError(`${path}/role: the Owner role cannot be assigned to invitees`)
    const roleId = inv.role === undefined ? null : this.roleNamed(known, inv.role, `${path}/role`)
    const createdAt = this.time(inv.createdAt, `${path}/createdAt`) ?? this.now
    const key = JSON.stringify([kind, ownerId, email])
    const found = this.invitationSlots.get(key)
    if (found !== undefined) return found
    const slot = { id: 0 }
    this.invitations[kind].push({ id: inv.id ?? null, ownerId, email, status: inv.status ?? 'PENDING', roleId, createdAt })
    this.addedSlots[kind].push(slot)
    this.invitationSlots.set(key, slot)
    return slot
  }

  /** Reads what is stored of the organization and of the people and keys the document names. */
  load (org: LoadableOrganization, organizationId: string, exists: boolean): void {
    const { reads } = this.ctx
    const projects = org.projects ?? []
    const emails = [...new Set([...(org.members ?? []), ...projects.flatMap((p) => p.members ?? [])].map((m) => normalizeEmail(m.email)))]
    for (const user of reads.usersByEmail(emails)) {
      this.users.set(user.email, user.id)
      this.storedUsers.set(user.id, { name: user.name, image: user.image })
    }
    const digests = (org.apiKeys ?? []).map((key) => 'key' in key ? storedKey(key.key).digest : key.digest)
    for (const key of reads.keyOwners(digests)) this.keyOwners.set(key.digest, key.organizationId)
    // A new organization holds nothing yet (a project id it gives that is stored belongs to another: refused).
    if (!exists) return
    const invited = [...new Set([...(org.invitations ?? []), ...projects.flatMap((p) => p.invitations ?? [])].map((i) => normalizeEmail(i.email)))]
    const held = reads.holdings(organizationId, invited)
    for (const p of held.projects) {
      this.projectsByName.set(p.name, p.id)
      this.projectNames.set(p.id, p.name)
    }
    for (const p of held.policies) this.policyIds.set(within(p.projectId, p.name), p.id)
    for (const r of held.roles) this.roleIds.set(within(r.projectId, r.name), r.id)
    for (const g of held.governancePolicies) {
      this.governanceIds.set(g.name, g.id)
      this.controlIds.set(g.id, new Map())
    }
    for (const c of held.governanceControls) this.controlIds.get(c.governancePolicyId)!.set(c.name, c.id)
    for (const i of held.invitations) this.invitationSlots.set(JSON.stringify([i.kind, i.ownerId, i.email]), { id: i.id })
  }

  /** A project by its id: this organization's, or another's (stored). */
  projectWithId (organizationId: string, id: string): { id: string, organizationId: string } | undefined {
    if (this.projectNames.has(id)) return { id, organizationId }
    return this.ctx.reads.projectById(id) ?? undefined
  }

  /**
   * An organization's or a project's own policies and custom roles, in document order, with their
   * ids; and every role a member or invitation there may name (the system roles of its scope, then
   * its custom ones), by name.
   */
  policiesAndRoles (owner: RoleOwner, holder: { policies?: FixturePolicy[] | undefined, roles?: FixtureRole[] | undefined }, path: string):
  { roles: Map<string, string>, storedPolicies: FixturePolicy[], storedRoles: FixtureRole[] } {
    const names = new Set<string>()
    const storedPolicies: FixturePolicy[] = []
    for (const [i, policy] of (holder.policies ?? []).entries()) {
      storedPolicies.push({ ...policy, id: this.policy(owner, policy, `${path}/policies/${i}`, names) })
    }
    const roles = new Map<string, string>()
    const storedRoles: FixtureRole[] = []
    for (const name of owner.scope === 'PROJECT' ? SYSTEM_PROJECT_ROLES : SYSTEM_ORGANIZATION_ROLES) roles.set(name, systemRoleId(owner.scope, name))
    for (const [i, role] of (holder.roles ?? []).entries()) {
      const id = this.role(role, owner, `${path}/roles/${i}`, roles, storedPolicies)
      roles.set(role.name, id)
      storedRoles.push({ ...role, id })
    }
    return { roles, storedPolicies, storedRoles }
  }

  /**
   * The changes to stored users, each field only when its last value differs from the stored one: a
   * document applied again (a reset, a boot, the same members in another tenant) rewrites no user.
   */
  userChanges (): Array<{ id: string, name?: string | null, image?: string | null }> {
    const changes = []
    for (const { id, ...set } of this.usersChanged.values()) {
      const stored = this.storedUsers.get(id)
      if (stored !== undefined && set.name === stored.name) delete set.name
      if (stored !== undefined && set.image === stored.image) delete set.image
      if (set.name !== undefined || set.image !== undefined) changes.push({ id, ...set })
    }
    return changes
  }

  organization (org: LoadableOrganization, path: string): OrganizationPlan {
    const { reads } = this.ctx
    const trialEndsAt = this.time(org.trialEndsAt, `${path}/trialEndsAt`)
    // By id when one is given, else (and for an id added to a file already loaded) by name, where the context finds by name.
    const existing = (org.id === undefined ? null : reads.organizationById(org.id)) ?? this.ctx.organizationNamed(org.name)
    if (existing !== null && org.id !== undefined && existing !== org.id) {
      throw new FixturesError(`${path}/id: organization "${org.name}" already exists with id ${existing}; an id cannot change`)
    }
    const organizationId = existing ?? this.claim(org.id, 'cuid')
    const organization = { id: organizationId, name: org.name, plan: org.plan, trialEndsAt, createdAt: this.now }
    this.load(org, organizationId, existing !== null)

    const orgOwner: RoleOwner = { scope: 'ORGANIZATION', organizationId, projectId: null }
    const { roles: orgRoles, storedPolicies, storedRoles } = this.policiesAndRoles(orgOwner, org, path)
    const governance = new Set<string>()
    const storedGovernance: FixtureGovernancePolicy[] = []
    for (const [i, policy] of (org.governancePolicies ?? []).entries()) {
      storedGovernance.push(this.governancePolicy(organizationId, policy, `${path}/governancePolicies/${i}`, governance))
    }
    this.newUsers(org.members ?? [])
    for (const [i, member] of (org.members ?? []).entries()) {
      this.orgMember(organizationId, member, orgRoles, `${path}/members/${i}`)
    }

    const storedProjects: Array<() => NonNullable<StoredOrganization['projects']>[number]> = []
    for (const [pi, project] of (org.projects ?? []).entries()) {
      const projectPath = `${path}/projects/${pi}`
      const byName = this.projectsByName.get(project.name)
      const found = (project.id === undefined ? undefined : this.projectWithId(organizationId, project.id)) ??
        (byName === undefined ? undefined : { id: byName, organizationId })
      if (found !== undefined && found.organizationId !== organizationId) {
        throw new FixturesError(`${projectPath}: project id ${project.id} belongs to another organization`)
      }
      if (found !== undefined && project.id !== undefined && found.id !== project.id) {
        throw new FixturesError(`${projectPath}/id: project "${project.name}" already exists with id ${found.id}; an id cannot change`)
      }
      const projectId = found?.id ?? this.claim(project.id, 'cuid')
      let governancePolicyId: string | null = null
      if (project.governancePolicy != null) {
        governancePolicyId = this.governanceIds.get(project.governancePolicy) ?? null
        if (governancePolicyId === null) {
          throw new FixturesError(`${projectPath}/governancePolicy: no governance policy named "${project.governancePolicy}" in this organization`)
        }
      }
      const fields = { name: project.name, description: project.description ?? null, governancePolicyId }
      if (found === undefined) {
        this.projects.added.add({ id: projectId, organizationId, ...fields, createdAt: this.now })
      } else {
        change(this.projects.added, this.projects.changed, { id: projectId, ...fields })
        // Renamed: its former name finds it no more.
        const former = this.projectNames.get(projectId)
        if (former !== undefined && former !== project.name && this.projectsByName.get(former) === projectId) this.projectsByName.delete(former)
      }
      this.projectsByName.set(project.name, projectId)
      this.projectNames.set(projectId, project.name)

      const projectOwner: RoleOwner = { scope: 'PROJECT', organizationId, projectId }
      const { roles: projectRoles, storedPolicies: storedProjectPolicies, storedRoles: storedProjectRoles } =
        this.policiesAndRoles(projectOwner, project, projectPath)
      this.newUsers(project.members ?? [])
      for (const [i, member] of (project.members ?? []).entries()) {
        const memberPath = `${projectPath}/members/${i}`
        // A person must be an organization member to be a project member: add them as Member if not.
        const userId = this.orgMember(organizationId, { email: member.email, name: member.name, image: member.image }, orgRoles, memberPath, true)
        const roleId = this.roleNamed(projectRoles, member.role ?? DEFAULT_PROJECT_ROLE, `${memberPath}/role`)
        this.projectMembers.push({ ownerId: projectId, userId, roleId, createdAt: this.now })
      }
      const invitations = (project.invitations ?? []).map((inv, i) =>
        ({ inv, slot: this.invitation('PROJECT', projectId, inv, projectRoles, `${projectPath}/invitations/${i}`) }))
      storedProjects.push(() => withLists({ ...project, id: projectId }, project, {
        policies: storedProjectPolicies,
        roles: storedProjectRoles,
        invitations: invitations.map(({ inv, slot }) => ({ ...inv, id: slot.id }))
      }))
    }

    const invitations = (org.invitations ?? []).map((inv, i) =>
      ({ inv, slot: this.invitation('ORGANIZATION', organizationId, inv, orgRoles, `${path}/invitations/${i}`) }))

    const storedKeys: Array<{ slot: Slot, key: Omit<StoredApiKey, 'id'> }> = []
    for (const [i, key] of (org.apiKeys ?? []).entries()) {
      let projectId: string | null = null
      if (key.project !== undefined) {
        projectId = this.projectsByName.get(key.project) ?? null
        if (projectId === null) throw new FixturesError(`${path}/apiKeys/${i}/project: no project named "${key.project}" in this organization`)
      }
      // A fixtures key is given in clear; a stored document's as stored, with the id it had.
      const stored = 'key' in key ? storedKey(key.key) : { digest: key.digest, last6: key.last6 }
      const owner = this.keyOwners.get(stored.digest)
      if (owner !== undefined && owner !== organizationId) {
        throw new FixturesError(`${path}/apiKeys/${i}: this key already belongs to another organization`)
      }
      const givenId = 'key' in key ? undefined : key.id
      this.apiKeys.push({ id: givenId ?? null, organizationId, projectId, name: key.name ?? null, ...stored, valid: key.valid ?? true, createdAt: this.now })
      const slot = { id: 0 }
      this.keySlots.push(slot)
      storedKeys.push({
        slot,
        key: {
          ...stored,
          ...(key.name === undefined ? {} : { name: key.name }),
          ...(key.valid === undefined ? {} : { valid: key.valid }),
          ...(key.project === undefined ? {} : { project: key.project })
        }
      })
    }

    return {
      writes: this.writes(organization, existing === null),
      stored: (written) => {
        written.projectInvitations.forEach((id, i) => { this.addedSlots.PROJECT[i]!.id = id })
        written.organizationInvitations.forEach((id, i) => { this.addedSlots.ORGANIZATION[i]!.id = id })
        written.apiKeys.forEach((id, i) => { this.keySlots[i]!.id = id })
        return withLists({ ...org, id: organizationId }, org, {
          apiKeys: storedKeys.map(({ slot, key }) => ({ id: slot.id, ...key })),
          policies: storedPolicies,
          roles: storedRoles,
          governancePolicies: storedGovernance,
          projects: storedProjects.map((project) => project()),
          invitations: invitations.map(({ inv, slot }) => ({ ...inv, id: slot.id }))
        })
      }
    }
  }

  writes (organization: OrganizationWrites['organization'], isNew: boolean): OrganizationWrites {
    const links = <L>(sets: Map<string, Set<string>>, link: (owner: string, target: string) => L) =>
      [...sets].flatMap(([owner, targets]) => [...targets].map((target) => link(owner, target)))
    return {
      organization,
      isNew,
      governancePolicies: { added: this.governance.added.list, changed: [...this.governance.changed.values()] },
      governanceControls: { added: this.controls.added.list, changed: [...this.controls.changed.values()], removed: this.controls.removed },
      projects: { added: this.projects.added.list, changed: [...this.projects.changed.values()] },
      policies: { added: this.policies.added.list, changed: [...this.policies.changed.values()] },
      policiesRelinked: [...this.policyPermissions.keys()].filter((id) => !this.policies.added.has(id)),
      policyPermissions: links(this.policyPermissions, (policyId, permissionId) => ({ policyId, permissionId })),
      roles: { added: this.roles.added.list, changed: [...this.roles.changed.values()] },
      rolesRelinked: [...this.rolePolicies.keys()].filter((id) => !this.roles.added.has(id)),
      rolePolicies: links(this.rolePolicies, (roleId, policyId) => ({ roleId, policyId })),
      users: { added: this.usersAdded.list, changed: this.userChanges() },
      organizationMembers: this.organizationMembers,
      organizationMembersKept: this.organizationMembersKept,
      projectMembers: this.projectMembers,
      projectInvitations: this.invitations.PROJECT,
      organizationInvitations: this.invitations.ORGANIZATION,
      apiKeys: this.apiKeys
    }
  }
}
