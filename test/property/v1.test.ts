// Hostile input against every /v1 route (fast-check): never a 5xx or a hang, always the envelope; the database holds what the 2xx answers said.
import type { InvitationKind } from '../../src/domain/vocabulary.js'
import fc from 'fast-check'
import type { InjectOptions } from 'fastify'
import t from 'tap'
import type { App } from '../../src/app.js'
import { VENDOR_PREFIX } from '../../src/http/prefixes.js'
import { systemRoleId } from '../../src/domain/roles.js'
import { keyDigest } from '../../src/domain/keys.js'
import { MAX_PAGE_SIZE } from '../../src/domain/vocabulary.js'
import {
  MAX_DESCRIPTION_LENGTH as MAX_PROJECT_DESCRIPTION_LENGTH, MAX_EMAIL_LENGTH, MAX_NAME_LENGTH as MAX_PROJECT_NAME_LENGTH
} from '../../src/domain/rules.js'
import { build, seedOrg, type SeededOrg } from '../helpers/build.js'
import { assertEachRouteCovered, servedKeys } from '../helpers/routes.js'
import {
  apiKeyVariants, arr, atLimit, brokenJson, coercesToId, deepNesting, EMPTY_BODIES, fcParameters, harmlessHeaders,
  hostileIdSegment, hostileIntegerSegment, hugeArray, IDENTITY_ENCODINGS, integerQueryPart, JSON_CONTENT_TYPES, jsonText,
  jsonValue, lit, obj, oddNonEmpty, oddString, OTHER_CONTENT_TYPES, OTHER_ENCODINGS, overLimit, pollutingEntries, queryText,
  str, unknownQueryPart, withDuplicateKey, withInvalidUtf8, withLoneSurrogate, type CredentialVariant, type JsonNode,
  type PathValue, type QueryPart
} from '../helpers/hostile.js'
import { checkAnswer, checkDatabase, count, headersOf, newStats, prototypesNow, requestWithin, short, summary, type Expectation, type Stats } from '../helpers/answers.js'

/**
 * Runs per route: 53 routes × RUNS × up to 12 requests; about 10-15 s on the 2-core machine with the
 * default (it was 8 runs for 25 routes: halved when the routes doubled; FC_NUM_RUNS=200 for a deep run).
 */
const RUNS = 4
const BODY_LIMIT = 1024 * 1024
const MAX_EMAILS = 100
/** The limits the decisions give the new operations' bodies (names, descriptions, id lists). */
const MAX_NAME = 200
const MAX_DESCRIPTION = 2000
const MAX_IDS = 200
const MAX_GOVERNANCE_IDS = 100
const MAX_GOVERNANCE_ID_LENGTH = 500
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000'

// ---------------------------------------------------------------------------------------------
// The model: what org A holds, as the 2xx answers told it.

type Status = 'PENDING' | 'ACCEPTED' | 'DECLINED'
interface Invitation { id: number, owner: string, email: string, status: Status, roleId: string | null }
/** A key: its project (null: an organization key), validity, label and the last 6 characters it is shown by. */
interface Key { projectId: string | null, valid: boolean, name: string | null, last6: string }
/** A policy or a custom role: its project (null: the organization's), name, description and members (permission or policy ids, sorted). */
interface Grouping { projectId: string | null, name: string, description: string | null, members: string[] }

interface State {
  organizationName: string
  projects: Map<string, { name: string, description: string | null, governancePolicyId: string | null }>
  projectInvitations: Map<number, Invitation>
  organizationInvitations: Map<number, Invitation>
  /** `${kind}|${invitationId}|${to}`, sorted. */
  emails: string[]
  keys: Map<number, Key>
  /** `${projectId}|${userId}` to role id. */
  projectMembers: Map<string, string>
  /** User id to role id. */
  organizationMembers: Map<string, string>
  /** Custom roles, members = their policy ids; in creation order. */
  customRoles: Map<string, Grouping>
  /** Policies, members = their permission ids; in creation order. */
  policies: Map<string, Grouping>
}

/** Reads org A's rows into the model's shape: the model's start, and what it is compared with at the end. */
function readState (app: App, organizationId: string): State {
  const all = <T> (sql: string): T[] => app.sqlite.prepare(sql).all(organizationId) as T[]
  const projectIds = '(select id from projects where organization_id = ?)'
  const grouped = (rows: Array<{ id: string, projectId: string | null, name: string, description: string | null }>, links: Array<{ owner: string, member: string }>) =>
    new Map(rows.map((r) => [r.id, { projectId: r.projectId, name: r.name, description: r.description, members: links.filter((l) => l.owner === r.id).map((l) => l.member).sort() }]))
  return {
    organizationName: all<{ name: string }>('select name from organizations where id = ?')[0]!.name,
    projects: new Map(all<{ id: string, name: string, description: string | null, governancePolicyId: string | null }>(
      'select id, name, description, governance_policy_id as governancePolicyId from projects where organization_id = ? order by created_at, rowid')
      .map((p) => [p.id, { name: p.name, description: p.description, governancePolicyId: p.governancePolicyId }])),
    projectInvitations: new Map(all<{ id: number, owner: string, email: string, status: Status, roleId: string | null }>(
      `select id, project_id as owner, email, status, project_role_id as roleId from project_invitations where project_id in ${projectIds} order by id`).map((i) => [i.id, i])),
    organizationInvitations: new Map(all<Invitation>(
      'select id, organization_id as owner, email, status, organization_role_id as roleId from organization_invitations where organization_id = ? order by id').map((i) => [i.id, i])),
    emails: all<{ e: string }>("select kind || '|' || invitation_id || '|' || to_email as e from invitation_emails where organization_id = ?").map((r) => r.e).sort(),
    keys: new Map(all<{ id: number, projectId: string | null, valid: number, name: string | null, last6: string }>(
      'select id, project_id as projectId, valid, name, last6 from api_keys where organization_id = ? order by id')
      .map((k) => [k.id, { projectId: k.projectId, valid: k.valid === 1, name: k.name, last6: k.last6 }])),
    projectMembers: new Map(all<{ k: string, roleId: string }>(`select project_id || '|' || user_id as k, role_id as roleId from project_members where project_id in ${projectIds}`).map((m) => [m.k, m.roleId])),
    organizationMembers: new Map(all<{ userId: string, roleId: string }>('select user_id as userId, role_id as roleId from organization_members where organization_id = ?').map((m) => [m.userId, m.roleId])),
    customRoles: grouped(all('select id, project_id as projectId, name, description from roles where organization_id = ? order by created_at, rowid'),
      all('select role_id as owner, policy_id as member from role_policies where role_id in (select id from roles where organization_id = ?)')),
    policies: grouped(all('select id, project_id as projectId, name, description from policies where organization_id = ? order by created_at, rowid'),
      all('select policy_id as owner, permission_id as member from policy_permissions where policy_id in (select id from policies where organization_id = ?)'))
  }
}

/** Comparable form: maps to sorted entry lists. */
function plain (state: State) {
  const sorted = <K, V> (m: Map<K, V>) => [...m.entries()].sort(([a], [b]) => String(a).localeCompare(String(b)))
  return {
    organizationName: state.organizationName,
    projects: sorted(state.projects),
    projectInvitations: sorted(state.projectInvitations),
    organizationInvitations: sorted(state.organizationInvitations),
    emails: state.emails,
    keys: sorted(state.keys),
    projectMembers: sorted(state.projectMembers),
    organizationMembers: sorted(state.organizationMembers),
    customRoles: sorted(state.customRoles),
    policies: sorted(state.policies)
  }
}

// ---------------------------------------------------------------------------------------------
// The world each run starts from: org A (the caller) with members, roles, policies, governance
// policies, projects and invitations in every status; org B, which nothing may touch.

const SYS = {
  project: { Owner: systemRoleId('PROJECT', 'Owner'), Manager: systemRoleId('PROJECT', 'Manager'), Member: systemRoleId('PROJECT', 'Member') },
  organization: { Owner: systemRoleId('ORGANIZATION', 'Owner'), Admin: systemRoleId('ORGANIZATION', 'Admin'), Member: systemRoleId('ORGANIZATION', 'Member') }
}
const SYSTEM_NAMES = { project: ['Owner', 'Manager', 'Member'], organization: ['Owner', 'Admin', 'Member'] } as const

interface World {
  app: App
  a: SeededOrg
  b: SeededOrg
  /** Org A's users: id to email. */
  users: Map<string, string>
  /** Ids of B's things, to try through A's key. */
  foreign: {
    projectId: string,
    userId: string,
    roleId: string,
    orgRoleId: string,
    projectInvitationId: number,
    organizationInvitationId: number,
    apiKeyId: number,
    policyId: string,
    projectPolicyId: string,
    governancePolicyId: string,
    organizationName: string
  }
  /** The ids of A's seeded keys: the credentials the plans send. */
  keyIds: { key: number, projectKey: number, invalidKey: number }
  /** Projects deleted in this run: their ids still travel in later requests. */
  deleted: string[]
  /** What the catalogue answers look like; they never change. */
  catalogue: Record<string, string>
  /** The permission catalogue: id to name, per scope. */
  permissions: { organization: Map<string, string>, project: Map<string, string> }
  /** A's governance policies in list order: name, and the answer's item less projectsCount (which the model gives). */
  governance: Map<string, { name: string, rest: string }>
}

function orgDoc (label: string) {
  const member = (name: string, role?: string) => ({ email: `${name}@${label}.example`, ...(role === undefined ? {} : { role }) })
  return {
    members: [member('owner', 'Owner'), member('admin', 'Admin'), member('m1'), member('m2', 'Auditor'), member('m3')],
    policies: [{ name: 'Billing', permissions: ['billing:read'] }, { name: 'Empty', description: 'grants nothing' }],
    roles: [{ name: 'Auditor', policies: ['Billing'] }, { name: 'Spare', description: 'held by no one', policies: ['Billing', 'Empty'] }],
    governancePolicies: [{ name: 'Strict', controls: [{ name: 'No PII', type: 'RUNTIME' as const }] }, { name: 'Lax', description: 'anything goes' }],
    projects: [
      {
        name: 'Main',
        governancePolicy: 'Strict',
        policies: [{ name: 'Tracing', permissions: ['traces:read', 'traces:write'] }],
        roles: [{ name: 'Reviewer', policies: ['Tracing'] }, { name: 'Unused' }],
        members: [member('owner', 'Owner'), member('m1', 'Manager'), member('m2')],
        invitations: [
          { email: `pending@${label}.example` },
          { email: `declined@${label}.example`, status: 'DECLINED' as const, role: 'Unused' },
          { email: `accepted@${label}.example`, status: 'ACCEPTED' as const }
        ]
      },
      { name: 'Side', members: [member('owner', 'Owner'), member('m3', 'Reviewer')], roles: [{ name: 'Reviewer' }], policies: [{ name: 'Tracing' }] }
    ],
    invitations: [
      { email: `org-pending@${label}.example` },
      { email: `org-declined@${label}.example`, status: 'DECLINED' as const, role: 'Spare' },
      { email: `org-accepted@${label}.example`, status: 'ACCEPTED' as const }
    ]
  }
}

