// The raw prototype the create endpoint is measured against: the same checks and inserts as
// POST /v1/projects/:projectId/invitations, written straight on better-sqlite3 with no layers
// (no repositories, services, Drizzle, hooks, journal, faults, logging or schema validation
// beyond what the checks need). It is served by the same bare Fastify as bench/bare-server.js, so
// the ratio measures what confident-mock's own layers cost, not the HTTP framework. It opens a
// database file the real server made (migrations and the demo seed), with the pragmas the issue
// names (WAL, synchronous=NORMAL) and one IMMEDIATE transaction per request.
import { createHash, createHmac } from 'node:crypto'
import Sqlite from 'better-sqlite3'
import Fastify from 'fastify'

const INVITING_PLANS = new Set(['STARTER', 'TEAM', 'PREMIUM', 'ENTERPRISE'])
const MAX_EMAILS = 100

const sqlite = new Sqlite(process.env.PROTOTYPE_DATABASE)
sqlite.pragma('journal_mode = WAL')
sqlite.pragma('synchronous = NORMAL')
sqlite.pragma('busy_timeout = 5000')

const secret = Buffer.from(sqlite.prepare("select value from meta where key = 'token_secret'").get().value, 'hex')
const caller = sqlite.prepare(`
  select k.organization_id as organizationId, k.project_id as projectId, k.valid, o.plan, o.trial_ends_at as trialEndsAt
  from api_keys k join organizations o on o.id = k.organization_id where k.digest = ?`)
const project = sqlite.prepare('select organization_id as organizationId from projects where id = ?')
const role = sqlite.prepare('select scope, name, organization_id as organizationId, project_id as projectId from roles where id = ?')
const insertPending = sqlite.prepare(`
  insert into project_invitations (project_id, email, status, project_role_id, created_at)
  select @projectId, j.value, 'PENDING', @roleId, @createdAt from json_each(@emails) as j
  where not exists (select 1 from project_members m join users u on u.id = m.user_id where m.project_id = @projectId and u.email = j.value)
    and not exists (select 1 from project_invitations p where p.project_id = @projectId and p.email = j.value and p.status = 'PENDING')
  order by j.key
  on conflict (project_id, email) where status = 'PENDING' do nothing
  returning id, email, status, project_role_id as roleId, created_at as createdAt`)
const insertEmail = sqlite.prepare(`
  insert into invitation_emails (kind, organization_id, project_id, invitation_id, to_email, token, created_at)
  values ('PROJECT', ?, ?, ?, ?, ?, ?)`)

class Refused extends Error {
  constructor (status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

const create = sqlite.transaction((key, projectId, emails, roleId) => {
  const who = typeof key === 'string' ? caller.get(createHash('sha256').update(key).digest('hex')) : undefined
  if (who === undefined || who.valid !== 1) throw new Refused(401, 'INVALID_API_KEY', 'Invalid API key')
  const owner = project.get(projectId)
  if (owner === undefined || owner.organizationId !== who.organizationId || (who.projectId !== null && who.projectId !== projectId)) {
    throw new Refused(404, 'PROJECT_NOT_FOUND', 'Project not found')
  }
  const now = Date.now()
  if (!INVITING_PLANS.has(who.plan) && !(who.trialEndsAt !== null && now < who.trialEndsAt)) throw new Refused(403, 'FORBIDDEN', 'Plan does not allow inviting')
  if (roleId !== null) {
    const r = role.get(roleId)
    if (r === undefined || r.scope !== 'PROJECT' || (r.projectId !== null && r.projectId !== projectId) || (r.organizationId === null && r.name === 'Owner')) {
      throw new Refused(400, 'VALIDATION_ERROR', 'Unknown role')
    }
  }
  const created = insertPending.all({ projectId, roleId, createdAt: now, emails: JSON.stringify(emails) }).sort((a, b) => a.id - b.id)
  for (const row of created) {
    const mac = createHmac('sha256', secret).update(`PROJECT:${row.id}:${row.email}:${row.createdAt}`).digest('base64url').slice(0, 22)
    insertEmail.run(who.organizationId, projectId, row.id, row.email, `pi_${row.id}_${mac}`, now)
  }
  return created
})

const app = Fastify({ logger: false })
// What the bench polls for readiness.
app.get('/health', async () => ({ status: 'ok' }))
app.post('/v1/projects/:projectId/invitations', async (request, reply) => {
  const body = request.body
  const emails = body?.emails
  if (!Array.isArray(emails) || emails.length === 0 || emails.length > MAX_EMAILS || !emails.every((e) => typeof e === 'string' && e.includes('@'))) {
    return reply.code(400).send({ success: false, error: { code: 'VALIDATION_ERROR', message: 'emails: an array of addresses' } })
  }
  try {
    const rows = create.immediate(request.headers.confident_api_key, request.params.projectId, [...new Set(emails.map((e) => e.toLowerCase()))], body.projectRoleId ?? null)
    return {
      success: true,
      data: { invitations: rows.map((r) => ({ id: r.id, email: r.email, status: r.status, created_at: new Date(r.createdAt).toISOString(), projectRoleId: r.roleId })) }
    }
  } catch (error) {
    if (!(error instanceof Refused)) throw error
    return reply.code(error.status).send({ success: false, error: { code: error.code, message: error.message } })
  }
})

const port = Number(process.env.PORT ?? '0')
await app.listen({ port, host: process.env.HOST ?? '127.0.0.1' })
process.once('SIGTERM', () => { app.close().then(() => { sqlite.close(); process.exit(0) }, () => process.exit(1)) })
