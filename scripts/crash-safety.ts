// `npm run crash`: load on the real server, SIGKILL mid-run, restart, and check nothing acknowledged is lost, nothing half-done, ids continue.
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import Sqlite from 'better-sqlite3'
import { DEMO_ORG_KEY, DEMO_ORGANIZATION_ID, DEMO_PROJECT_ID } from '../src/boot-state/demo.js'
import { JsonClient, NoAnswerError, type Answer } from './lib/http-client.js'
import { killServer, resolveEntry, startServer, stopServer, type Entry, type EntryChoice, type ServerChild } from './lib/server-child.js'
import { Checks, envChoice, envNumber, seededRandom } from './lib/util.js'
import type { InvitationKind } from '../src/domain/vocabulary.js'

export type Kind = InvitationKind
export type Status = 'PENDING' | 'ACCEPTED' | 'DECLINED'

/** What the run knows of one invitation: exactly, between iterations; an unanswered request makes it uncertain until the next check. */
export interface ModelInvitation {
  kind: Kind
  id: number
  /** The project id, or the organization id for an organization invitation. */
  ownerId: string
  email: string
  status: Status
  /** False once revoked, or once its project is deleted. */
  stored: boolean
  /** Its rows in invitation_emails (the outbox): one from the create, one per resend. */
  emails: number
  /** An operation on it is in flight (so no other starts). */
  busy: boolean
}

export interface ModelProject {
  id: string
  name: string
  live: boolean
  /** Operations in flight on the project or its invitations; it is deleted only when there are none. */
  busy: number
  deleting: boolean
  /** Created by POST /v1/projects (so it has exactly one key of its own); false for the demo project. */
  created: boolean
}

/** Everything acknowledged so far, and everything whose outcome a check has since read from the file. */
export class Model {
  readonly invitations = new Map<string, ModelInvitation>()
  readonly projects = new Map<string, ModelProject>()
  /** Every project id ever seen, deleted ones too: a new project must get a new id. */
  readonly projectIdsEver = new Set<string>()
  /** Highest api_keys id ever reported. */
  maxKeyId = 0
  /** Invitations that may still be resent, revoked, accepted or declined (PENDING or DECLINED when added). */
  readonly pool: ModelInvitation[] = []

  constructor () {
    this.addProject({ id: DEMO_PROJECT_ID, name: 'Demo Project', live: true, busy: 0, deleting: false, created: false })
  }

  static key (kind: Kind, id: number): string {
    return `${kind}:${id}`
  }

  addInvitation (inv: ModelInvitation): void {
    this.invitations.set(Model.key(inv.kind, inv.id), inv)
    if (inv.stored && inv.status !== 'ACCEPTED') this.pool.push(inv)
  }

  addProject (project: ModelProject): void {
    this.projects.set(project.id, project)
    this.projectIdsEver.add(project.id)
  }

  maxId (kind: Kind): number {
    let max = 0
    for (const inv of this.invitations.values()) if (inv.kind === kind && inv.id > max) max = inv.id
    return max
  }

  liveProjects (): ModelProject[] {
    return [...this.projects.values()].filter((p) => p.live)
  }
}

/** A write whose request got no answer: the server may or may not have committed it. */
export type Unknown =
  | { op: 'create', kind: Kind, ownerId: string, emails: string[] }
  | { op: 'resend' | 'revoke' | 'accept' | 'decline', inv: ModelInvitation }
  | { op: 'createProject', name: string }
  | { op: 'deleteProject', project: ModelProject }

export interface CrashOptions {
  iterations: number
  /** Concurrent clients, each with its own keep-alive socket and one request at a time. */
  connections: number
  /** The kill's bursts start at a uniformly random moment in [min, max] milliseconds after the load starts. */
  killAfterMs: { min: number, max: number }
  /** Each create invites 1..maxEmails new addresses. */
  maxEmails: number
  seed: number
  entry: EntryChoice
  /** Folder for the SQLite file: a new temporary one by default, removed afterwards unless a check failed. */
  dir?: string
  /** Keep the folder even when every check passed (a caller wants to look at the file). */
  keep?: boolean
  log?: (line: string) => void
}

export interface IterationReport {
  iteration: number
  /** When the kill came, in milliseconds from the start of the load. */
  killAfterMs: number
  /** Requests sent during the load, reads included. */
  sent: number
  /** Writes answered 200 (creates, resends, revokes, accepts, declines, project creates and deletes). */
  ackedWrites: number
  answered: number
  /** Requests in flight when the server was killed: sent, never answered. */
  unanswered: number
  /** Of the unanswered writes: those the file shows committed, and those it shows not applied. */
  unknownCommitted: number
  unknownNotApplied: number
  /** Rows in the file after the check. */
  projectInvitations: number
  organizationInvitations: number
  outboxEmails: number
  projects: number
  /** Milliseconds from spawning the server again after the kill to its "listening" line. */
  restartMs: number
  checksPassed: number
  checksTotal: number
  problems: string[]
}

export interface CrashResult {
  entry: Entry
  database: string
  /** The first start, on the new file. */
  firstStartMs: number
  iterations: IterationReport[]
  problems: string[]
  model: Model
  kept: boolean
}

// The share of each operation in the load, out of the total; an operation with nothing to act on
// yet (no invitation to resend) becomes a create. Creates dominate: they are what the issue is about.
const OPERATION_WEIGHTS = [
  ['createProjectInvitations', 30],
  ['createOrganizationInvitations', 20],
  ['resend', 10],
  ['revoke', 8],
  ['accept', 6],
  ['decline', 6],
  ['createProject', 8],
  ['deleteProject', 3],
  ['read', 9]
] as const
type Operation = typeof OPERATION_WEIGHTS[number][0]
const WEIGHT_TOTAL = OPERATION_WEIGHTS.reduce((n, [, w]) => n + w, 0)

interface LoadContext {
  model: Model
  client: JsonClient
  admin: JsonClient
  random: () => number
  tag: string
  iteration: number
  maxEmails: number
  /** Set just before the kill: no new operation starts, failures from now on are expected. */
  stopping: boolean
  inFlight: number
  sent: number
  answered: number
  unanswered: number
  ackedWrites: number
  unknowns: Unknown[]
  /** Answers that were not what the operation must get (any non-200, a wrong body), and failures before the kill. */
  unexpected: string[]
  /** Ids every create of this iteration must exceed: the highest the file held when it started. */
  floor: { PROJECT: number, ORGANIZATION: number, key: number }
  /** Every invitation id reported by a create in the whole run, by kind: one seen twice is an id reused. */
  reported: { PROJECT: Set<number>, ORGANIZATION: Set<number> }
  idProblems: string[]
}

const pick = <T> (random: () => number, items: readonly T[]): T | undefined =>
  items.length === 0 ? undefined : items[Math.floor(random() * items.length)]