async function freshWorld (app: App): Promise<World> {
  const reset = await app.inject({ method: 'POST', url: '/__admin/reset', payload: { to: 'empty' } })
  if (reset.statusCode !== 200) throw new Error(`reset failed: ${reset.body}`)
  const a = seedOrg(app, orgDoc('a'))
  const b = seedOrg(app, orgDoc('b'))
  const users = new Map(app.sqlite.prepare(`select u.id, u.email from users u join organization_members m on m.user_id = u.id
    where m.organization_id = ?`).all(a.organizationId).map((r) => [(r as { id: string }).id, (r as { email: string }).email]))
  const one = <T> (sql: string, ...args: unknown[]) => app.sqlite.prepare(sql).get(...args) as T
  const keyId = (key: string) => one<{ id: number }>('select id from api_keys where digest = ?', keyDigest(key)).id
  const foreign = {
    projectId: b.projectId,
    userId: one<{ id: string }>("select id from users where email = 'm1@b.example'").id,
    roleId: b.roles['Main/Reviewer']!,
    orgRoleId: one<{ id: string }>("select id from roles where organization_id = ? and project_id is null and name = 'Spare'", b.organizationId).id,
    projectInvitationId: one<{ id: number }>('select id from project_invitations where project_id = ? order by id', b.projectId).id,
    organizationInvitationId: one<{ id: number }>('select id from organization_invitations where organization_id = ? order by id', b.organizationId).id,
    apiKeyId: keyId(b.key),
    policyId: one<{ id: string }>("select id from policies where organization_id = ? and project_id is null and name = 'Billing'", b.organizationId).id,
    projectPolicyId: one<{ id: string }>('select id from policies where project_id = ?', b.projectId).id,
    governancePolicyId: one<{ id: string }>("select id from governance_policies where organization_id = ? and name = 'Strict'", b.organizationId).id,
    organizationName: one<{ name: string }>('select name from organizations where id = ?', b.organizationId).name
  }
  const catalogue: Record<string, string> = {}
  for (const url of ['/v1/organization/permissions', `/v1/projects/${a.projectId}/permissions`]) {
    catalogue[url.replace(a.projectId, '{}')] = JSON.stringify(JSON.parse((await app.inject({ url, headers: { CONFIDENT_API_KEY: a.key } })).body).data)
  }
  const scope = (s: string) => new Map((app.sqlite.prepare('select id, name from permissions where scope = ?').all(s) as Array<{ id: string, name: string }>).map((r) => [r.id, r.name]))
  const listed = JSON.parse((await app.inject({ url: '/v1/organization/governance-policies', headers: { CONFIDENT_API_KEY: a.key } })).body).data.governancePolicies as Array<Record<string, unknown>>
  const governance = new Map(listed.map(({ projectsCount: _count, ...rest }) => [rest['id'] as string, { name: rest['name'] as string, rest: JSON.stringify(rest) }]))
  return {
    app,
    a,
    b,
    users,
    foreign,
    keyIds: { key: keyId(a.key), projectKey: keyId(a.projectKey), invalidKey: keyId(a.invalidKey) },
    deleted: [],
    catalogue,
    permissions: { organization: scope('ORGANIZATION'), project: scope('PROJECT') },
    governance
  }
}

/** Everything of org B, as B's own key reads it: compared before and after each run. */
async function everythingOf (app: App, b: SeededOrg): Promise<string> {
  const rows = (table: string, where: string) => app.sqlite.prepare(`select * from ${table} where ${where} order by rowid`).all(b.organizationId)
  const projects = '(select id from projects where organization_id = ?)'
  return JSON.stringify({
    organizations: rows('organizations', 'id = ?'),
    everyone: app.sqlite.prepare('select count(*) as users, (select count(*) from organizations) as organizations from users').get(),
    projects: rows('projects', 'organization_id = ?'),
    keys: rows('api_keys', 'organization_id = ?'),
    roles: rows('roles', 'organization_id = ?'),
    policies: rows('policies', 'organization_id = ?'),
    policyPermissions: rows('policy_permissions', 'policy_id in (select id from policies where organization_id = ?)'),
    rolePolicies: rows('role_policies', 'role_id in (select id from roles where organization_id = ?)'),
    governancePolicies: rows('governance_policies', 'organization_id = ?'),
    governanceControls: rows('governance_controls', 'governance_policy_id in (select id from governance_policies where organization_id = ?)'),
    members: rows('organization_members', 'organization_id = ?'),
    projectMembers: rows('project_members', `project_id in ${projects}`),
    invitations: rows('organization_invitations', 'organization_id = ?'),
    projectInvitations: rows('project_invitations', `project_id in ${projects}`),
    emails: rows('invitation_emails', 'organization_id = ?')
  })
}

// ---------------------------------------------------------------------------------------------
// Requests as data: what fast-check generates and shrinks. Ids are picks among what exists at the
// moment the request is sent (`n` modulo the candidates), so a plan stays meaningful as state changes.

type Pick = { kind: 'pick', n: number } | { kind: 'hostile', value: PathValue }

/** A reference resolved when the request is sent: a role, an address, a name already taken. */
type Ref =
  | { ref: 'role', which: 'Owner' | 'Manager' | 'Member' | 'Admin' | 'custom' | 'foreign' | 'unknown', n: number }
  | { ref: 'email', which: 'member' | 'pending' | 'declined' | 'nonMember', n: number, upper: boolean }
  | { ref: 'takenName', n: number }
  /** A permission of the route's scope, of the other scope, or none. */
  | { ref: 'permission', which: 'same' | 'other' | 'unknown', n: number }
  /** A policy of the route's owner (the organization, or the project in the path), of another owner, of B, or none. */
  | { ref: 'policy', which: 'same' | 'other' | 'foreign' | 'unknown', n: number }
  /** A project id: A's, one deleted in this run, B's, or none. */
  | { ref: 'project', which: 'own' | 'deleted' | 'foreign' | 'unknown', n: number }
  | { ref: 'takenPolicyName', n: number }
  | { ref: 'takenRoleName', n: number, upper: boolean }
  | { ref: 'takenOrgName', n: number }

/** A JSON tree whose string leaves may be references. */
type Template = JsonNode | { kind: 'ref', value: Ref }

interface BodyPlan {
  /** How it is sent: as JSON text with this content type, as bytes, or not at all. */
  kind: 'none' | 'json' | 'bytes'
  contentType?: string | undefined
  template?: { kind: 'object', entries: Array<[string, Template]> } | JsonNode | undefined
  /** Bytes sent as they are (invalid UTF-8), or text not made from a template. */
  raw?: string | Buffer | undefined
  /** What the body is, for the expectation: fine for the schema, refused by the schema, or refused by the parser. */
  verdict: 'valid' | 'schema' | 'parse'
  description: string
}

interface Plan {
  route: string
  params: Record<string, Pick>
  query: QueryPart[]
  body: BodyPlan
  credential: CredentialVariant
  encoding: string | undefined
  extra: Record<string, string>
}

type ParamKind = 'project' | 'projectInvitation' | 'organizationInvitation' | 'user' | 'apiKey' | 'policy' | 'role' | 'governancePolicy'
type BodyKind = 'none' | 'projectInvitations' | 'organizationInvitations' | 'memberRole' | 'createProject' | 'updateProject' |
  'apiKeyName' | 'apiKeyValid' | 'policy' | 'role' | 'organizationName' | 'projectIds'
/** Path parameters that are integers: a hostile spelling may still name one (Ajv's coercion). */
const INTEGER_PARAMS: readonly ParamKind[] = ['projectInvitation', 'organizationInvitation', 'apiKey']

interface RouteSpec {
  params: Record<string, ParamKind>
  query: boolean
  body: BodyKind
  /** Checks a 2xx answer against the model and applies what it says. */
  success: (ctx: Ctx, data: any) => void
}

/** What a 2xx handler sees: the model, the world, the resolved request. */
interface Ctx {
  state: State
  world: World
  params: Record<string, string>
  query: Record<string, number>
  /** The body as sent, when it was JSON. */
  body: any
  /** Throws with the message (made only then: it may stringify large bodies) unless ok. */
  check: (ok: boolean, message: () => string) => void
}

// ---------------------------------------------------------------------------------------------
// Body arbitraries: valid bodies with odd content, and bodies refused by the schema.

const VALID_EMAILS = [
  'carol@example.com', 'Dave@Example.COM', "o'reilly@example.com", "'or'1'='1@example.com", "x'--@example.com", '{{7*7}}@example.com',
  '__proto__@example.com', 'constructor@example.com', 'a+tag@example.com', 'user.name@sub.example.co', "!#$%&'*+/=?^_`{|}~-@example.com",
  `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`
] as const

const INVALID_EMAILS = [
  'plain', 'a@', '@example.com', 'a@b', 'a b@example.com', 'a@b@example.com', 'ſ@example.com', '\u212a@example.com', 'é@example.com',
  'a@exam_ple.com', 'a..b@example.com', '.a@example.com', 'a.@example.com', 'a@-example.com', 'a@example.com ', ' a@example.com',
  'a@example.com\n', 'a@example.com\u0000', "' OR 1=1 --@example.com", 'a@example..com', '', '"quoted"@example.com', 'a@[127.0.0.1]',
  `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`
] as const

const email: fc.Arbitrary<Template> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...VALID_EMAILS).map(str) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.stringMatching(/^[a-z0-9.+_'-]{1,20}$/), fc.constantFrom('example.com', 'EXAMPLE.org', 'a.example'))
      .filter(([local]) => !/^\.|\.\.|\.$/.test(local)).map(([l, d]) => str(`${l}@${d}`))
  },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom('member' as const, 'pending' as const, 'declined' as const, 'nonMember' as const), fc.nat(9), fc.boolean())
      .map(([which, n, upper]) => ({ kind: 'ref' as const, value: { ref: 'email' as const, which, n, upper } }))
  }
)

function roleRef (scope: 'project' | 'organization'): fc.Arbitrary<Template> {
  const names = scope === 'project' ? ['Owner', 'Manager', 'Member'] as const : ['Owner', 'Admin', 'Member'] as const
  return fc.tuple(fc.constantFrom(...names, 'custom' as const, 'foreign' as const, 'unknown' as const), fc.nat(5))
    .map(([which, n]) => ({ kind: 'ref' as const, value: { ref: 'role' as const, which, n } }))
}

/** A value of the wrong JSON type for a field of type `type`. */
function wrongType (type: 'string' | 'array'): fc.Arbitrary<JsonNode> {
  return jsonValue.filter((node) => type === 'string' ? node.kind !== 'string' : node.kind !== 'array')
}

/** A string that no format check may take as an address or a UUID. */
const notEmailOrUuid = fc.oneof(
  fc.constantFrom(...INVALID_EMAILS),
  oddString(30).filter((s) => !s.includes('@')),
  fc.constantFrom('00000000-0000-0000-0000-00000000000g', '{00000000-0000-4000-8000-000000000000}', '00000000000040008000000000000000')
)

type Entries = Array<[string, Template]>
const entriesOf = (entries: Array<[string, Template | undefined]>): Entries => entries.filter((e): e is [string, Template] => e[1] !== undefined)

