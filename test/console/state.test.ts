// The console's state page: reset everything, snapshots down and up, tenants from JSON or YAML; one organization's reset.
import t from 'tap'
import type { App } from '../../src/app.js'
import type { FixtureOrganization } from '../../src/boot-state/schema.js'
import { T0, build, json, seedOrg } from '../helpers/build.js'
import { HOSTILE, getPage, hasRawMarkup, postForm, region } from '../helpers/console.js'

const get = async (app: App, url: string) => json(await app.inject({ method: 'GET', url })).data
const snapshotTables = async (app: App) => json(await app.inject({ method: 'GET', url: '/__admin/snapshot' })).tables
const BOOT: FixtureOrganization = { name: 'Boot Org', plan: 'TEAM', apiKeys: [{ key: 'confident_org_11111111111111111111111111111111' }], projects: [{ name: 'Boot project' }] }

/** Some of everything a reset clears: an organization with an invitation (an outbox email), a journal entry, a fault. */
async function busy (app: App) {
  const o = seedOrg(app)
  const res = await app.inject({ method: 'POST', url: `/v1/projects/${o.projectId}/invitations`, headers: { CONFIDENT_API_KEY: o.key }, payload: { emails: ['carol@example.com'] } })
  if (res.statusCode !== 200) throw new Error(res.body)
  await app.inject({ method: 'POST', url: '/__admin/faults', payload: { path: '/v1/nothing', status: 500 } })
  await app.inject({ method: 'POST', url: '/__admin/clock/advance', payload: { by: '1d' } })
  return o
}

t.test('the state page: its panels and forms', async (t) => {
  const app = await build(t)
  const page = await getPage(app, '/state')
  t.equal(page.status, 200)
  t.match(page.html, /<form method="post" action="state\/reset" class="row" data-confirm="[^"]+">/)
  t.match(page.html, '<option value="fixtures" selected>')
  t.match(page.html, '<option value="empty">')
  t.match(page.html, '<a href="state/snapshot" download>')
  t.match(page.html, /<form method="post" action="state\/snapshot"[^>]*>/)
  t.match(page.html, '<input id="snapshot-file" type="file" accept=".json,application/json" data-fill="snapshot-text">')
  t.match(page.html, '<textarea id="snapshot-text" name="snapshot"')
  t.match(page.html, '<form method="post" action="state/tenants" class="stack">')
  t.match(page.html, 'data-fill="tenant-document"')
  t.match(page.html, '<textarea id="tenant-document" name="document"')
})

t.test('reset everything: what POST /__admin/reset does, to the fixtures or to empty', async (t) => {
  const viaConsole = await build(t, { fixtures: { organizations: [BOOT] } })
  const viaAdmin = await build(t, { fixtures: { organizations: [BOOT] } })
  for (const app of [viaConsole, viaAdmin]) await busy(app)

  const res = await postForm(viaConsole, '/state/reset', { to: 'fixtures' })
  t.equal(res.status, 303)
  t.equal(res.location, '../state?done=fixtures')
  t.equal(json(await viaAdmin.inject({ method: 'POST', url: '/__admin/reset', payload: { to: 'fixtures' } })).data.to, 'fixtures')
  for (const [name, app] of [['console', viaConsole], ['admin', viaAdmin]] as const) {
    t.same(await get(app, '/__admin/outbox'), [], `${name}: the outbox is empty`)
    t.same(await get(app, '/__admin/faults'), [], `${name}: no faults`)
    t.same(await get(app, '/__admin/journal'), [], `${name}: the journal is empty`)
    t.same(await get(app, '/__admin/clock'), { now: new Date(T0).toISOString(), frozen: true }, `${name}: the clock back at its start`)
    t.same((await get(app, '/__admin/organizations')).map((o: { name: string }) => o.name), ['Boot Org'], `${name}: the boot organization only`)
  }
  t.same(await snapshotTables(viaConsole), await snapshotTables(viaAdmin), 'the same state, ids included')
  const done = await getPage(viaConsole, '/state?done=fixtures')
  t.match(region(done.html, 'state-done'), 'reset to the boot fixtures')
  t.equal((await getPage(viaConsole, '/state?done=%3Cscript%3E')).html.includes('id="state-done"'), false, 'an unknown done says nothing')

  await busy(viaConsole)
  const empty = await postForm(viaConsole, '/state/reset', { to: 'empty' })
  t.equal(empty.location, '../state?done=empty')
  t.same(await get(viaConsole, '/__admin/organizations'), [], 'empty')
  t.same(await get(viaConsole, '/__admin/outbox'), [])
  t.equal((await postForm(viaConsole, '/state/reset', {})).location, '../state?done=fixtures', 'the fixtures by default')
  t.equal((await postForm(viaConsole, '/state/reset', { to: 'everything' })).status, 400)
})