/** Sends one request, counting it; a failure before the kill is itself a problem. */
async function send (ctx: LoadContext, client: JsonClient, method: string, path: string, body?: unknown, onWritten?: () => void): Promise<Answer> {
  ctx.sent++
  ctx.inFlight++
  try {
    const answer = await client.request(method, path, body, onWritten === undefined ? {} : { onWritten })
    ctx.answered++
    return answer
  } catch (err) {
    ctx.unanswered++
    if (!ctx.stopping) ctx.unexpected.push(`${method} ${path}: no answer before the kill (${(err as Error).message})`)
    throw err
  } finally {
    ctx.inFlight--
  }
}

/** A write: 200 runs `onOk`; no answer records the outcome as unknown; anything else is a problem. */
async function write (ctx: LoadContext, client: JsonClient, method: string, path: string, body: unknown, unknown: Unknown,
  onOk: (data: any) => void, onWritten?: () => void): Promise<void> {
  let answer: Answer
  try {
    answer = await send(ctx, client, method, path, body, onWritten)
  } catch (err) {
    if (!(err instanceof NoAnswerError)) throw err
    ctx.unknowns.push(unknown)
    return
  }
  if (answer.status !== 200 || answer.body?.success !== true) {
    ctx.unexpected.push(`${method} ${path}: status ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`)
    return
  }
  ctx.ackedWrites++
  onOk(answer.body.data)
}

/** A random invitation still in the pool that no operation holds, optionally only PENDING ones. */
function claimInvitation (ctx: LoadContext, pendingOnly: boolean): { inv: ModelInvitation, project: ModelProject | undefined } | null {
  const pool = ctx.model.pool
  for (let attempt = 0; attempt < 8 && pool.length > 0; attempt++) {
    const index = Math.floor(ctx.random() * pool.length)
    const inv = pool[index]!
    if (!inv.stored || inv.status === 'ACCEPTED') {
      // Gone for good: swap-remove it.
      pool[index] = pool[pool.length - 1]!
      pool.pop()
      continue
    }
    if (inv.busy || (pendingOnly && inv.status !== 'PENDING')) continue
    const project = inv.kind === 'PROJECT' ? ctx.model.projects.get(inv.ownerId) : undefined
    if (project !== undefined && (project.deleting || !project.live)) continue
    inv.busy = true
    if (project !== undefined) project.busy++
    return { inv, project }
  }
  return null
}

function release (inv: ModelInvitation, project: ModelProject | undefined): void {
  inv.busy = false
  if (project !== undefined) project.busy--
}

const invitationsPath = (inv: Pick<ModelInvitation, 'kind' | 'ownerId'>) =>
  inv.kind === 'PROJECT' ? `/v1/projects/${inv.ownerId}/invitations` : '/v1/organization/invitations'

/** 1..max new addresses, some in mixed case (the server stores them lower-cased). */
function newAddresses (ctx: LoadContext, client: number, seq: number): string[] {
  const count = 1 + Math.floor(ctx.random() * ctx.maxEmails)
  return Array.from({ length: count }, (_, j) => {
    const address = `${ctx.tag}-${ctx.iteration}-${client}-${seq}-${j}@crash.example`
    return ctx.random() < 0.2 ? address.toUpperCase() : address
  })
}

/** `burst`: sent on the killer's own sockets, telling it when the request is written. */
async function createInvitations (ctx: LoadContext, kind: Kind, client: number, seq: number,
  burst?: { client: JsonClient, onWritten: () => void }): Promise<void> {
  let project: ModelProject | undefined
  if (kind === 'PROJECT') {
    const candidates = ctx.model.liveProjects().filter((p) => !p.deleting)
    project = ctx.random() < 0.5 ? ctx.model.projects.get(DEMO_PROJECT_ID)! : pick(ctx.random, candidates)!
    project.busy++
  }
  const ownerId = project?.id ?? DEMO_ORGANIZATION_ID
  const sentEmails = newAddresses(ctx, client, seq)
  const emails = sentEmails.map((e) => e.toLowerCase())
  const path = invitationsPath({ kind, ownerId })
  try {
    await write(ctx, burst?.client ?? ctx.client, 'POST', path, { emails: sentEmails }, { op: 'create', kind, ownerId, emails }, (data) => {
      const created = data.invitations as Array<{ id: number, email: string, status: string }>
      const got = created.map((i) => `${i.email}:${i.status}`).join(',')
      const expected = emails.map((e) => `${e}:PENDING`).join(',')
      if (got !== expected) ctx.unexpected.push(`POST ${path}: created ${got}, expected ${expected}`)
      for (const i of created) {
        if (i.id <= ctx.floor[kind]) ctx.idProblems.push(`${kind} invitation id ${i.id} reported, not above ${ctx.floor[kind]}, the highest stored before`)
        if (ctx.reported[kind].has(i.id)) ctx.idProblems.push(`${kind} invitation id ${i.id} reported twice`)
        ctx.reported[kind].add(i.id)
        ctx.model.addInvitation({ kind, id: i.id, ownerId, email: i.email, status: 'PENDING', stored: true, emails: 1, busy: false })
      }
    }, burst?.onWritten)
  } finally {
    if (project !== undefined) project.busy--
  }
}

async function actOnInvitation (ctx: LoadContext, op: 'resend' | 'revoke' | 'accept' | 'decline'): Promise<boolean> {
  const claimed = claimInvitation(ctx, op !== 'revoke')
  if (claimed === null) return false
  const { inv, project } = claimed
  const path = `${invitationsPath(inv)}/${inv.id}`
  try {
    if (op === 'resend') {
      await write(ctx, ctx.client, 'PUT', path, undefined, { op, inv }, () => { inv.emails++ })
    } else if (op === 'revoke') {
      await write(ctx, ctx.client, 'DELETE', path, undefined, { op, inv }, () => { inv.stored = false })
    } else {
      // The token, as the invitee's email carries it.
      const found = await send(ctx, ctx.admin, 'GET', `/__admin/outbox?kind=${inv.kind}&invitationId=${inv.id}`)
      const token = found.body?.data?.[0]?.token as string | undefined
      if (found.status !== 200 || token === undefined) {
        ctx.unexpected.push(`GET /__admin/outbox for ${inv.kind} invitation ${inv.id}: status ${found.status}, ${JSON.stringify(found.body).slice(0, 200)}`)
        return true
      }
      if (ctx.stopping) return true
      await write(ctx, ctx.admin, 'POST', `/__admin/invitations/${op}`, { token }, { op, inv }, () => {
        inv.status = op === 'accept' ? 'ACCEPTED' : 'DECLINED'
      })
    }
  } catch (err) {
    // The outbox read got no answer: the server is gone, and the accept or decline was never sent.
    if (!(err instanceof NoAnswerError)) throw err
  } finally {
    release(inv, project)
  }
  return true
}