/** Valid bodies (with odd content) and schema-refused ones, for each body schema. */
function bodyEntries (kind: BodyKind): { valid: fc.Arbitrary<Entries>, invalid: fc.Arbitrary<[Entries, string]> } {
  switch (kind) {
    case 'projectInvitations':
    case 'organizationInvitations': {
      const field = kind === 'projectInvitations' ? 'projectRoleId' : 'organizationRoleId'
      const scope = kind === 'projectInvitations' ? 'project' : 'organization'
      const valid = fc.tuple(fc.array(email, { minLength: 1, maxLength: 6 }), fc.option(roleRef(scope), { nil: undefined }))
        .map(([emails, role]) => entriesOf([['emails', { kind: 'array', items: emails } as Template], [field, role]]))
      const validEmails = fc.array(email, { minLength: 1, maxLength: 3 })
      const invalid = fc.oneof(
        fc.constant<[Entries, string]>([[['emails', arr([])]], 'no addresses']),
        fc.integer({ min: MAX_EMAILS + 1, max: MAX_EMAILS * 3 }).map((n): [Entries, string] =>
          [[['emails', arr(Array.from({ length: n }, (_, i) => str(`bulk${i}@example.com`)))]], `${n} addresses`]),
        hugeArray(fc.constant(str('x@example.com'))).map((node): [Entries, string] => [[['emails', node]], 'a huge array of addresses']),
        wrongType('array').map((node): [Entries, string] => [[['emails', node]], 'emails of the wrong type']),
        fc.tuple(validEmails, wrongType('string')).map(([ok, bad]): [Entries, string] => [[['emails', arr([...ok as JsonNode[], bad])]], 'an address of the wrong type']),
        fc.tuple(validEmails, notEmailOrUuid).map(([ok, bad]): [Entries, string] => [[['emails', arr([str(bad), ...ok as JsonNode[]])]], `not an address: ${JSON.stringify(bad)}`]),
        fc.tuple(validEmails, fc.integer({ min: MAX_EMAIL_LENGTH + 1, max: 5000 })).map(([ok, n]): [Entries, string] =>
          [[['emails', arr([...ok as JsonNode[], str(`${'a'.repeat(n - 12)}@example.com`)])]], `an address of ${n} characters`]),
        fc.tuple(validEmails, withLoneSurrogate()).map(([ok, bad]): [Entries, string] => [[['emails', arr([...ok as JsonNode[], str(`${bad}@example.com`)])]], 'a lone surrogate in an address']),
        fc.tuple(validEmails, fc.oneof(wrongType('string'), notEmailOrUuid.map(str), withLoneSurrogate().map(str)))
          .map(([ok, bad]): [Entries, string] => [[['emails', arr(ok as JsonNode[])], [field, bad]], `a bad ${field}`]),
        fc.constant<[Entries, string]>([[[field, str(SYS[scope].Member)]], 'no emails'])
      )
      return { valid, invalid }
    }
    case 'memberRole': {
      const valid = fc.oneof(roleRef('project'), roleRef('organization')).map((role): Entries => [['roleId', role]])
      const invalid = fc.oneof(
        fc.constant<[Entries, string]>([[], 'no roleId']),
        wrongType('string').map((node): [Entries, string] => [[['roleId', node]], 'roleId of the wrong type']),
        notEmailOrUuid.map((s): [Entries, string] => [[['roleId', str(s)]], `roleId ${JSON.stringify(s)}`]),
        withLoneSurrogate().map((s): [Entries, string] => [[['roleId', str(s)]], 'a lone surrogate in roleId']),
        overLimit(36).map((s): [Entries, string] => [[['roleId', str(s)]], 'a long roleId'])
      )
      return { valid, invalid }
    }
    case 'createProject':
    case 'updateProject': {
      const name = fc.oneof(
        { weight: 4, arbitrary: oddNonEmpty(MAX_PROJECT_NAME_LENGTH).map(str) },
        { weight: 1, arbitrary: atLimit(MAX_PROJECT_NAME_LENGTH).map(str) },
        { weight: 2, arbitrary: fc.nat(5).map((n): Template => ({ kind: 'ref', value: { ref: 'takenName', n } })) }
      )
      const description = fc.oneof(oddString(100).map(str), atLimit(MAX_PROJECT_DESCRIPTION_LENGTH).map(str), fc.constant(str('')))
      const owner = fc.oneof(email, fc.tuple(fc.nat(9), fc.boolean()).map(([n, upper]): Template => ({ kind: 'ref', value: { ref: 'email', which: 'member', n, upper } })))
      const create = kind === 'createProject'
      const valid = create
        ? fc.tuple(name, fc.option(description, { nil: undefined }), fc.option(owner, { nil: undefined }))
          .map(([n, d, e]) => entriesOf([['name', n], ['description', d], ['email', e]]))
        : fc.tuple(fc.option(name, { nil: undefined }), fc.option(description, { nil: undefined }))
          .map(([n, d]) => entriesOf([['name', n], ['description', d]]))
      const base: Entries = create ? [['name', str('Valid name')]] : []
      const invalid = fc.oneof(
        fc.constant<[Entries, string]>([[['name', str('')]], 'an empty name']),
        overLimit(MAX_PROJECT_NAME_LENGTH).map((s): [Entries, string] => [[['name', str(s)]], `a name of ${[...s].length} characters`]),
        overLimit(MAX_PROJECT_DESCRIPTION_LENGTH).map((s): [Entries, string] => [[...base, ['description', str(s)]], `a description of ${[...s].length} characters`]),
        wrongType('string').map((node): [Entries, string] => [[['name', node]], 'a name of the wrong type']),
        wrongType('string').map((node): [Entries, string] => [[...base, ['description', node]], 'a description of the wrong type']),
        withLoneSurrogate().map((s): [Entries, string] => [[['name', str(s)]], 'a lone surrogate in the name']),
        withLoneSurrogate().map((s): [Entries, string] => [[...base, ['description', str(s)]], 'a lone surrogate in the description']),
        ...(create
          ? [
              fc.constant<[Entries, string]>([[['description', str('no name')]], 'no name']),
              fc.oneof(notEmailOrUuid.map(str), wrongType('string')).map((node): [Entries, string] => [[...base, ['email', node]], 'a bad owner address'])
            ]
          : [])
      )
      return { valid, invalid }
    }
    case 'apiKeyName':
    case 'organizationName': {
      const taken = kind === 'organizationName'
        ? [{ weight: 2, arbitrary: fc.nat(3).map((n): Template => ({ kind: 'ref', value: { ref: 'takenOrgName', n } })) }]
        : []
      const name = fc.oneof({ weight: 4, arbitrary: oddNonEmpty(MAX_NAME).map(str) }, { weight: 1, arbitrary: atLimit(MAX_NAME).map(str) }, ...taken)
      const valid = name.map((n): Entries => [['name', n]])
      const invalid = fc.oneof(
        fc.constant<[Entries, string]>([[], 'no name']),
        fc.constant<[Entries, string]>([[['name', str('')]], 'an empty name']),
        overLimit(MAX_NAME).map((s): [Entries, string] => [[['name', str(s)]], `a name of ${[...s].length} characters`]),
        wrongType('string').map((node): [Entries, string] => [[['name', node]], 'a name of the wrong type']),
        withLoneSurrogate().map((s): [Entries, string] => [[['name', str(s)]], 'a lone surrogate in the name'])
      )
      return { valid, invalid }
    }
    case 'apiKeyValid': {
      const valid = fc.constantFrom('true', 'false').map((v): Entries => [['valid', lit(v)]])
      const invalid = fc.oneof(
        fc.constant<[Entries, string]>([[], 'no valid']),
        jsonValue.filter((n) => !(n.kind === 'literal' && (n.text === 'true' || n.text === 'false'))).map((node): [Entries, string] => [[['valid', node]], 'valid of the wrong type']),
        fc.constantFrom('"true"', '"false"', '1', '0', 'null').map((text): [Entries, string] => [[['valid', lit(text)]], `valid ${text}`])
      )
      return { valid, invalid }
    }
    case 'policy':
    case 'role': {
      const idsField = kind === 'policy' ? 'permissionIds' : 'policyIds'
      const takenRef = kind === 'policy'
        ? fc.nat(5).map((n): Template => ({ kind: 'ref', value: { ref: 'takenPolicyName', n } }))
        : fc.tuple(fc.nat(9), fc.boolean()).map(([n, upper]): Template => ({ kind: 'ref', value: { ref: 'takenRoleName', n, upper } }))
      const name = fc.oneof({ weight: 4, arbitrary: oddNonEmpty(MAX_NAME).map(str) }, { weight: 1, arbitrary: atLimit(MAX_NAME).map(str) }, { weight: 2, arbitrary: takenRef })
      const description = fc.oneof(oddString(100).map(str), atLimit(MAX_DESCRIPTION).map(str), fc.constant(str('')), fc.constant(lit('null')))
      const ref: fc.Arbitrary<Template> = kind === 'policy'
        ? fc.tuple(fc.constantFrom('same' as const, 'same' as const, 'same' as const, 'other' as const, 'unknown' as const), fc.nat(5))
          .map(([which, n]) => ({ kind: 'ref', value: { ref: 'permission', which, n } }))
        : fc.tuple(fc.constantFrom('same' as const, 'same' as const, 'same' as const, 'other' as const, 'foreign' as const, 'unknown' as const), fc.nat(5))
          .map(([which, n]) => ({ kind: 'ref', value: { ref: 'policy', which, n } }))
      const ids = fc.array(ref, { maxLength: 4 }).map((items): Template => ({ kind: 'array', items } as Template))
      const valid = fc.tuple(name, fc.option(description, { nil: undefined }), ids)
        .map(([n, d, i]) => entriesOf([['name', n], ['description', d], [idsField, i]]))
      const base: Entries = [['name', str('Valid name')], [idsField, arr([])]]
      const invalid = fc.oneof(
        fc.constant<[Entries, string]>([[[idsField, arr([])]], 'no name']),
        fc.constant<[Entries, string]>([[['name', str('No ids')]], `no ${idsField}`]),
        fc.constant<[Entries, string]>([[['name', str('')], [idsField, arr([])]], 'an empty name']),
        overLimit(MAX_NAME).map((s): [Entries, string] => [[['name', str(s)], [idsField, arr([])]], `a name of ${[...s].length} characters`]),
        overLimit(MAX_DESCRIPTION).map((s): [Entries, string] => [[...base, ['description', str(s)]], `a description of ${[...s].length} characters`]),
        wrongType('string').map((node): [Entries, string] => [[['name', node], [idsField, arr([])]], 'a name of the wrong type']),
        wrongType('string').filter((n) => !(n.kind === 'literal' && n.text === 'null')).map((node): [Entries, string] => [[...base, ['description', node]], 'a description of the wrong type']),
        wrongType('array').map((node): [Entries, string] => [[['name', str('x')], [idsField, node]], `${idsField} of the wrong type`]),
        wrongType('string').map((node): [Entries, string] => [[['name', str('x')], [idsField, arr([str(UNKNOWN_UUID), node])]], `an item of ${idsField} of the wrong type`]),
        fc.integer({ min: MAX_IDS + 1, max: MAX_IDS * 3 }).map((n): [Entries, string] => [[['name', str('x')], [idsField, arr(Array.from({ length: n }, () => str(UNKNOWN_UUID)))]], `${n} ${idsField}`]),
        hugeArray(fc.constant(str(UNKNOWN_UUID))).map((node): [Entries, string] => [[['name', str('x')], [idsField, node]], `a huge ${idsField}`]),
        withLoneSurrogate().map((s): [Entries, string] => [[['name', str(s)], [idsField, arr([])]], 'a lone surrogate in the name'])
      )
      return { valid, invalid }
    }
    case 'projectIds': {
      const ref = fc.tuple(fc.constantFrom('own' as const, 'own' as const, 'own' as const, 'deleted' as const, 'foreign' as const, 'unknown' as const), fc.nat(5))
        .map(([which, n]): Template => ({ kind: 'ref', value: { ref: 'project', which, n } }))
      const item = fc.oneof({ weight: 5, arbitrary: ref }, { weight: 1, arbitrary: oddNonEmpty(60).map(str) }, { weight: 1, arbitrary: atLimit(MAX_GOVERNANCE_ID_LENGTH).map(str) })
      const valid = fc.array(item, { minLength: 1, maxLength: 6 }).map((items): Entries => [['projectIds', { kind: 'array', items } as Template]])
      const invalid = fc.oneof(
        fc.constant<[Entries, string]>([[], 'no projectIds']),
        fc.constant<[Entries, string]>([[['projectIds', arr([])]], 'no project ids']),
        fc.integer({ min: MAX_GOVERNANCE_IDS + 1, max: MAX_GOVERNANCE_IDS * 3 }).map((n): [Entries, string] =>
          [[['projectIds', arr(Array.from({ length: n }, (_, i) => str(`p${i}`)))]], `${n} project ids`]),
        hugeArray(fc.constant(str('p'))).map((node): [Entries, string] => [[['projectIds', node]], 'a huge array of project ids']),
        wrongType('array').map((node): [Entries, string] => [[['projectIds', node]], 'projectIds of the wrong type']),
        wrongType('string').map((node): [Entries, string] => [[['projectIds', arr([str('p'), node])]], 'a project id of the wrong type']),
        fc.constant<[Entries, string]>([[['projectIds', arr([str('p'), str('')])]], 'an empty project id']),
        overLimit(MAX_GOVERNANCE_ID_LENGTH).map((s): [Entries, string] => [[['projectIds', arr([str(s)])]], `a project id of ${[...s].length} characters`]),
        withLoneSurrogate().map((s): [Entries, string] => [[['projectIds', arr([str(s)])]], 'a lone surrogate in a project id'])
      )
      return { valid, invalid }
    }
    case 'none':
      return { valid: fc.constant([]), invalid: fc.constant([[], 'nothing']) }
  }
}