t.test('reset one organization: what its control reset does; the others untouched', async (t) => {
  const app = await build(t)
  const created = json(await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: 'Resettable', projects: [{ name: 'Web' }] } })).data
  const other = await busy(app)
  const key = created.apiKey as string
  t.equal((await app.inject({ method: 'POST', url: '/v1/projects', headers: { CONFIDENT_API_KEY: key }, payload: { name: 'Extra' } })).statusCode, 200)
  await app.inject({ method: 'POST', url: '/__admin/faults', payload: { path: '/v1/nothing', status: 500, organizationId: created.id } })
  await app.inject({ method: 'POST', url: `/__admin/organizations/${created.id}/clock/advance`, payload: { by: '2d' } })

  const res = await postForm(app, `/organizations/${created.id}/reset`, {})
  t.equal(res.status, 303)
  t.equal(res.location, `../../organizations/${created.id}`, 'back to its page')
  t.same((await get(app, '/__admin/faults')).map((f: { organizationId: string | null }) => f.organizationId), [null], 'its faults removed, the others kept')
  t.same((await get(app, '/__admin/journal')).map((e: { organizationId: string }) => e.organizationId), [other.organizationId], 'its journal entries forgotten')
  t.same(await get(app, `/__admin/organizations/${created.id}/clock`), await get(app, '/__admin/clock'), 'its clock follows the server clock again')
  t.equal((await get(app, `/__admin/outbox?organizationId=${other.organizationId}`)).length, 1, 'another organization untouched')
  const projects = await app.inject({ method: 'GET', url: '/v1/projects', headers: { CONFIDENT_API_KEY: key } })
  t.equal(projects.statusCode, 200, 'its key works again')
  t.notMatch(projects.body, 'Extra', 'made again from its document: the project added since is gone')
  t.match(projects.body, 'Web')

  t.equal((await postForm(app, '/organizations/nope/reset', {})).status, 404)
})

t.test('snapshots: the download is GET /__admin/snapshot; an upload round trip; a bad one refused, nothing changed', async (t) => {
  const app = await build(t)
  const o = await busy(app)
  const download = await app.inject({ method: 'GET', url: '/state/snapshot' })
  t.equal(download.statusCode, 200)
  t.match(download.headers['content-type'], 'application/json')
  t.match(download.headers['content-disposition'], /^attachment; filename="confident-mock-snapshot-2026-01-16T12-00-00\.000Z\.json"$/)
  const snapshot = json(download)
  const admin = json(await app.inject({ method: 'GET', url: '/__admin/snapshot' }))
  t.same(snapshot, admin, 'the same document')
  t.equal(snapshot.format, 'confident-mock-snapshot')

  await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: 'Made after' } })
  t.equal((await get(app, '/__admin/organizations')).length, 2)
  const up = await postForm(app, '/state/snapshot', { snapshot: download.body })
  t.equal(up.status, 303)
  t.equal(up.location, '../state?done=imported')
  t.same(await snapshotTables(app), admin.tables, 'the state is the snapshot\'s again')
  t.same((await get(app, '/__admin/organizations')).map((x: { id: string }) => x.id), [o.organizationId])
  t.match(region((await getPage(app, '/state?done=imported')).html, 'state-done'), 'The snapshot was imported.')

  const before = await snapshotTables(app)
  const bad = { ...snapshot, format: 'other' }
  const adminRefusal = await app.inject({ method: 'POST', url: '/__admin/snapshot', payload: bad })
  t.equal(adminRefusal.statusCode, 400)
  const refused = await postForm(app, '/state/snapshot', { snapshot: JSON.stringify(bad) })
  t.equal(refused.status, 400)
  t.match(region(refused.html, 'snapshot-error'), json(adminRefusal).error.replaceAll('"', '&quot;'), 'the control API\'s message')
  t.match(region(refused.html, 'snapshot-error'), 'Nothing was changed.')
  t.match(region(refused.html, 'snapshot-text'), '&quot;format&quot;:&quot;other&quot;', 'the text kept')
  for (const text of ['not json', '[1, 2]', '   ']) {
    const res = await postForm(app, '/state/snapshot', { snapshot: text })
    t.equal(res.status, 400, JSON.stringify(text))
  }
  t.same(await snapshotTables(app), before, 'nothing changed')
})

