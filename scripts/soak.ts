// `npm run soak`: a bounded soak of the real server on loopback, every endpoint mixed over many connections; fails on any 5xx, duplicate PENDING or unlevelled memory.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import Sqlite from 'better-sqlite3'
import { DEMO_ORG_KEY, DEMO_ORGANIZATION_ID } from '../src/boot-state/demo.js'
import { JsonClient, NoAnswerError, type Answer } from './lib/http-client.js'
import { resolveEntry, rssBytes, startServer, stopServer, type EntryChoice, type ServerChild } from './lib/server-child.js'
import { Checks, envChoice, envNumber, mib, percentile, seededRandom } from './lib/util.js'
import type { InvitationKind } from '../src/domain/vocabulary.js'

export interface SoakOptions {
  /** The measured window, after the warm-up. */
  seconds: number
  warmupSeconds: number
  connections: number
  /** Organizations made through POST /__admin/organizations, beside the demo one. */
  tenants: number
  seed: number
  entry: EntryChoice
  logLevel: string
  log?: (line: string) => void
}

// Each tenant's invitees come from a pool this size, shared by every connection: creates overlap,
// so the skip rules (already pending, already a member) and the partial unique index do real work.
const ADDRESSES_PER_TENANT = 120
// At most this many addresses in one create (the server allows 100): small requests, many of them.
const MAX_ADDRESSES_PER_CREATE = 5
// Invitation ids remembered per tenant for resends and revokes (the most recent ones).
const RECENT_INVITATIONS = 300
// Projects the load creates and deletes beside each tenant's permanent ones; past this, creates wait for deletes.
const MAX_EPHEMERAL_PROJECTS = 12
// The RSS floor may rise this share from the middle third of the run to the last and still count as
// levelled off: collection noise (see memoryVerdict).
const RSS_NOISE_SHARE = 0.03

type Kind = InvitationKind

interface Project {
  id: string
  /** Project role ids an invitation or a member may be given here: Manager, Member, and its own custom roles. */
  roleIds: string[]
  /** Made by the load, and deleted by it again. */
  ephemeral: boolean
}

interface Tenant {
  name: string
  organizationId: string
  client: JsonClient
  projects: Project[]
  orgRoleIds: string[]
  systemProjectRoleIds: string[]
  addresses: string[]
  /** Recent invitation ids, for resends and revokes: many will have been revoked or accepted since. */
  recent: Array<{ kind: Kind, ownerId: string, id: number }>
  /** User ids seen in member lists, by project id or organization id. */
  members: Map<string, string[]>
}

interface EndpointStats {
  statuses: Map<number, number>
  /** Latencies in ms, measured window only. */
  latencies: number[]
  errors: number
}

interface SoakState {
  random: () => number
  tenants: Tenant[]
  admin: JsonClient
  stopping: boolean
  measuring: boolean
  stats: Map<string, EndpointStats>
  /** Answers with a status the endpoint must not give here (first examples), and failures to answer. */
  unexpected: string[]
  unexpectedCount: number
  connectionErrors: string[]
  serverErrors: string[]
  addressesSent: number
  invitationsCreated: number
}