/** Any body plan for a route: valid ones, schema-refused ones, and text or bytes the parser must refuse. */
function bodyPlan (kind: BodyKind, method: string): fc.Arbitrary<BodyPlan> {
  const json = fc.constantFrom(...JSON_CONTENT_TYPES)
  const { valid, invalid } = bodyEntries(kind)
  const withExtras = fc.tuple(valid, fc.oneof(fc.constant([]), pollutingEntries(), fc.array(fc.tuple(fc.string({ maxLength: 8 }).filter((k) => !['emails', 'name', 'description', 'email', 'roleId', 'projectRoleId', 'organizationRoleId', 'valid', 'permissionIds', 'policyIds', 'projectIds'].includes(k)), jsonValue), { maxLength: 3 }), deepNesting().map((n): Array<[string, JsonNode]> => [['nested', n]])))
    .map(([entries, extra]) => [...entries, ...extra] as Entries)
  const plans: Array<fc.Arbitrary<BodyPlan>> = [
    // Valid for the schema, odd in content, maybe with __proto__ or unknown keys beside.
    fc.tuple(withExtras, json).map(([entries, contentType]): BodyPlan => ({ kind: 'json', contentType, template: { kind: 'object', entries }, verdict: 'valid', description: 'valid' })),
    // Refused by the schema (for routes that have one); any JSON is ignored by those that have none.
    fc.tuple(invalid, json).map(([[entries, why], contentType]): BodyPlan => ({ kind: 'json', contentType, template: { kind: 'object', entries }, verdict: kind === 'none' ? 'valid' : 'schema', description: why })),
    fc.tuple(jsonValue.filter((n) => n.kind !== 'object'), json).map(([node, contentType]): BodyPlan =>
      ({ kind: 'json', contentType, template: node, verdict: kind === 'none' ? 'valid' : 'schema', description: 'not an object' })),
    // Refused by the parser: broken JSON, not UTF-8, a duplicated key, empty.
    fc.tuple(valid, json).chain(([entries, contentType]) => brokenJson(jsonText(resolveForText(entries)))
      .map((raw): BodyPlan => ({ kind: 'json', contentType, raw, verdict: 'parse', description: 'broken JSON' }))),
    fc.tuple(valid, json).chain(([entries, contentType]) => withInvalidUtf8(jsonText(resolveForText(entries)))
      .map((raw): BodyPlan => ({ kind: 'bytes', contentType, raw, verdict: 'parse', description: 'invalid UTF-8' }))),
    fc.tuple(valid, json).chain(([entries, contentType]) => withDuplicateKey(resolveForText(entries).entries)
      .map((raw): BodyPlan => ({ kind: 'json', contentType, raw, verdict: 'parse', description: 'a duplicated key' }))),
    fc.tuple(fc.constantFrom(...EMPTY_BODIES), json).map(([raw, contentType]): BodyPlan => ({ kind: 'json', contentType, raw, verdict: 'parse', description: 'an empty body' })),
    // Another media type, or none at all, with a JSON body in it: 415 (none without a body is no body).
    fc.tuple(valid, fc.constantFrom(...OTHER_CONTENT_TYPES, undefined)).map(([entries, contentType]): BodyPlan =>
      ({ kind: 'json', contentType, raw: jsonText(resolveForText(entries)), verdict: 'valid', description: `sent as ${contentType ?? 'no content type'}` })),
    // Over the limit: a long string beside a valid body.
    fc.tuple(valid, fc.integer({ min: BODY_LIMIT, max: BODY_LIMIT + 4096 }), json).map(([entries, n, contentType]): BodyPlan =>
      ({ kind: 'json', contentType, template: { kind: 'object', entries: [...entries, ['padding', str('p'.repeat(n))]] }, verdict: 'valid', description: 'over 1 MiB' })),
    fc.constant<BodyPlan>({ kind: 'none', verdict: kind === 'none' ? 'valid' : 'schema', description: 'no body' })
  ]
  // A valid body (or none) most of the time, so that requests get through to the handler.
  const usual = kind === 'none' || method === 'GET'
    ? fc.constant<BodyPlan>({ kind: 'none', verdict: 'valid', description: 'no body' })
    : plans[0]!
  return fc.oneof({ weight: 3, arbitrary: usual }, ...plans.map((arbitrary) => ({ weight: 1, arbitrary })))
}

/** For bodies built as text up front, references become plain placeholders (their values do not matter there). */
function resolveForText (entries: Entries): { kind: 'object', entries: Array<[string, JsonNode]> } {
  const plainOf = (node: Template): JsonNode => {
    if (node.kind === 'ref') return str(node.value.ref === 'email' ? 'ref@example.com' : '00000000-0000-4000-8000-000000000000')
    if (node.kind === 'array') return arr(node.items.map(plainOf))
    if (node.kind === 'object') return obj(node.entries.map(([k, v]) => [k, plainOf(v)]))
    return node
  }
  return { kind: 'object', entries: entries.map(([k, v]) => [k, plainOf(v)]) }
}

// ---------------------------------------------------------------------------------------------
// The routes: how to fill each one's parameters and body, and what its 2xx must say.

const pageOf = <T> (items: T[], page: number, pageSize: number) => items.slice((page - 1) * pageSize, page * pageSize)

function membersPage (ctx: Ctx, data: any, members: Array<[string, string]>, roleField: 'projectRole' | 'organizationRole') {
  const page = ctx.query['page'] ?? 1
  const pageSize = ctx.query['pageSize'] ?? 25
  ctx.check(data.total === members.length, () => `total ${data.total}, the model has ${members.length}`)
  const expected = pageOf(members.sort(([a], [b]) => (a < b ? -1 : 1)), page, pageSize)
  ctx.check(JSON.stringify(data.members.map((m: any) => [m.id, m[roleField].id])) === JSON.stringify(expected),
    () => `page ${page} of ${pageSize}: ${JSON.stringify(data.members.map((m: any) => m.id))}, the model has ${JSON.stringify(expected)}`)
}

function visibleInvitations (invitations: Map<number, Invitation>, owner: string) {
  return [...invitations.values()].filter((i) => i.owner === owner && i.status !== 'ACCEPTED').sort((x, y) => x.id - y.id)
}

function checkInvitationList (ctx: Ctx, data: any, invitations: Map<number, Invitation>, owner: string, roleField: string) {
  const expected = visibleInvitations(invitations, owner).map((i) => [i.id, i.email, i.status, i.roleId])
  const got = data.invitations.map((i: any) => [i.id, i.email, i.status, i[roleField]])
  ctx.check(JSON.stringify(got) === JSON.stringify(expected), () => `invitations ${JSON.stringify(got)}, the model has ${JSON.stringify(expected)}`)
}

/** Created invitations: the body's addresses, lower-cased and de-duplicated, less members and those pending. */
function created (ctx: Ctx, data: any, kind: InvitationKind, owner: string) {
  const invitations = kind === 'PROJECT' ? ctx.state.projectInvitations : ctx.state.organizationInvitations
  const roleField = kind === 'PROJECT' ? 'projectRoleId' : 'organizationRoleId'
  const memberEmails = new Set([...(kind === 'PROJECT' ? [...ctx.state.projectMembers.keys()].filter((k) => k.startsWith(`${owner}|`)).map((k) => k.split('|')[1]!) : [...ctx.state.organizationMembers.keys()])]
    .map((id) => ctx.world.users.get(id)))
  const pending = new Set([...invitations.values()].filter((i) => i.owner === owner && i.status === 'PENDING').map((i) => i.email))
  const expected = [...new Set((ctx.body.emails as string[]).map((e) => e.toLowerCase()))].filter((e) => !memberEmails.has(e) && !pending.has(e))
  const got = data.invitations.map((i: any) => i.email)
  ctx.check(JSON.stringify(got) === JSON.stringify(expected), () => `created ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`)
  for (const inv of data.invitations) {
    ctx.check(inv.status === 'PENDING' && inv[roleField] === (ctx.body[roleField] ?? null) && !invitations.has(inv.id), () => `invitation ${JSON.stringify(inv)}`)
    invitations.set(inv.id, { id: inv.id, owner, email: inv.email, status: 'PENDING', roleId: inv[roleField] })
    ctx.state.emails.push(`${kind}|${inv.id}|${inv.email}`)
  }
  ctx.state.emails.sort()
}

function resent (ctx: Ctx, data: any, kind: InvitationKind, owner: string) {
  const invitations = kind === 'PROJECT' ? ctx.state.projectInvitations : ctx.state.organizationInvitations
  const known = invitations.get(data.invitation.id)
  ctx.check(known !== undefined && known.owner === owner && known.status === 'PENDING' && known.email === data.invitation.email, () => `resent ${JSON.stringify(data.invitation)}, the model has ${JSON.stringify(known)}`)
  ctx.state.emails.push(`${kind}|${known!.id}|${known!.email}`)
  ctx.state.emails.sort()
}

function revoked (ctx: Ctx, data: any, invitations: Map<number, Invitation>, owner: string) {
  const known = invitations.get(data.id)
  ctx.check(data.deleted === true && known !== undefined && known.owner === owner && known.status !== 'ACCEPTED', () => `revoked ${data.id}, the model has ${JSON.stringify(known)}`)
  invitations.delete(data.id)
}