async function createProject (ctx: LoadContext, client: number, seq: number): Promise<void> {
  const name = `crash-${ctx.tag}-${ctx.iteration}-${client}-${seq}`
  await write(ctx, ctx.client, 'POST', '/v1/projects', { name }, { op: 'createProject', name }, (data) => {
    const id = data.project.id as string
    const keyId = data.apiKey.id as number
    if (ctx.model.projectIdsEver.has(id)) ctx.idProblems.push(`project id ${id} reported for ${name}, but an earlier project had it`)
    if (keyId <= ctx.floor.key) ctx.idProblems.push(`api key id ${keyId} reported, not above ${ctx.floor.key}, the highest stored before`)
    ctx.model.maxKeyId = Math.max(ctx.model.maxKeyId, keyId)
    ctx.model.addProject({ id, name, live: true, busy: 0, deleting: false, created: true })
  })
}

async function deleteProject (ctx: LoadContext): Promise<boolean> {
  const candidates = ctx.model.liveProjects().filter((p) => p.created && p.busy === 0 && !p.deleting)
  const project = pick(ctx.random, candidates)
  if (project === undefined) return false
  project.deleting = true
  try {
    await write(ctx, ctx.client, 'DELETE', `/v1/projects/${project.id}`, undefined, { op: 'deleteProject', project }, () => {
      markProjectDeleted(ctx.model, project)
    })
  } finally {
    project.deleting = false
  }
  return true
}

function markProjectDeleted (model: Model, project: ModelProject): void {
  project.live = false
  for (const inv of model.invitations.values()) {
    if (inv.kind === 'PROJECT' && inv.ownerId === project.id) inv.stored = false
  }
}

async function read (ctx: LoadContext): Promise<void> {
  const project = pick(ctx.random, ctx.model.liveProjects().filter((p) => !p.deleting))
  const path = ctx.random() < 0.5 || project === undefined ? '/v1/organization/invitations' : `/v1/projects/${project.id}/invitations`
  if (project !== undefined) project.busy++
  try {
    const answer = await send(ctx, ctx.client, 'GET', path)
    if (answer.status !== 200) ctx.unexpected.push(`GET ${path}: status ${answer.status}`)
  } catch (err) {
    if (!(err instanceof NoAnswerError)) throw err
  } finally {
    if (project !== undefined) project.busy--
  }
}

function chooseOperation (random: () => number): Operation {
  let r = random() * WEIGHT_TOTAL
  for (const [op, weight] of OPERATION_WEIGHTS) {
    r -= weight
    if (r < 0) return op
  }
  return 'read'
}

// How the kill lands. A kill at a random moment of the load alone often finds the server idle: the
// client process lags behind it (it is slower, or descheduled on a busy machine), every answer
// already sent and waiting to be read. So the killer sends bursts of creates on sockets of its own
// (opened when the load starts, so no connect delays them): a first one measures how long the
// server takes to answer a burst under this load (about 3x the median request, measured); after a
// second, the kill follows at a random delay up to BURST_SPAN times that, so it lands anywhere in
// the server's work on it: requests unread, being committed, committed but not yet answered. A
// burst is half the connections, at least MIN_BURST. Last, STRAWS more creates are written and the
// kill follows in the same turn of the event loop, so that at least those are cut off.
const MIN_BURST = 4
const BURST_SPAN = 1.2
const STRAWS = 2
const BURST_CLIENT = 0

/** Creates sent by the killer on sockets of their own; resolves once every one is written. */
function sendCreates (ctx: LoadContext, client: JsonClient, count: number, firstSeq: number): { written: Promise<unknown>, done: Promise<unknown> } {
  const written: Array<Promise<void>> = []
  const done = Array.from({ length: count }, (_, b) => {
    let onWritten = () => {}
    written.push(new Promise<void>((resolve) => { onWritten = resolve }))
    return createInvitations(ctx, b % 2 === 0 ? 'PROJECT' : 'ORGANIZATION', BURST_CLIENT, firstSeq + b, { client, onWritten: () => onWritten() })
  })
  return { written: Promise.all(written), done: Promise.all(done) }
}

interface Killer {
  /** Waits `afterMs` from the start of the load, then the bursts, the straws and SIGKILL. */
  kill: (afterMs: number) => Promise<{ inFlight: number, atMs: number, burst: number, firstBurstMs: number, delayMs: number }>
  close: () => void
}

/** The killer's sockets, opened (and kept alive) now, as the load starts. */
async function killer (ctx: LoadContext, server: ServerChild, size: number, headers: Record<string, string>): Promise<Killer> {
  const started = performance.now()
  const burstClient = new JsonClient(server.url, { connections: size, headers })
  const strawClient = new JsonClient(server.url, { connections: STRAWS, headers })
  const warm = (client: JsonClient, n: number) => Promise.all(Array.from({ length: n }, () => client.request('GET', '/health')))
  await Promise.all([warm(burstClient, size), warm(strawClient, STRAWS)])
  return {
    async kill (afterMs) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, afterMs - (performance.now() - started))))
      const first = performance.now()
      await sendCreates(ctx, burstClient, size, 1).done
      const firstBurstMs = performance.now() - first
      const burst = sendCreates(ctx, burstClient, size, size + 1)
      await burst.written
      const delayMs = Math.round(ctx.random() * BURST_SPAN * firstBurstMs)
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      const straws = sendCreates(ctx, strawClient, STRAWS, 2 * size + 1)
      await straws.written
      ctx.stopping = true
      const inFlight = ctx.inFlight
      const atMs = performance.now() - started
      await killServer(server)
      await Promise.all([burst.done, straws.done])
      return { inFlight, atMs, burst: size, firstBurstMs, delayMs }
    },
    close () {
      burstClient.close()
      strawClient.close()
    }
  }
}

async function clientLoop (ctx: LoadContext, client: number): Promise<void> {
  let seq = 0
  while (!ctx.stopping) {
    seq++
    const op = chooseOperation(ctx.random)
    let done = true
    if (op === 'createProjectInvitations') await createInvitations(ctx, 'PROJECT', client, seq)
    else if (op === 'createOrganizationInvitations') await createInvitations(ctx, 'ORGANIZATION', client, seq)
    else if (op === 'createProject') await createProject(ctx, client, seq)
    else if (op === 'deleteProject') done = await deleteProject(ctx)
    else if (op === 'read') await read(ctx)
    else done = await actOnInvitation(ctx, op)
    // Nothing to act on yet: create instead.
    if (!done && !ctx.stopping) await createInvitations(ctx, ctx.random() < 0.5 ? 'PROJECT' : 'ORGANIZATION', client, seq)
  }
}

