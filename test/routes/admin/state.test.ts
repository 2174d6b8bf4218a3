// Reset (to the boot fixtures or to empty), snapshots (export, import, refusals) and deterministic ids.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { App } from '../../../src/app.js'
import { buildApp } from '../../../src/app.js'
import { Clock } from '../../../src/domain/clock.js'
import { defaultConfig } from '../../../src/config.js'
import { readFixturesFile } from '../../../src/boot-state/parse.js'
import { build, json, T0 } from '../../helpers/build.js'

const EXAMPLE = readFixturesFile(fileURLToPath(new URL('../../../docker/fixtures.example.yaml', import.meta.url)))
const ACME_KEY = 'confident_org_acacacacacacacacacacacacacacacac'
const WEBSITE = 'cacmewebsiteproject000000'

const post = (app: App, url: string, payload: object = {}, key?: string) =>
  app.inject({ method: 'POST', url, payload, ...(key === undefined ? {} : { headers: { CONFIDENT_API_KEY: key } }) })
const get = (app: App, url: string, key?: string) =>
  app.inject({ method: 'GET', url, ...(key === undefined ? {} : { headers: { CONFIDENT_API_KEY: key } }) })

/** The stored state, as a snapshot without its export time. */
async function state (app: App) {
  const { exportedAt: _exportedAt, ...rest } = json(await get(app, '/__admin/snapshot'))
  return rest
}

/** Some of everything: invitations, a resend, an answer, a revoke, a tenant, a project, a clock move. */
async function activity (app: App) {
  const created = json(await post(app, `/v1/projects/${WEBSITE}/invitations`, { emails: ['one@x.example', 'two@x.example', 'three@x.example'] }, ACME_KEY)).data.invitations
  await app.inject({ method: 'PUT', url: `/v1/projects/${WEBSITE}/invitations/${created[0].id}`, headers: { CONFIDENT_API_KEY: ACME_KEY } })
  const outbox = json(await get(app, '/__admin/outbox')).data
  await post(app, '/__admin/invitations/accept', { token: outbox.find((e: { to: string }) => e.to === 'two@x.example').token })
  await app.inject({ method: 'DELETE', url: `/v1/projects/${WEBSITE}/invitations/${created[2].id}`, headers: { CONFIDENT_API_KEY: ACME_KEY } })
  await post(app, '/v1/organization/invitations', { emails: ['org@x.example'] }, ACME_KEY)
  await post(app, '/v1/projects', { name: 'Made later' }, ACME_KEY)
  const tenant = json(await post(app, '/__admin/organizations', { name: 'Tenant', projects: [{ name: 'T' }] })).data
  await post(app, `/v1/projects/${tenant.projects[0].id}/invitations`, { emails: ['t@x.example'] }, tenant.apiKey)
  return { created, tenant }
}

t.test('reset restores exactly the boot fixtures: same rows, same ids; faults, journal and clock go back too', async (t) => {
  const app = await build(t, { fixtures: EXAMPLE })
  const booted = await state(app)
  await activity(app)
  await post(app, '/__admin/clock/advance', { by: '30d' })
  await post(app, '/__admin/faults', { path: '/v1/organization', status: 500 })
  t.not(JSON.stringify(await state(app)), JSON.stringify(booted), 'the activity changed the state')
  t.ok(json(await get(app, '/__admin/journal')).data.length > 0)

  const res = await post(app, '/__admin/reset')
  t.equal(res.statusCode, 200)
  t.same(json(res).data.to, 'fixtures')
  t.equal(json(res).data.organizationIds.length, EXAMPLE.organizations.length)
  t.same(await state(app), booted, 'every table equal to the state right after boot')
  t.same(json(await get(app, '/__admin/faults')).data, [])
  t.same(json(await get(app, '/__admin/clock')).data, { now: new Date(T0).toISOString(), frozen: true })
  t.equal((await get(app, '/v1/organization', ACME_KEY)).statusCode, 200, 'the fault is gone')
  // The journal was cleared by the reset; the request just above is its only entry.
  t.same(json(await get(app, '/__admin/journal')).data.map((e: { id: number, path: string }) => [e.id, e.path]), [[1, '/v1/organization']],
    'the journal numbers from 1 again')
  t.equal(json(await post(app, '/__admin/faults', { path: '/v1/nothing', status: 500 })).data.id, 1, 'and so do faults')
  await app.inject({ method: 'DELETE', url: '/__admin/faults' })

  // The same calls after the reset give the same ids as the first time.
  const again = await activity(app)
  const fresh = await build(t, { fixtures: EXAMPLE })
  const first = await activity(fresh)
  t.same(again.created.map((i: { id: number }) => i.id), first.created.map((i: { id: number }) => i.id))
  t.equal(again.tenant.id, first.tenant.id)
  t.same(again.tenant.projects, first.tenant.projects)
})