function roleChanged (ctx: Ctx, data: any, scope: 'project' | 'organization', members: Map<string, string>, prefix: string) {
  const roleId = ctx.body.roleId as string
  const role = scope === 'project' ? data.member.projectRole : data.member.organizationRole
  ctx.check(role.id === roleId && data.member.id === ctx.params['userId'] && members.has(prefix + data.member.id), () => `member ${JSON.stringify(data.member)} for role ${roleId}`)
  const ownerRole = SYS[scope].Owner
  if (roleId === ownerRole && members.get(prefix + data.member.id) !== ownerRole) {
    const demoted = scope === 'project' ? SYS.project.Manager : SYS.organization.Admin
    for (const [k, r] of members) if (k.startsWith(prefix) && r === ownerRole) members.set(k, demoted)
  }
  members.set(prefix + data.member.id, roleId)
}

function clearPending (invitations: Map<number, Invitation>, owners: Set<string>, email: string) {
  for (const [id, i] of invitations) if (owners.has(i.owner) && i.email === email && i.status === 'PENDING') invitations.delete(id)
}

const p = (ctx: Ctx) => ctx.params['projectId']!

// ---------------------------------------------------------------------------------------------
// The new operations' checks: API keys, policies, custom roles, governance enrolment.

/** Whose things a route handles: the project in its path, or the organization (null). */
const ownerOf = (ctx: Ctx): string | null => ctx.params['projectId'] ?? null
const routeOwnerExists = (ctx: Ctx) => { const owner = ownerOf(ctx); ctx.check(owner === null || ctx.state.projects.has(owner), () => `a 2xx for project ${owner}, not in the model`) }
const redacted = (key: Key) => '*'.repeat(15) + key.last6
const validOrgKeys = (state: State) => [...state.keys.values()].filter((k) => k.projectId === null && k.valid).length
/** Strings in code point order (SQLite's and UTF-8's), not UTF-16 units. */
const byCodePoints = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))
const unique = <T> (items: T[]) => [...new Set(items)]

function keyAnswer (ctx: Ctx, got: any, id: number, key: Key) {
  const expected = { id, name: key.name, valid: key.valid, value: redacted(key), lastUsed: null }
  const shown = { id: got.id, name: got.name, valid: got.valid, value: got.value, lastUsed: got.lastUsed }
  ctx.check(JSON.stringify(shown) === JSON.stringify(expected) && typeof got.created_at === 'string', () => `key ${JSON.stringify(got)}, the model has ${JSON.stringify(expected)}`)
}

/** The key the path names, of the route's owner (else the 2xx was wrong). */
function pathKey (ctx: Ctx): [number, Key] {
  routeOwnerExists(ctx)
  const id = Number(ctx.params['apiKeyId'])
  const key = ctx.state.keys.get(id)
  ctx.check(key !== undefined && key.projectId === ownerOf(ctx), () => `key ${id} of ${ownerOf(ctx)}, the model has ${JSON.stringify(key)}`)
  return [id, key!]
}

function keyList (ctx: Ctx, data: any) {
  routeOwnerExists(ctx)
  const expected = [...ctx.state.keys].filter(([, k]) => k.projectId === ownerOf(ctx)).sort(([a], [b]) => a - b)
  ctx.check(data.apiKeys.length === expected.length && JSON.stringify(data.apiKeys.map((k: any) => k.id)) === JSON.stringify(expected.map(([id]) => id)),
    () => `keys ${JSON.stringify(data.apiKeys.map((k: any) => k.id))}, the model has ${JSON.stringify(expected.map(([id]) => id))}`)
  expected.forEach(([id, key], i) => keyAnswer(ctx, data.apiKeys[i], id, key))
}

function keyMinted (ctx: Ctx, data: any) {
  routeOwnerExists(ctx)
  const key = data.apiKey
  const format = ownerOf(ctx) === null ? /^confident_org_[0-9a-f]{32}$/ : /^confident_proj_[0-9a-f]{32}$/
  ctx.check(format.test(key.value) && key.name === ctx.body.name && key.valid === true && key.lastUsed === null && !ctx.state.keys.has(key.id),
    () => `minted ${JSON.stringify(key)} for ${ownerOf(ctx)} from ${short(ctx.body)}`)
  ctx.state.keys.set(key.id, { projectId: ownerOf(ctx), valid: true, name: key.name, last6: key.value.slice(-6) })
}

function keyUpdated (ctx: Ctx, data: any) {
  const [id, key] = pathKey(ctx)
  const valid = ctx.body.valid as boolean
  ctx.check(valid || key.projectId !== null || !key.valid || validOrgKeys(ctx.state) > 1, () => `invalidated ${id}, the last valid organization key`)
  key.valid = valid
  keyAnswer(ctx, data.apiKey, id, key)
}

function keyDeleted (ctx: Ctx, data: any) {
  const [id, key] = pathKey(ctx)
  ctx.check(data.id === id && data.deleted === true, () => `deleted ${JSON.stringify(data)}`)
  ctx.check(key.projectId !== null || !key.valid || validOrgKeys(ctx.state) > 1, () => `deleted ${id}, the last valid organization key`)
  ctx.state.keys.delete(id)
}

/** What the route's owner holds of a kind (policies or custom roles), in creation order. */
const owned = (items: Map<string, Grouping>, owner: string | null) => [...items].filter(([, x]) => x.projectId === owner)

function permissionsOf (ctx: Ctx, owner: string | null) {
  return owner === null ? ctx.world.permissions.organization : ctx.world.permissions.project
}

/** A policy (or a role) as answered: its members ({id, name}) by name. */
function groupingAnswer (ctx: Ctx, got: any, id: string, x: Grouping, names: Map<string, string>, field: 'permissions' | 'policies') {
  ctx.check(typeof got === 'object' && got !== null, () => `${id} is not in the answer`)
  const members = [...x.members].sort((a, b) => byCodePoints(names.get(a) ?? '', names.get(b) ?? '') || byCodePoints(a, b)).map((m) => ({ id: m, name: names.get(m) }))
  const expected = { id, name: x.name, description: x.description, [field]: members }
  const shown = { id: got.id, name: got.name, description: got.description, [field]: got[field]?.map((m: any) => ({ id: m.id, name: m.name })) }
  ctx.check(JSON.stringify(shown) === JSON.stringify(expected), () => `${JSON.stringify(shown)}, the model has ${JSON.stringify(expected)}`)
}

const policyNames = (state: State) => new Map([...state.policies].map(([id, p]) => [id, p.name]))

function policyList (ctx: Ctx, data: any) {
  routeOwnerExists(ctx)
  const expected = owned(ctx.state.policies, ownerOf(ctx))
  ctx.check(JSON.stringify(data.policies.map((x: any) => x.id)) === JSON.stringify(expected.map(([id]) => id)),
    () => `policies ${JSON.stringify(data.policies.map((x: any) => x.id))}, the model has ${JSON.stringify(expected.map(([id]) => id))}`)
  expected.forEach(([id, x], i) => groupingAnswer(ctx, data.policies[i], id, x, permissionsOf(ctx, ownerOf(ctx)), 'permissions'))
}

/** A policy or role created or updated from the body: its members all of the owner's, its name free; then stored and compared. */
function grouped (ctx: Ctx, got: any, kind: 'policy' | 'role', id: string | null) {
  routeOwnerExists(ctx)
  const owner = ownerOf(ctx)
  const items = kind === 'policy' ? ctx.state.policies : ctx.state.customRoles
  const members: string[] = unique(ctx.body[kind === 'policy' ? 'permissionIds' : 'policyIds'] as string[]).sort()
  const allowed = kind === 'policy' ? new Set(permissionsOf(ctx, owner).keys()) : new Set(owned(ctx.state.policies, owner).map(([pid]) => pid))
  ctx.check(members.every((m) => allowed.has(m)), () => `${kind} with ${JSON.stringify(members)}, not all of ${owner ?? 'the organization'}'s`)
  const before = id === null ? undefined : items.get(id)
  if (id !== null) ctx.check(before !== undefined && before.projectId === owner, () => `updated ${kind} ${id} of ${owner}, the model has ${JSON.stringify(before)}`)
  const name = ctx.body.name as string
  const system = kind === 'role' ? SYSTEM_NAMES[owner === null ? 'organization' : 'project'] as readonly string[] : []
  ctx.check(!system.includes(name) && !owned(items, owner).some(([other, x]) => other !== id && x.name === name), () => `${kind} name ${JSON.stringify(name)} was taken`)
  const newId = id ?? got.id
  ctx.check(id !== null || !items.has(newId), () => `created ${kind} ${newId}, already in the model`)
  const description = ctx.body.description === undefined ? (before?.description ?? null) : ctx.body.description
  const next: Grouping = { projectId: owner, name, description, members }
  items.set(newId, next)
  if (kind === 'policy') {
    groupingAnswer(ctx, got, newId, next, permissionsOf(ctx, owner), 'permissions')
  } else {
    groupingAnswer(ctx, got, newId, next, policyNames(ctx.state), 'policies')
    const ownerField = owner === null ? 'organizationId' : 'projectId'
    ctx.check(got[ownerField] === (owner ?? ctx.world.a.organizationId), () => `role ${ownerField} ${got[ownerField]}`)
  }
}

function policyDeleted (ctx: Ctx, data: any) {
  routeOwnerExists(ctx)
  const id = ctx.params['policyId']!
  const known = ctx.state.policies.get(id)
  ctx.check(data.id === id && data.deleted === true && known !== undefined && known.projectId === ownerOf(ctx), () => `deleted policy ${JSON.stringify(data)}, the model has ${JSON.stringify(known)}`)
  ctx.state.policies.delete(id)
  for (const role of ctx.state.customRoles.values()) role.members = role.members.filter((m) => m !== id)
}

function roleDeleted (ctx: Ctx, data: any) {
  routeOwnerExists(ctx)
  const id = ctx.params['roleId']!
  const known = ctx.state.customRoles.get(id)
  ctx.check(data.id === id && data.deleted === true && known !== undefined && known.projectId === ownerOf(ctx), () => `deleted role ${JSON.stringify(data)}, the model has ${JSON.stringify(known)}`)
  const members = known?.projectId === null ? [...ctx.state.organizationMembers.values()] : [...ctx.state.projectMembers.values()]
  const invitations = [...ctx.state.organizationInvitations.values(), ...ctx.state.projectInvitations.values()]
  ctx.check(!members.includes(id) && !invitations.some((i) => i.roleId === id && i.status === 'PENDING'), () => `deleted role ${id}, still held`)
  ctx.state.customRoles.delete(id)
  for (const i of invitations) if (i.roleId === id) i.roleId = null
}

/** The roles a list shows: the system roles, then the owner's custom ones with their policies. */
function roleList (ctx: Ctx, data: any, scope: 'project' | 'organization') {
  const custom = owned(ctx.state.customRoles, scope === 'project' ? p(ctx) : null)
  const expected = [...Object.values(SYS[scope]), ...custom.map(([id]) => id)].sort()
  const got = data.roles.map((r: any) => r.id).sort()
  ctx.check(JSON.stringify(got) === JSON.stringify(expected), () => `roles ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`)
  const names = policyNames(ctx.state)
  for (const [id, role] of custom) groupingAnswer(ctx, data.roles.find((r: any) => r.id === id), id, role, names, 'policies')
}

/** The governance policy the path names: one of A's. */
function pathGovernance (ctx: Ctx): [string, { name: string }] {
  const id = ctx.params['policyId']!
  const known = ctx.world.governance.get(id)
  ctx.check(known !== undefined, () => `a 2xx for governance policy ${id}, not A's`)
  return [id, known!]
}

