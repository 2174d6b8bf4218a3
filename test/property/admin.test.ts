// Hostile input against every /__admin route (fast-check), with and without an admin token: 4xx envelopes, never a 5xx; the state as the 2xx answers said.
import fc from 'fast-check'
import type { InjectOptions } from 'fastify'
import t, { type Test } from 'tap'
import type { App } from '../../src/app.js'
import { CONTROL_PREFIX } from '../../src/http/prefixes.js'
import { systemRoleId } from '../../src/domain/roles.js'
import type { Fixtures } from '../../src/boot-state/schema.js'
import { checkAnswer, checkDatabase, count, headersOf, newStats, prototypesNow, requestWithin, short, summary, type Expectation, type Stats } from '../helpers/answers.js'
import { build, T0 } from '../helpers/build.js'
import { assertEachRouteCovered, servedKeys } from '../helpers/routes.js'
import {
  adminTokenVariants, arr, atLimit, brokenJson, coercesToId, EMPTY_BODIES, fcParameters, fromValue, harmlessHeaders, hostileIdSegment,
  hostileIntegerSegment, IDENTITY_ENCODINGS, integerQueryPart, JSON_CONTENT_TYPES, jsonText, jsonValue, lit, obj, oddNonEmpty, oddString,
  OTHER_CONTENT_TYPES, OTHER_ENCODINGS, overLimit, pollutingEntries, queryText, SQL_FRAGMENTS, str, unknownQueryPart, withDuplicateKey,
  withInvalidUtf8, withLoneSurrogate, type CredentialVariant, type JsonNode, type PathValue, type QueryPart
} from '../helpers/hostile.js'

/** Runs per route and configuration: 23 routes × 2 × RUNS × up to 10 requests; about 10 s on the 2-core machine (FC_NUM_RUNS=40 for a deep run). */
const RUNS = 5
const TOKEN = 'property-admin-token-0123456789'
const BOOT_KEY = 'confident_org_b007b007b007b007b007b007b007b007'
const BODY_LIMIT = 1024 * 1024
const SNAPSHOT_LIMIT = 64 * 1024 * 1024

/** The boot fixtures: what a reset to fixtures brings back. */
const BOOT: Fixtures = {
  organizations: [{
    name: 'Boot',
    plan: 'TEAM',
    apiKeys: [{ key: BOOT_KEY, name: 'boot' }],
    members: [{ email: 'owner@boot.example', role: 'Owner' }, { email: 'm@boot.example' }],
    roles: [{ name: 'Auditor' }],
    projects: [{ name: 'Web', roles: [{ name: 'Reviewer' }], invitations: [{ email: 'fixture@boot.example' }] }],
    invitations: [{ email: 'org-fixture@boot.example', status: 'DECLINED' }]
  }]
}

// ---------------------------------------------------------------------------------------------
// The model: the stored state in a comparable form, computed the same way from the database's
// tables and from a snapshot document's, plus what lives in memory (faults, journal, clock).

type Row = Record<string, unknown>
type Tables = Record<string, Row[] | undefined>

interface Stored {
  organizations: Array<[string, string, string, number | null]>
  projects: Array<[string, string, string]>
  keys: Array<[string, number]>
  roles: Array<[string, string, string | null, string]>
  orgMembers: Array<[string, string, string]>
  projectMembers: Array<[string, string]>
  invitations: Array<[string, string, string, string]>
  emails: Array<[number, string, string, string, string | null, number]>
  users: string[]
}

const SYSTEM_ROLE_NAMES = new Map<string, string>([
  ...(['Owner', 'Admin', 'Member'] as const).map((n) => [systemRoleId('ORGANIZATION', n), n] as [string, string]),
  ...(['Owner', 'Manager', 'Member'] as const).map((n) => [systemRoleId('PROJECT', n), n] as [string, string])
])

const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)

/** The comparable state of a set of tables (the database's, or a snapshot's). */
function storedOf (tables: Tables): Stored {
  const rows = (name: string) => tables[name] ?? []
  const email = new Map(rows('users').map((u) => [u['id'] as string, u['email'] as string]))
  const roleName = new Map([...SYSTEM_ROLE_NAMES, ...rows('roles').map((r) => [r['id'] as string, r['name'] as string] as [string, string])])
  const projectOrg = new Map(rows('projects').map((p) => [p['id'] as string, p['organization_id'] as string]))
  const keyCounts = new Map<string, number>()
  for (const k of rows('api_keys')) keyCounts.set(k['organization_id'] as string, (keyCounts.get(k['organization_id'] as string) ?? 0) + 1)
  return {
    organizations: rows('organizations').map((o): Stored['organizations'][number] => [o['id'] as string, o['name'] as string, o['plan'] as string, (o['trial_ends_at'] ?? null) as number | null]).sort(byJson),
    projects: rows('projects').map((p): Stored['projects'][number] => [p['id'] as string, p['organization_id'] as string, p['name'] as string]).sort(byJson),
    keys: [...keyCounts].sort(byJson),
    roles: rows('roles').filter((r) => r['organization_id'] != null)
      .map((r): Stored['roles'][number] => [r['id'] as string, r['organization_id'] as string, (r['project_id'] ?? null) as string | null, r['name'] as string]).sort(byJson),
    orgMembers: rows('organization_members').map((m): Stored['orgMembers'][number] => [m['organization_id'] as string, email.get(m['user_id'] as string)!, roleName.get(m['role_id'] as string)!]).sort(byJson),
    projectMembers: rows('project_members').map((m): Stored['projectMembers'][number] => [m['project_id'] as string, email.get(m['user_id'] as string)!]).sort(byJson),
    invitations: [
      ...rows('project_invitations').map((i): Stored['invitations'][number] => ['PROJECT', projectOrg.get(i['project_id'] as string)!, i['email'] as string, i['status'] as string]),
      ...rows('organization_invitations').map((i): Stored['invitations'][number] => ['ORGANIZATION', i['organization_id'] as string, i['email'] as string, i['status'] as string])
    ].sort(byJson),
    emails: rows('invitation_emails').map((e): Stored['emails'][number] => [e['id'] as number, e['kind'] as string, e['to_email'] as string, e['organization_id'] as string,
      (e['project_id'] ?? null) as string | null, e['invitation_id'] as number]).sort(byJson),
    users: rows('users').map((u) => u['email'] as string).sort()
  }
}

function tablesOf (app: App): Tables {
  const names = app.sqlite.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != '__drizzle_migrations'").all() as Array<{ name: string }>
  return Object.fromEntries(names.map(({ name }) => [name, app.sqlite.prepare(`select * from "${name}"`).all() as Row[]]))
}

interface Fault {
  id: number
  method: string
  path: string
  status: number | null
  error: string | null
  delayMs: number
  remaining: number | null
  organizationId: string | null
  hits: number
  action: string | null
  headers: Record<string, string>
  rateLimit: { limit: number, windowMs: number, used: number, resetsInMs: number | null } | null
  pending: number
}

interface Model {
  stored: Stored
  faults: Fault[]
  nextFaultId: number
  journal: number
  /** Frozen: the time shown. Running: the time shown at real time `since`. */
  clock: { frozen: boolean, at: number, since: number }
  /** Organizations with a clock of their own; the others read `clock`. */
  orgClocks: Map<string, Model['clock']>
  /** What each organization held when its document made it: what a reset of it makes again (unknown after an import). */
  made: Map<string, Stored>
}

function clockNow (model: Model): number {
  return model.clock.frozen ? model.clock.at : model.clock.at + (Date.now() - model.clock.since)
}

/** One organization's part of the stored state: its row and everything it owns (its users are everyone's). */
function partOf (s: Stored, id: string): Stored {
  const projects = new Set(s.projects.filter(([, o]) => o === id).map(([p]) => p))
  return {
    organizations: s.organizations.filter(([o]) => o === id),
    projects: s.projects.filter(([, o]) => o === id),
    keys: s.keys.filter(([o]) => o === id),
    roles: s.roles.filter(([, o]) => o === id),
    orgMembers: s.orgMembers.filter(([o]) => o === id),
    projectMembers: s.projectMembers.filter(([p]) => projects.has(p)),
    invitations: s.invitations.filter(([, o]) => o === id),
    emails: s.emails.filter(([, , , o]) => o === id),
    users: []
  }
}

/** The stored state with one organization's part replaced (removed, when `part` is null). */
function withPart (s: Stored, id: string, part: Stored | null): Stored {
  const projects = new Set(s.projects.filter(([, o]) => o === id).map(([p]) => p))
  const out: Stored = {
    organizations: s.organizations.filter(([o]) => o !== id),
    projects: s.projects.filter(([, o]) => o !== id),
    keys: s.keys.filter(([o]) => o !== id),
    roles: s.roles.filter(([, o]) => o !== id),
    orgMembers: s.orgMembers.filter(([o]) => o !== id),
    projectMembers: s.projectMembers.filter(([p]) => !projects.has(p)),
    invitations: s.invitations.filter(([, o]) => o !== id),
    emails: s.emails.filter(([, , , o]) => o !== id),
    users: s.users
  }
  if (part !== null) {
    for (const name of Object.keys(out) as Array<keyof Stored>) if (name !== 'users') (out[name] as unknown[]).push(...structuredClone(part[name]))
  }
  sortStored(out)
  return out
}

// ---------------------------------------------------------------------------------------------
// Requests as data.

type Pick = { kind: 'pick', n: number } | { kind: 'hostile', value: PathValue }
/** `organizationScope`: an organization id with more path after it (…/{id}/clock/set), where a dot segment would name another route (/__admin/clock/set). */
type ParamKind = 'organization' | 'organizationScope' | 'fault' | 'unknownPath'
type BodyKind = 'none' | 'tenant' | 'patch' | 'reset' | 'snapshot' | 'freeze' | 'set' | 'advance' | 'token' | 'fault'
type QueryKind = 'none' | 'outbox' | 'journal'

