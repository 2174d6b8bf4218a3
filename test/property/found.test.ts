// The failures the hostile-input properties found, each as a plain reproducer that must stay fixed.
import t from 'tap'
import { build, json, seedOrg } from '../helpers/build.js'

const JSON_TYPE = { 'content-type': 'application/json' }

t.test('bodies: not UTF-8, a lone surrogate, a key twice: 400, nothing stored', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const headers = { ...JSON_TYPE, CONFIDENT_API_KEY: org.key }
  const projects = () => app.sqlite.prepare('select name from projects order by rowid').all()
  const before = projects()
  const cases: Array<[string, string | Buffer, RegExp]> = [
    // Read as text, the bytes became U+FFFD and were stored in the name.
    ['invalid UTF-8 in a string', Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), /^Request body is not valid UTF-8$/],
    ['an encoded surrogate (ED A0 80)', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), /^Request body is not valid UTF-8$/],
    ['an overlong encoding', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), /^Request body is not valid UTF-8$/],
    // SQLite stored the lone surrogate as the bytes ED A0 80, which read back as three U+FFFD.
    ['a lone high surrogate', '{"name":"b\\ud800"}', /unpaired UTF-16 surrogate/],
    ['a lone low surrogate in a key', '{"name":"ok","\\udc00":1}', /unpaired UTF-16 surrogate/],
    ['a key twice', '{"name":"first","name":"second"}', /the key "name" appears twice in one object/],
    ['a key twice, once escaped', '{"name":"first","\\u006eame":"second"}', /the key "name" appears twice/],
    ['a key twice in a nested object', '{"name":"x","extra":{"a":1,"b":[{"c":1,"c":2}]}}', /the key "c" appears twice/],
    ['__proto__ twice', '{"name":"x","__proto__":{},"__proto__":{}}', /the key "__proto__" appears twice/],
    // Colons in strings make the text's colons outnumber the value's keys: the text is read key by key.
    ['a key twice beside colons in strings', '{"name":"a:b","description":"c:d:e","name":"f"}', /the key "name" appears twice/],
    ['a key twice in an array of objects', '{"name":"x","extra":[{"a":1},{"a":1,"a":2}]}', /the key "a" appears twice/],
    // Three colons in the text; the value's two keys and the colon its escape decodes to are three too.
    ['a key twice, the count evened by an escaped colon', '{"name":"x","name":"y","description":"\\u003a"}', /the key "name" appears twice/],
    ['a key twice, the lost value holding colons', '{"name":"x","description":"a:b:c","description":"d"}', /the key "description" appears twice/]
  ]
  for (const [what, payload, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/projects', headers, payload })
    t.equal(res.statusCode, 400, what)
    t.match(json(res), { success: false, error: message, deprecated: false }, what)
  }
  t.same(projects(), before, 'no project was made')

  // What stays accepted: the same key in different objects, a paired surrogate, escapes, a BOM.
  const fine: Array<[string, string, string]> = [
    ['one key per object', '{"name":"p1","description":"d","extra":[{"name":1},{"name":2}]}', 'p1'],
    ['a pair written as escapes', '{"name":"\\ud83d\\ude00"}', '😀'],
    ['a backslash before u, not an escape', '{"name":"\\\\ud800"}', '\\ud800'],
    ['NUL and control characters', '{"name":"a\\u0000b\\u0007"}', 'a\u0000b\u0007'],
    ['a leading BOM (RFC 8259 lets a parser skip it)', '\ufeff{"name":"bom"}', 'bom'],
    ['colons in strings, each key once', '{"name":"a:b","description":"https://example.com:8080/","extra":{"k:":":v"}}', 'a:b']
  ]
  for (const [what, payload, name] of fine) {
    const res = await app.inject({ method: 'POST', url: '/v1/projects', headers, payload })
    t.equal(res.statusCode, 200, what)
    t.equal(json(res).data.project.name, name, `${what}: stored as sent`)
  }

  // The control API reads JSON the same way, and still takes an empty body as none.
  const tenant = await app.inject({ method: 'POST', url: '/__admin/organizations', headers: JSON_TYPE, payload: '{"name":"a","name":"b"}' })
  t.equal(tenant.statusCode, 400, 'a tenant with a key twice')
  const surrogate = await app.inject({ method: 'POST', url: '/__admin/organizations', headers: JSON_TYPE, payload: '{"name":"\\ud800x"}' })
  t.equal(surrogate.statusCode, 400, 'a tenant named with a lone surrogate')
  t.equal((await app.inject({ method: 'POST', url: '/__admin/clock/reset', headers: JSON_TYPE, payload: '' })).statusCode, 200, 'an empty control body is none')
})

