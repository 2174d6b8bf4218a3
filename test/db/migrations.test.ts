// Migrations: a database made before 0001 upgrades to permissions, policies and governance policies.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import t from 'tap'
import { MIGRATIONS_FOLDER, openDatabase } from '../../src/db/index.js'
import { createIdGenerator } from '../../src/db/ids.js'
import { transactor } from '../../src/db/transaction.js'
import { applyFixtures } from '../../src/boot-state/apply.js'
import { documentsRepository } from '../../src/repositories/documents.js'
import { T0 } from '../helpers/build.js'

/** A database file at migration 0000, with `seed` run on it. */
function databaseAt0000 (t: { teardown: (fn: () => void) => void }, seed: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'confident-mock-migrations-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const folder = join(dir, 'migrations')
  mkdirSync(join(folder, 'meta'), { recursive: true })
  copyFileSync(join(MIGRATIONS_FOLDER, '0000_init.sql'), join(folder, '0000_init.sql'))
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'))
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }))
  const path = join(dir, 'old.sqlite')
  const sqlite = new Sqlite(path)
  sqlite.pragma('foreign_keys = ON')
  migrate(drizzle({ client: sqlite }), { migrationsFolder: folder })
  sqlite.exec(seed)
  sqlite.close()
  return path
}

const OLD_STATE = `
  insert into meta (key, value) values ('fixtures_digest', 'abc');
  insert into organizations (id, name, plan, created_at) values ('corg', 'Org', 'TEAM', 1);
  insert into projects (id, organization_id, name, created_at) values ('cproj', 'corg', 'P', 1);
  insert into roles (id, scope, name, organization_id, project_id, created_at) values ('r1', 'PROJECT', 'R', 'corg', 'cproj', 1);
`

t.test('old role links to bare permission names are dropped, and the fixtures file will be applied again', async (t) => {
  const path = databaseAt0000(t, OLD_STATE + `
    insert into policies (id, name) values ('p1', 'traces:read');
    insert into role_policies (role_id, policy_id) values ('r1', 'p1');
  `)
  const { db, sqlite } = openDatabase(path)
  t.teardown(() => sqlite.close())
  t.same(sqlite.prepare("select value from meta where key = 'fixtures_digest'").all(), [], 'the digest is forgotten')
  t.same(sqlite.prepare('select count(*) as n from role_policies').get(), { n: 0 })
  t.same(sqlite.prepare('select count(*) as n from policies').get(), { n: 0 })
  t.same(sqlite.prepare('select id, name, governance_policy_id as g from projects').all(), [{ id: 'cproj', name: 'P', g: null }], 'projects stay')
  t.same(sqlite.prepare('select id from roles').all(), [{ id: 'r1' }], 'roles stay')
  t.same(sqlite.pragma('foreign_key_check'), [])

  // The same document (or its new-format edition) is applied at the next start, in the new shape.
  const ids = createIdGenerator(sqlite, 'seed')
  const result = transactor(db, sqlite)((tx) => applyFixtures(tx, documentsRepository(sqlite), ids, {
    organizations: [{ id: 'corg', name: 'Org', plan: 'TEAM', projects: [{ id: 'cproj', name: 'P', roles: [{ name: 'R', policies: ['traces:read'] }] }] }]
  }, T0))
  t.equal(result.applied, true)
  t.same(sqlite.prepare(`select p.name as policy, p.project_id as project, x.name as permission from role_policies rp
    join policies p on p.id = rp.policy_id join policy_permissions pp on pp.policy_id = p.id join permissions x on x.id = pp.permission_id
    where rp.role_id = 'r1'`).all(), [{ policy: 'traces:read', project: 'cproj', permission: 'traces:read' }])
})

t.test('a database without role links keeps its fixtures digest', async (t) => {
  const path = databaseAt0000(t, OLD_STATE + "insert into policies (id, name) values ('p1', 'traces:read');")
  const { sqlite } = openDatabase(path)
  t.teardown(() => sqlite.close())
  t.same(sqlite.prepare("select value from meta where key = 'fixtures_digest'").all(), [{ value: 'abc' }])
})

t.test('the new references act as declared: project deletion cascades, governance policy deletion unenrolls', async (t) => {
  const { sqlite } = openDatabase(':memory:')
  t.teardown(() => sqlite.close())
  sqlite.exec(`
    insert into organizations (id, name, plan, created_at) values ('corg', 'Org', 'TEAM', 1);
    insert into governance_policies (id, organization_id, name, created_at) values ('g1', 'corg', 'Gate', 1);
    insert into governance_controls (id, governance_policy_id, name, type, position) values ('c1', 'g1', 'C', 'RUNTIME', 0);
    insert into projects (id, organization_id, name, created_at, governance_policy_id) values ('cproj', 'corg', 'P', 1, 'g1');
    insert into permissions (id, scope, name) values ('x1', 'PROJECT', 'traces:read');
    insert into policies (id, organization_id, project_id, name, created_at) values ('p1', 'corg', 'cproj', 'View', 1);
    insert into policy_permissions (policy_id, permission_id) values ('p1', 'x1');
  `)
  t.throws(() => sqlite.exec("insert into governance_controls (id, governance_policy_id, name, type, position) values ('c2', 'g1', 'D', 'MAGIC', 1)"),
    /CHECK constraint failed/)
  t.throws(() => sqlite.exec("insert into permissions (id, scope, name) values ('x2', 'PROJECT', 'traces:read')"), /UNIQUE constraint failed/)
  t.throws(() => sqlite.exec("insert into policies (id, organization_id, project_id, name, created_at) values ('p2', 'corg', 'cproj', 'View', 1)"),
    /UNIQUE constraint failed/)
  sqlite.exec("delete from governance_policies where id = 'g1'")
  t.same(sqlite.prepare('select governance_policy_id as g from projects').get(), { g: null })
  t.same(sqlite.prepare('select count(*) as n from governance_controls').get(), { n: 0 })
  sqlite.exec("delete from projects where id = 'cproj'")
  t.same(sqlite.prepare('select (select count(*) from policies) as p, (select count(*) from policy_permissions) as pp, (select count(*) from permissions) as x').get(),
    { p: 0, pp: 0, x: 1 }, 'the catalogue outlives projects')
})