/** A snapshot import made from the live export at the moment it is sent. */
type SnapshotEdit =
  | { op: 'asIs' }
  | { op: 'setCell', table: number, row: number, column: number, value: JsonNode }
  | { op: 'dropRow', table: number, row: number }
  | { op: 'duplicateRow', table: number, row: number }
  | { op: 'dropTable', table: number }
  | { op: 'addTable', name: string }
  | { op: 'addColumn', table: number, row: number, column: string }
  | { op: 'emptyRow', table: number }
  | { op: 'header', field: 'format' | 'version' | 'schema' | 'tables', value: JsonNode }
  | { op: 'sequence', value: JsonNode }

interface BodyPlan {
  kind: 'none' | 'json' | 'bytes' | 'snapshot'
  contentType?: string | undefined
  node?: JsonNode | undefined
  raw?: string | Buffer | undefined
  edits?: SnapshotEdit[] | undefined
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

interface Ctx {
  model: Model
  params: Record<string, string>
  query: Record<string, string | number>
  body: any
  /** The live export a snapshot import was made from, before the edits. */
  check: (ok: boolean, message: () => string) => void
  /** The database's tables as they are now (what a reset of an organization the model knows no document of made). */
  tables: () => Tables
}

interface RouteSpec {
  params: Record<string, ParamKind>
  query: QueryKind
  body: BodyKind
  /** Routes that may be sent no body at all (the control API reads none as {}). */
  optionalBody: boolean
  success: (ctx: Ctx, data: any, status: number) => void
  /** An exact answer the model can tell in advance, when it can. */
  predict?: (ctx: { model: Model, params: Record<string, string> }) => number | null
}

// ---------------------------------------------------------------------------------------------
// Bodies

const PLANS = ['TRIAL', 'FREE', 'STARTER', 'ENTERPRISE', 'TEAM', 'PREMIUM'] as const

/**
 * Date-times the format takes, in every spelling it allows, within years 0000-9990 in UTC. Not the
 * last years: a clock made to run there passes 9999-12-31T23:59:59.999Z, after which answers
 * that show a time as a date-time fail (a known bug, see the report; test/property/found.test.ts
 * covers the last instant with a frozen clock).
 */
const validIso = fc.oneof(
  fc.date({ min: new Date('0001-01-02T00:00:00Z'), max: new Date('9990-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2026-01-15T12:00:00Z', '2026-01-15t12:00:00z', '2026-01-15 12:00:00Z', '2026-01-15T12:00:00.123456789+05:30', '2026-01-15T12:00:00-00:00',
    '0000-01-01T00:00:00Z', '0000-01-01T00:00:00-00:00', '2024-02-29T00:00:00Z')
)

/** Date-time-looking text that must be refused: not ISO, a leap second, past year 9999 or before 0000 in UTC, wrong calendar. */
const invalidIso = fc.constantFrom('2026-06-30T23:59:60Z', '9999-12-31T23:59:59.999-00:01', '0000-01-01T00:00:00+00:01', '2026-02-30T00:00:00Z',
  '2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01', '12:00:00Z', '2026-01-01T00:00:00+99:99', 'now', 'yesterday',
  '1700000000000', '+010000-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z', '', ' 2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z\n', "2026-01-01T00:00:00Z' OR '1'='1")

const EMAILS = ['carol@example.com', 'Dave@Example.COM', "o'reilly@example.com", "'or'1'='1@example.com", '__proto__@example.com', 'p1@x.example', 'owner@boot.example', 'a+b@c.example']

const validEmail = fc.oneof(fc.constantFrom(...EMAILS), fc.stringMatching(/^[a-z0-9]{1,10}@[a-z]{1,8}\.example$/))

/** A valid tenant document with odd content; it may still be refused (a taken id or key, an unknown role). */
const tenantDoc: fc.Arbitrary<JsonNode> = fc.record({
  name: fc.oneof(oddNonEmpty(200), atLimit(200), fc.constantFrom('Boot', 'Acme', 'acme')),
  plan: fc.constantFrom(...PLANS),
  trialEndsAt: fc.oneof(validIso, fc.constant(null)),
  apiKeys: fc.array(fc.record({
    key: fc.oneof(fc.stringMatching(/^confident_org_[0-9a-f]{32}$/), oddString(60).map((s) => `${s}-0123456789abcdef`), fc.constant(BOOT_KEY)),
    name: oddNonEmpty(30),
    valid: fc.boolean(),
    project: fc.constantFrom('P1', 'Nope')
  }, { requiredKeys: ['key'] }), { maxLength: 2 }),
  members: fc.array(fc.record({
    email: validEmail,
    name: fc.oneof(oddNonEmpty(40), fc.constant(null)),
    image: fc.oneof(oddString(60), atLimit(2048), fc.constant(null)),
    role: fc.constantFrom('Owner', 'Admin', 'Member', 'Custom', 'Nope')
  }, { requiredKeys: ['email'] }), { maxLength: 3 }),
  roles: fc.array(fc.record({ name: fc.oneof(oddNonEmpty(40), fc.constant('Custom')), description: fc.oneof(oddString(60), fc.constant(null)) }, { requiredKeys: ['name'] }), { maxLength: 2 }),
  projects: fc.array(fc.record({
    name: fc.oneof(fc.constant('P1'), oddNonEmpty(60)),
    description: fc.oneof(oddString(60), fc.constant(null)),
    roles: fc.array(fc.record({ name: oddNonEmpty(20) }), { maxLength: 2 }),
    invitations: fc.array(fc.record({ email: validEmail, status: fc.constantFrom('PENDING', 'DECLINED', 'ACCEPTED') }, { requiredKeys: ['email'] }), { maxLength: 2 })
  }, { requiredKeys: ['name'] }), { maxLength: 2 }),
  invitations: fc.array(fc.record({ email: validEmail, status: fc.constantFrom('PENDING', 'DECLINED', 'ACCEPTED'), createdAt: validIso }, { requiredKeys: ['email'] }), { maxLength: 2 })
}, { requiredKeys: [] }).map(fromValue)

/** Tenant documents the schema refuses. */
const badTenant: fc.Arbitrary<[JsonNode, string]> = fc.oneof(
  overLimit(200).map((s): [JsonNode, string] => [obj([['name', str(s)]]), 'a name over 200 characters']),
  fc.constant<[JsonNode, string]>([obj([['name', str('')]]), 'an empty name']),
  oddNonEmpty(20).filter((s) => !(PLANS as readonly string[]).includes(s)).map((s): [JsonNode, string] => [obj([['plan', str(s)]]), 'an unknown plan']),
  invalidIso.map((s): [JsonNode, string] => [obj([['trialEndsAt', str(s)]]), `trialEndsAt ${JSON.stringify(s)}`]),
  invalidIso.map((s): [JsonNode, string] => [obj([['invitations', arr([obj([['email', str('a@b.example')], ['createdAt', str(s)]])])]]), `an invitation createdAt ${JSON.stringify(s)}`]),
  fc.tuple(jsonValue.filter((n) => n.kind !== 'string'), fc.constantFrom('name', 'plan', 'trialEndsAt', 'id')).filter(([n, k]) => !(k === 'trialEndsAt' && n.kind === 'literal' && n.text === 'null'))
    .map(([n, k]): [JsonNode, string] => [obj([[k, n]]), `${k} of the wrong type`]),
  fc.tuple(jsonValue.filter((n) => n.kind !== 'array'), fc.constantFrom('apiKeys', 'members', 'roles', 'projects', 'invitations', 'policies', 'governancePolicies'))
    .map(([n, k]): [JsonNode, string] => [obj([[k, n]]), `${k} of the wrong type`]),
  fc.tuple(oddString(8), jsonValue).filter(([k]) => !['name', 'plan', 'trialEndsAt', 'id', 'apiKeys', 'members', 'roles', 'projects', 'invitations', 'policies', 'governancePolicies', '__proto__'].includes(k) && !(k === 'constructor'))
    .map(([k, v]): [JsonNode, string] => [obj([[k, v]]), `an unknown field ${JSON.stringify(k)}`]),
  fc.constantFrom(...['plain', 'a@', 'ſ@example.com', 'A@b@c.example', "' OR 1=1 --@x.example"]).map((e): [JsonNode, string] => [obj([['members', arr([obj([['email', str(e)]])])]]), `a member address ${JSON.stringify(e)}`]),
  fc.constant<[JsonNode, string]>([obj([['apiKeys', arr([obj([['key', str('short')]])])]]), 'a key of 5 characters']),
  withLoneSurrogate().map((s): [JsonNode, string] => [obj([['name', str(s)]]), 'a lone surrogate in the name']),
  withLoneSurrogate().map((s): [JsonNode, string] => [obj([['projects', arr([obj([['name', str(s)]])])]]), 'a lone surrogate in a project name'])
)

const faultBody: fc.Arbitrary<JsonNode> = fc.record({
  method: fc.constantFrom('*', 'GET', 'post', 'Delete', 'PATCH'),
  path: fc.oneof(fc.constantFrom('/v1/**', '/v1/projects/*/invitations', '/**/**/**', '/', '/v1/*'), oddString(40).map((s) => `/${s}`).filter((s) => [...s].length <= 500)),
  status: fc.integer({ min: 400, max: 599 }),
  error: oddNonEmpty(80),
  delayMs: fc.constantFrom(0, 1, 60000),
  times: fc.integer({ min: 1, max: 5 }),
  organizationId: oddNonEmpty(30),
  action: fc.constantFrom('reset', 'hang', 'malformed'),
  headers: fc.dictionary(fc.constantFrom('Retry-After', 'x-ratelimit-remaining', 'X-Request-Id', 'Content-Type', 'WWW-Authenticate', '123'),
    fc.constantFrom('2', '0', '', 'Wed, 21 Oct 2015 07:28:00 GMT', 'caf\u00e9', 'a\tb', 'text/html'), { maxKeys: 3 }),
  rateLimit: fc.record({ limit: fc.integer({ min: 1, max: 1_000_000 }), windowMs: fc.integer({ min: 1, max: 86_400_000 }) })
}, { requiredKeys: ['path'] }).map((f) => {
  // The combinations the handler refuses are left out: otherwise a valid document is a 400 of the handler.
  const fault: Record<string, unknown> = { ...f }
  if (fault['action'] === 'reset' || fault['action'] === 'hang') {
    delete fault['status']
    delete fault['error']
    delete fault['headers']
  }
  if (fault['action'] === 'hang') delete fault['delayMs']
  if (fault['action'] === 'malformed') delete fault['error']
  if (fault['status'] === undefined && fault['action'] === undefined && fault['rateLimit'] === undefined) {
    delete fault['error']
    delete fault['headers']
    if ((fault['delayMs'] ?? 0) === 0) fault['status'] = 503
  }
  return fromValue(fault)
})

const badFault: fc.Arbitrary<[JsonNode, string]> = fc.oneof(
  fc.constant<[JsonNode, string]>([obj([]), 'no path']),
  fc.constantFrom('v1/**', '', '*').map((p): [JsonNode, string] => [obj([['path', str(p)], ['status', lit('500')]]), `path ${JSON.stringify(p)}`]),
  overLimit(500).map((s): [JsonNode, string] => [obj([['path', str(`/${s}`)], ['status', lit('500')]]), 'a path over 500 characters']),
  fc.constantFrom('399', '600', '-1', '500.5', '1e3', '"500"', 'null').map((s): [JsonNode, string] => [obj([['path', str('/v1/**')], ['status', lit(s)]]), `status ${s}`]),
  fc.constantFrom('-1', '60001', '1e9', '0.5', '"10"').map((s): [JsonNode, string] => [obj([['path', str('/v1/**')], ['delayMs', lit(s)]]), `delayMs ${s}`]),
  fc.constantFrom('0', '-1', '1.5', '"1"', '1e400', '9007199254740992').map((s): [JsonNode, string] => [obj([['path', str('/v1/**')], ['status', lit('500')], ['times', lit(s)]]), `times ${s}`]),
  fc.constantFrom('', 'GET POST', 'G3T', 'x'.repeat(17), '**').map((s): [JsonNode, string] => [obj([['path', str('/v1/**')], ['status', lit('500')], ['method', str(s)]]), `method ${JSON.stringify(s)}`]),
  overLimit(1000).map((s): [JsonNode, string] => [obj([['path', str('/v1/**')], ['status', lit('500')], ['error', str(s)]]), 'an error over 1000 characters']),
  fc.constant<[JsonNode, string]>([obj([['path', str('/v1/**')]]), 'neither a status nor a delay']),
  fc.constant<[JsonNode, string]>([obj([['path', str('/v1/**')], ['delayMs', lit('5')], ['error', str('x')]]), 'an error without a status']),
  withLoneSurrogate().map((s): [JsonNode, string] => [obj([['path', str('/v1/**')], ['status', lit('500')], ['error', str(s)]]), 'a lone surrogate in the error']),
  fc.constantFrom('"explode"', '"RESET"', '""', 'null', '1', 'true').map((s): [JsonNode, string] => [obj([['path', str('/v1/**')], ['action', lit(s)]]), `action ${s}`]),
  fc.constantFrom<Array<[string, string]>>([['action', '"reset"'], ['status', '503']], [['action', '"hang"'], ['error', '"x"'], ['status', '500']], [['action', '"reset"'], ['headers', '{"Retry-After":"1"}']],
    [['action', '"hang"'], ['delayMs', '5']], [['action', '"malformed"'], ['error', '"x"']], [['delayMs', '5'], ['headers', '{"Retry-After":"1"}']])
    .map((fields): [JsonNode, string] => [obj([['path', str('/v1/**')], ...fields.map(([k, v]): [string, JsonNode] => [k, lit(v)])]), `contradictory ${fields.map(([k]) => k).join(' and ')}`]),
  fc.constantFrom('{"Bad Name":"x"}', '{"":"x"}', '{"a:b":"x"}', '{"Retry-After":2}', '{"X":"a\\r\\nb"}', '{"X":"\\u20ac"}', '{"Content-Length":"1"}', '{"transfer-encoding":"chunked"}',
    '{"Retry-After":"1","retry-after":"2"}', '[]', '"Retry-After: 1"', JSON.stringify(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-${i}`, 'v']))))
    .map((h): [JsonNode, string] => [obj([['path', str('/v1/**')], ['status', lit('429')], ['headers', lit(h)]]), `headers ${h.slice(0, 60)}`]),
  fc.constantFrom('{"limit":0,"windowMs":10}', '{"limit":1,"windowMs":0}', '{"limit":1}', '{"windowMs":10}', '{"limit":1,"windowMs":86400001}', '{"limit":1000001,"windowMs":10}',
    '{"limit":1.5,"windowMs":10}', '{"limit":1,"windowMs":10,"burst":2}', 'null', '5')
    .map((r): [JsonNode, string] => [obj([['path', str('/v1/**')], ['rateLimit', lit(r)]]), `rateLimit ${r}`])
)

interface BodyArbitraries { valid: fc.Arbitrary<JsonNode>, invalid: fc.Arbitrary<[JsonNode, string]> }

function bodiesOf (kind: BodyKind): BodyArbitraries {
  const wrongRoot = jsonValue.filter((n) => n.kind !== 'object').map((n): [JsonNode, string] => [n, 'not an object'])
  const extraKey = fc.tuple(oddString(8), jsonValue).filter(([k]) => k !== '__proto__' && k !== 'constructor').map(([k, v]): [JsonNode, string] => [obj([[k, v]]), `an unknown field ${JSON.stringify(k)}`])
  switch (kind) {
    case 'tenant':
      return { valid: tenantDoc, invalid: fc.oneof(badTenant, wrongRoot) }
    case 'patch':
      return {
        valid: fc.record({ plan: fc.constantFrom(...PLANS), trialEndsAt: fc.oneof(validIso, fc.constant(null)) }, { requiredKeys: [] }).map(fromValue),
        invalid: fc.oneof(
          invalidIso.map((s): [JsonNode, string] => [obj([['trialEndsAt', str(s)]]), `trialEndsAt ${JSON.stringify(s)}`]),
          oddString(10).filter((s) => !(PLANS as readonly string[]).includes(s)).map((s): [JsonNode, string] => [obj([['plan', str(s)]]), 'an unknown plan']),
          extraKey, wrongRoot)
      }
    case 'reset':
      return {
        valid: fc.constantFrom(obj([]), obj([['to', str('fixtures')]]), obj([['to', str('empty')]])),
        invalid: fc.oneof(oddString(10).filter((s) => s !== 'fixtures' && s !== 'empty').map((s): [JsonNode, string] => [obj([['to', str(s)]]), `to ${JSON.stringify(s)}`]), extraKey, wrongRoot)
      }
    case 'freeze':
      return {
        valid: fc.oneof(fc.constant(obj([])), validIso.map((s) => obj([['at', str(s)]]))),
        invalid: fc.oneof(invalidIso.map((s): [JsonNode, string] => [obj([['at', str(s)]]), `at ${JSON.stringify(s)}`]), extraKey, wrongRoot)
      }
    case 'set':
      return {
        valid: validIso.map((s) => obj([['to', str(s)]])),
        invalid: fc.oneof(invalidIso.map((s): [JsonNode, string] => [obj([['to', str(s)]]), `to ${JSON.stringify(s)}`]), fc.constant<[JsonNode, string]>([obj([]), 'no to']), extraKey, wrongRoot)
      }
    case 'advance':
      return {
        valid: fc.oneof(fc.integer({ min: 0, max: 100 * 86_400_000 }).map((n) => obj([['ms', lit(String(n))]])),
          fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom('ms', 's', 'm', 'h', 'd')).map(([n, u]) => obj([['by', str(`${n}${u}`)]])),
          fc.constantFrom(obj([['by', str('999999999d')]]), obj([['ms', lit('3153600000000')]]))),
        invalid: fc.oneof(
          fc.constantFrom('-1', '1.5', '1e20', '"5"', 'null', '3153600000001').map((s): [JsonNode, string] => [obj([['ms', lit(s)]]), `ms ${s}`]),
          fc.constantFrom('5', '5 d', '5w', '1234567890d', '-5d', '5D', '', '1e3ms').map((s): [JsonNode, string] => [obj([['by', str(s)]]), `by ${JSON.stringify(s)}`]),
          extraKey, wrongRoot)
      }
    case 'token':
      return {
        valid: fc.oneof(fc.nat(9).map((n) => obj([['token', str(`\u0001outbox:${n}`)]])), oddNonEmpty(60).map((s) => obj([['token', str(s)]])),
          fc.constantFrom('pi_1_x', 'oi_1_x', 'pi_999999999_aaaaaaaaaaaaaaaaaaaaaa', 'pi_-1_x', 'pi_1e3_x', 'pi_1_', '__proto__').map((s) => obj([['token', str(s)]]))),
        invalid: fc.oneof(fc.constant<[JsonNode, string]>([obj([['token', str('')]]), 'an empty token']), overLimit(200).map((s): [JsonNode, string] => [obj([['token', str(s)]]), 'a long token']),
          jsonValue.filter((n) => n.kind !== 'string').map((n): [JsonNode, string] => [obj([['token', n]]), 'a token of the wrong type']),
          fc.constant<[JsonNode, string]>([obj([]), 'no token']), withLoneSurrogate().map((s): [JsonNode, string] => [obj([['token', str(s)]]), 'a lone surrogate']), wrongRoot)
      }
    case 'fault':
      return { valid: faultBody, invalid: fc.oneof(badFault, extraKey, wrongRoot) }
    case 'snapshot':
    case 'none':
      return { valid: fc.constant(obj([])), invalid: fc.constant<[JsonNode, string]>([obj([]), 'nothing']) }
  }
}

function snapshotEdit (): fc.Arbitrary<SnapshotEdit> {
  const hostileValue = fc.oneof(jsonValue, fc.constantFrom(...SQL_FRAGMENTS).map(str), fc.constantFrom('9007199254740993', '1e400', '-1', '0', '8640000000000001', '253402300800000', '-62167219200001').map(lit))
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<SnapshotEdit>({ op: 'asIs' }) },
    { weight: 6, arbitrary: fc.record({ op: fc.constant('setCell' as const), table: fc.nat(), row: fc.nat(), column: fc.nat(), value: hostileValue }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('dropRow' as const), table: fc.nat(), row: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicateRow' as const), table: fc.nat(), row: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('dropTable' as const), table: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('addTable' as const), name: fc.oneof(oddString(10), fc.constantFrom('sqlite_master', '__drizzle_migrations', 'meta"; DROP TABLE users; --', '__proto__')) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('addColumn' as const), table: fc.nat(), row: fc.nat(), column: fc.oneof(oddString(10), fc.constantFrom('rowid', 'oid', '"id"', 'id"); DROP TABLE users; --')) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('emptyRow' as const), table: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('header' as const), field: fc.constantFrom('format' as const, 'version' as const, 'schema' as const, 'tables' as const), value: jsonValue }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('sequence' as const), value: jsonValue }) }
  )
}

/** Applies the edits to a fresh export. Counter rewinds are left out: see the report on ids (a known bug, not fixed here). */
function applyEdits (doc: any, edits: SnapshotEdit[]): any {
  for (const e of edits) {
    // An earlier edit may have made "tables" something else: table edits then have nothing to edit.
    const tables = typeof doc.tables === 'object' && doc.tables !== null && !Array.isArray(doc.tables) ? doc.tables as Record<string, unknown> : null
    // Tables still made of rows: a sequence edit may have made one an array of anything.
    const names = tables === null ? [] : Object.keys(tables).filter((n) => Array.isArray(tables[n]) && (tables[n] as unknown[]).every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))).sort()
    if (names.length === 0 && !['asIs', 'header', 'sequence', 'addTable'].includes(e.op)) continue
    if (tables === null && e.op !== 'header' && e.op !== 'asIs') continue
    const tableAt = (n: number) => names[n % names.length]!
    switch (e.op) {
      case 'asIs':
        break
      case 'setCell': {
        const rows = doc.tables[tableAt(e.table)] as Row[]
        if (rows.length === 0) break
        const row = rows[e.row % rows.length]!
        const columns = Object.keys(row)
        const column = columns[e.column % columns.length]!
        const value = JSON.parse(jsonText(e.value)) as unknown
        // The id counter going back would hand out ids already in use (see the report): not applied.
        if (row['key'] === 'id_counter' && column === 'value') break
        Object.defineProperty(row, column, { value, enumerable: true, configurable: true, writable: true })
        break
      }
      case 'dropRow': {
        const rows = doc.tables[tableAt(e.table)] as Row[]
        if (rows.length > 0) rows.splice(e.row % rows.length, 1)
        break
      }
      case 'duplicateRow': {
        const rows = doc.tables[tableAt(e.table)] as Row[]
        if (rows.length > 0) rows.push({ ...rows[e.row % rows.length]! })
        break
      }
      case 'dropTable':
        delete doc.tables[tableAt(e.table)]
        break
      case 'addTable':
        Object.defineProperty(doc.tables, e.name, { value: [], enumerable: true, configurable: true, writable: true })
        break
      case 'addColumn': {
        const rows = doc.tables[tableAt(e.table)] as Row[]
        if (rows.length > 0) Object.defineProperty(rows[e.row % rows.length]!, e.column, { value: 1, enumerable: true, configurable: true, writable: true })
        break
      }
      case 'emptyRow':
        (doc.tables[tableAt(e.table)] as Row[]).push({})
        break
      case 'header':
        doc[e.field] = JSON.parse(jsonText(e.value)) as unknown
        break
      case 'sequence':
        doc.tables.sqlite_sequence = JSON.parse(jsonText(e.value)) as unknown
        break
    }
  }
  return doc
}

function bodyPlan (kind: BodyKind, method: string, optional: boolean): fc.Arbitrary<BodyPlan> {
  const json = fc.constantFrom(...JSON_CONTENT_TYPES)
  if (kind === 'snapshot') {
    const edits = fc.array(snapshotEdit(), { minLength: 1, maxLength: 3 })
    return fc.oneof(
      { weight: 4, arbitrary: fc.tuple(edits, json).map(([e, contentType]): BodyPlan => ({ kind: 'snapshot', contentType, edits: e, verdict: 'valid', description: `snapshot ${e.map((x) => x.op).join(',')}` })) },
      { weight: 1, arbitrary: fc.tuple(jsonValue, json).map(([node, contentType]): BodyPlan => ({ kind: 'json', contentType, node, verdict: node.kind === 'object' ? 'valid' : 'schema', description: 'any JSON' })) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...EMPTY_BODIES), json).map(([raw, contentType]): BodyPlan => ({ kind: 'json', contentType, raw, verdict: 'valid', description: 'an empty body' })) },
      { weight: 1, arbitrary: json.chain((contentType) => withInvalidUtf8('{"format":"confident-mock-snapshot","tables":{}}').map((raw): BodyPlan => ({ kind: 'bytes', contentType, raw, verdict: 'parse', description: 'invalid UTF-8' }))) },
      { weight: 1, arbitrary: json.chain((contentType) => withDuplicateKey([['format', str('confident-mock-snapshot')], ['version', lit('1')], ['tables', obj([])]]).map((raw): BodyPlan => ({ kind: 'json', contentType, raw, verdict: 'parse', description: 'a duplicated key' }))) }
    )
  }
  const { valid, invalid } = bodiesOf(kind)
  // __proto__ and constructor.prototype are dropped by the parser; a plain "prototype" key is an unknown field, which these schemas refuse.
  const withExtras = fc.tuple(valid, fc.oneof(fc.constant<Array<[string, JsonNode]>>([]), pollutingEntries().filter((entries) => entries.every(([k]) => k !== 'prototype'))))
    .map(([node, extra]) => node.kind === 'object' ? obj([...node.entries, ...extra]) : node)
  // JSON null is read as no body, like an empty one.
  const verdictOf = (node: JsonNode, otherwise: BodyPlan['verdict']): BodyPlan['verdict'] => node.kind === 'literal' && node.text === 'null' ? (optional ? 'valid' : 'schema') : otherwise
  const plans: Array<fc.Arbitrary<BodyPlan>> = [
    fc.tuple(withExtras, json).map(([node, contentType]): BodyPlan => ({ kind: 'json', contentType, node, verdict: 'valid', description: 'valid' })),
    fc.tuple(invalid, json).map(([[node, why], contentType]): BodyPlan => ({ kind: 'json', contentType, node, verdict: kind === 'none' ? 'valid' : verdictOf(node, 'schema'), description: why })),
    // (A blank one is no body here, not broken JSON.)
    fc.tuple(valid, json).chain(([node, contentType]) => brokenJson(jsonText(node)).filter((raw) => raw.trim() !== '')
      .map((raw): BodyPlan => ({ kind: 'json', contentType, raw, verdict: 'parse', description: 'broken JSON' }))),
    fc.tuple(valid, json).chain(([node, contentType]) => withInvalidUtf8(jsonText(node)).map((raw): BodyPlan => ({ kind: 'bytes', contentType, raw, verdict: 'parse', description: 'invalid UTF-8' }))),
    fc.tuple(valid, json).chain(([node, contentType]) => withDuplicateKey(node.kind === 'object' ? node.entries : []).map((raw): BodyPlan => ({ kind: 'json', contentType, raw, verdict: 'parse', description: 'a duplicated key' }))),
    // Blank with a JSON type: the control API reads it as no body.
    fc.tuple(fc.constantFrom(...EMPTY_BODIES), json).map(([raw, contentType]): BodyPlan => ({ kind: 'json', contentType, raw, verdict: optional ? 'valid' : 'schema', description: 'an empty body' })),
    fc.tuple(valid, fc.constantFrom(...OTHER_CONTENT_TYPES, undefined)).map(([node, contentType]): BodyPlan => ({ kind: 'json', contentType, raw: jsonText(node), verdict: 'valid', description: `sent as ${contentType ?? 'no content type'}` })),
    fc.tuple(valid, json).map(([node, contentType]): BodyPlan => ({ kind: 'json', contentType, node: obj([...(node.kind === 'object' ? node.entries : []), ['padding', str('p'.repeat(BODY_LIMIT))]]), verdict: 'valid', description: 'over 1 MiB' })),
    fc.constant<BodyPlan>({ kind: 'none', verdict: optional ? 'valid' : 'schema', description: 'no body' })
  ]
  const usual = method === 'GET' || kind === 'none' ? fc.constant<BodyPlan>({ kind: 'none', verdict: 'valid', description: 'no body' }) : plans[0]!
  return fc.oneof({ weight: 3, arbitrary: usual }, ...plans.map((arbitrary) => ({ weight: 1, arbitrary })))
}

// ---------------------------------------------------------------------------------------------
// Queries

function queryPlan (kind: QueryKind): fc.Arbitrary<QueryPart[]> {
  if (kind === 'none') return fc.oneof({ weight: 3, arbitrary: fc.constant<QueryPart[]>([]) }, { weight: 1, arbitrary: fc.array(unknownQueryPart().map((q) => ({ ...q, valid: true })), { maxLength: 2 }) })
  const text = (key: string, max: number): fc.Arbitrary<QueryPart> => fc.oneof(
    fc.oneof(oddString(Math.min(max, 30)), fc.constantFrom('p1@x.example', 'P1@X.EXAMPLE', '/v1/**', '/v1/projects/*/invitations', 'POST', 'get')).map((v) => ({ text: `${key}=${encodeURIComponent(v)}`, valid: [...v].length <= max, key })),
    overLimit(max).map((v) => ({ text: `${key}=${v}`, valid: false, key })),
    fc.constantFrom('%zz', '%ED%A0%80', '%').map((v) => ({ text: `${key}=${v}`, valid: true, key }))
  )
  const parts = kind === 'outbox'
    ? fc.oneof(text('to', 254), fc.constantFrom('PROJECT', 'ORGANIZATION', 'project', 'x', '').map((v) => ({ text: `kind=${v}`, valid: v === 'PROJECT' || v === 'ORGANIZATION', key: 'kind' })),
      text('organizationId', 200), text('projectId', 200), integerQueryPart('invitationId', 1, Number.MAX_SAFE_INTEGER))
    : fc.oneof(text('method', 16), text('path', 500), integerQueryPart('status', 100, 599), text('organizationId', 200),
      integerQueryPart('since', 0, Number.MAX_SAFE_INTEGER), integerQueryPart('limit', 1, 100000))
  // These schemas take no other key: an unknown one is a 400.
  return fc.oneof({ weight: 2, arbitrary: fc.constant<QueryPart[]>([]) }, { weight: 3, arbitrary: fc.array(fc.oneof({ weight: 4, arbitrary: parts }, { weight: 1, arbitrary: unknownQueryPart() }), { maxLength: 3 }) })
}

// ---------------------------------------------------------------------------------------------
// The routes

const iso = (ms: number) => new Date(ms).toISOString()

function emailsMatching (model: Model, q: Record<string, string | number>) {
  return model.stored.emails.filter(([, kind, to, org, project, invitation]) =>
    (q['to'] === undefined || to === String(q['to']).toLowerCase()) && (q['kind'] === undefined || kind === q['kind']) &&
    (q['organizationId'] === undefined || org === q['organizationId']) && (q['projectId'] === undefined || project === q['projectId']) &&
    (q['invitationId'] === undefined || invitation === q['invitationId']))
}

function clockAnswer (ctx: Ctx, data: any) {
  const expected = clockNow(ctx.model)
  const shown = Date.parse(data.now)
  ctx.check(data.frozen === ctx.model.clock.frozen && (ctx.model.clock.frozen ? shown === expected : Math.abs(shown - expected) < 5000),
    () => `clock ${JSON.stringify(data)}, the model has ${iso(expected)} ${ctx.model.clock.frozen ? 'frozen' : 'running'}`)
}

function setClock (ctx: Ctx, at: number) {
  ctx.model.clock = { frozen: ctx.model.clock.frozen, at, since: Date.now() }
}

function tenantCreated (ctx: Ctx, data: any) {
  const s = ctx.model.stored
  const doc = ctx.body ?? {}
  ctx.check(!s.organizations.some(([id]) => id === data.id), () => `tenant ${data.id} "${data.name}": the id was taken`)
  ctx.check(data.name === (doc.name ?? `Organization ${data.id}`) && data.plan === (doc.plan ?? 'TEAM'), () => `tenant ${JSON.stringify(data).slice(0, 300)}`)
  s.organizations.push([data.id, data.name, data.plan, data.trialEndsAt === null ? null : Date.parse(data.trialEndsAt)])
  for (const p of data.projects) {
    s.projects.push([p.id, data.id, p.name])
    for (const r of p.roles) s.roles.push([r.id, data.id, p.id, r.name])
  }
  for (const r of data.roles) s.roles.push([r.id, data.id, null, r.name])
  s.keys.push([data.id, data.apiKeys.length])
  for (const m of data.members) {
    s.orgMembers.push([data.id, m.email, m.role])
    if (!s.users.includes(m.email)) s.users.push(m.email)
  }
  // The fixtures loader merges: projects of one name are one project, and an address invited twice
  // to one of them (or to the organization) keeps its first invitation.
  const seen = new Set<string>()
  const invite = (kind: string, owner: string, email: string, status: string) => {
    const key = `${kind}|${owner}|${email.toLowerCase()}`
    if (seen.has(key)) return
    seen.add(key)
    s.invitations.push([kind, data.id, email.toLowerCase(), status])
  }
  for (const p of doc.projects ?? []) {
    for (const i of p.invitations ?? []) invite('PROJECT', p.name, i.email, i.status ?? 'PENDING')
  }
  for (const i of doc.invitations ?? []) invite('ORGANIZATION', data.id, i.email, i.status ?? 'PENDING')
  sortStored(s)
  ctx.model.made.set(data.id, structuredClone(partOf(s, data.id)))
}

function sortStored (s: Stored) {
  for (const list of [s.organizations, s.projects, s.keys, s.roles, s.orgMembers, s.projectMembers, s.invitations, s.emails]) (list as unknown[]).sort(byJson)
  s.users.sort()
}

function responded (ctx: Ctx, data: any, decision: 'ACCEPTED' | 'DECLINED') {
  const s = ctx.model.stored
  const org = data.kind === 'PROJECT' ? s.projects.find(([id]) => id === data.projectId)?.[1] : data.organizationId
  const at = s.invitations.findIndex(([kind, o, email, status]) => kind === data.kind && o === org && email === data.invitation.email && status === 'PENDING')
  ctx.check(at !== -1 && data.invitation.status === decision, () => `responded ${JSON.stringify(data)}: no such PENDING invitation in the model`)
  s.invitations[at]![3] = decision
  if (decision === 'ACCEPTED') {
    const email = data.invitation.email as string
    if (!s.users.includes(email)) s.users.push(email)
    const roleId = data.kind === 'ORGANIZATION' ? data.invitation.organizationRoleId : null
    const role = roleId === null ? 'Member' : (SYSTEM_ROLE_NAMES.get(roleId) ?? s.roles.find(([id]) => id === roleId)?.[3])!
    if (!s.orgMembers.some(([o, e]) => o === org && e === email)) s.orgMembers.push([org!, email, role])
    if (data.kind === 'PROJECT' && !s.projectMembers.some(([p, e]) => p === data.projectId && e === email)) s.projectMembers.push([data.projectId, email])
  }
  sortStored(s)
}

/** Each organization's part of a state just made from documents (the boot fixtures). */
const madeOf = (s: Stored): Map<string, Stored> => new Map(s.organizations.map(([id]) => [id, structuredClone(partOf(s, id))]))

/** An organization's clock answer: its own clock, or the server clock it follows. */
function orgClockAnswer (ctx: Ctx, id: string, data: any) {
  const own = ctx.model.orgClocks.get(id)
  clockAnswer({ ...ctx, model: own === undefined ? ctx.model : { ...ctx.model, clock: own } }, data)
}

/**
 * One organization's clock and its reset. A write on an organization without a clock of its own
 * first copies the server clock as it stands; then it moves as the server clock's routes do.
 */
function organizationRoutes (boot: () => Stored): Record<string, RouteSpec> {
  const org = { params: { organizationId: 'organizationScope' as const }, query: 'none' as const, body: 'none' as const, optionalBody: true }
  const exists = ({ model, params }: { model: Model, params: Record<string, string> }) =>
    model.stored.organizations.some(([id]) => id === params['organizationId']) ? null : 404
  /** The organization's own clock model, made from the server clock's on the first write; `move` sets it. */
  const write = (ctx: Ctx, move: (clock: Model['clock'], now: number) => Model['clock'], data: any) => {
    const id = ctx.params['organizationId']!
    const own = ctx.model.orgClocks.get(id) ?? { frozen: ctx.model.clock.frozen, at: clockNow(ctx.model), since: Date.now() }
    const now = own.frozen ? own.at : own.at + (Date.now() - own.since)
    ctx.model.orgClocks.set(id, move(own, now))
    orgClockAnswer(ctx, id, data)
  }
  const at = (data: any) => Date.parse(data.now)
  return {
    'GET /__admin/organizations/{}/clock': { ...org, success: (ctx, data) => orgClockAnswer(ctx, ctx.params['organizationId']!, data), predict: exists },
    'POST /__admin/organizations/{}/clock/freeze': {
      ...org,
      body: 'freeze',
      success: (ctx, data) => write(ctx, (clock, now) => ({ frozen: true, at: ctx.body?.at === undefined ? (clock.frozen ? now : at(data)) : Date.parse(ctx.body.at), since: Date.now() }), data),
      predict: exists
    },
    'POST /__admin/organizations/{}/clock/unfreeze': { ...org, success: (ctx, data) => write(ctx, (_clock, now) => ({ frozen: false, at: now, since: Date.now() }), data), predict: exists },
    'POST /__admin/organizations/{}/clock/set': {
      ...org,
      body: 'set',
      optionalBody: false,
      success: (ctx, data) => write(ctx, (clock) => ({ frozen: clock.frozen, at: Date.parse(ctx.body.to), since: Date.now() }), data)
    },
    'POST /__admin/organizations/{}/clock/advance': {
      ...org,
      body: 'advance',
      optionalBody: false,
      success: (ctx, data) => write(ctx, (clock, now) => {
        const by = ctx.body.ms ?? (() => {
          const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(ctx.body.by)!
          return Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms']
        })()
        ctx.check(now + by <= Date.parse('9999-12-31T23:59:59.999Z') + 5000, () => `advanced past 9999 from ${iso(now)} by ${by}`)
        return clock.frozen ? { frozen: true, at: now + by, since: Date.now() } : { frozen: false, at: at(data), since: Date.now() }
      }, data)
    },
    'POST /__admin/organizations/{}/clock/reset': {
      ...org,
      success: (ctx, data) => {
        ctx.model.orgClocks.delete(ctx.params['organizationId']!)
        clockAnswer(ctx, data)
      },
      predict: exists
    },
    'POST /__admin/organizations/{}/reset': {
      ...org,
      success: (ctx, data) => {
        const id = ctx.params['organizationId']!
        ctx.check(data.id === id && ctx.model.stored.organizations.some(([o]) => o === id), () => `reset ${id}: answered ${JSON.stringify(data).slice(0, 300)}`)
        ctx.check(!JSON.stringify(data).includes('confident_'), () => `reset ${id} answered a key in clear`)
        const made = ctx.model.made.get(id)
        if (made === undefined) {
          // A document the model does not know (an imported one): what the reset made is the database's.
          const now = storedOf(ctx.tables())
          ctx.model.stored = { ...withPart(ctx.model.stored, id, partOf(now, id)), users: now.users }
        } else {
          ctx.model.stored = withPart(ctx.model.stored, id, made)
        }
        ctx.model.orgClocks.delete(id)
        // The journal holds the setup's requests, all made with the boot organization's key.
        if (id === boot().organizations[0]?.[0]) ctx.model.journal = 0
      },
      predict: exists
    }
  }
}

const empty = (): Stored => ({ organizations: [], projects: [], keys: [], roles: [], orgMembers: [], projectMembers: [], invitations: [], emails: [], users: [] })

function makeRoutes (boot: () => Stored): Record<string, RouteSpec> {
  const none = { params: {}, query: 'none' as const, body: 'none' as const, optionalBody: true }
  return {
    'POST /__admin/organizations': { ...none, body: 'tenant', success: (ctx, data, status) => { ctx.check(status === 201, () => `status ${status}`); tenantCreated(ctx, data) } },
    'GET /__admin/organizations': {
      ...none,
      success: (ctx, data) => {
        const got = data.map((o: any) => [o.id, o.name, o.plan, o.trialEndsAt === null ? null : Date.parse(o.trialEndsAt)]).sort(byJson)
        ctx.check(JSON.stringify(got) === JSON.stringify(ctx.model.stored.organizations), () => `organizations ${JSON.stringify(got).slice(0, 500)}`)
      }
    },
    'PATCH /__admin/organizations/{}': {
      params: { organizationId: 'organization' },
      query: 'none',
      body: 'patch',
      optionalBody: true,
      success: (ctx, data) => {
        const row = ctx.model.stored.organizations.find(([id]) => id === ctx.params['organizationId'])
        ctx.check(row !== undefined, () => `patched ${ctx.params['organizationId']}, not in the model`)
        const plan = ctx.body?.plan ?? row![2]
        const trial = ctx.body?.trialEndsAt === undefined ? row![3] : ctx.body.trialEndsAt === null ? null : Date.parse(ctx.body.trialEndsAt)
        ctx.check(data.plan === plan && (data.trialEndsAt === null ? null : Date.parse(data.trialEndsAt)) === trial, () => `patched ${JSON.stringify(data)}`)
        row![2] = plan
        row![3] = trial
      },
      predict: ({ model, params }) => model.stored.organizations.some(([id]) => id === params['organizationId']) ? null : 404
    },
    'DELETE /__admin/organizations/{}': {
      params: { organizationId: 'organization' },
      query: 'none',
      body: 'none',
      optionalBody: true,
      success: (ctx, data) => {
        const id = ctx.params['organizationId']
        const s = ctx.model.stored
        ctx.check(data.id === id && s.organizations.some(([o]) => o === id), () => `deleted ${id}`)
        const projects = new Set(s.projects.filter(([, o]) => o === id).map(([p]) => p))
        s.organizations = s.organizations.filter(([o]) => o !== id)
        s.projects = s.projects.filter(([, o]) => o !== id)
        s.keys = s.keys.filter(([o]) => o !== id)
        s.roles = s.roles.filter(([, o]) => o !== id)
        s.orgMembers = s.orgMembers.filter(([o]) => o !== id)
        s.projectMembers = s.projectMembers.filter(([p]) => !projects.has(p))
        s.invitations = s.invitations.filter(([, o]) => o !== id)
        s.emails = s.emails.filter(([, , , o]) => o !== id)
        ctx.model.made.delete(id)
        ctx.model.orgClocks.delete(id)
      },
      predict: ({ model, params }) => model.stored.organizations.some(([id]) => id === params['organizationId']) ? 200 : 404
    },
    'POST /__admin/reset': {
      ...none,
      body: 'reset',
      success: (ctx, data) => {
        ctx.check(data.to === (ctx.body?.to ?? 'fixtures'), () => `reset ${JSON.stringify(data)}`)
        ctx.model.stored = data.to === 'empty' ? empty() : boot()
        ctx.model.faults = []
        ctx.model.nextFaultId = 1
        ctx.model.journal = 0
        ctx.model.clock = { frozen: true, at: T0, since: Date.now() }
        ctx.model.orgClocks = new Map()
        ctx.model.made = madeOf(ctx.model.stored)
      }
    },
    'GET /__admin/snapshot': {
      ...none,
      success: (ctx, data) => {
        const got = storedOf(data.tables as Tables)
        ctx.check(JSON.stringify(got) === JSON.stringify(ctx.model.stored), () => `the export differs from the model:\n ${JSON.stringify(got).slice(0, 1500)}\n ${JSON.stringify(ctx.model.stored).slice(0, 1500)}`)
      }
    },
    'POST /__admin/snapshot': {
      ...none,
      body: 'snapshot',
      optionalBody: false,
      success: (ctx, data) => {
        const tables = ctx.body.tables as Tables
        for (const [name, count] of Object.entries(data.tables as Record<string, number>)) {
          ctx.check((tables[name] ?? []).length === count, () => `imported ${count} rows of ${name}, the document has ${(tables[name] ?? []).length}`)
        }
        ctx.model.stored = storedOf(tables)
        // The documents are the snapshot's, which its edits may have changed: what a reset makes is read from the database.
        ctx.model.made = new Map()
        ctx.model.orgClocks = new Map()
      }
    },
    'GET /__admin/clock': { ...none, success: clockAnswer },
    'POST /__admin/clock/freeze': {
      ...none,
      body: 'freeze',
      success: (ctx, data) => {
        const at = ctx.body?.at === undefined ? clockNow(ctx.model) : Date.parse(ctx.body.at)
        if (ctx.body?.at === undefined && !ctx.model.clock.frozen) {
          ctx.model.clock = { frozen: true, at: Date.parse(data.now), since: Date.now() }
        } else {
          ctx.model.clock = { frozen: true, at, since: Date.now() }
        }
        clockAnswer(ctx, data)
      }
    },
    'POST /__admin/clock/unfreeze': {
      ...none,
      success: (ctx, data) => {
        ctx.model.clock = { frozen: false, at: clockNow(ctx.model), since: Date.now() }
        clockAnswer(ctx, data)
      }
    },
    'POST /__admin/clock/set': { ...none, body: 'set', optionalBody: false, success: (ctx, data) => { setClock(ctx, Date.parse(ctx.body.to)); clockAnswer(ctx, data) } },
    'POST /__admin/clock/advance': {
      ...none,
      body: 'advance',
      optionalBody: false,
      success: (ctx, data) => {
        const by = ctx.body.ms ?? (() => {
          const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(ctx.body.by)!
          return Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms']
        })()
        const before = clockNow(ctx.model)
        ctx.check(before + by <= Date.parse('9999-12-31T23:59:59.999Z') + 5000, () => `advanced past 9999 from ${iso(before)} by ${by}`)
        if (ctx.model.clock.frozen) setClock(ctx, before + by)
        else ctx.model.clock = { frozen: false, at: Date.parse(data.now), since: Date.now() }
        clockAnswer(ctx, data)
      }
    },
    'POST /__admin/clock/reset': { ...none, success: (ctx, data) => { ctx.model.clock = { frozen: true, at: T0, since: Date.now() }; clockAnswer(ctx, data) } },
    ...organizationRoutes(boot),
    'GET /__admin/outbox': {
      ...none,
      query: 'outbox',
      success: (ctx, data) => {
        const got = data.map((e: any) => [e.id, e.kind, e.to, e.organizationId, e.projectId, e.invitationId])
        const expected = emailsMatching(ctx.model, ctx.query)
        ctx.check(JSON.stringify(got) === JSON.stringify(expected), () => `outbox ${JSON.stringify(got).slice(0, 500)}, the model has ${JSON.stringify(expected).slice(0, 500)}`)
      }
    },
    'DELETE /__admin/outbox': {
      ...none,
      query: 'outbox',
      success: (ctx, data) => {
        const gone = emailsMatching(ctx.model, ctx.query)
        ctx.check(data.deleted === gone.length, () => `deleted ${data.deleted} emails, the model has ${gone.length}`)
        ctx.model.stored.emails = ctx.model.stored.emails.filter((e) => !gone.includes(e))
      }
    },
    'POST /__admin/invitations/accept': { ...none, body: 'token', optionalBody: false, success: (ctx, data) => responded(ctx, data, 'ACCEPTED') },
    'POST /__admin/invitations/decline': { ...none, body: 'token', optionalBody: false, success: (ctx, data) => responded(ctx, data, 'DECLINED') },
    'GET /__admin/journal': {
      ...none,
      query: 'journal',
      success: (ctx, data) => {
        const filtered = Object.keys(ctx.query).length > 0
        ctx.check(Array.isArray(data) && (filtered ? data.length <= ctx.model.journal : data.length === ctx.model.journal), () => `journal of ${data.length}, the model has ${ctx.model.journal}`)
      }
    },
    'DELETE /__admin/journal': {
      ...none,
      success: (ctx, data) => {
        ctx.check(data.deleted === ctx.model.journal, () => `deleted ${data.deleted} entries, the model has ${ctx.model.journal}`)
        ctx.model.journal = 0
      }
    },
    'POST /__admin/faults': {
      ...none,
      body: 'fault',
      optionalBody: false,
      success: (ctx, data, status) => {
        const b = ctx.body
        const expected: Fault = {
          id: ctx.model.nextFaultId,
          method: (b.method ?? '*').toUpperCase(),
          path: b.path,
          // The status it answers: 200 for a malformed body, 429 for a rate limit, none for a delay alone, a reset, a hang.
          status: b.status ?? (b.action === 'malformed' ? 200 : b.action === undefined && b.rateLimit !== undefined ? 429 : null),
          error: b.error ?? null,
          delayMs: b.delayMs ?? 0,
          remaining: b.times ?? null,
          organizationId: b.organizationId ?? null,
          hits: 0,
          action: b.action ?? null,
          headers: b.headers ?? {},
          rateLimit: b.rateLimit === undefined ? null : { limit: b.rateLimit.limit, windowMs: b.rateLimit.windowMs, used: 0, resetsInMs: null },
          pending: 0
        }
        ctx.check(status === 201 && JSON.stringify(data) === JSON.stringify(expected), () => `fault ${JSON.stringify(data)}, expected ${JSON.stringify(expected)}`)
        ctx.model.faults.push(expected)
        ctx.model.nextFaultId++
      }
    },
    'GET /__admin/faults': {
      ...none,
      success: (ctx, data) => ctx.check(JSON.stringify(data) === JSON.stringify(ctx.model.faults), () => `faults ${JSON.stringify(data).slice(0, 500)}, the model has ${JSON.stringify(ctx.model.faults).slice(0, 500)}`)
    },
    'DELETE /__admin/faults/{}': {
      params: { faultId: 'fault' },
      query: 'none',
      body: 'none',
      optionalBody: true,
      success: (ctx, data) => {
        ctx.check(ctx.model.faults.some((f) => f.id === data.id), () => `removed fault ${data.id}, not in the model`)
        ctx.model.faults = ctx.model.faults.filter((f) => f.id !== data.id)
      },
      predict: ({ model, params }) => coercesToId(params['faultId']!) ? (model.faults.some((f) => f.id === Number(decodeURIComponent(params['faultId']!))) ? 200 : 404) : null
    },
    'DELETE /__admin/faults': {
      ...none,
      success: (ctx, data) => {
        ctx.check(data.deleted === ctx.model.faults.length, () => `deleted ${data.deleted} faults, the model has ${ctx.model.faults.length}`)
        ctx.model.faults = []
      }
    },
    // Not a route: any path under the prefix that names none, behind the same token check.
    'GET /__admin/{}': {
      params: { path: 'unknownPath' },
      query: 'none',
      body: 'none',
      optionalBody: true,
      success: (ctx) => ctx.check(false, () => 'an unknown control path answered 2xx'),
      predict: () => 404
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Plans, expectations, sending.

function planArbitrary (routes: Record<string, RouteSpec>, route: string, credential: fc.Arbitrary<CredentialVariant>): fc.Arbitrary<Plan> {
  const spec = routes[route]!
  const method = route.split(' ')[0]!
  const pick = (kind: ParamKind): fc.Arbitrary<Pick> => {
    if (kind === 'unknownPath') {
      return fc.oneof(fc.constantFrom('nothing-here', 'organizations/x/y', 'clock/now', 'v1', 'faults/1/2', '..%2Fv1%2Forganization', 'snapshot.json', 'FAULTS', 'journal/')
        .map((text): Pick => ({ kind: 'hostile', value: { text, stage: 'value' } })), oddNonEmpty(20).filter((s) => !/^(organizations|reset|snapshot|clock|outbox|invitations|journal|faults)$/.test(s))
        .map((s): Pick => ({ kind: 'hostile', value: { text: encodeURIComponent(s), stage: 'value' } })))
    }
    return fc.oneof({ weight: 4, arbitrary: fc.nat(5).map((n): Pick => ({ kind: 'pick', n })) },
      { weight: 1, arbitrary: (kind === 'fault' ? hostileIntegerSegment() : kind === 'organizationScope' ? hostileIdSegment().filter((v) => !isDotSegment(v.text)) : hostileIdSegment()).map((value): Pick => ({ kind: 'hostile', value })) })
  }
  return fc.record<Plan>({
    route: fc.constant(route),
    params: fc.record(Object.fromEntries(Object.entries(spec.params).map(([name, kind]) => [name, pick(kind)]))) as fc.Arbitrary<Record<string, Pick>>,
    query: queryPlan(spec.query),
    body: bodyPlan(spec.body, method, spec.optionalBody),
    credential,
    encoding: fc.oneof({ weight: 10, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...IDENTITY_ENCODINGS) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_ENCODINGS) }),
    // Credentials come from `credential` only: a stray X-Admin-Token is not harmless here; nor is
    // `Origin: null` (a sandboxed frame's), whose state-changing calls the control API refuses as
    // another site's (test/routes/admin/cross-site.test.ts).
    extra: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: harmlessHeaders().map(({ 'x-admin-token': _token, origin: _origin, ...rest }) => rest) })
  }).map((plan) => Object.assign(plan, { [fc.toStringMethod]: () => describePlan(plan) }))
}

/** A segment URL resolution removes ("." or "..", percent-encoded or not): the request goes to another path, a served one maybe. */
const isDotSegment = (text: string): boolean => /^(\.|%2e){1,2}$/i.test(text)

function describePlan (plan: Plan): string {
  return `${plan.route} params=${short(plan.params)} query=${short(plan.query.map((q) => q.text))} body=${plan.body.description}:${short(plan.body.raw ?? plan.body.node ?? plan.body.edits)} ` +
    `content-type=${short(plan.body.contentType)} credential=${plan.credential.description} encoding=${short(plan.encoding)} extra=${short(plan.extra)}`
}

function expectationOf (routes: Record<string, RouteSpec>, plan: Plan, params: Record<string, string>, payloadBytes: number, model: Model): Expectation {
  const spec = routes[plan.route]!
  const method = plan.route.split(' ')[0]!
  const hostile = Object.entries(plan.params).filter((e): e is [string, { kind: 'hostile', value: PathValue }] => e[1].kind === 'hostile')
  if (hostile.some(([, h]) => h.value.stage === 'routing')) return { reject: true, why: 'a path the router refuses' }
  if (plan.credential.status !== null) return { status: plan.credential.status, why: plan.credential.description }
  const body = plan.body
  // An operation that declares no body (and an unknown route) reads none: whatever is sent is ignored,
  // its size, Content-Type and Content-Encoding too; and a control call sent with no body at all is
  // one with no options, whatever its headers say (src/plugins/bodyless.ts).
  const readsBody = spec.body !== 'none' && payloadBytes > 0
  if (readsBody && plan.encoding !== undefined && !(IDENTITY_ENCODINGS as readonly string[]).includes(plan.encoding)) {
    return { status: 415, why: `Content-Encoding ${plan.encoding}` }
  }
  if (plan.route === 'GET /__admin/{}') return { status: 404, why: 'no such control route' }
  if (readsBody && body.kind !== 'none') {
    const isJson = body.contentType !== undefined && (JSON_CONTENT_TYPES as readonly string[]).includes(body.contentType)
    if (!isJson) return { status: 415, why: body.description }
    const limit = plan.route === 'POST /__admin/snapshot' ? SNAPSHOT_LIMIT : BODY_LIMIT
    if (payloadBytes > limit) return { status: 413, why: body.description }
    if (body.verdict === 'parse') return { status: 400, why: body.description }
  }
  // Validation: parameters, then the body, then the query string; all 400.
  for (const [name, h] of hostile) {
    if (spec.params[name] === 'fault' && !coercesToId(h.value.text)) return { status: 400, why: `faultId ${h.value.text.slice(0, 40)}` }
    if (spec.params[name] === 'organization' || spec.params[name] === 'organizationScope') {
      let decoded = ''
      try {
        decoded = decodeURIComponent(h.value.text)
      } catch { /* routing stage */ }
      if ([...decoded].length > 200) return { status: 400, why: 'organizationId over 200 characters' }
    }
  }
  if (method !== 'GET' && spec.body !== 'none' && body.verdict === 'schema') return { status: 400, why: body.description }
  if (spec.query !== 'none') {
    const keys = plan.query.map((q) => q.key).filter((k) => k !== '')
    if (plan.query.some((q) => !q.valid) || new Set(keys).size < keys.length) return { status: 400, why: 'a bad query' }
  }
  const predicted = spec.predict?.({ model, params })
  if (predicted !== undefined && predicted !== null) return predicted === 200 ? { reject: false, why: 'exists' } : { status: predicted, why: 'the model says' }
  if (hostile.length > 0) return { reject: true, why: `hostile ${hostile.map(([n]) => n).join(', ')}` }
  return { reject: false, why: 'valid' }
}

interface World {
  app: App
  token: string | undefined
  /** Headers every setup and probe call needs. */
  auth: Record<string, string>
  routes: Record<string, RouteSpec>
  bootOrg: string
}

async function admin (world: World, method: string, url: string, payload?: unknown) {
  const res = await requestWithin(world.app, { method: method as 'GET', url, headers: world.auth, ...(payload === undefined ? {} : { payload: payload as object }) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`)
  return JSON.parse(res.body)
}

function candidates (kind: ParamKind, model: Model): string[] {
  if (kind === 'organization' || kind === 'organizationScope') return [...model.stored.organizations.map(([id]) => id), 'cnoorganization0000000000']
  if (kind === 'fault') return [...model.faults.map((f) => String(f.id)), '999']
  return ['nothing']
}

async function send (world: World, model: Model, plan: Plan, stats: Stats): Promise<void> {
  const spec = world.routes[plan.route]!
  const [method, path] = plan.route.split(' ') as [string, string]
  const params: Record<string, string> = {}
  const segments: string[] = []
  for (const [name, kind] of Object.entries(spec.params)) {
    const pk = plan.params[name]!
    if (pk.kind === 'pick') {
      const list = candidates(kind, model)
      params[name] = list[pk.n % list.length]!
      segments.push(encodeURIComponent(params[name]))
    } else {
      params[name] = pk.value.text
      segments.push(pk.value.text)
    }
  }
  let i = 0
  const url = path.replace(/\{\}/g, () => segments[i++]!) + queryText(plan.query)
  let payload: string | Buffer | undefined
  let sent: unknown
  if (plan.body.kind === 'snapshot') {
    const exported = JSON.parse((await requestWithin(world.app, { method: 'GET', url: '/__admin/snapshot', headers: world.auth })).body)
    sent = applyEdits(exported, plan.body.edits!)
    payload = JSON.stringify(sent)
  } else if (plan.body.kind !== 'none') {
    if (plan.body.raw !== undefined) {
      payload = plan.body.raw
    } else {
      payload = jsonText(plan.body.node!)
      const outbox = model.stored.emails
      // A token placeholder becomes the token of the n-th recorded email, read now.
      payload = payload.replace(/\\u0001outbox:(\d+)/g, (_m, n: string) => {
        if (outbox.length === 0) return 'no-email'
        const row = world.app.sqlite.prepare('select token from invitation_emails where id = ?').get(outbox[Number(n) % outbox.length]![0]) as { token: string } | undefined
        return row?.token ?? 'no-email'
      })
      sent = JSON.parse(payload)
    }
  }
  const headers = headersOf(plan)
  const bytes = payload === undefined ? 0 : Buffer.byteLength(payload)
  const expectation = expectationOf(world.routes, plan, params, bytes, model)
  const options: InjectOptions = { method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) }
  const res = await requestWithin(world.app, options)
  const body = checkAnswer(res, expectation, () => describePlan(plan))
  if (!count(stats, res.statusCode)) return
  const query: Record<string, string | number> = {}
  for (const q of plan.query) {
    const [key, value = ''] = q.text.split('=') as [string, string | undefined]
    const decoded = (() => { try { return decodeURIComponent(value.replaceAll('+', ' ')) } catch { return value } })()
    query[key] = ['invitationId', 'status', 'since', 'limit'].includes(key) ? Number(decoded) : decoded
  }
  const ctx: Ctx = {
    model,
    params,
    query,
    body: sent,
    check: (ok, message) => { if (!ok) throw new Error(`${method} ${url}: ${message()}\n  request: ${describePlan(plan)}`) },
    tables: () => tablesOf(world.app)
  }
  spec.success(ctx, plan.route === 'GET /__admin/snapshot' ? body : body.data, res.statusCode)
}

/**
 * After a run, whatever it did: the server still works end to end (a new tenant, an invitation
 * through /v1, accepted through its token, a new project).
 */
async function probe (world: World, n: number): Promise<void> {
  await admin(world, 'DELETE', '/__admin/faults')
  for (const url of ['/__admin/organizations', '/__admin/outbox', '/__admin/journal', '/__admin/faults', '/__admin/clock', '/__admin/snapshot']) await admin(world, 'GET', url)
  const tenant = (await admin(world, 'POST', '/__admin/organizations', { name: `Probe ${n} ${Date.now()}`, projects: [{ name: 'P' }], members: [{ email: 'probe-owner@probe.example', role: 'Owner' }] })).data
  const key = { CONFIDENT_API_KEY: tenant.apiKey }
  const v1 = async (method: string, url: string, payload?: object) => {
    const res = await requestWithin(world.app, { method: method as 'GET', url, headers: key, ...(payload === undefined ? {} : { payload }) })
    if (res.statusCode !== 200) throw new Error(`probe ${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`)
    return JSON.parse(res.body).data
  }
  const invitee = `probe-${n}-${Date.now()}@probe.example`
  await v1('POST', `/v1/projects/${tenant.projects[0].id}/invitations`, { emails: [invitee] })
  const [email] = (await admin(world, 'GET', `/__admin/outbox?to=${encodeURIComponent(invitee)}`)).data
  await admin(world, 'POST', '/__admin/invitations/accept', { token: email.token })
  const members = await v1('GET', `/v1/projects/${tenant.projects[0].id}/members`)
  if (!members.members.some((m: any) => m.email === invitee)) throw new Error('probe: the invitee is not a member')
  await v1('POST', '/v1/projects', { name: `Q ${n}` })
  await v1('GET', '/v1/organization/members')
  // Its own clock, then a reset to its document: the same key works, the project made since is gone.
  await admin(world, 'POST', `/__admin/organizations/${tenant.id}/clock/advance`, { by: '1d' })
  await admin(world, 'POST', `/__admin/organizations/${tenant.id}/reset`)
  const projects = await v1('GET', '/v1/projects')
  if (JSON.stringify(projects.projects.map((p: any) => p.id)) !== JSON.stringify([tenant.projects[0].id])) throw new Error(`probe: after the reset, projects ${JSON.stringify(projects)}`)
}

async function propertyFor (t: Test, token: string | undefined): Promise<void> {
  const app = await build(t, { fixtures: BOOT, config: token === undefined ? {} : { CONFIDENT_MOCK_ADMIN_TOKEN: token } })
  const auth: Record<string, string> = token === undefined ? {} : { 'x-admin-token': token }
  let bootStored = empty()
  const routes = makeRoutes(() => structuredClone(bootStored))
  const world: World = { app, token, auth, routes, bootOrg: '' }
  const served = servedKeys(app, CONTROL_PREFIX)
  t.ok(served.length >= 22, `${served.length} control routes served`)
  // GET /__admin/{} is the generator of unknown control routes.
  assertEachRouteCovered(t, served, Object.keys(routes).filter((r) => r !== 'GET /__admin/{}'), 'request generator')

  await admin(world, 'POST', '/__admin/reset')
  bootStored = storedOf(tablesOf(app))
  world.bootOrg = bootStored.organizations[0]![0]

  const credential: fc.Arbitrary<CredentialVariant> = token === undefined
    // Without a token configured, whatever credentials come along are ignored.
    ? fc.oneof({ weight: 4, arbitrary: fc.constant<CredentialVariant>({ description: 'none', headers: {}, status: null }) },
      { weight: 1, arbitrary: adminTokenVariants('unconfigured-token').map((v) => ({ ...v, status: null, description: `${v.description} (ignored)` })) })
    : adminTokenVariants(token)
  const prototypes = prototypesNow()
  let runs = 0
  const all: Stats = { requests: 0, success: 0, rejected: 0, byStatus: new Map() }
  for (const route of Object.keys(routes)) {
    await t.test(route, async (t) => {
      const stats = newStats()
      const anyRoute = fc.constantFrom(...Object.keys(routes)).chain((r) => planArbitrary(routes, r, credential))
      const plans = fc.array(fc.oneof({ weight: 2, arbitrary: planArbitrary(routes, route, credential) }, { weight: 1, arbitrary: anyRoute }), { minLength: 1, maxLength: 10 })
      await fc.assert(fc.asyncProperty(plans, async (sequence) => {
        await admin(world, 'POST', '/__admin/reset')
        // Emails with tokens to accept or decline, and two journal entries.
        await requestWithin(app, { method: 'POST', url: `/v1/projects/${bootStored.projects[0]![0]}/invitations`, headers: { CONFIDENT_API_KEY: BOOT_KEY }, payload: { emails: ['p1@x.example', 'p2@x.example', 'P3@x.example'] } })
        await requestWithin(app, { method: 'POST', url: '/v1/organization/invitations', headers: { CONFIDENT_API_KEY: BOOT_KEY }, payload: { emails: ['o1@x.example', 'o2@x.example'] } })
        const stored = storedOf(tablesOf(app))
        const model: Model = { stored, faults: [], nextFaultId: 1, journal: 2, clock: { frozen: true, at: T0, since: Date.now() }, orgClocks: new Map(), made: madeOf(bootStored) }
        for (const plan of sequence) await send(world, model, plan, stats)
        checkDatabase(app, storedOf(tablesOf(app)), model.stored, prototypes)
        const faults = await admin(world, 'GET', '/__admin/faults')
        if (JSON.stringify(faults.data) !== JSON.stringify(model.faults)) throw new Error(`faults ${JSON.stringify(faults.data)}, the model has ${JSON.stringify(model.faults)}`)
        await probe(world, ++runs)
      }), fcParameters(RUNS))
      t.ok(stats.requests > 0, summary(stats))
      all.requests += stats.requests
      all.success += stats.success
      all.rejected += stats.rejected
    })
  }
  // Over all routes: the mix reached the handlers and was refused too (per route a few runs may be all of one kind).
  t.ok(all.success > 0 && all.rejected > 0, `${all.requests} requests: ${all.success} 2xx, ${all.rejected} 4xx`)
}

t.test('control API without an admin token: hostile requests get 4xx envelopes; the state is what the 2xx answers said', async (t) => {
  await propertyFor(t, undefined)
})

t.test('control API with an admin token: every call without the right token is a 401, the rest as without', async (t) => {
  await propertyFor(t, TOKEN)
})