/** What the restarted server shows through the API, before anything else touches it. */
interface ApiView {
  projects: string[]
  invitations: Map<string, string>
  members: number
  outbox: number
  problems: string[]
}

async function readApi (client: JsonClient, admin: JsonClient): Promise<ApiView> {
  const view: ApiView = { projects: [], invitations: new Map(), members: -1, outbox: -1, problems: [] }
  const get = async (c: JsonClient, path: string) => {
    const answer = await c.request('GET', path)
    if (answer.status !== 200) view.problems.push(`GET ${path}: status ${answer.status}`)
    return answer.body?.data
  }
  const format = (list: Array<{ id: number, email: string, status: string }> | undefined) =>
    (list ?? []).map((i) => `${i.id}:${i.email}:${i.status}`).join(',')
  view.projects = ((await get(client, '/v1/projects'))?.projects ?? []).map((p: { id: string }) => p.id)
  for (const id of view.projects) view.invitations.set(id, format((await get(client, `/v1/projects/${id}/invitations`))?.invitations))
  view.invitations.set(DEMO_ORGANIZATION_ID, format((await get(client, '/v1/organization/invitations'))?.invitations))
  view.members = (await get(client, '/v1/organization/members?pageSize=1'))?.total ?? -1
  view.outbox = ((await get(admin, `/__admin/outbox?organizationId=${DEMO_ORGANIZATION_ID}`)) ?? []).length
  return view
}

/** Creates made on the restarted server: their ids must continue after everything stored before. */
interface Probes {
  project: { id: number, email: string }
  organization: { id: number, email: string }
  newProject: { id: string, name: string, keyId: number }
  problems: string[]
}

async function probe (client: JsonClient, tag: string, iteration: number): Promise<Probes> {
  const problems: string[] = []
  const post = async (path: string, body: unknown) => {
    const answer = await client.request('POST', path, body)
    if (answer.status !== 200) problems.push(`POST ${path} after the restart: status ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`)
    return answer.body?.data
  }
  const email = (kind: string) => `${tag}-probe-${iteration}-${kind}@crash.example`
  const p = (await post(`/v1/projects/${DEMO_PROJECT_ID}/invitations`, { emails: [email('p')] }))?.invitations?.[0]
  const o = (await post('/v1/organization/invitations', { emails: [email('o')] }))?.invitations?.[0]
  const name = `crash-${tag}-probe-${iteration}`
  const created = await post('/v1/projects', { name })
  return {
    project: { id: p?.id ?? -1, email: email('p') },
    organization: { id: o?.id ?? -1, email: email('o') },
    newProject: { id: created?.project?.id ?? '', name, keyId: created?.apiKey?.id ?? -1 },
    problems
  }
}

interface FileCounts {
  projectInvitations: number
  organizationInvitations: number
  outboxEmails: number
  projects: number
}

interface InvitationRow { kind: Kind, id: number, ownerId: string, email: string, status: Status }
interface EmailRow { id: number, kind: Kind, invitationId: number, email: string, organizationId: string, projectId: string | null }

/** The file as rows, read once, indexed the ways the checks need. */
function readFile (db: Sqlite.Database) {
  const invitations = new Map<string, InvitationRow>()
  const byOwnerEmail = new Map<string, InvitationRow>()
  for (const row of db.prepare<[], InvitationRow>(`
    select 'PROJECT' as kind, id, project_id as ownerId, email, status from project_invitations
    union all
    select 'ORGANIZATION', id, organization_id, email, status from organization_invitations`).all()) {
    invitations.set(Model.key(row.kind, row.id), row)
    byOwnerEmail.set(`${row.kind}:${row.ownerId}:${row.email}`, row)
  }
  const emails = new Map<string, EmailRow[]>()
  const emailsTo = new Map<string, EmailRow[]>()
  let maxEmailId = 0
  for (const row of db.prepare<[], EmailRow>(`
    select id, kind, invitation_id as invitationId, to_email as email, organization_id as organizationId, project_id as projectId
    from invitation_emails`).all()) {
    const k = Model.key(row.kind, row.invitationId)
    emails.set(k, [...(emails.get(k) ?? []), row])
    emailsTo.set(`${row.kind}:${row.email}`, [...(emailsTo.get(`${row.kind}:${row.email}`) ?? []), row])
    maxEmailId = Math.max(maxEmailId, row.id)
  }
  const projects = new Map(db.prepare<[], { id: string, name: string, organizationId: string }>(
    'select id, name, organization_id as organizationId from projects').all().map((p) => [p.id, p]))
  const projectKeys = new Map(db.prepare<[], { projectId: string, n: number, maxId: number }>(
    'select project_id as projectId, count(*) as n, max(id) as maxId from api_keys where project_id is not null group by project_id').all()
    .map((k) => [k.projectId, k]))
  const maxKeyId = db.prepare<[], { m: number | null }>('select max(id) as m from api_keys').get()!.m ?? 0
  const users = new Map(db.prepare<[], { id: string, email: string }>('select id, email from users').all().map((u) => [u.email, u.id]))
  const orgMembers = new Map(db.prepare<[string], { email: string, role: string }>(`
    select u.email, r.name as role from organization_members m join users u on u.id = m.user_id join roles r on r.id = m.role_id
    where m.organization_id = ?`).all(DEMO_ORGANIZATION_ID).map((m) => [m.email, m.role]))
  const projectMembers = new Map(db.prepare<[], { projectId: string, email: string, role: string }>(`
    select m.project_id as projectId, u.email, r.name as role from project_members m join users u on u.id = m.user_id
    join roles r on r.id = m.role_id`).all().map((m) => [`${m.projectId}:${m.email}`, m.role]))
  const sequences = db.prepare<[], { name: string, seq: number }>('select name, seq from sqlite_sequence').all()
  return { invitations, byOwnerEmail, emails, emailsTo, maxEmailId, projects, projectKeys, maxKeyId, users, orgMembers, projectMembers, sequences }
}

type FileView = ReturnType<typeof readFile>

/** The accept of `inv` is visible in the file: the person exists and is a member (of the project too, for a project invitation whose project still exists). */
function acceptVisible (file: FileView, model: Model, inv: ModelInvitation): { all: boolean, none: boolean, detail: string } {
  const parts: Array<[string, boolean]> = [
    ['user', file.users.has(inv.email)],
    ['organization member', file.orgMembers.has(inv.email)]
  ]
  if (inv.kind === 'PROJECT' && model.projects.get(inv.ownerId)?.live === true) {
    parts.push(['project member', file.projectMembers.has(`${inv.ownerId}:${inv.email}`)])
  }
  const row = file.invitations.get(Model.key(inv.kind, inv.id))
  if (row !== undefined) parts.push(['status ACCEPTED', row.status === 'ACCEPTED'])
  return {
    all: parts.every(([, present]) => present),
    none: parts.every(([, present]) => !present),
    detail: parts.map(([what, present]) => `${what}: ${present ? 'yes' : 'no'}`).join(', ')
  }
}

