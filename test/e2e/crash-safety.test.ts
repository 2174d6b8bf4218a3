// End to end: the crash-safety script's core, short (two SIGKILLs mid-load on a real server process), and its checks catching planted damage.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import t from 'tap'
import { checkFile, checkUnanswered, runCrashSafety, summary, type Unknown } from '../../scripts/crash-safety.js'
import { Checks } from '../../scripts/lib/util.js'

t.test('SIGKILL mid-load twice: nothing acknowledged lost, nothing half done, ids continue', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'confident-mock-crash-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const lines: string[] = []
  // The source through tsx, as the other end-to-end tests run it (CI does not build dist/). 0.7-1.5 s
  // of load per iteration with 8 clients: enough for hundreds of writes before each kill. Most of the
  // time goes to the four server starts through tsx (about 1 s each on an idle 2-core machine, 4-6 s
  // when it is busy): 15-20 s in all when idle, about 40 s when heavily loaded.
  const result = await runCrashSafety({
    iterations: 2,
    connections: 8,
    killAfterMs: { min: 700, max: 1500 },
    maxEmails: 5,
    seed: 6,
    entry: 'src',
    dir,
    log: (line) => lines.push(line)
  })
  const report = `${lines.join('\n')}\n${summary(result)}`
  t.same(result.problems, [], 'no check failed', { report })
  t.equal(result.iterations.length, 2, 'both iterations ran')
  // A kill lands while requests are in flight (each iteration checks it); that it also cut some off
  // before their answer is left to the run as a whole, as a loaded machine may answer one kill's all.
  t.ok(result.iterations.reduce((n, r) => n + r.unanswered, 0) > 0, 'the kills cut requests off before their answer')
  for (const r of result.iterations) {
    t.ok(r.ackedWrites > 0, `iteration ${r.iteration}: ${r.ackedWrites} writes acknowledged before the kill`)
    t.equal(r.unknownCommitted + r.unknownNotApplied <= r.unanswered, true, 'each unanswered write resolved one way')
    t.ok(r.checksTotal >= 18, `iteration ${r.iteration}: ${r.checksTotal} checks ran`)
    t.equal(r.checksPassed, r.checksTotal)
    t.ok(r.projectInvitations > 0 && r.organizationInvitations > 0 && r.outboxEmails > 0, 'the file holds both kinds and their emails')
  }

  // The checks can fail: each kind of damage, planted in a copy of the final file, trips its check.
  t.test('the file checks catch planted damage', async (t) => {
    const check = (damage: string | null) => {
      const copy = join(dir, `damaged-${Math.random().toString(36).slice(2)}.sqlite`)
      copyFileSync(result.database, copy)
      for (const suffix of ['-wal', '-shm']) if (existsSync(result.database + suffix)) copyFileSync(result.database + suffix, copy + suffix)
      if (damage !== null) {
        const db = new Sqlite(copy)
        db.exec(damage)
        db.close()
      }
      const db = new Sqlite(copy, { readonly: true })
      const checks = new Checks()
      try {
        checkFile(db, result.model, checks)
      } finally {
        db.close()
      }
      return checks.results.filter((r) => !r.pass).map((r) => r.name)
    }

    t.same(check(null), [], 'the untouched copy passes')
    const cases: Array<[string, string, string]> = [
      ['an acknowledged invitation lost',
        'delete from project_invitations where id = (select max(id) from project_invitations)',
        'every acknowledged invitation is stored, with its id, address and status'],
      ['a status changed',
        "update organization_invitations set status = 'DECLINED' where id = (select max(id) from organization_invitations where status = 'PENDING')",
        'every acknowledged invitation is stored, with its id, address and status'],
      ['an outbox email lost',
        'delete from invitation_emails where id = (select max(id) from invitation_emails)',
        'each invitation has exactly its outbox emails'],
      ['an invitation no request made',
        "insert into project_invitations (project_id, email, status, created_at) values ('cdemoproject0000000000000', 'ghost@crash.example', 'PENDING', 0)",
        'no invitation that no request created'],
      ['an email no request caused',
        "insert into invitation_emails (kind, organization_id, project_id, invitation_id, to_email, token, created_at) values ('ORGANIZATION', 'cdemoorganization00000000', null, 999999, 'ghost@crash.example', 'x', 0)",
        'no outbox email that no request caused'],
      ['a project key lost',
        'delete from api_keys where id = (select max(id) from api_keys where project_id is not null)',
        'projects: every acknowledged one stored with its one key, deleted ones gone'],
      ['an accept half undone',
        'delete from organization_members where user_id = (select max(id) from users where email like \'%@crash.example\')',
        'accepted invitations made members, and nothing else did'],
      ['an orphan row (foreign keys off)',
        "pragma foreign_keys = off; insert into project_invitations (project_id, email, status, created_at) values ('cnosuchproject', 'orphan@crash.example', 'PENDING', 0)",
        'PRAGMA foreign_key_check']
    ]
    for (const [what, damage, trips] of cases) t.ok(check(damage).includes(trips), `${what}: "${trips}" fails`)
  })

  t.test('the unanswered-request check catches a request half applied', async (t) => {
    const stored = [...result.model.invitations.values()].find((i) => i.kind === 'PROJECT' && i.stored)!
    const resolve = (unknown: Unknown) => {
      const db = new Sqlite(result.database, { readonly: true })
      const checks = new Checks()
      try {
        return { outcome: checkUnanswered(db, result.model, [unknown], checks), failed: checks.problems() }
      } finally {
        db.close()
      }
    }
    const none = resolve({ op: 'create', kind: 'PROJECT', ownerId: stored.ownerId, emails: ['never-1@crash.example', 'never-2@crash.example'] })
    t.same(none, { outcome: { committed: 0, notApplied: 1 }, failed: [] }, 'a create of which nothing is stored: not applied')
    const whole = [...result.model.invitations.values()].find((i) => i.kind === 'PROJECT' && i.stored && i.status === 'PENDING' && i.emails === 1)!
    t.same(resolve({ op: 'create', kind: 'PROJECT', ownerId: whole.ownerId, emails: [whole.email] }),
      { outcome: { committed: 1, notApplied: 0 }, failed: [] }, 'a create stored whole, with its email: committed')
    const half = resolve({ op: 'create', kind: 'PROJECT', ownerId: stored.ownerId, emails: [stored.email, 'never-3@crash.example'] })
    t.match(half.failed, [/no unanswered request is half applied: 1 failure\(s\): PROJECT create of 2 addresses .*: 1 invitations and 1 emailed stored/],
      'a create of which one address of two is stored: half applied')
  })
})