t.test('reset to empty leaves no organization but the catalogue; tenants can be made at once', async (t) => {
  const app = await build(t, { fixtures: EXAMPLE })
  await activity(app)
  const res = await post(app, '/__admin/reset', { to: 'empty' })
  t.same(json(res).data, { to: 'empty', organizationIds: [] })
  const after = await state(app)
  for (const table of ['organizations', 'projects', 'users', 'api_keys', 'project_invitations', 'organization_invitations', 'invitation_emails']) {
    t.same(after.tables[table], [], `${table} is empty`)
  }
  t.ok(after.tables.roles.length >= 6, 'the system roles stay')
  t.ok(after.tables.permissions.length >= 4, 'the documented permissions stay')
  t.equal((await get(app, '/v1/organization', ACME_KEY)).statusCode, 401)
  const tenant = json(await post(app, '/__admin/organizations', { projects: [{ name: 'P' }] })).data
  t.equal((await post(app, `/v1/projects/${tenant.projects[0].id}/invitations`, { emails: ['a@x.example'] }, tenant.apiKey)).statusCode, 200)
  t.equal((await post(app, '/__admin/reset', { to: 'nothing' })).statusCode, 400)
})

t.test('on a database file, an emptied state stays empty across a restart; a reset to fixtures stays too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'confident-mock-reset-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const config = defaultConfig({ CONFIDENT_MOCK_DATABASE: join(dir, 'state.sqlite') })
  const open = () => buildApp(config, { logger: false, clock: new Clock(T0) })

  let app = await open()
  t.equal((await get(app, '/v1/organization', app.demo!.apiKey)).statusCode, 200, 'a new file gets the demo organization')
  await post(app, '/__admin/reset', { to: 'empty' })
  await app.close()
  app = await open()
  t.same(json(await get(app, '/__admin/organizations')).data, [], 'not seeded again')
  t.equal(app.demo, null)
  await post(app, '/__admin/reset')
  await app.close()
  app = await open()
  t.same(json(await get(app, '/__admin/organizations')).data.map((o: { name: string }) => o.name), ['Demo Organization'])
  await app.close()
})

t.test('export then import into another server reproduces identical list responses; ids and tokens carry on', async (t) => {
  const source = await build(t, { fixtures: EXAMPLE })
  const { created, tenant } = await activity(source)
  const snapshot = json(await get(source, '/__admin/snapshot'))
  t.match(snapshot, { format: 'confident-mock-snapshot', version: 1, schema: /^\d{4}_/, exportedAt: new Date(T0).toISOString() })

  const target = await build(t, { fixtures: { organizations: [] }, config: { CONFIDENT_MOCK_ID_SEED: 'another seed' } })
  const res = await post(target, '/__admin/snapshot', snapshot)
  t.equal(res.statusCode, 200)
  t.equal(json(res).data.tables.project_invitations, snapshot.tables.project_invitations.length)

  const urls = [
    '/v1/organization', '/v1/projects', `/v1/projects/${WEBSITE}`, `/v1/projects/${WEBSITE}/invitations`, `/v1/projects/${WEBSITE}/members`,
    `/v1/projects/${WEBSITE}/roles`, `/v1/projects/${WEBSITE}/permissions`, '/v1/organization/invitations', '/v1/organization/members',
    '/v1/organization/roles', '/v1/organization/permissions', '/v1/organization/governance-policies'
  ]
  for (const [key, list] of [[ACME_KEY, urls], [tenant.apiKey, [`/v1/projects/${tenant.projects[0].id}/invitations`, '/v1/projects']]] as const) {
    for (const url of list) {
      const [a, b] = [await get(source, url, key), await get(target, url, key)]
      t.equal(b.statusCode, 200, url)
      t.same(json(b), json(a), `${url} answers the same`)
    }
  }
  t.same(json(await get(target, '/__admin/outbox')).data.map((e: { id: number, to: string }) => [e.id, e.to]),
    json(await get(source, '/__admin/outbox')).data.map((e: { id: number, to: string }) => [e.id, e.to]))

  // The highest invitation id was revoked: a new one on either server skips it.
  const next = async (app: App) => json(await post(app, `/v1/projects/${WEBSITE}/invitations`, { emails: ['next@x.example'] }, ACME_KEY)).data.invitations[0].id
  t.equal(await next(target), created[2].id + 2, 'AUTOINCREMENT continues past the revoked id (and the tenant\'s invitation)')
  t.equal(await next(source), created[2].id + 2)

  // An emailed token works on the new server (signed again with its own secret).
  const pending = json(await get(target, '/__admin/outbox?to=one@x.example')).data.at(-1)
  const accepted = await post(target, '/__admin/invitations/accept', { token: pending.token })
  t.equal(accepted.statusCode, 200)
  t.equal(json(accepted).data.invitation.status, 'ACCEPTED')
})