/**
 * Reads each unanswered write's outcome from the file: it must be all there or not at all. The
 * model takes the outcome, so that it is exact again. Returns how many were committed.
 */
function resolveUnknowns (file: FileView, model: Model, unknowns: Unknown[], checks: Checks): { committed: number, notApplied: number } {
  const partial: string[] = []
  let committed = 0
  let notApplied = 0
  const outcome = (applied: boolean) => { if (applied) committed++; else notApplied++ }
  for (const u of unknowns) {
    if (u.op === 'create') {
      const rows = u.emails.map((e) => file.byOwnerEmail.get(`${u.kind}:${u.ownerId}:${e}`))
      const emailRows = u.emails.map((e) => file.emailsTo.get(`${u.kind}:${e}`) ?? [])
      const found = rows.filter((r) => r !== undefined).length
      const mailed = emailRows.filter((list) => list.length > 0).length
      const consistent = rows.every((r, i) => r === undefined
        ? emailRows[i]!.length === 0
        : r.status === 'PENDING' && emailRows[i]!.length === 1 && emailRows[i]![0]!.invitationId === r.id)
      if (!((found === 0 && mailed === 0) || (found === u.emails.length && consistent))) {
        partial.push(`${u.kind} create of ${u.emails.length} addresses in ${u.ownerId}: ${found} invitations and ${mailed} emailed stored (${u.emails[0]}...)`)
        continue
      }
      outcome(found > 0)
      for (const r of rows) {
        if (r !== undefined) model.addInvitation({ kind: u.kind, id: r.id, ownerId: u.ownerId, email: r.email, status: 'PENDING', stored: true, emails: 1, busy: false })
      }
    } else if (u.op === 'resend') {
      const n = file.emails.get(Model.key(u.inv.kind, u.inv.id))?.length ?? 0
      if (n !== u.inv.emails && n !== u.inv.emails + 1) partial.push(`resend of ${u.inv.kind} ${u.inv.id}: ${n} emails, expected ${u.inv.emails} or ${u.inv.emails + 1}`)
      outcome(n === u.inv.emails + 1)
      u.inv.emails = n
    } else if (u.op === 'revoke') {
      const row = file.invitations.get(Model.key(u.inv.kind, u.inv.id))
      if (row !== undefined && row.status !== u.inv.status) partial.push(`revoke of ${u.inv.kind} ${u.inv.id}: still there but ${row.status}, was ${u.inv.status}`)
      outcome(row === undefined)
      u.inv.stored = row !== undefined
    } else if (u.op === 'decline') {
      const status = file.invitations.get(Model.key(u.inv.kind, u.inv.id))?.status
      if (status !== 'PENDING' && status !== 'DECLINED') partial.push(`decline of ${u.inv.kind} ${u.inv.id}: ${status ?? 'missing'}`)
      outcome(status === 'DECLINED')
      if (status === 'DECLINED') u.inv.status = 'DECLINED'
    } else if (u.op === 'accept') {
      const seen = acceptVisible(file, model, u.inv)
      if (!seen.all && !seen.none) partial.push(`accept of ${u.inv.kind} ${u.inv.id} (${u.inv.email}) half done: ${seen.detail}`)
      outcome(seen.all)
      if (seen.all) u.inv.status = 'ACCEPTED'
    } else if (u.op === 'createProject') {
      const row = [...file.projects.values()].find((p) => p.name === u.name)
      if (row !== undefined && file.projectKeys.get(row.id)?.n !== 1) partial.push(`project ${u.name} stored without its key`)
      outcome(row !== undefined)
      if (row !== undefined) {
        model.addProject({ id: row.id, name: row.name, live: true, busy: 0, deleting: false, created: true })
        model.maxKeyId = Math.max(model.maxKeyId, file.projectKeys.get(row.id)?.maxId ?? 0)
      }
    } else if (u.op === 'deleteProject') {
      const present = file.projects.has(u.project.id)
      const invitations = [...model.invitations.values()].filter((i) => i.kind === 'PROJECT' && i.ownerId === u.project.id && i.stored)
      const left = invitations.filter((i) => file.invitations.has(Model.key(i.kind, i.id))).length
      const keys = file.projectKeys.get(u.project.id)?.n ?? 0
      if (present ? (left !== invitations.length || keys !== 1) : (left !== 0 || keys !== 0)) {
        partial.push(`delete of project ${u.project.id}: project ${present ? 'present' : 'gone'}, ${left} of ${invitations.length} invitations and ${keys} keys left`)
      }
      outcome(!present)
      if (!present) markProjectDeleted(model, u.project)
    }
  }
  checks.expect('no unanswered request is half applied', partial,
    `${unknowns.length} unanswered writes: ${committed} fully committed, ${notApplied} not applied at all`)
  return { committed, notApplied }
}

/** resolveUnknowns on a database handle: each unanswered write must be all in the file or not at all. */
export function checkUnanswered (db: Sqlite.Database, model: Model, unknowns: Unknown[], checks: Checks): { committed: number, notApplied: number } {
  return resolveUnknowns(readFile(db), model, unknowns, checks)
}

/**
 * Checks the file against the model, which must be exact (no unanswered write left to resolve):
 * every invitation the run knows is stored as it should be with exactly its outbox emails, nothing
 * else is, projects and memberships match, and the database's own invariants hold.
 */
