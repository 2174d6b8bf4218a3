// Ids: a counter moved back (by a snapshot import) skips the ids rows already hold instead of failing every insert.
import t from 'tap'
import { build, json, seedOrg } from '../helpers/build.js'

t.test('a snapshot imported with id_counter 0 still lets new projects be created', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const snapshot = json(await app.inject({ method: 'GET', url: '/__admin/snapshot' }))
  const meta = snapshot.tables.meta.map((r: { key: string, value: string }) => r.key === 'id_counter' ? { ...r, value: '0' } : r)
  const imported = await app.inject({ method: 'POST', url: '/__admin/snapshot', payload: { ...snapshot, tables: { ...snapshot.tables, meta } } })
  t.equal(imported.statusCode, 200, json(imported).error)

  const ids = new Set<string>()
  for (const name of ['One', 'Two', 'Three']) {
    const res = await app.inject({ method: 'POST', url: '/v1/projects', headers: { CONFIDENT_API_KEY: org.key }, payload: { name } })
    t.equal(res.statusCode, 200, `${name}: ${res.body}`)
    ids.add(json(res).data.project.id)
  }
  t.equal(ids.size, 3, 'three distinct ids')
  for (const id of ids) t.notOk(Object.values(org.projects).includes(id), 'none is an id already taken')
})
