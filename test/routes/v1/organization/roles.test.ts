// GET /v1/organization/roles through app.inject: system roles, then the organization's own, with their policies.
import t from 'tap'
import { eq } from 'drizzle-orm'
import { policies, roles } from '../../../../src/db/schema.js'
import { systemRoleId } from '../../../../src/fixtures/catalog.js'
import { build, json, seedOrg } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

t.test('lists Owner, Admin, Member, then the custom roles in creation order, each with its policies by name', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    policies: [{ name: 'Manage billing', permissions: ['billing:read', 'billing:write'] }, { name: 'Read billing', permissions: ['billing:read'] }],
    roles: [
      { name: 'Billing Manager', description: 'Billing only', policies: ['Read billing', 'Manage billing'] },
      { name: 'Auditor', policies: ['Read billing'] }
    ],
    projects: [{ name: 'Main', roles: [{ name: 'Project only' }] }]
  })
  seedOrg(app, { roles: [{ name: 'Foreign' }] })
  const res = await app.inject({ url: '/v1/organization/roles', headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listRoles', body)
  t.same(Object.keys(body.data), ['roles'])
  const policy = (name: string) => ({ id: app.db.select({ id: policies.id }).from(policies).where(eq(policies.name, name)).get()!.id, name })
  const roleId = (name: string) => app.db.select({ id: roles.id }).from(roles).where(eq(roles.name, name)).get()!.id
  t.same(body.data.roles, [
    { id: systemRoleId('ORGANIZATION', 'Owner'), name: 'Owner', description: null, organizationId: null, policies: [] },
    { id: systemRoleId('ORGANIZATION', 'Admin'), name: 'Admin', description: null, organizationId: null, policies: [] },
    { id: systemRoleId('ORGANIZATION', 'Member'), name: 'Member', description: null, organizationId: null, policies: [] },
    {
      id: roleId('Billing Manager'),
      name: 'Billing Manager',
      description: 'Billing only',
      organizationId: org.organizationId,
      policies: [policy('Manage billing'), policy('Read billing')]
    },
    { id: roleId('Auditor'), name: 'Auditor', description: null, organizationId: org.organizationId, policies: [policy('Read billing')] }
  ], "not project roles, not another organization's")
  for (const role of body.data.roles) t.same(Object.keys(role), ['id', 'name', 'description', 'organizationId', 'policies'])
})

t.test('an organization without custom roles lists the three system roles', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await app.inject({ url: '/v1/organization/roles', headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'listRoles', json(res))
  t.same(json(res).data.roles.map((r: { name: string }) => r.name), ['Owner', 'Admin', 'Member'])
})

t.test('key failures', async (t) => {
  const app = await build(t)
  await assertKeyFailures(t, app, seedOrg(app), { method: 'GET', url: '/v1/organization/roles' })
})