export function checkFile (db: Sqlite.Database, model: Model, checks: Checks, file: FileView = readFile(db)): FileCounts {
  const integrity = db.pragma('integrity_check', { simple: true })
  checks.that('PRAGMA integrity_check', integrity === 'ok', String(integrity))
  const foreign = db.pragma('foreign_key_check') as unknown[]
  checks.expect('PRAGMA foreign_key_check', foreign.map((f) => JSON.stringify(f)), 'no row refers to a missing one')

  const lost: string[] = []
  const wrongEmails: string[] = []
  let expectedRows = 0
  let expectedEmails = 0
  for (const inv of model.invitations.values()) {
    const k = Model.key(inv.kind, inv.id)
    const row = file.invitations.get(k)
    if (inv.stored) {
      expectedRows++
      if (row === undefined) lost.push(`${k} (${inv.email}, ${inv.status}) is missing`)
      else if (row.ownerId !== inv.ownerId || row.email !== inv.email || row.status !== inv.status) {
        lost.push(`${k} is ${row.ownerId}/${row.email}/${row.status}, expected ${inv.ownerId}/${inv.email}/${inv.status}`)
      }
    } else if (row !== undefined) {
      lost.push(`${k} (${inv.email}) is stored, but it was revoked or its project deleted`)
    }
    const emails = file.emails.get(k) ?? []
    expectedEmails += inv.emails
    const projectId = inv.kind === 'PROJECT' ? inv.ownerId : null
    const bad = emails.filter((e) => e.email !== inv.email || e.organizationId !== DEMO_ORGANIZATION_ID || e.projectId !== projectId)
    if (emails.length !== inv.emails || bad.length > 0) {
      wrongEmails.push(`${k} (${inv.email}) has ${emails.length} outbox emails${bad.length > 0 ? `, ${bad.length} addressed wrongly` : ''}, expected ${inv.emails}`)
    }
  }
  const unknownRows = [...file.invitations.keys()].filter((k) => !model.invitations.has(k))
  const unknownEmails = [...file.emails.entries()].filter(([k]) => !model.invitations.has(k)).map(([k, rows]) => `${rows.length} for ${k}`)
  checks.expect('every acknowledged invitation is stored, with its id, address and status', lost,
    `${expectedRows} invitations stored as expected (${model.invitations.size - expectedRows} revoked or with their project deleted)`)
  checks.expect('each invitation has exactly its outbox emails', wrongEmails, `${expectedEmails} outbox emails, each invitation's own`)
  checks.expect('no invitation that no request created', unknownRows.slice(0, 20), `${file.invitations.size} invitation rows, all known`)
  checks.expect('no outbox email that no request caused', unknownEmails.slice(0, 20), 'every email belongs to a known invitation')

  const projectProblems: string[] = []
  for (const project of model.projects.values()) {
    const row = file.projects.get(project.id)
    const keys = file.projectKeys.get(project.id)?.n ?? 0
    if (project.live && row === undefined) projectProblems.push(`project ${project.id} (${project.name}) is missing`)
    if (project.live && row !== undefined && row.name !== project.name) projectProblems.push(`project ${project.id} is named ${row.name}, expected ${project.name}`)
    if (!project.live && row !== undefined) projectProblems.push(`project ${project.id} is stored, but it was deleted`)
    const expectedKeys = project.live && project.created ? 1 : 0
    if (keys !== expectedKeys) projectProblems.push(`project ${project.id} has ${keys} keys, expected ${expectedKeys}`)
  }
  for (const id of file.projects.keys()) if (!model.projects.has(id)) projectProblems.push(`project ${id} was never created by a request`)
  const live = model.liveProjects().length
  checks.expect('projects: every acknowledged one stored with its one key, deleted ones gone', projectProblems, `${live} projects (${model.projects.size - live} deleted)`)

  const memberProblems: string[] = []
  let accepted = 0
  for (const inv of model.invitations.values()) {
    if (inv.status === 'ACCEPTED') {
      accepted++
      const seen = acceptVisible(file, model, inv)
      if (!seen.all) memberProblems.push(`${inv.kind} ${inv.id} ACCEPTED but ${seen.detail}`)
      const orgRole = file.orgMembers.get(inv.email)
      if (orgRole !== undefined && orgRole !== 'Member') memberProblems.push(`${inv.email} is an organization ${orgRole}, expected Member`)
      const projectRole = file.projectMembers.get(`${inv.ownerId}:${inv.email}`)
      if (inv.kind === 'PROJECT' && projectRole !== undefined && projectRole !== 'Member') memberProblems.push(`${inv.email} is a project ${projectRole}, expected Member`)
    } else if (file.users.has(inv.email)) {
      memberProblems.push(`${inv.email} is a user, but ${inv.kind} ${inv.id} is ${inv.status}`)
    }
  }
  // The demo organization's Owner is its only member besides those who accepted.
  const expectedUsers = accepted + 1
  if (file.users.size !== expectedUsers) memberProblems.push(`${file.users.size} users, expected ${expectedUsers} (the demo Owner and ${accepted} who accepted)`)
  if (file.orgMembers.size !== expectedUsers) memberProblems.push(`${file.orgMembers.size} organization members, expected ${expectedUsers}`)
  checks.expect('accepted invitations made members, and nothing else did', memberProblems, `${accepted} accepted, each a user and member`)

  const duplicates = db.prepare<[], { kind: string, ownerId: string, email: string, n: number }>(`
    select 'PROJECT' as kind, project_id as ownerId, email, count(*) as n from project_invitations where status = 'PENDING' group by 1, 2, 3 having n > 1
    union all
    select 'ORGANIZATION', organization_id, email, count(*) from organization_invitations where status = 'PENDING' group by 1, 2, 3 having count(*) > 1`).all()
  checks.expect('no duplicate PENDING invitation', duplicates.map((d) => `${d.n} for ${d.kind} ${d.ownerId} ${d.email}`), 'one PENDING per owner and address')

  const tableMax = (table: string) => db.prepare<[], { m: number | null }>(`select max(id) as m from ${table}`).get()!.m ?? 0
  const behind = file.sequences
    .filter((s) => ['project_invitations', 'organization_invitations', 'invitation_emails', 'api_keys'].includes(s.name))
    .filter((s) => s.seq < tableMax(s.name)).map((s) => `${s.name}: sequence ${s.seq} < max id ${tableMax(s.name)}`)
  checks.expect('AUTOINCREMENT counters at or above every id', behind, `${file.sequences.length} counters`)

  const count = (table: string) => db.prepare<[], { n: number }>(`select count(*) as n from ${table}`).get()!.n
  return {
    projectInvitations: count('project_invitations'),
    organizationInvitations: count('organization_invitations'),
    outboxEmails: count('invitation_emails'),
    projects: count('projects')
  }
}

/** The probes' ids come after every id the file held before them, and their rows are in the model. */
function checkProbes (file: FileView, model: Model, probes: Probes, checks: Checks): void {
  const problems = [...probes.problems]
  const probeKeys = new Set([Model.key('PROJECT', probes.project.id), Model.key('ORGANIZATION', probes.organization.id)])
  let emailsBefore = 0
  for (const [k, rows] of file.emails) if (!probeKeys.has(k)) for (const row of rows) emailsBefore = Math.max(emailsBefore, row.id)
  for (const [kind, made] of [['PROJECT', probes.project], ['ORGANIZATION', probes.organization]] as const) {
    const before = model.maxId(kind)
    if (!(made.id > before)) problems.push(`new ${kind} invitation got id ${made.id}, not above ${before}`)
    const emailIds = (file.emails.get(Model.key(kind, made.id)) ?? []).map((e) => e.id)
    if (emailIds.length !== 1 || emailIds[0]! <= emailsBefore) problems.push(`the new ${kind} invitation's outbox email ids [${emailIds.join(',')}] are not one id above ${emailsBefore}`)
    model.addInvitation({ kind, id: made.id, ownerId: kind === 'PROJECT' ? DEMO_PROJECT_ID : DEMO_ORGANIZATION_ID, email: made.email, status: 'PENDING', stored: true, emails: 1, busy: false })
  }
  if (probes.newProject.id === '' || model.projectIdsEver.has(probes.newProject.id)) problems.push(`new project got id '${probes.newProject.id}', which an earlier project had`)
  if (!(probes.newProject.keyId > model.maxKeyId)) problems.push(`new project key got id ${probes.newProject.keyId}, not above ${model.maxKeyId}`)
  model.maxKeyId = Math.max(model.maxKeyId, probes.newProject.keyId)
  model.addProject({ id: probes.newProject.id, name: probes.newProject.name, live: true, busy: 0, deleting: false, created: true })
  checks.expect('ids continue after the restart (invitations, outbox, project, key)', problems,
    `new ids: project invitation ${probes.project.id}, organization invitation ${probes.organization.id}, outbox above ${emailsBefore}, key ${probes.newProject.keyId}`)
}