/** One request, accounted under its endpoint label; null when it got no answer (itself a failure). */
async function call (s: SoakState, client: JsonClient, label: string, method: string, path: string, allowed: readonly number[], body?: unknown): Promise<Answer | null> {
  let stats = s.stats.get(label)
  if (stats === undefined) s.stats.set(label, stats = { statuses: new Map(), latencies: [], errors: 0 })
  let answer: Answer
  try {
    answer = await client.request(method, path, body)
  } catch (err) {
    if (!(err instanceof NoAnswerError)) throw err
    stats.errors++
    if (s.connectionErrors.length < 20) s.connectionErrors.push(err.message)
    return null
  }
  stats.statuses.set(answer.status, (stats.statuses.get(answer.status) ?? 0) + 1)
  if (s.measuring) stats.latencies.push(answer.ms)
  if (answer.status >= 500 && s.serverErrors.length < 20) s.serverErrors.push(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
  if (!allowed.includes(answer.status)) {
    s.unexpectedCount++
    if (s.unexpected.length < 20) s.unexpected.push(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
  }
  return answer
}

const pick = <T> (random: () => number, items: readonly T[]): T | undefined =>
  items.length === 0 ? undefined : items[Math.floor(random() * items.length)]

function remember (tenant: Tenant, kind: Kind, ownerId: string, ids: number[]): void {
  for (const id of ids) tenant.recent.push({ kind, ownerId, id })
  if (tenant.recent.length > RECENT_INVITATIONS) tenant.recent.splice(0, tenant.recent.length - RECENT_INVITATIONS)
}

function addresses (s: SoakState, tenant: Tenant): string[] {
  const count = 1 + Math.floor(s.random() * MAX_ADDRESSES_PER_CREATE)
  // Some in upper case: the server lower-cases and de-duplicates them.
  return Array.from({ length: count }, () => {
    const address = pick(s.random, tenant.addresses)!
    return s.random() < 0.15 ? address.toUpperCase() : address
  })
}

const invitationsPath = (kind: Kind, ownerId: string) => kind === 'PROJECT' ? `/v1/projects/${ownerId}/invitations` : '/v1/organization/invitations'
const LABEL = {
  PROJECT: '/v1/projects/:projectId/invitations',
  ORGANIZATION: '/v1/organization/invitations'
} as const

type Operation = (s: SoakState, tenant: Tenant) => Promise<void>

/** A project of the tenant: a permanent one mostly, sometimes one the load made (which may be gone: 404 allowed). */
function someProject (s: SoakState, tenant: Tenant): { project: Project, maybeGone: boolean } {
  const project = s.random() < 0.8 ? pick(s.random, tenant.projects.filter((p) => !p.ephemeral))! : pick(s.random, tenant.projects)!
  return { project, maybeGone: project.ephemeral }
}

const createInvitations = (kind: Kind): Operation => async (s, tenant) => {
  const { project, maybeGone } = someProject(s, tenant)
  const ownerId = kind === 'PROJECT' ? project.id : tenant.organizationId
  const emails = addresses(s, tenant)
  const roleIds = kind === 'PROJECT' ? project.roleIds : tenant.orgRoleIds
  const roleId = s.random() < 0.3 ? pick(s.random, roleIds) : undefined
  const body = { emails, ...(roleId === undefined ? {} : kind === 'PROJECT' ? { projectRoleId: roleId } : { organizationRoleId: roleId }) }
  const answer = await call(s, tenant.client, `POST ${LABEL[kind]}`, 'POST', invitationsPath(kind, ownerId), kind === 'PROJECT' && maybeGone ? [200, 404] : [200], body)
  if (answer?.status === 200) {
    const created = answer.body.data.invitations as Array<{ id: number }>
    s.addressesSent += emails.length
    s.invitationsCreated += created.length
    remember(tenant, kind, ownerId, created.map((i) => i.id))
  }
}

const listInvitations = (kind: Kind): Operation => async (s, tenant) => {
  const { project, maybeGone } = someProject(s, tenant)
  const ownerId = kind === 'PROJECT' ? project.id : tenant.organizationId
  const answer = await call(s, tenant.client, `GET ${LABEL[kind]}`, 'GET', invitationsPath(kind, ownerId), kind === 'PROJECT' && maybeGone ? [200, 404] : [200])
  const listed = answer?.status === 200 ? answer.body.data.invitations as Array<{ id: number }> : []
  // A few of them, so resends and revokes also reach older and DECLINED invitations.
  remember(tenant, kind, ownerId, listed.filter(() => s.random() < 0.05).map((i) => i.id))
}

/** Resend (PUT) or revoke (DELETE) a recent invitation: it may be gone (404) or no longer PENDING (409). */
const actOnInvitation = (kind: Kind, method: 'PUT' | 'DELETE'): Operation => async (s, tenant) => {
  const target = pick(s.random, tenant.recent.filter((r) => r.kind === kind))
  if (target === undefined) return createInvitations(kind)(s, tenant)
  await call(s, tenant.client, `${method} ${LABEL[kind]}/:invitationId`, method, `${invitationsPath(kind, target.ownerId)}/${target.id}`, [200, 404, 409])
}

/** What the invitee's link does: the token from the outbox, then accept or decline (gone: 404, no longer PENDING: 409). */
const respond = (action: 'accept' | 'decline'): Operation => async (s, tenant) => {
  const to = pick(s.random, tenant.addresses)!
  const found = await call(s, s.admin, 'GET /__admin/outbox', 'GET', `/__admin/outbox?to=${encodeURIComponent(to)}&organizationId=${tenant.organizationId}`, [200])
  const emails = found?.status === 200 ? found.body.data as Array<{ token: string }> : []
  const email = emails.at(-1 - Math.floor(s.random() * Math.min(3, emails.length)))
  if (email === undefined) return
  await call(s, s.admin, `POST /__admin/invitations/${action}`, 'POST', `/__admin/invitations/${action}`, [200, 404, 409], { token: email.token })
}

let projectSeq = 0

const createProject: Operation = async (s, tenant) => {
  if (tenant.projects.filter((p) => p.ephemeral).length >= MAX_EPHEMERAL_PROJECTS) return deleteProject(s, tenant)
  const name = `soak-${++projectSeq}`
  const answer = await call(s, tenant.client, 'POST /v1/projects', 'POST', '/v1/projects', [200], { name, description: 'made by the soak' })
  if (answer?.status === 200) tenant.projects.push({ id: answer.body.data.project.id, roleIds: tenant.systemProjectRoleIds, ephemeral: true })
}

const deleteProject: Operation = async (s, tenant) => {
  const project = pick(s.random, tenant.projects.filter((p) => p.ephemeral))
  if (project === undefined) return createProject(s, tenant)
  tenant.projects.splice(tenant.projects.indexOf(project), 1)
  await call(s, tenant.client, 'DELETE /v1/projects/:projectId', 'DELETE', `/v1/projects/${project.id}`, [200, 404])
}

const getProject: Operation = async (s, tenant) => {
  const { project, maybeGone } = someProject(s, tenant)
  await call(s, tenant.client, 'GET /v1/projects/:projectId', 'GET', `/v1/projects/${project.id}`, maybeGone ? [200, 404] : [200])
}

const updateProject: Operation = async (s, tenant) => {
  const { project, maybeGone } = someProject(s, tenant)
  // Renames only the load's own projects, to another name it may have given (taken: 409).
  const body = project.ephemeral && s.random() < 0.5
    ? { name: `soak-renamed-${Math.floor(s.random() * 50)}` }
    : { description: `touched ${Math.floor(s.random() * 1e6)}` }
  await call(s, tenant.client, 'PUT /v1/projects/:projectId', 'PUT', `/v1/projects/${project.id}`, maybeGone ? [200, 404, 409] : [200, 409], body)
}

const listMembers = (scope: 'project' | 'organization'): Operation => async (s, tenant) => {
  const { project, maybeGone } = someProject(s, tenant)
  const ownerId = scope === 'project' ? project.id : tenant.organizationId
  const path = scope === 'project' ? `/v1/projects/${project.id}/members` : '/v1/organization/members'
  const page = s.random() < 0.8 ? 1 : 2
  const answer = await call(s, tenant.client, `GET ${scope === 'project' ? '/v1/projects/:projectId/members' : path}`, 'GET',
    `${path}?page=${page}&pageSize=50`, scope === 'project' && maybeGone ? [200, 404] : [200])
  if (answer?.status === 200) tenant.members.set(ownerId, (answer.body.data.members as Array<{ id: string }>).map((m) => m.id))
}

/** Change a member's role (never to Owner) or remove them: gone already (404), the Owner (409). */
const actOnMember = (scope: 'project' | 'organization', method: 'PUT' | 'DELETE'): Operation => async (s, tenant) => {
  const project = pick(s.random, tenant.projects.filter((p) => !p.ephemeral))!
  const ownerId = scope === 'project' ? project.id : tenant.organizationId
  const userId = pick(s.random, tenant.members.get(ownerId) ?? [])
  if (userId === undefined) return listMembers(scope)(s, tenant)
  const base = scope === 'project' ? `/v1/projects/${project.id}/members` : '/v1/organization/members'
  const label = `${method} ${scope === 'project' ? '/v1/projects/:projectId/members' : '/v1/organization/members'}/:userId`
  const roleId = pick(s.random, scope === 'project' ? project.roleIds : tenant.orgRoleIds)
  await call(s, tenant.client, label, method, `${base}/${userId}`, [200, 404, 409], method === 'PUT' ? { roleId } : undefined)
}

const get = (label: string, path: (s: SoakState, tenant: Tenant) => string, viaAdmin = false): Operation => async (s, tenant) => {
  await call(s, viaAdmin ? s.admin : tenant.client, label, 'GET', path(s, tenant), [200])
}

const clearOutbox: Operation = async (s, tenant) => {
  const to = pick(s.random, tenant.addresses)!
  await call(s, s.admin, 'DELETE /__admin/outbox', 'DELETE', `/__admin/outbox?to=${encodeURIComponent(to)}&organizationId=${tenant.organizationId}`, [200])
}

// The mix: creates and lists lead, as in a real client; every /v1 endpoint and the main control reads appear.
const OPERATIONS: Array<[number, Operation]> = [
  [14, createInvitations('PROJECT')],
  [8, createInvitations('ORGANIZATION')],
  [6, listInvitations('PROJECT')],
  [4, listInvitations('ORGANIZATION')],
  [4, actOnInvitation('PROJECT', 'PUT')],
  [2, actOnInvitation('ORGANIZATION', 'PUT')],
  [4, actOnInvitation('PROJECT', 'DELETE')],
  [2, actOnInvitation('ORGANIZATION', 'DELETE')],
  [5, respond('accept')],
  [3, respond('decline')],
  [3, get('GET /v1/projects', () => '/v1/projects')],
  [2, createProject],
  [3, getProject],
  [2, updateProject],
  [1.5, deleteProject],
  [3, listMembers('project')],
  [3, listMembers('organization')],
  [2, actOnMember('project', 'PUT')],
  [2, actOnMember('organization', 'PUT')],
  [1.5, actOnMember('project', 'DELETE')],
  [1.5, actOnMember('organization', 'DELETE')],
  [2, get('GET /v1/projects/:projectId/roles', (s, t) => `/v1/projects/${pick(s.random, t.projects.filter((p) => !p.ephemeral))!.id}/roles`)],
  [2, get('GET /v1/organization/roles', () => '/v1/organization/roles')],
  [1, get('GET /v1/organization/permissions', () => '/v1/organization/permissions')],
  [1, get('GET /v1/projects/:projectId/permissions', (s, t) => `/v1/projects/${pick(s.random, t.projects.filter((p) => !p.ephemeral))!.id}/permissions`)],
  [1, get('GET /v1/organization/governance-policies', () => '/v1/organization/governance-policies')],
  [2, get('GET /v1/organization', () => '/v1/organization')],
  [1, get('GET /__admin/journal', (_s, t) => `/__admin/journal?organizationId=${t.organizationId}&limit=20`, true)],
  [0.5, clearOutbox],
  [0.5, get('GET /__admin/organizations', () => '/__admin/organizations', true)],
  [0.5, get('GET /__admin/clock', () => '/__admin/clock', true)],
  [0.5, get('GET /health', () => '/health', true)]
]
const WEIGHT_TOTAL = OPERATIONS.reduce((n, [w]) => n + w, 0)

function chooseOperation (random: () => number): Operation {
  let r = random() * WEIGHT_TOTAL
  for (const [weight, op] of OPERATIONS) {
    r -= weight
    if (r < 0) return op
  }
  return OPERATIONS[0]![1]
}

async function worker (s: SoakState): Promise<void> {
  while (!s.stopping) {
    const tenant = pick(s.random, s.tenants)!
    await chooseOperation(s.random)(s, tenant)
  }
}

async function roleIds (client: JsonClient, path: string): Promise<Array<{ id: string, name: string }>> {
  const answer = await client.request('GET', path)
  if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${JSON.stringify(answer.body)}`)
  return answer.body.data.roles
}

/** The demo organization and `count` more made through the control API, each with three permanent projects, members and custom roles. */
async function makeTenants (url: string, admin: JsonClient, count: number): Promise<Tenant[]> {
  const made: Array<{ name: string, organizationId: string, key: string, domain: string }> = [
    { name: 'Demo Organization', organizationId: DEMO_ORGANIZATION_ID, key: DEMO_ORG_KEY, domain: 'demo.soak.example' }
  ]
  for (let i = 1; i <= count; i++) {
    const domain = `t${i}.soak.example`
    const owner = `owner@${domain}`
    const answer = await admin.request('POST', '/__admin/organizations', {
      name: `Soak tenant ${i}`,
      plan: 'TEAM',
      members: [{ email: owner, role: 'Owner' }, ...Array.from({ length: 4 }, (_, j) => ({ email: `staff${j}@${domain}` }))],
      roles: [{ name: 'Reviewer' }],
      projects: Array.from({ length: 3 }, (_, p) => ({ name: `core-${p}`, members: [{ email: owner, role: 'Owner' }], roles: [{ name: 'Tester' }] }))
    })
    if (answer.status !== 201) throw new Error(`POST /__admin/organizations: ${answer.status} ${JSON.stringify(answer.body)}`)
    made.push({ name: answer.body.data.name, organizationId: answer.body.data.id, key: answer.body.data.apiKey, domain })
  }
  const tenants: Tenant[] = []
  for (const m of made) {
    // Every tenant's client shares the admin client's sockets: SOAK_CONNECTIONS in all.
    const client = new JsonClient(url, { connections: 1, agent: admin.agent, headers: { CONFIDENT_API_KEY: m.key } })
    const projectsAnswer = await client.request('GET', '/v1/projects')
    const projectIds = (projectsAnswer.body.data.projects as Array<{ id: string }>).map((p) => p.id)
    const orgRoles = await roleIds(client, '/v1/organization/roles')
    const projects: Project[] = []
    let systemProjectRoleIds: string[] = []
    for (const id of projectIds) {
      const roles = await roleIds(client, `/v1/projects/${id}/roles`)
      systemProjectRoleIds = roles.filter((r) => r.name === 'Manager' || r.name === 'Member').map((r) => r.id)
      projects.push({ id, roleIds: roles.filter((r) => r.name !== 'Owner').map((r) => r.id), ephemeral: false })
    }
    tenants.push({
      name: m.name,
      organizationId: m.organizationId,
      client,
      projects,
      orgRoleIds: orgRoles.filter((r) => r.name !== 'Owner').map((r) => r.id),
      systemProjectRoleIds,
      addresses: Array.from({ length: ADDRESSES_PER_TENANT }, (_, n) => `person${n}@${m.domain}`),
      recent: [],
      members: new Map()
    })
  }
  return tenants
}

/** Duplicate PENDING invitations as the list endpoints show them: same owner, same address, more than one. */
async function duplicatesThroughApi (tenants: Tenant[]): Promise<{ duplicates: string[], listed: number, problems: string[] }> {
  const duplicates: string[] = []
  const problems: string[] = []
  let listed = 0
  for (const tenant of tenants) {
    const projects = await tenant.client.request('GET', '/v1/projects')
    if (projects.status !== 200) problems.push(`${tenant.name}: GET /v1/projects ${projects.status}`)
    const owners = [...(projects.body?.data?.projects ?? []).map((p: { id: string }) => `/v1/projects/${p.id}/invitations`), '/v1/organization/invitations']
    for (const path of owners) {
      const answer = await tenant.client.request('GET', path)
      if (answer.status !== 200) {
        problems.push(`${tenant.name}: GET ${path} ${answer.status}`)
        continue
      }
      const seen = new Map<string, number>()
      for (const i of answer.body.data.invitations as Array<{ email: string, status: string }>) {
        listed++
        if (i.status === 'PENDING') seen.set(i.email, (seen.get(i.email) ?? 0) + 1)
      }
      for (const [email, n] of seen) if (n > 1) duplicates.push(`${tenant.name} ${path}: ${n} PENDING for ${email}`)
    }
  }
  return { duplicates, listed, problems }
}

interface Sample { at: number, rss: number }

/** Least-squares slope of RSS over time, in bytes per minute. */
function slopePerMinute (samples: Sample[]): number {
  if (samples.length < 2) return 0
  const n = samples.length
  const mx = samples.reduce((a, p) => a + p.at, 0) / n
  const my = samples.reduce((a, p) => a + p.rss, 0) / n
  const num = samples.reduce((a, p) => a + (p.at - mx) * (p.rss - my), 0)
  const den = samples.reduce((a, p) => a + (p.at - mx) ** 2, 0)
  return den === 0 ? 0 : (num / den) * 60_000
}

export interface MemoryVerdict {
  start: number
  middle: number
  end: number
  max: number
  /** The 10th percentile of RSS in each third of the window: the floor between collections. */
  floors: [number, number, number]
  lastThirdSlope: number
  levelled: boolean
  detail: string
}

/**
 * Whether RSS levelled off over the measured window. RSS saws up and down by tens of MiB as V8
 * grows its heap and collects, so the measure is each third's floor (10th percentile: what stays
 * resident between collections, where a leak shows): the floor of the last third may be above the
 * middle third's by at most half of what the middle rose over the first (flattening), or by GC
 * noise (RSS_NOISE_SHARE of the RSS), or stay under the peaks of the first third.
 */
export function memoryVerdict (samples: Sample[]): MemoryVerdict {
  const third = Math.max(1, Math.floor(samples.length / 3))
  const parts = [samples.slice(0, third), samples.slice(third, 2 * third), samples.slice(2 * third)]
  const floors = parts.map((p) => percentile(Float64Array.from(p.map((x) => x.rss)).sort(), 10)) as [number, number, number]
  const early = floors[1] - floors[0]
  const late = floors[2] - floors[1]
  const noise = RSS_NOISE_SHARE * floors[1]
  // Or the floor at the end is no higher than the peaks of the first third: nothing accumulated beyond them.
  const firstPeak = Math.max(...parts[0]!.map((x) => x.rss))
  const levelled = samples.length >= 6 && (late <= noise || late <= 0.5 * early || floors[2] <= firstPeak)
  const signed = (bytes: number) => `${bytes >= 0 ? '+' : ''}${mib(bytes)}`
  const slope = slopePerMinute(parts[2]!)
  return {
    start: samples[0]?.rss ?? Number.NaN,
    middle: samples[samples.length >> 1]?.rss ?? Number.NaN,
    end: samples.at(-1)?.rss ?? Number.NaN,
    max: Math.max(...samples.map((x) => x.rss)),
    floors,
    lastThirdSlope: slope,
    levelled,
    detail: `floor (p10) by third ${floors.map(mib).join(' / ')} MiB: ${signed(early)} then ${signed(late)} MiB ` +
      `(levelled when the second step is <= ${mib(noise)} MiB or <= half the first, or the last floor <= the first third's peak ` +
      `${mib(firstPeak)} MiB); last-third trend ${signed(slope)} MiB/min`
  }
}

export async function runSoak (opts: SoakOptions): Promise<{ problems: string[] }> {
  const log = opts.log ?? ((line: string) => console.log(line))
  const entry = resolveEntry(opts.entry)
  const dir = mkdtempSync(join(os.tmpdir(), 'confident-mock-soak-'))
  const database = join(dir, 'soak.sqlite')
  const checks = new Checks()
  let server: ServerChild | null = null
  let keep = false
  log(`entry: ${entry.args.join(' ')} (${entry.reason}), LOG_LEVEL=${opts.logLevel}`)
  log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the start, node ${process.version}`)
  log(`settings: ${opts.seconds} s measured after ${opts.warmupSeconds.toFixed(1)} s warm-up, ${opts.connections} connections, ` +
    `${opts.tenants + 1} organizations, seed ${opts.seed}, loopback; database ${database}`)
  try {
    const started: ServerChild = server = await startServer({ entry, database, logLevel: opts.logLevel })
    const admin = new JsonClient(started.url, { connections: opts.connections })
    const tenants = await makeTenants(started.url, admin, opts.tenants)
    log(`server pid ${started.pid}, started in ${started.startMs.toFixed(0)} ms; ${tenants.length} organizations with ` +
      `${tenants.reduce((n, t) => n + t.projects.length, 0)} projects\n`)

    const s: SoakState = {
      random: seededRandom(opts.seed),
      tenants,
      admin,
      stopping: false,
      measuring: false,
      stats: new Map(),
      unexpected: [],
      unexpectedCount: 0,
      connectionErrors: [],
      serverErrors: [],
      addressesSent: 0,
      invitationsCreated: 0
    }
    const samples: Sample[] = []
    const loadStart = performance.now()
    let measureStart = loadStart
    const sampler = setInterval(() => {
      const rss = rssBytes(started.pid)
      if (rss !== null && s.measuring) samples.push({ at: performance.now() - loadStart, rss })
    }, 1000)
    const progress = setInterval(() => {
      const elapsed = (performance.now() - loadStart) / 1000
      const total = [...s.stats.values()].reduce((n, st) => n + [...st.statuses.values()].reduce((a, b) => a + b, 0), 0)
      const rss = rssBytes(started.pid)
      log(`  ${elapsed.toFixed(0).padStart(4)} s  ${total} responses, RSS ${rss === null ? '?' : mib(rss)} MiB, ` +
        `${s.serverErrors.length} 5xx, ${s.connectionErrors.length} connection errors, ${s.unexpectedCount} unexpected`)
    }, 15_000)

    const workers = Array.from({ length: opts.connections }, () => worker(s))
    await new Promise((resolve) => setTimeout(resolve, opts.warmupSeconds * 1000))
    s.measuring = true
    measureStart = performance.now()
    await new Promise((resolve) => setTimeout(resolve, opts.seconds * 1000))
    s.measuring = false
    const measuredSeconds = (performance.now() - measureStart) / 1000
    // Drain: each connection finishes its request in flight, so every request sent is accounted for.
    s.stopping = true
    await Promise.all(workers)
    clearInterval(sampler)
    clearInterval(progress)

    const api = await duplicatesThroughApi(tenants)
    for (const tenant of tenants) tenant.client.close()
    admin.close()
    const exit = await stopServer(started)
    server = null

    // Per-endpoint table.
    const pad = (v: string | number, w: number) => String(v).padStart(w)
    const fmt = (ms: number) => Number.isNaN(ms) ? '-' : ms.toFixed(2)
    const all: number[] = []
    let total = 0
    let fiveHundreds = 0
    let errors = 0
    const rows: string[] = []
    for (const [label, st] of [...s.stats.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const sorted = Float64Array.from(st.latencies).sort()
      for (const ms of st.latencies) all.push(ms)
      const count = [...st.statuses.values()].reduce((a, b) => a + b, 0)
      total += count
      errors += st.errors
      for (const [status, n] of st.statuses) if (status >= 500) fiveHundreds += n
      const statuses = [...st.statuses.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}:${n}`).join(' ') +
        (st.errors > 0 ? ` errors:${st.errors}` : '')
      rows.push(`${label.padEnd(56)}${pad(count, 9)}${pad(fmt(percentile(sorted, 50)), 9)}${pad(fmt(percentile(sorted, 99)), 9)}` +
        `${pad(fmt(sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!), 9)}  ${statuses}`)
    }
    const sortedAll = Float64Array.from(all).sort()
    log(`${'endpoint'.padEnd(56)}${pad('requests', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}  statuses`)
    for (const row of rows) log(row)
    log(`${'overall'.padEnd(56)}${pad(total, 9)}${pad(fmt(percentile(sortedAll, 50)), 9)}${pad(fmt(percentile(sortedAll, 99)), 9)}` +
      `${pad(fmt(sortedAll.length === 0 ? Number.NaN : sortedAll[sortedAll.length - 1]!), 9)}`)
    log('(requests and statuses: the whole run, warm-up and drain included; latencies: the measured window, client-side, from the call to the last byte)')
    log(`\nthroughput: ${(all.length / measuredSeconds).toFixed(0)} req/s over the ${measuredSeconds.toFixed(1)} s measured window (${all.length} responses); ${total} in all`)
    log(`creates: ${s.addressesSent} addresses sent, ${s.invitationsCreated} invitations created ` +
      `(${s.addressesSent - s.invitationsCreated} skipped as duplicates in the request, already PENDING or already members)`)

    const memory = memoryVerdict(samples)
    log(`memory (server VmRSS, ${samples.length} samples, one a second): start ${mib(memory.start)} MiB (after warm-up), ` +
      `middle ${mib(memory.middle)}, end ${mib(memory.end)}, max ${mib(memory.max)}; ${memory.levelled ? 'levelled off' : 'still growing'}`)
    log(`  ${memory.detail}`)
    log(`  RSS every 10 s of the window (MiB): ${samples.filter((_, i) => i % 10 === 0).map((x) => mib(x.rss)).join(' ')}`)

    checks.that('zero 5xx', fiveHundreds === 0, `${fiveHundreds} 5xx${s.serverErrors.length > 0 ? `: ${s.serverErrors.slice(0, 5).join('; ')}` : ''}`)
    checks.expect('zero connection errors or timeouts', s.connectionErrors, `${errors} errors in ${total + errors} requests`)
    checks.that('every status one the endpoint may give here', s.unexpectedCount === 0,
      s.unexpectedCount === 0 ? `${total} responses` : `${s.unexpectedCount} unexpected: ${s.unexpected.slice(0, 5).join('; ')}`)
    checks.that('creates exercised the skip rules', s.invitationsCreated > 0 && s.addressesSent > s.invitationsCreated,
      `${s.addressesSent - s.invitationsCreated} of ${s.addressesSent} addresses skipped`)
    checks.expect('no duplicate PENDING invitation through the list endpoints', [...api.problems, ...api.duplicates], `${api.listed} invitations listed`)
    checks.that('the server stopped cleanly on SIGTERM', exit.code === 0, `code ${exit.code}, signal ${exit.signal}`)

    const db = new Sqlite(database, { readonly: true, fileMustExist: true })
    try {
      const duplicates = db.prepare<[], { kind: string, ownerId: string, email: string, n: number }>(`
        select 'project' as kind, project_id as ownerId, email, count(*) as n from project_invitations where status = 'PENDING' group by 2, 3 having count(*) > 1
        union all
        select 'organization', organization_id, email, count(*) from organization_invitations where status = 'PENDING' group by 2, 3 having count(*) > 1`).all()
      const rowsOf = (table: string) => db.prepare<[], { n: number }>(`select count(*) as n from ${table}`).get()!.n
      checks.expect('no duplicate PENDING invitation in SQL', duplicates.map((d) => `${d.n} for ${d.kind} ${d.ownerId} ${d.email}`),
        `${rowsOf('project_invitations')} project and ${rowsOf('organization_invitations')} organization invitations, ${rowsOf('invitation_emails')} outbox emails stored`)
      const integrity = db.pragma('integrity_check', { simple: true })
      checks.that('PRAGMA integrity_check', integrity === 'ok', String(integrity))
      checks.expect('PRAGMA foreign_key_check', (db.pragma('foreign_key_check') as unknown[]).map((f) => JSON.stringify(f)), 'no row refers to a missing one')
    } finally {
      db.close()
    }
    checks.that('memory levelled off', memory.levelled, memory.detail)
  } catch (err) {
    checks.that('the soak ran to the end', false, `${(err as Error).stack ?? String(err)}${server === null ? '' : `\nserver output:\n${server.output()}`}`)
  } finally {
    if (server !== null) await stopServer(server)
  }
  log('\nchecks:')
  for (const r of checks.results) log(`  ${r.pass ? 'PASS' : 'FAIL'}  ${r.name}: ${r.detail}`)
  const problems = checks.problems()
  keep = problems.length > 0
  if (keep) log(`\nkept for inspection: ${database}`)
  else rmSync(dir, { recursive: true, force: true })
  log(problems.length === 0 ? '\nPASS' : `\nFAIL: ${problems.length} problem(s)`)
  return { problems }
}

/* c8 ignore start: the command-line entry runs as `npm run soak` */
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  try {
    const seconds = envNumber('SOAK_SECONDS', 180)
    const result = await runSoak({
      seconds,
      // Long enough to open the connections, let V8 optimise and SQLite fill its cache, short next to the run.
      warmupSeconds: envNumber('SOAK_WARMUP_SECONDS', Math.min(10, Math.max(2, seconds / 6)), { min: 0 }),
      connections: envNumber('SOAK_CONNECTIONS', 64, { integer: true, min: 1 }),
      tenants: envNumber('SOAK_TENANTS', 3, { integer: true, min: 0 }),
      seed: envNumber('SOAK_SEED', Math.floor(Math.random() * 2 ** 31), { integer: true, min: 0 }),
      entry: envChoice('SOAK_ENTRY', ['auto', 'dist', 'src'] as const, 'dist'),
      logLevel: process.env['SOAK_LOG_LEVEL'] || 'warn'
    })
    process.exitCode = result.problems.length === 0 ? 0 : 1
  } catch (err) {
    console.error(`soak failed: ${(err as Error).stack ?? String(err)}`)
    process.exitCode = 1
  }
}
/* c8 ignore stop */