t.test('date-times past 9999 or before 0000 once in UTC, and leap seconds: 400 (a tenant with one made every later list a 500)', async (t) => {
  const app = await build(t)
  for (const at of ['9999-12-31T23:59:59.999-00:01', '0000-01-01T00:00:00+00:01', '2026-06-30T23:59:60Z']) {
    const tenant = await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: `T ${at}`, trialEndsAt: at } })
    t.equal(tenant.statusCode, 400, `tenant trialEndsAt ${at}`)
    t.match(json(tenant).error, /^body\.trialEndsAt must be a valid date-time$/)
    const invitation = await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: `I ${at}`, invitations: [{ email: 'a@b.example', createdAt: at }] } })
    t.equal(invitation.statusCode, 400, `invitation createdAt ${at}`)
    t.equal((await app.inject({ method: 'POST', url: '/__admin/clock/set', payload: { to: at } })).statusCode, 400, `clock set ${at}`)
    t.equal((await app.inject({ method: 'POST', url: '/__admin/clock/freeze', payload: { at } })).statusCode, 400, `clock freeze ${at}`)
  }
  const created = json(await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: 'Edge', trialEndsAt: '9999-12-31T23:59:59.999+00:00' } }))
  t.equal(created.data.trialEndsAt, '9999-12-31T23:59:59.999Z', 'the last instant is still taken')
  const patch = await app.inject({ method: 'PATCH', url: `/__admin/organizations/${created.data.id}`, payload: { trialEndsAt: '9999-12-31T23:59:59.999-01:00' } })
  t.equal(patch.statusCode, 400, 'PATCH past 9999')
  t.equal((await app.inject({ url: '/__admin/organizations' })).statusCode, 200, 'the list still answers')
  t.same(json(await app.inject({ url: '/__admin/clock' })).data, { now: '2026-01-15T12:00:00.000Z', frozen: true }, 'the clock did not move')
})

t.test('integers that Ajv reads as Infinity ("1e309", "Infinity", JSON 1e400) are refused', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  for (const page of ['Infinity', '1e309', '9007199254740992']) {
    const res = await app.inject({ url: `/v1/organization/members?page=${page}`, headers: { CONFIDENT_API_KEY: org.key } })
    t.equal(res.statusCode, 400, `page=${page}`)
  }
  t.equal((await app.inject({ url: '/v1/organization/members?page=9007199254740991', headers: { CONFIDENT_API_KEY: org.key } })).statusCode, 200, 'the largest safe page')
  t.equal((await app.inject({ method: 'DELETE', url: '/__admin/faults/Infinity' })).statusCode, 400, 'faultId Infinity')
  t.equal((await app.inject({ url: '/__admin/outbox?invitationId=1e309' })).statusCode, 400, 'outbox invitationId')
  t.equal((await app.inject({ url: '/__admin/journal?since=Infinity' })).statusCode, 400, 'journal since')
  const fault = await app.inject({ method: 'POST', url: '/__admin/faults', headers: JSON_TYPE, payload: '{"path":"/v1/**","status":500,"times":1e400}' })
  t.equal(fault.statusCode, 400, 'fault times 1e400')
})

t.test('snapshots the import took but the server could not live with: refused, nothing changed', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['p@x.example'] } })
  const good = json(await app.inject({ url: '/__admin/snapshot' }))
  const state = async () => { const { exportedAt: _e, ...rest } = json(await app.inject({ url: '/__admin/snapshot' })); return rest }
  const before = await state()
  // Without the system roles, accepting any invitation failed on the reference (a 500).
  const noRoles = { ...good, tables: { ...good.tables, roles: good.tables.roles.filter((r: { organization_id: string | null }) => r.organization_id !== null) } }
  const refused = await app.inject({ method: 'POST', url: '/__admin/snapshot', payload: noRoles })
  t.equal(refused.statusCode, 400, 'no system roles')
  t.match(json(refused).error, /^tables\.roles must hold the system role PROJECT Owner/)
  const renamed = { ...good, tables: { ...good.tables, roles: good.tables.roles.map((r: { organization_id: string | null, name: string }) => r.organization_id === null && r.name === 'Member' ? { ...r, name: 'Guest' } : r) } }
  t.equal((await app.inject({ method: 'POST', url: '/__admin/snapshot', payload: renamed })).statusCode, 400, 'a system role renamed')
  // A trial end in year 275760 was taken (any |ms| up to 8.64e15) and made GET /__admin/organizations a 500.
  for (const ms of [8.64e15, 253402300800000, -62167219200001]) {
    const far = { ...good, tables: { ...good.tables, organizations: good.tables.organizations.map((o: object) => ({ ...o, trial_ends_at: ms })) } }
    const res = await app.inject({ method: 'POST', url: '/__admin/snapshot', payload: far })
    t.equal(res.statusCode, 400, `trial_ends_at ${ms}`)
    t.match(json(res).error, /^tables\.organizations\[0\]\.trial_ends_at must be a time from 0000-01-01 to 9999-12-31/)
  }
  t.same(await state(), before, 'nothing changed')
  const [email] = json(await app.inject({ url: '/__admin/outbox' })).data
  t.equal((await app.inject({ method: 'POST', url: '/__admin/invitations/accept', payload: { token: email.token } })).statusCode, 200, 'accepting still works')
  t.equal((await app.inject({ url: '/__admin/organizations' })).statusCode, 200)
})