t.test('create a tenant from JSON or YAML: its keys shown once, in clear; refusals as the control API\'s', async (t) => {
  const app = await build(t)
  const fromJson = await postForm(app, '/state/tenants', { document: JSON.stringify({ name: 'Acme', plan: 'TRIAL', trialEndsAt: '2026-03-15T00:00:00Z', projects: [{ name: 'Web' }] }) })
  t.equal(fromJson.status, 201)
  t.equal(fromJson.headers['cache-control'], 'no-store', 'never cached')
  const [acme] = await get(app, '/__admin/organizations')
  t.equal(acme.name, 'Acme')
  t.match(fromJson.html, `<a href="organizations/${acme.id}">Acme</a>`, 'a link to its page')
  const keys = region(fromJson.html, 'tenant-keys')
  const key = /confident_org_[0-9a-f]{32}/.exec(keys)?.[0]
  t.ok(key, 'the minted key in clear')
  t.equal((await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: key! } })).statusCode, 200, 'and it works')
  t.match(fromJson.html, 'data-copy="key-0"')
  t.notOk((await getPage(app, '/state')).html.includes(key!), 'not on the state page')
  t.notOk((await getPage(app, '/requests')).html.includes(key!))

  const yaml = 'name: Yamlco\nplan: TEAM\napiKeys:\n  - key: confident_org_22222222222222222222222222222222\n    name: ci\nprojects:\n  - name: Api\n'
  const fromYaml = await postForm(app, '/state/tenants', { document: yaml })
  t.equal(fromYaml.status, 201)
  t.match(region(fromYaml.html, 'tenant-keys'), 'confident_org_22222222222222222222222222222222')
  t.match(fromYaml.html, '>Api</a>')
  t.same((await get(app, '/__admin/organizations')).map((o: { name: string }) => o.name), ['Acme', 'Yamlco'])

  const refusals: Array<[string, object | string, number]> = [
    ['an id taken', { name: 'New', id: acme.id }, 409],
    ['an unknown field', { name: 'New', colour: 'red' }, 400],
    ['a bad plan', { name: 'New', plan: 'GOLD' }, 400],
    ['a bad time', { name: 'New', trialEndsAt: 'soon' }, 400]
  ]
  for (const [name, doc, status] of refusals) {
    const admin = await app.inject({ method: 'POST', url: '/__admin/organizations', payload: doc })
    t.equal(admin.statusCode, status, `${name}: the control API refuses it`)
    const res = await postForm(app, '/state/tenants', { document: JSON.stringify(doc) })
    t.equal(res.status, status, `${name}: refused`)
    t.match(region(res.html, 'tenant-error'), json(admin).error.replaceAll('"', '&quot;').replaceAll("'", '&#39;'), `${name}: ${json(admin).error}`)
    t.match(region(res.html, 'tenant-document'), '{&quot;name&quot;', 'the document kept')
  }
  for (const text of ['name: [unclosed', '{"name": ', '']) {
    t.equal((await postForm(app, '/state/tenants', { document: text })).status, 400, JSON.stringify(text))
  }
  t.equal((await get(app, '/__admin/organizations')).length, 2, 'nothing made')
})

t.test('hostile names come out escaped on the result page', async (t) => {
  const app = await build(t)
  const res = await postForm(app, '/state/tenants', { document: JSON.stringify({ name: HOSTILE, projects: [{ name: HOSTILE }] }) })
  t.equal(res.status, 201)
  t.match(res.html, '&lt;script&gt;')
  t.notOk(hasRawMarkup(res.html))
  const refused = await postForm(app, '/state/tenants', { document: HOSTILE })
  t.notOk(hasRawMarkup(refused.html), 'a refused document is kept escaped')
  const snapshot = await postForm(app, '/state/snapshot', { snapshot: HOSTILE })
  t.equal(snapshot.status, 400)
  t.notOk(hasRawMarkup(snapshot.html))
})

t.test('a cross-site POST is refused and changes nothing', async (t) => {
  const app = await build(t)
  const o = await busy(app)
  const before = await snapshotTables(app)
  const crossSite = { headers: { 'sec-fetch-site': 'cross-site' } }
  t.equal((await postForm(app, '/state/reset', { to: 'empty' }, crossSite)).status, 403)
  t.equal((await postForm(app, '/state/snapshot', { snapshot: '{}' }, crossSite)).status, 403)
  t.equal((await postForm(app, '/state/tenants', { document: '{"name":"X"}' }, crossSite)).status, 403)
  t.equal((await postForm(app, `/organizations/${o.organizationId}/reset`, {}, crossSite)).status, 403)
  t.same(await snapshotTables(app), before, 'nothing changed')
  t.equal((await get(app, '/__admin/faults')).length, 1)
  t.equal((await get(app, '/__admin/journal')).length, 1)
})