function enrolment (ctx: Ctx, data: any, assign: boolean) {
  const [id, policy] = pathGovernance(ctx)
  const ids = unique(ctx.body.projectIds as string[])
  const moved = ids.filter((pid) => assign ? ctx.state.projects.has(pid) : ctx.state.projects.get(pid)?.governancePolicyId === id)
  const rest = ids.filter((pid) => !moved.includes(pid))
  const expected = assign
    ? { governancePolicy: { id, name: policy.name }, assignedProjectIds: moved, notFoundProjectIds: rest, count: moved.length }
    : { governancePolicy: { id, name: policy.name }, unassignedProjectIds: moved, skippedProjectIds: rest, count: moved.length }
  ctx.check(JSON.stringify(data) === JSON.stringify(expected), () => `${JSON.stringify(data).slice(0, 600)}, the model has ${JSON.stringify(expected).slice(0, 600)}`)
  for (const pid of moved) ctx.state.projects.get(pid)!.governancePolicyId = assign ? id : null
}

function governanceOf (ctx: Ctx, governancePolicyId: string | null) {
  return governancePolicyId === null ? null : { id: governancePolicyId, name: ctx.world.governance.get(governancePolicyId)?.name }
}

const ROUTES: Record<string, RouteSpec> = {
  'GET /v1/organization': {
    params: {},
    query: false,
    body: 'none',
    success: (ctx, data) => ctx.check(data.organization.id === ctx.world.a.organizationId && data.organization.name === ctx.state.organizationName,
      () => `organization ${JSON.stringify(data.organization)}, the model has the name ${JSON.stringify(ctx.state.organizationName)}`)
  },
  'GET /v1/projects': {
    params: {},
    query: false,
    body: 'none',
    success: (ctx, data) => {
      const expected = [...ctx.state.projects].map(([id, v]) => [id, v.name, v.description, governanceOf(ctx, v.governancePolicyId)])
      const got = data.projects.map((x: any) => [x.id, x.name, x.description, x.governancePolicy])
      ctx.check(JSON.stringify(got) === JSON.stringify(expected), () => `projects ${JSON.stringify(got)}, the model has ${JSON.stringify(expected)}`)
    }
  },
  'POST /v1/projects': {
    params: {},
    query: false,
    body: 'createProject',
    success: (ctx, data) => {
      const { project, apiKey } = data
      ctx.check(project.name === ctx.body.name && project.description === (ctx.body.description ?? null), () => `created ${JSON.stringify(project)} from ${short(ctx.body)}`)
      ctx.check(![...ctx.state.projects.values()].some((x) => x.name === project.name), () => `name ${JSON.stringify(project.name)} was taken`)
      ctx.check(project.governancePolicy === null && apiKey.valid === true && /^confident_proj_[0-9a-f]{32}$/.test(apiKey.value) && !ctx.state.keys.has(apiKey.id),
        () => `created ${JSON.stringify(project)} with key ${apiKey.id}`)
      ctx.state.projects.set(project.id, { name: project.name, description: project.description, governancePolicyId: null })
      ctx.state.keys.set(apiKey.id, { projectId: project.id, valid: true, name: apiKey.name, last6: apiKey.value.slice(-6) })
      if (ctx.body.email !== undefined) {
        const owner = [...ctx.world.users].find(([id, e]) => e === ctx.body.email.toLowerCase() && ctx.state.organizationMembers.has(id))
        ctx.check(owner !== undefined, () => `owner ${ctx.body.email} is not a member`)
        ctx.state.projectMembers.set(`${project.id}|${owner![0]}`, SYS.project.Owner)
      }
    }
  },
  'GET /v1/projects/{}': {
    params: { projectId: 'project' },
    query: false,
    body: 'none',
    success: (ctx, data) => {
      const known = ctx.state.projects.get(data.project.id)
      ctx.check(data.project.id === p(ctx) && known?.name === data.project.name && known?.description === data.project.description &&
        JSON.stringify(data.project.governancePolicy) === JSON.stringify(governanceOf(ctx, known?.governancePolicyId ?? null)), () => `project ${JSON.stringify(data.project)}, the model has ${JSON.stringify(known)}`)
    }
  },
  'PUT /v1/projects/{}': {
    params: { projectId: 'project' },
    query: false,
    body: 'updateProject',
    success: (ctx, data) => {
      const known = ctx.state.projects.get(p(ctx))
      ctx.check(known !== undefined, () => `updated ${p(ctx)}, not in the model`)
      const next = { name: ctx.body.name ?? known!.name, description: ctx.body.description === undefined ? known!.description : ctx.body.description, governancePolicyId: known!.governancePolicyId }
      ctx.check(data.project.name === next.name && data.project.description === next.description, () => `updated ${JSON.stringify(data.project)}, expected ${JSON.stringify(next)}`)
      ctx.check(![...ctx.state.projects].some(([id, x]) => id !== p(ctx) && x.name === next.name), () => `name ${JSON.stringify(next.name)} was taken`)
      ctx.state.projects.set(p(ctx), next)
    }
  },
  'DELETE /v1/projects/{}': {
    params: { projectId: 'project' },
    query: false,
    body: 'none',
    success: (ctx, data) => {
      const id = p(ctx)
      ctx.check(data.id === id && data.deleted === true && ctx.state.projects.has(id), () => `deleted ${JSON.stringify(data)}`)
      ctx.state.projects.delete(id)
      for (const [k, i] of ctx.state.projectInvitations) if (i.owner === id) ctx.state.projectInvitations.delete(k)
      for (const k of ctx.state.projectMembers.keys()) if (k.startsWith(`${id}|`)) ctx.state.projectMembers.delete(k)
      for (const [k, key] of ctx.state.keys) if (key.projectId === id) ctx.state.keys.delete(k)
      for (const [k, role] of ctx.state.customRoles) if (role.projectId === id) ctx.state.customRoles.delete(k)
      for (const [k, policy] of ctx.state.policies) if (policy.projectId === id) ctx.state.policies.delete(k)
      ctx.world.deleted.push(id)
    }
  },
  'GET /v1/projects/{}/invitations': {
    params: { projectId: 'project' },
    query: false,
    body: 'none',
    success: (ctx, data) => checkInvitationList(ctx, data, ctx.state.projectInvitations, p(ctx), 'projectRoleId')
  },
  'POST /v1/projects/{}/invitations': {
    params: { projectId: 'project' },
    query: false,
    body: 'projectInvitations',
    success: (ctx, data) => created(ctx, data, 'PROJECT', p(ctx))
  },
  'PUT /v1/projects/{}/invitations/{}': {
    params: { projectId: 'project', invitationId: 'projectInvitation' },
    query: false,
    body: 'none',
    success: (ctx, data) => resent(ctx, data, 'PROJECT', p(ctx))
  },
  'DELETE /v1/projects/{}/invitations/{}': {
    params: { projectId: 'project', invitationId: 'projectInvitation' },
    query: false,
    body: 'none',
    success: (ctx, data) => revoked(ctx, data, ctx.state.projectInvitations, p(ctx))
  },
  'GET /v1/projects/{}/members': {
    params: { projectId: 'project' },
    query: true,
    body: 'none',
    success: (ctx, data) => membersPage(ctx, data, [...ctx.state.projectMembers].filter(([k]) => k.startsWith(`${p(ctx)}|`))
      .map(([k, r]) => [k.split('|')[1]!, r]), 'projectRole')
  },
  'PUT /v1/projects/{}/members/{}': {
    params: { projectId: 'project', userId: 'user' },
    query: false,
    body: 'memberRole',
    success: (ctx, data) => roleChanged(ctx, data, 'project', ctx.state.projectMembers, `${p(ctx)}|`)
  },
  'DELETE /v1/projects/{}/members/{}': {
    params: { projectId: 'project', userId: 'user' },
    query: false,
    body: 'none',
    success: (ctx, data) => {
      const key = `${p(ctx)}|${ctx.params['userId']}`
      ctx.check(data.id === ctx.params['userId'] && data.removed === true && ctx.state.projectMembers.has(key) && ctx.state.projectMembers.get(key) !== SYS.project.Owner, () => `removed ${key}`)
      ctx.state.projectMembers.delete(key)
      clearPending(ctx.state.projectInvitations, new Set([p(ctx)]), ctx.world.users.get(data.id)!)
    }
  },
  'GET /v1/projects/{}/roles': {
    params: { projectId: 'project' },
    query: false,
    body: 'none',
    success: (ctx, data) => roleList(ctx, data, 'project')
  },
  'GET /v1/projects/{}/permissions': {
    params: { projectId: 'project' },
    query: false,
    body: 'none',
    success: (ctx, data) => ctx.check(JSON.stringify(data) === ctx.world.catalogue['/v1/projects/{}/permissions'], () => 'the project permission catalogue')
  },
  'GET /v1/organization/invitations': {
    params: {},
    query: false,
    body: 'none',
    success: (ctx, data) => checkInvitationList(ctx, data, ctx.state.organizationInvitations, ctx.world.a.organizationId, 'organizationRoleId')
  },
  'POST /v1/organization/invitations': {
    params: {},
    query: false,
    body: 'organizationInvitations',
    success: (ctx, data) => created(ctx, data, 'ORGANIZATION', ctx.world.a.organizationId)
  },
  'PUT /v1/organization/invitations/{}': {
    params: { invitationId: 'organizationInvitation' },
    query: false,
    body: 'none',
    success: (ctx, data) => resent(ctx, data, 'ORGANIZATION', ctx.world.a.organizationId)
  },
  'DELETE /v1/organization/invitations/{}': {
    params: { invitationId: 'organizationInvitation' },
    query: false,
    body: 'none',
    success: (ctx, data) => revoked(ctx, data, ctx.state.organizationInvitations, ctx.world.a.organizationId)
  },
  'GET /v1/organization/members': {
    params: {},
    query: true,
    body: 'none',
    success: (ctx, data) => membersPage(ctx, data, [...ctx.state.organizationMembers], 'organizationRole')
  },
  'PUT /v1/organization/members/{}': {
    params: { userId: 'user' },
    query: false,
    body: 'memberRole',
    success: (ctx, data) => roleChanged(ctx, data, 'organization', ctx.state.organizationMembers, '')
  },
  'DELETE /v1/organization/members/{}': {
    params: { userId: 'user' },
    query: false,
    body: 'none',
    success: (ctx, data) => {
      const userId = ctx.params['userId']!
      const ownsProject = [...ctx.state.projectMembers].some(([k, r]) => k.endsWith(`|${userId}`) && r === SYS.project.Owner)
      ctx.check(data.id === userId && data.removed === true && ctx.state.organizationMembers.has(userId) &&
        ctx.state.organizationMembers.get(userId) !== SYS.organization.Owner && !ownsProject, () => `removed member ${userId}`)
      ctx.state.organizationMembers.delete(userId)
      for (const k of ctx.state.projectMembers.keys()) if (k.endsWith(`|${userId}`)) ctx.state.projectMembers.delete(k)
      const email = ctx.world.users.get(userId)!
      clearPending(ctx.state.organizationInvitations, new Set([ctx.world.a.organizationId]), email)
      clearPending(ctx.state.projectInvitations, new Set(ctx.state.projects.keys()), email)
    }
  },
  'GET /v1/organization/roles': {
    params: {},
    query: false,
    body: 'none',
    success: (ctx, data) => roleList(ctx, data, 'organization')
  },
  'GET /v1/organization/permissions': {
    params: {},
    query: false,
    body: 'none',
    success: (ctx, data) => ctx.check(JSON.stringify(data) === ctx.world.catalogue['/v1/organization/permissions'], () => 'the organization permission catalogue')
  },
  'GET /v1/organization/governance-policies': {
    params: {},
    query: false,
    body: 'none',
    success: (ctx, data) => {
      // As at the start, but for how many projects each holds (the model's count).
      const enrolled = (id: string) => [...ctx.state.projects.values()].filter((x) => x.governancePolicyId === id).length
      const expected = [...ctx.world.governance].map(([id, g]) => `${g.rest}|${enrolled(id)}`)
      const got = data.governancePolicies.map(({ projectsCount, ...rest }: any) => `${JSON.stringify(rest)}|${projectsCount}`)
      ctx.check(JSON.stringify(got) === JSON.stringify(expected), () => `governance policies ${JSON.stringify(got)}, the model has ${JSON.stringify(expected)}`)
    }
  },
  'PUT /v1/organization': {
    params: {},
    query: false,
    body: 'organizationName',
    success: (ctx, data) => {
      const name = ctx.body.name as string
      ctx.check(data.organization.id === ctx.world.a.organizationId && data.organization.name === name, () => `renamed ${JSON.stringify(data.organization)} from ${short(ctx.body)}`)
      // B's name is taken like any other: names are not unique on a server, so the answer says nothing of B (docs/decisions.md).
      ctx.state.organizationName = name
    }
  },
  'GET /v1/organization/api-keys': { params: {}, query: false, body: 'none', success: keyList },
  'POST /v1/organization/api-keys': { params: {}, query: false, body: 'apiKeyName', success: keyMinted },
  'GET /v1/organization/api-keys/{}': {
    params: { apiKeyId: 'apiKey' },
    query: false,
    body: 'none',
    success: (ctx, data) => { const [id, key] = pathKey(ctx); keyAnswer(ctx, data.apiKey, id, key) }
  },
  'PUT /v1/organization/api-keys/{}': { params: { apiKeyId: 'apiKey' }, query: false, body: 'apiKeyValid', success: keyUpdated },
  'DELETE /v1/organization/api-keys/{}': { params: { apiKeyId: 'apiKey' }, query: false, body: 'none', success: keyDeleted },
  'GET /v1/projects/{}/api-keys': { params: { projectId: 'project' }, query: false, body: 'none', success: keyList },
  'POST /v1/projects/{}/api-keys': { params: { projectId: 'project' }, query: false, body: 'apiKeyName', success: keyMinted },
  'GET /v1/projects/{}/api-keys/{}': {
    params: { projectId: 'project', apiKeyId: 'apiKey' },
    query: false,
    body: 'none',
    success: (ctx, data) => { const [id, key] = pathKey(ctx); keyAnswer(ctx, data.apiKey, id, key) }
  },
  'PUT /v1/projects/{}/api-keys/{}': { params: { projectId: 'project', apiKeyId: 'apiKey' }, query: false, body: 'apiKeyValid', success: keyUpdated },
  'DELETE /v1/projects/{}/api-keys/{}': { params: { projectId: 'project', apiKeyId: 'apiKey' }, query: false, body: 'none', success: keyDeleted },
  'GET /v1/organization/policies': { params: {}, query: false, body: 'none', success: policyList },
  'POST /v1/organization/policies': { params: {}, query: false, body: 'policy', success: (ctx, data) => grouped(ctx, data.policy, 'policy', null) },
  'PUT /v1/organization/policies/{}': {
    params: { policyId: 'policy' },
    query: false,
    body: 'policy',
    success: (ctx, data) => grouped(ctx, data.policy, 'policy', ctx.params['policyId']!)
  },
  'DELETE /v1/organization/policies/{}': { params: { policyId: 'policy' }, query: false, body: 'none', success: policyDeleted },
  'GET /v1/projects/{}/policies': { params: { projectId: 'project' }, query: false, body: 'none', success: policyList },
  'POST /v1/projects/{}/policies': { params: { projectId: 'project' }, query: false, body: 'policy', success: (ctx, data) => grouped(ctx, data.policy, 'policy', null) },
  'PUT /v1/projects/{}/policies/{}': {
    params: { projectId: 'project', policyId: 'policy' },
    query: false,
    body: 'policy',
    success: (ctx, data) => grouped(ctx, data.policy, 'policy', ctx.params['policyId']!)
  },
  'DELETE /v1/projects/{}/policies/{}': { params: { projectId: 'project', policyId: 'policy' }, query: false, body: 'none', success: policyDeleted },
  'POST /v1/organization/roles': { params: {}, query: false, body: 'role', success: (ctx, data) => grouped(ctx, data.role, 'role', null) },
  'PUT /v1/organization/roles/{}': { params: { roleId: 'role' }, query: false, body: 'role', success: (ctx, data) => grouped(ctx, data.role, 'role', ctx.params['roleId']!) },
  'DELETE /v1/organization/roles/{}': { params: { roleId: 'role' }, query: false, body: 'none', success: roleDeleted },
  'POST /v1/projects/{}/roles': { params: { projectId: 'project' }, query: false, body: 'role', success: (ctx, data) => grouped(ctx, data.role, 'role', null) },
  'PUT /v1/projects/{}/roles/{}': {
    params: { projectId: 'project', roleId: 'role' },
    query: false,
    body: 'role',
    success: (ctx, data) => grouped(ctx, data.role, 'role', ctx.params['roleId']!)
  },
  'DELETE /v1/projects/{}/roles/{}': { params: { projectId: 'project', roleId: 'role' }, query: false, body: 'none', success: roleDeleted },
  'POST /v1/organization/governance-policies/{}/assign': { params: { policyId: 'governancePolicy' }, query: false, body: 'projectIds', success: (ctx, data) => enrolment(ctx, data, true) },
  'POST /v1/organization/governance-policies/{}/unassign': { params: { policyId: 'governancePolicy' }, query: false, body: 'projectIds', success: (ctx, data) => enrolment(ctx, data, false) },
  'GET /v1/organization/governance-policies/{}/projects': {
    params: { policyId: 'governancePolicy' },
    query: true,
    body: 'none',
    success: (ctx, data) => {
      const [id] = pathGovernance(ctx)
      const enrolled = [...ctx.state.projects].filter(([, x]) => x.governancePolicyId === id).map(([pid, x]) => ({ id: pid, name: x.name }))
        .sort((a, b) => byCodePoints(a.name, b.name) || byCodePoints(a.id, b.id))
      const expected = { projects: pageOf(enrolled, ctx.query['page'] ?? 1, ctx.query['pageSize'] ?? 25), total: enrolled.length }
      ctx.check(JSON.stringify(data) === JSON.stringify(expected), () => `${JSON.stringify(data).slice(0, 600)}, the model has ${JSON.stringify(expected).slice(0, 600)}`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Plans: mostly valid requests, each with one or two hostile dimensions now and then.

function planArbitrary (route: string, keys: { key: string, projectKey: string, invalidKey: string }): fc.Arbitrary<Plan> {
  const spec = ROUTES[route]!
  const method = route.split(' ')[0]!
  const paramNames = Object.keys(spec.params)
  const pick = (name: string): fc.Arbitrary<Pick> => fc.oneof(
    { weight: 5, arbitrary: fc.nat(6).map((n): Pick => ({ kind: 'pick', n })) },
    { weight: 1, arbitrary: (INTEGER_PARAMS.includes(spec.params[name]!) ? hostileIntegerSegment() : hostileIdSegment()).map((value): Pick => ({ kind: 'hostile', value })) }
  )
  const query: fc.Arbitrary<QueryPart[]> = spec.query
    ? fc.oneof(
      { weight: 2, arbitrary: fc.subarray([{ text: 'page=1', valid: true, key: 'page' }, { text: 'pageSize=2', valid: true, key: 'pageSize' }]) },
      { weight: 3, arbitrary: fc.array(fc.oneof(integerQueryPart('page', 1, Number.MAX_SAFE_INTEGER), integerQueryPart('pageSize', 1, MAX_PAGE_SIZE), unknownQueryPart().map((q) => ({ ...q, valid: true }))), { maxLength: 3 }) }
    )
    // No query schema: anything in the query is ignored, never refused.
    : fc.oneof({ weight: 3, arbitrary: fc.constant<QueryPart[]>([]) }, { weight: 1, arbitrary: fc.array(unknownQueryPart().map((q) => ({ ...q, valid: true })), { maxLength: 2 }) })
  return fc.record<Plan>({
    route: fc.constant(route),
    params: fc.record(Object.fromEntries(paramNames.map((name) => [name, pick(name)]))) as fc.Arbitrary<Record<string, Pick>>,
    query,
    body: bodyPlan(spec.body, method),
    credential: apiKeyVariants(keys),
    encoding: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...IDENTITY_ENCODINGS) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_ENCODINGS) }),
    extra: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: harmlessHeaders() })
  }).map((plan) => Object.assign(plan, { [fc.toStringMethod]: () => describePlan(plan) }))
}

