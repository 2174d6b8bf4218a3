// Organization names are not unique: the boot fixtures find an entry without an id among the
// organizations they made, never a tenant that took its name; a tenant is found by its id alone.
import t from 'tap'
import type { App } from '../../src/app.js'
import { build, json } from '../helpers/build.js'

const bootDocument = (projects: string[]) => ({ organizations: [{ name: 'Acme', plan: 'TEAM' as const, projects: projects.map((name) => ({ name })) }] })

const projectsOf = async (app: App, key: string) =>
  (json(await app.inject({ url: '/v1/projects', headers: { CONFIDENT_API_KEY: key } })).data.projects as Array<{ name: string }>).map((p) => p.name)

const organizations = async (app: App) =>
  (json(await app.inject('/__admin/organizations')).data as Array<{ id: string, name: string }>).map((o) => [o.id, o.name])

async function tenantNamedAcme (app: App) {
  const tenant = json(await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: 'Tenant', projects: [{ name: 'Mine' }] } })).data
  const renamed = await app.inject({ method: 'PUT', url: '/v1/organization', headers: { CONFIDENT_API_KEY: tenant.apiKey }, payload: { name: 'Acme' } })
  t.equal(renamed.statusCode, 200, 'a tenant may take the name of the boot fixtures\' organization')
  return tenant as { id: string, apiKey: string }
}

t.test('a changed boot document goes to the organization the boot made, not to a tenant that took its name', async (t) => {
  const app = await build(t)
  const [bootId] = app.state.apply(bootDocument(['One'])).organizationIds
  const tenant = await tenantNamedAcme(app)
  const made = app.state.apply(bootDocument(['One', 'Two'])).organizationIds
  t.same(made, [bootId], 'the same organization, by what the boot recorded')
  t.same(await projectsOf(app, tenant.apiKey), ['Mine'], "nothing merged into the tenant's")
  t.same(await organizations(app), [[bootId, 'Acme'], [tenant.id, 'Acme']], 'two organizations of one name, none added')
  const reset = await app.inject({ method: 'POST', url: `/__admin/organizations/${tenant.id}/reset`, headers: { 'content-type': 'application/json' }, payload: '' })
  t.equal(reset.statusCode, 200)
  t.same(await projectsOf(app, tenant.apiKey), ['Mine'], "the tenant's reset makes it from its own document")
  t.same((await organizations(app)).find(([id]) => id === tenant.id), [tenant.id, 'Tenant'], 'under the name that document gives')
})

t.test('the boot organization renamed by its own tenant is still the one its entry names', async (t) => {
  const app = await build(t)
  const [bootId] = app.state.apply({ organizations: [{ ...bootDocument(['One']).organizations[0]!, apiKeys: [{ key: 'confident_org_acacacacacacacacacacacacacacacac' }] }] }).organizationIds
  const rename = await app.inject({ method: 'PUT', url: '/v1/organization', headers: { CONFIDENT_API_KEY: 'confident_org_acacacacacacacacacacacacacacacac' }, payload: { name: 'Acme renamed' } })
  t.equal(rename.statusCode, 200)
  t.same(app.state.apply(bootDocument(['One', 'Two'])).organizationIds, [bootId])
  t.same(await organizations(app), [[bootId, 'Acme']], 'given its name back, not made twice')
})

t.test('a database from before the boot recorded its organizations: an entry finds the oldest of its name', async (t) => {
  const app = await build(t)
  const [bootId] = app.state.apply(bootDocument(['One'])).organizationIds
  app.sqlite.prepare("delete from meta where key = 'fixtures_organizations'").run()
  const tenant = await tenantNamedAcme(app)
  t.same(app.state.apply(bootDocument(['One', 'Two'])).organizationIds, [bootId])
  t.same(await projectsOf(app, tenant.apiKey), ['Mine'])
  t.same(app.sqlite.prepare("select value from meta where key = 'fixtures_organizations'").get(), { value: JSON.stringify({ Acme: bootId }) },
    'recorded from then on')
})

t.test('the control API finds by id alone: a tenant of a boot organization\'s name is a new organization', async (t) => {
  const app = await build(t)
  const [bootId] = app.state.apply(bootDocument(['One'])).organizationIds
  const res = await app.inject({ method: 'POST', url: '/__admin/organizations', payload: { name: 'Acme', projects: [{ name: 'Other' }] } })
  t.equal(res.statusCode, 201)
  const tenant = json(res).data
  t.not(tenant.id, bootId)
  t.same(await projectsOf(app, tenant.apiKey), ['Other'])
})