/** What the restarted server listed, against the model as the file resolved it (the probes came after). */
function checkApiView (view: ApiView, model: Model, probes: Probes, checks: Checks): void {
  const problems = [...view.problems]
  const probeKeys = new Set([Model.key('PROJECT', probes.project.id), Model.key('ORGANIZATION', probes.organization.id)])
  const expectedProjects = model.liveProjects().map((p) => p.id).filter((id) => id !== probes.newProject.id)
  if ([...view.projects].sort().join() !== [...expectedProjects].sort().join()) {
    problems.push(`GET /v1/projects lists ${view.projects.length} projects, expected ${expectedProjects.length}`)
  }
  let listed = 0
  for (const ownerId of [...expectedProjects, DEMO_ORGANIZATION_ID]) {
    const expected = [...model.invitations.values()]
      .filter((i) => i.ownerId === ownerId && i.stored && i.status !== 'ACCEPTED' && !probeKeys.has(Model.key(i.kind, i.id)))
      .sort((a, b) => a.id - b.id).map((i) => `${i.id}:${i.email}:${i.status}`).join(',')
    const got = view.invitations.get(ownerId)
    listed += expected === '' ? 0 : expected.split(',').length
    if (got !== expected) problems.push(`the invitations listed for ${ownerId} differ from those stored (${got?.split(',').length ?? 0} listed)`)
  }
  const accepted = [...model.invitations.values()].filter((i) => i.status === 'ACCEPTED').length
  if (view.members !== accepted + 1) problems.push(`GET /v1/organization/members total ${view.members}, expected ${accepted + 1}`)
  const emails = [...model.invitations.entries()].filter(([k]) => !probeKeys.has(k)).reduce((n, [, i]) => n + i.emails, 0)
  if (view.outbox !== emails) problems.push(`GET /__admin/outbox shows ${view.outbox} emails, expected ${emails}`)
  checks.expect('the restarted server lists what the file holds', problems,
    `${view.projects.length} projects, ${listed} PENDING/DECLINED invitations, ${view.members} members, ${view.outbox} outbox emails`)
}

export async function runCrashSafety (opts: CrashOptions): Promise<CrashResult> {
  const log = opts.log ?? ((line: string) => console.log(line))
  const entry = resolveEntry(opts.entry)
  const dir = opts.dir ?? mkdtempSync(join(os.tmpdir(), 'confident-mock-crash-'))
  const database = join(dir, 'crash.sqlite')
  if (existsSync(database)) throw new Error(`${database} exists already: the run needs a new database`)
  const random = seededRandom(opts.seed)
  const tag = opts.seed.toString(36)
  const model = new Model()
  const reports: IterationReport[] = []
  const problems: string[] = []
  const reported = { PROJECT: new Set<number>(), ORGANIZATION: new Set<number>() }
  const headers = { CONFIDENT_API_KEY: DEMO_ORG_KEY }
  let server: ServerChild | null = null
  let firstStartMs = 0

  log(`entry: ${entry.args.join(' ')} (${entry.reason})`)
  log(`database: ${database}`)
  log(`settings: ${opts.iterations} iterations, ${opts.connections} connections, the kill amid bursts of creates from ${opts.killAfterMs.min}-${opts.killAfterMs.max} ms into the load, ` +
    `1-${opts.maxEmails} addresses per create, seed ${opts.seed}`)
  try {
    for (let iteration = 1; iteration <= opts.iterations; iteration++) {
      const loaded: ServerChild = server = await startServer({ entry, database })
      if (iteration === 1) {
        firstStartMs = loaded.startMs
        log(`first start on the new file: ${firstStartMs.toFixed(0)} ms\n`)
      }
      const checks = new Checks()
      const client = new JsonClient(loaded.url, { connections: opts.connections, headers })
      const admin = new JsonClient(loaded.url, { connections: opts.connections })
      const ctx: LoadContext = {
        model,
        client,
        admin,
        random,
        tag,
        iteration,
        maxEmails: opts.maxEmails,
        stopping: false,
        inFlight: 0,
        sent: 0,
        answered: 0,
        unanswered: 0,
        ackedWrites: 0,
        unknowns: [],
        unexpected: [],
        floor: { PROJECT: model.maxId('PROJECT'), ORGANIZATION: model.maxId('ORGANIZATION'), key: model.maxKeyId },
        reported,
        idProblems: []
      }

      // The load, and the kill at a random moment in it, amid a burst of writes.
      const killAfterMs = Math.round(opts.killAfterMs.min + random() * (opts.killAfterMs.max - opts.killAfterMs.min))
      const loops = Array.from({ length: opts.connections }, (_, c) => clientLoop(ctx, c + 1))
      const killing = await killer(ctx, loaded, Math.max(MIN_BURST, Math.ceil(opts.connections / 2)), headers)
      const kill = await killing.kill(killAfterMs)
      killing.close()
      const inFlightAtKill = kill.inFlight
      const killedBy = loaded.exit?.signal
      await Promise.all(loops)
      client.close()
      admin.close()
      checks.that('the server died of SIGKILL', killedBy === 'SIGKILL', `exit signal ${killedBy}`)
      // Responses the server wrote just before it died still arrive, so fewer may go unanswered than were
      // in flight (on a loaded machine even the last STRAWS creates, written just before the kill, may be
      // answered in time): the kill came mid-flight if those were in flight when it was sent.
      checks.that('the kill came with requests in flight', inFlightAtKill >= STRAWS && ctx.unanswered <= inFlightAtKill,
        `${inFlightAtKill} in flight at the kill, ${ctx.unanswered} never answered`)
      checks.expect('every answer before the kill was the expected 200', ctx.unexpected, `${ctx.answered} answers`)
      checks.expect('ids reported by creates are new (above every id stored before, none twice)', ctx.idProblems,
        `${reported.PROJECT.size + reported.ORGANIZATION.size} invitation ids reported so far in the run`)

      // Restart on the same file, read it through the API, then create more.
      const restarted: ServerChild = server = await startServer({ entry, database })
      const restartMs = restarted.startMs
      const apiClient = new JsonClient(restarted.url, { connections: 1, headers })
      const apiAdmin = new JsonClient(restarted.url, { connections: 1 })
      const view = await readApi(apiClient, apiAdmin)
      const probes = await probe(apiClient, tag, iteration)
      apiClient.close()
      apiAdmin.close()
      const stopped = await stopServer(restarted)
      server = null
      checks.that('the restarted server stops cleanly on SIGTERM', stopped.code === 0, `code ${stopped.code}, signal ${stopped.signal}`)

      // The file, read-only, with no server running.
      const db = new Sqlite(database, { readonly: true, fileMustExist: true })
      let counts: FileCounts
      let resolved: { committed: number, notApplied: number }
      try {
        const file = readFile(db)
        resolved = resolveUnknowns(file, model, ctx.unknowns, checks)
        checkApiView(view, model, probes, checks)
        checkProbes(file, model, probes, checks)
        counts = checkFile(db, model, checks, file)
      } finally {
        db.close()
      }

      const report: IterationReport = {
        iteration,
        killAfterMs: Math.round(kill.atMs),
        sent: ctx.sent,
        ackedWrites: ctx.ackedWrites,
        answered: ctx.answered,
        unanswered: ctx.unanswered,
        unknownCommitted: resolved.committed,
        unknownNotApplied: resolved.notApplied,
        ...counts,
        restartMs,
        checksPassed: checks.passed,
        checksTotal: checks.results.length,
        problems: checks.problems().map((p) => `iteration ${iteration}: ${p}`)
      }
      reports.push(report)
      problems.push(...report.problems)
      log(`iteration ${iteration}/${opts.iterations}: killed ${kill.atMs.toFixed(0)} ms into the load, ${kill.delayMs} ms after a burst of ${kill.burst} creates ` +
        `was written (the one before took ${kill.firstBurstMs.toFixed(0)} ms to answer) and just after ${STRAWS} more; ${report.sent} requests sent, ${report.answered} answered ` +
        `(${report.ackedWrites} writes acknowledged), ${report.unanswered} unanswered at the kill ` +
        `(${ctx.unknowns.length} writes: ${report.unknownCommitted} committed, ${report.unknownNotApplied} not applied)`)
      log(`  stored: ${counts.projectInvitations} project + ${counts.organizationInvitations} organization invitations, ` +
        `${counts.outboxEmails} outbox emails, ${counts.projects} projects; restart ${restartMs.toFixed(0)} ms; ` +
        `checks ${report.checksPassed}/${report.checksTotal} passed`)
      for (const result of checks.results) log(`    ${result.pass ? 'PASS' : 'FAIL'}  ${result.name}: ${result.detail}`)
    }
  } catch (err) {
    problems.push(`the run stopped: ${(err as Error).stack ?? String(err)}${server === null ? '' : `\nserver output:\n${server.output()}`}`)
  } finally {
    if (server !== null) await stopServer(server)
  }
  const kept = opts.dir === undefined && (problems.length > 0 || opts.keep === true)
  if (opts.dir === undefined && !kept) rmSync(dir, { recursive: true, force: true })
  return { entry, database, firstStartMs, iterations: reports, problems, model, kept }
}