t.test('a snapshot holds no key in clear and not the token secret', async (t) => {
  const app = await build(t, { fixtures: EXAMPLE })
  const { tenant } = await activity(app)
  const made = json(await post(app, '/v1/projects', { name: 'Keyed' }, ACME_KEY)).data.apiKey.value as string
  const text = (await get(app, '/__admin/snapshot')).body
  const secret = app.sqlite.prepare("select value from meta where key = 'token_secret'").pluck().get() as string
  for (const key of [ACME_KEY, 'confident_org_dededededededededededededededede', 'confident_proj_acacacacacacacacacacacacacacacac', tenant.apiKey, made, secret]) {
    t.notOk(text.includes(key), `${key.slice(0, 16)}… is not in the snapshot`)
  }
})

t.test('a snapshot of 0002 or 0003 (0003 changed an index, 0004 added nullable columns) is imported as it is', async (t) => {
  const source = await build(t, { fixtures: EXAMPLE })
  await activity(source)
  const current = json(await get(source, '/__admin/snapshot'))
  t.equal(current.schema, '0004_smtp_delivery', 'this test is about the steps from 0002 to 0004')
  // As 0003 exported it: invitation_emails without the delivery columns.
  const snapshot = {
    ...current,
    tables: {
      ...current.tables,
      invitation_emails: current.tables.invitation_emails.map((row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).filter(([column]) => !column.startsWith('delivery'))))
    }
  }
  const target = await build(t, { fixtures: EXAMPLE })
  t.equal((await post(target, '/__admin/snapshot', { ...snapshot, schema: '0003_organization_names_not_unique' })).statusCode, 200)
  const res = await post(target, '/__admin/snapshot', { ...snapshot, schema: '0002_organization_documents' })
  t.equal(res.statusCode, 200, res.body)
  const [imported, exported] = [(await state(target)).tables, (await state(source)).tables]
  t.same(Object.fromEntries(Object.entries(imported).map(([k, rows]) => [k, (rows as unknown[]).length])),
    Object.fromEntries(Object.entries(exported).map(([k, rows]) => [k, (rows as unknown[]).length])), 'every row of every table')
  for (const table of ['organizations', 'projects', 'users', 'project_invitations', 'organization_documents']) t.same(imported[table], exported[table], table)
})