/** What a plan must get, stage by stage in the order the server works: routing, key, encoding, media type, size, parsing, validation. */
function expectationOf (plan: Plan, payloadBytes: number): Expectation {
  const spec = ROUTES[plan.route]!
  const hostile = Object.entries(plan.params).filter((e): e is [string, { kind: 'hostile', value: PathValue }] => e[1].kind === 'hostile')
  if (hostile.some(([, h]) => h.value.stage === 'routing')) return { reject: true, why: 'a path the router refuses' }
  if (plan.credential.status !== null) return { status: plan.credential.status, why: plan.credential.description }
  const body = plan.body
  // An operation that declares no body reads none (GETs, DELETEs, the resend PUTs): whatever is
  // sent is ignored, its size, Content-Type and Content-Encoding too (src/plugins/bodyless.ts).
  if (spec.body !== 'none') {
    if (plan.encoding !== undefined && !(IDENTITY_ENCODINGS as readonly string[]).includes(plan.encoding)) return { status: 415, why: `Content-Encoding ${plan.encoding}` }
    if (body.kind !== 'none') {
      const isJson = body.contentType !== undefined && (JSON_CONTENT_TYPES as readonly string[]).includes(body.contentType)
      if (!isJson && (body.contentType !== undefined || payloadBytes > 0)) return { status: 415, why: body.description }
      if (isJson && payloadBytes > BODY_LIMIT) return { status: 413, why: body.description }
      if (isJson && body.verdict === 'parse') return { status: 400, why: body.description }
    }
    if (body.verdict === 'schema') return { status: 400, why: body.description }
  }
  if (spec.query) {
    // Unknown keys are ignored (the page schema allows them); page or pageSize twice is an array, refused.
    const known = plan.query.filter((q) => q.key === 'page' || q.key === 'pageSize')
    if (known.some((q) => !q.valid) || new Set(known.map((q) => q.key)).size < known.length) return { status: 400, why: 'a bad page or pageSize' }
  }
  for (const [name, h] of hostile) {
    const integer = INTEGER_PARAMS.includes(spec.params[name]!)
    if (!integer || !coercesToId(h.value.text)) return { reject: true, why: `${name} ${JSON.stringify(h.value.text.slice(0, 60))}` }
  }
  return { reject: false, why: 'valid' }
}

// ---------------------------------------------------------------------------------------------
// Sending a plan.