const pad = (value: string | number, width: number) => String(value).padStart(width)

/** The per-iteration table and the verdict, as the command prints them. */
export function summary (result: CrashResult): string {
  const lines = [
    '',
    `${'iter'.padEnd(5)}${pad('kill ms', 8)}${pad('sent', 7)}${pad('acked', 7)}${pad('unans.', 7)}${pad('commit', 7)}${pad('none', 6)}` +
      `${pad('proj inv', 9)}${pad('org inv', 8)}${pad('emails', 7)}${pad('projects', 9)}${pad('restart', 9)}${pad('checks', 8)}`
  ]
  for (const r of result.iterations) {
    lines.push(`${String(r.iteration).padEnd(5)}${pad(r.killAfterMs, 8)}${pad(r.sent, 7)}${pad(r.ackedWrites, 7)}${pad(r.unanswered, 7)}` +
      `${pad(r.unknownCommitted, 7)}${pad(r.unknownNotApplied, 6)}${pad(r.projectInvitations, 9)}${pad(r.organizationInvitations, 8)}` +
      `${pad(r.outboxEmails, 7)}${pad(r.projects, 9)}${pad(`${r.restartMs.toFixed(0)} ms`, 9)}${pad(`${r.checksPassed}/${r.checksTotal}`, 8)}`)
  }
  lines.push('(acked: writes answered 200; unans.: requests in flight at the kill; commit / none: unanswered writes the file shows fully committed / not applied at all)')
  if (result.kept) lines.push(`\nkept for inspection: ${result.database}`)
  if (result.problems.length === 0) {
    const acked = result.iterations.reduce((n, r) => n + r.ackedWrites, 0)
    lines.push(`\nPASS: ${result.iterations.length} kills; all ${acked} acknowledged writes stored, no partial request, ids continued, integrity ok`)
  } else {
    lines.push(`\nFAIL: ${result.problems.length} problem(s)`)
    for (const problem of result.problems) lines.push(`  - ${problem}`)
  }
  return lines.join('\n')
}

/* c8 ignore start: the command-line entry runs as `npm run crash`; the test calls runCrashSafety */
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  try {
    // The kill comes between half of CRASH_SECONDS and all of it, so each iteration stops at a different point.
    const seconds = envNumber('CRASH_SECONDS', 3)
    const result = await runCrashSafety({
      iterations: envNumber('CRASH_ITERATIONS', 5, { integer: true, min: 1 }),
      connections: envNumber('CRASH_CONNECTIONS', 32, { integer: true, min: 1 }),
      killAfterMs: { min: seconds * 500, max: seconds * 1000 },
      maxEmails: envNumber('CRASH_MAX_EMAILS', 10, { integer: true, min: 1 }),
      seed: envNumber('CRASH_SEED', Math.floor(Math.random() * 2 ** 31), { integer: true, min: 0 }),
      entry: envChoice('CRASH_ENTRY', ['auto', 'dist', 'src'] as const, 'auto'),
      ...(process.env['CRASH_DIR'] ? { dir: process.env['CRASH_DIR'] } : {}),
      keep: process.env['CRASH_KEEP'] === '1'
    })
    console.log(summary(result))
    process.exitCode = result.problems.length === 0 ? 0 : 1
  } catch (err) {
    console.error(`crash-safety failed: ${(err as Error).stack ?? String(err)}`)
    process.exitCode = 1
  }
}
/* c8 ignore stop */