t.test('refused snapshots: clear messages, 400, and the state untouched', async (t) => {
  const source = await build(t, { fixtures: EXAMPLE })
  await activity(source)
  const good = json(await get(source, '/__admin/snapshot'))
  const target = await build(t, { fixtures: EXAMPLE })
  const before = await state(target)
  const tables = good.tables
  const cases: Array<[unknown, RegExp]> = [
    [{ ...good, format: 'other' }, /^Not a confident-mock snapshot: "format" must be "confident-mock-snapshot"$/],
    [{ ...good, version: 2 }, /^Snapshot version 2 is not supported: this server reads version 1$/],
    [{ ...good, schema: '0000_init' }, /^Snapshot is of database schema "0000_init", this server's is "\d{4}_\w+": export it again from a server of the same version$/],
    [{ ...good, tables: [] }, /"tables" must be an object/],
    [{ ...good, tables: { ...tables, widgets: [] } }, /^tables\.widgets: this server has no such table$/],
    [{ ...good, tables: { ...tables, projects: {} } }, /^tables\.projects must be an array of rows$/],
    [{ ...good, tables: { ...tables, projects: [{ ...tables.projects[0], colour: 'red' }] } }, /^tables\.projects\[0\]: table projects has no column "colour"$/],
    [{ ...good, tables: { ...tables, projects: [{ ...tables.projects[0], name: { a: 1 } }] } }, /^tables\.projects\[0\]\.name must be a string or null$/],
    // SQLite would store these; the code reading them would then fail on every request.
    [{ ...good, tables: { ...tables, organizations: [{ ...tables.organizations[0], created_at: 'yesterday' }] } }, /^tables\.organizations\[0\]\.created_at must be an integer or null$/],
    [{ ...good, tables: { ...tables, project_invitations: [{ ...tables.project_invitations[0], created_at: 1e300 }] } }, /^tables\.project_invitations\[0\]\.created_at must be an integer or null$/],
    [{ ...good, tables: { ...tables, invitation_emails: [{ ...tables.invitation_emails[0], created_at: 9e15 }] } }, /^tables\.invitation_emails\[0\]\.created_at must be a time in milliseconds since the epoch$/],
    [{ ...good, tables: { ...tables, api_keys: [{ ...tables.api_keys[0], valid: 'yes' }] } }, /^tables\.api_keys\[0\]\.valid must be an integer or null$/],
    [{ ...good, tables: { ...tables, api_keys: [{ ...tables.api_keys[0], valid: 2 }] } }, /^tables\.api_keys\[0\]\.valid must be 0 or 1$/],
    [{ ...good, tables: { ...tables, projects: [{ ...tables.projects[0], created_at: 1.5 }] } }, /must be an integer or null$/],
    [{ ...good, tables: { ...tables, organizations: [...tables.organizations, {}] } }, /^tables\.organizations\[\d+\] is empty: a row needs the columns of table organizations$/],
    [{ ...good, tables: { ...tables, meta: tables.meta.filter((r: { key: string }) => r.key !== 'id_counter') } }, /^tables\.meta must hold the id_counter row, a whole number/],
    [{ ...good, tables: { ...tables, meta: tables.meta.map((r: { key: string }) => r.key === 'id_counter' ? { ...r, value: 'abc' } : r) } }, /^tables\.meta must hold the id_counter row/],
    [{ ...good, tables: { ...tables, organizations: [{ ...tables.organizations[0], plan: 'GOLD' }] } }, /^tables\.organizations\[0\]: CHECK constraint failed/],
    [{ ...good, tables: { ...tables, users: [...tables.users, tables.users[0]] } }, /^tables\.users\[\d+\]: UNIQUE constraint failed/],
    [{ ...good, tables: { ...tables, project_invitations: [{ ...tables.project_invitations[0], project_id: 'nope' }] } }, /^tables\.project_invitations: the row with rowid \d+ refers to a projects row the snapshot does not have$/],
    [{ ...good, tables: { ...tables, sqlite_sequence: [{ name: 'widgets', seq: 1 }] } }, /^tables\.sqlite_sequence\[0\] must be/]
  ]
  for (const [doc, message] of cases) {
    const res = await post(target, '/__admin/snapshot', doc as object)
    t.equal(res.statusCode, 400, String(message))
    t.match(json(res), { success: false, error: message, deprecated: false })
  }
  t.equal((await target.inject({ method: 'POST', url: '/__admin/snapshot', payload: '[1]', headers: { 'content-type': 'application/json' } })).statusCode, 400)
  const tooBig = await target.inject({ method: 'POST', url: '/__admin/snapshot', payload: ' '.repeat(64 * 1024 * 1024 + 1), headers: { 'content-type': 'application/json' } })
  t.same([tooBig.statusCode, json(tooBig).error], [413, 'Request body is larger than 64 MiB'], 'the import\'s own limit, named')
  t.same(await state(target), before, 'no refused import changed anything')
})

t.test('deterministic ids: the same seed, fixtures and calls give the same ids; another seed others', async (t) => {
  const run = async (seed: string) => {
    const app = await build(t, { fixtures: EXAMPLE, config: { CONFIDENT_MOCK_ID_SEED: seed } })
    const { created, tenant } = await activity(app)
    const projects = json(await get(app, '/v1/projects', ACME_KEY)).data.projects.map((p: { id: string }) => p.id)
    const members = json(await get(app, '/v1/organization/members', ACME_KEY)).data.members.map((m: { id: string }) => m.id)
    return { invitations: created.map((i: { id: number }) => i.id), tenant: tenant.id, tenantProjects: tenant.projects, projects, members }
  }
  const [a, b, c] = [await run('seed-1'), await run('seed-1'), await run('seed-2')]
  t.same(a, b)
  t.not(a.tenant, c.tenant)
  t.notSame(a.projects, c.projects, 'generated project ids depend on the seed')
  t.same(a.invitations, c.invitations, 'invitation ids are a sequence whatever the seed')
})