function candidates (kind: ParamKind, state: State, world: World): string[] {
  switch (kind) {
    case 'project':
      return [...state.projects.keys(), world.foreign.projectId, ...world.deleted, 'cnoproject000000000000000']
    case 'projectInvitation':
      return [...[...state.projectInvitations.keys()].map(String), String(world.foreign.projectInvitationId), '999999']
    case 'organizationInvitation':
      return [...[...state.organizationInvitations.keys()].map(String), String(world.foreign.organizationInvitationId), '999999']
    case 'user':
      return [...world.users.keys(), world.foreign.userId, 'cnouser000000000000000000']
    case 'apiKey':
      return [...[...state.keys.keys()].map(String), String(world.foreign.apiKeyId), '999999']
    case 'policy':
      return [...state.policies.keys(), world.foreign.policyId, world.foreign.projectPolicyId, UNKNOWN_UUID]
    case 'role':
      return [...state.customRoles.keys(), SYS.organization.Admin, SYS.project.Member, world.foreign.roleId, world.foreign.orgRoleId, UNKNOWN_UUID]
    case 'governancePolicy':
      return [...world.governance.keys(), world.foreign.governancePolicyId, 'cnogovernance000000000000']
  }
}

function resolveRef (ref: Ref, state: State, world: World, route: string, params: Record<string, string>): string {
  const at = <T> (list: T[], n: number): T => list[n % list.length]!
  const owner = params['projectId'] ?? null
  switch (ref.ref) {
    case 'role': {
      const scope = route.includes('/organization/') ? 'organization' : 'project'
      if (ref.which === 'custom') {
        const custom = [...state.customRoles].filter(([, r]) => scope === 'organization' ? r.projectId === null : r.projectId !== null).map(([id]) => id)
        return custom.length === 0 ? SYS.project.Member : at(custom, ref.n)
      }
      if (ref.which === 'foreign') return world.foreign.roleId
      if (ref.which === 'unknown') return '00000000-0000-4000-8000-000000000000'
      return ref.which === 'Admin' ? SYS.organization.Admin : ref.which === 'Manager' ? SYS.project.Manager : SYS[scope][ref.which]
    }
    case 'email': {
      const list = ref.which === 'member'
        ? [...world.users.values()]
        : ref.which === 'nonMember'
          ? ['m1@b.example', 'nobody@a.example', 'pending@a.example']
          : [...state.projectInvitations.values(), ...state.organizationInvitations.values()].filter((i) => i.status === (ref.which === 'pending' ? 'PENDING' : 'DECLINED')).map((i) => i.email)
      const address = list.length === 0 ? 'fallback@a.example' : at(list, ref.n)
      return ref.upper ? address.toUpperCase() : address
    }
    case 'takenName':
      return at([...[...state.projects.values()].map((x) => x.name), 'Main', 'main', 'Main '], ref.n)
    case 'permission': {
      const same = owner === null ? world.permissions.organization : world.permissions.project
      const other = owner === null ? world.permissions.project : world.permissions.organization
      return ref.which === 'unknown' ? UNKNOWN_UUID : at([...(ref.which === 'same' ? same : other).keys()], ref.n)
    }
    case 'policy': {
      if (ref.which === 'foreign') return at([world.foreign.policyId, world.foreign.projectPolicyId], ref.n)
      if (ref.which === 'unknown') return UNKNOWN_UUID
      const list = [...state.policies].filter(([, x]) => (x.projectId === owner) === (ref.which === 'same')).map(([id]) => id)
      return list.length === 0 ? UNKNOWN_UUID : at(list, ref.n)
    }
    case 'project': {
      const list = ref.which === 'own' ? [...state.projects.keys()] : ref.which === 'deleted' ? world.deleted : ref.which === 'foreign' ? [world.foreign.projectId] : ['cnoproject000000000000000']
      return list.length === 0 ? 'cnoproject000000000000000' : at(list, ref.n)
    }
    case 'takenPolicyName':
      return at([...[...state.policies.values()].filter((x) => x.projectId === owner).map((x) => x.name), 'Billing', 'billing', 'Tracing'], ref.n)
    case 'takenRoleName': {
      const names = [...SYSTEM_NAMES[owner === null ? 'organization' : 'project'], ...[...state.customRoles.values()].filter((x) => x.projectId === owner).map((x) => x.name), 'Auditor', 'Reviewer']
      const name = at(names, ref.n)
      return ref.upper ? name.toUpperCase() : name
    }
    case 'takenOrgName':
      return at([world.foreign.organizationName, state.organizationName, world.foreign.organizationName.toUpperCase()], ref.n)
  }
}

function resolveTemplate (node: Template, state: State, world: World, route: string, params: Record<string, string>): JsonNode {
  if (node.kind === 'ref') return str(resolveRef(node.value, state, world, route, params))
  if (node.kind === 'array') return arr(node.items.map((x) => resolveTemplate(x as Template, state, world, route, params)))
  if (node.kind === 'object') return obj(node.entries.map(([k, v]) => [k, resolveTemplate(v as Template, state, world, route, params)]))
  return node
}

function describePlan (plan: Plan): string {
  return `${plan.route} params=${short(plan.params)} query=${short(plan.query.map((q) => q.text))} body=${plan.body.description}:${short(plan.body.raw ?? plan.body.template)} ` +
    `content-type=${short(plan.body.contentType)} credential=${plan.credential.description} encoding=${short(plan.encoding)} extra=${short(plan.extra)}`
}

/**
 * The status a credential gets as the model stands: A's key works while it is valid; the project
 * key is a 403 while it exists and is valid (deleting its project deletes it), a 401 after; the
 * key marked invalid works once a PUT made it valid again.
 */
function credentialStatus (credential: CredentialVariant, state: State, world: World): 401 | 403 | null {
  const valid = (id: number) => state.keys.get(id)?.valid === true
  if (credential.status === null) return valid(world.keyIds.key) ? null : 401
  if (credential.status === 403) return valid(world.keyIds.projectKey) ? 403 : 401
  if (credential.description === 'a key marked invalid') return valid(world.keyIds.invalidKey) ? null : 401
  return credential.status
}

async function send (world: World, state: State, plan: Plan, stats: Stats): Promise<void> {
  const spec = ROUTES[plan.route]!
  const [method, path] = plan.route.split(' ') as [string, string]
  const values: Record<string, string> = {}
  const segments: string[] = []
  for (const name of Object.keys(spec.params)) {
    const pk = plan.params[name]!
    if (pk.kind === 'pick') {
      const list = candidates(spec.params[name]!, state, world)
      values[name] = list[pk.n % list.length]!
      segments.push(encodeURIComponent(values[name]))
    } else {
      segments.push(pk.value.text)
      // A hostile spelling of an integer that still names one (" 1", "1.0"): the handler sees that id.
      if (INTEGER_PARAMS.includes(spec.params[name]!) && coercesToId(pk.value.text)) values[name] = String(Number(decodeURIComponent(pk.value.text)))
    }
  }
  let i = 0
  const url = path.replace(/\{\}/g, () => segments[i++]!) + queryText(plan.query)
  let payload: string | Buffer | undefined
  let sentBody: unknown
  if (plan.body.kind !== 'none') {
    if (plan.body.raw !== undefined) {
      payload = plan.body.raw
    } else {
      const node = resolveTemplate(plan.body.template as Template, state, world, plan.route, values)
      payload = jsonText(node)
      try {
        sentBody = JSON.parse(payload)
      } catch { /* never: templates are JSON */ }
    }
  }
  const headers = headersOf(plan)
  const bytes = payload === undefined ? 0 : Buffer.byteLength(payload)
  const credential = { ...plan.credential, status: credentialStatus(plan.credential, state, world) }
  const expectation = expectationOf({ ...plan, credential }, bytes)
  const options: InjectOptions = { method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) }
  const res = await requestWithin(world.app, options)
  const body = checkAnswer(res, expectation, () => describePlan(plan))
  if (!count(stats, res.statusCode)) return
  const query: Record<string, number> = {}
  for (const q of plan.query) {
    if (q.key === 'page' || q.key === 'pageSize') query[q.key] = Number(decodeURIComponent(q.text.split('=')[1]!))
  }
  const ctx: Ctx = {
    state,
    world,
    params: values,
    query,
    body: sentBody,
    check: (ok, message) => { if (!ok) throw new Error(`${method} ${url}: ${message()}\n  request: ${describePlan(plan)}`) }
  }
  spec.success(ctx, body.data)
}

// ---------------------------------------------------------------------------------------------

t.test('hostile requests on every /v1 route: 4xx envelopes, never a 5xx; the database as the 2xx answers said', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_MAX_EMAILS: MAX_EMAILS, CONFIDENT_MOCK_JOURNAL_SIZE: 50 } })
  const served = servedKeys(app, VENDOR_PREFIX)
  t.ok(served.length >= 53, `${served.length} /v1 routes served (the vendor's 53 operations)`)
  assertEachRouteCovered(t, served, Object.keys(ROUTES), 'request generator')

  const prototypes = prototypesNow()
  // Keys are minted per world, so the credential variants are drawn per run: keys stand in as placeholders.
  const PLACEHOLDER = { key: 'confident_org_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', projectKey: 'confident_proj_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', invalidKey: 'confident_org_cccccccccccccccccccccccccccccccc' }
  const swapKeys = (plan: Plan, world: World): Plan => {
    const swap = (v: string) => v.replaceAll(PLACEHOLDER.key, world.a.key).replaceAll(PLACEHOLDER.projectKey, world.a.projectKey)
      .replaceAll(PLACEHOLDER.invalidKey, world.a.invalidKey).replaceAll(PLACEHOLDER.key.toUpperCase(), world.a.key.toUpperCase())
      .replaceAll(PLACEHOLDER.key.slice(0, -1), world.a.key.slice(0, -1))
    const headers = Object.fromEntries(Object.entries(plan.credential.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(swap) : swap(v)]))
    return { ...plan, credential: { ...plan.credential, headers } }
  }

  const all: Stats = { requests: 0, success: 0, rejected: 0, byStatus: new Map() }
  for (const route of Object.keys(ROUTES).filter((r) => served.includes(r))) {
    await t.test(route, async (t) => {
      const stats = newStats()
      // The route itself most of the time; other routes between make the state it meets vary.
      const anyRoute = fc.constantFrom(...Object.keys(ROUTES).filter((r) => served.includes(r))).chain((r) => planArbitrary(r, PLACEHOLDER))
      const plans = fc.array(fc.oneof({ weight: 2, arbitrary: planArbitrary(route, PLACEHOLDER) }, { weight: 1, arbitrary: anyRoute }), { minLength: 1, maxLength: 12 })
      await fc.assert(fc.asyncProperty(plans, async (sequence) => {
        const world = await freshWorld(app)
        const state = readState(app, world.a.organizationId)
        const bBefore = await everythingOf(app, world.b)
        for (const plan of sequence) await send(world, state, swapKeys(plan, world), stats)
        checkDatabase(app, plain(readState(app, world.a.organizationId)), plain(state), prototypes)
        if (await everythingOf(app, world.b) !== bBefore) throw new Error('organization B changed')
      }), fcParameters(RUNS))
      t.ok(stats.requests > 0, summary(stats))
      all.requests += stats.requests
      all.success += stats.success
      all.rejected += stats.rejected
    })
  }
  // Over all routes: the mix reached the handlers and was refused too (per route a few runs may be all of one kind).
  t.ok(all.success > 0 && all.rejected > 0, `${all.requests} requests: ${all.success} 2xx, ${all.rejected} 4xx`)
})
