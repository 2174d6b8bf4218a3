// GET /v1/projects/:projectId/roles through app.inject: system roles, then the project's own, with their policies.
import t from 'tap'
import { eq } from 'drizzle-orm'
import { policies } from '../../../../src/db/schema.js'
import { systemRoleId } from '../../../../src/fixtures/catalog.js'
import { build, json, seedOrg } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

const REVIEWER_ID = '5f0c8d7e-2a41-4c55-9d0e-6b1f3a2c9e11'

t.test('lists Owner, Manager, Member, then the custom roles in creation order, each with its policies by name', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    policies: [{ name: 'Org-wide', permissions: ['billing:read'] }],
    roles: [{ name: 'Auditor', policies: ['Org-wide'] }],
    projects: [
      {
        name: 'Main',
        policies: [{ name: 'View traces', permissions: ['traces:read'] }, { name: 'Annotate', permissions: ['traces:read', 'traces:write'] }],
        roles: [
          { name: 'Reviewer', id: REVIEWER_ID, description: 'Reviews traces', policies: ['View traces', 'Annotate'] },
          { name: 'Bystander' }
        ]
      },
      { name: 'Other', roles: [{ name: 'Elsewhere' }] }
    ]
  })
  seedOrg(app, { projects: [{ name: 'Main', roles: [{ name: 'Foreign' }] }] })
  const res = await app.inject({ url: `/v1/projects/${org.projectId}/roles`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listProjectRoles', body)
  t.same(Object.keys(body.data), ['roles'])
  const policyId = (name: string) => app.db.select({ id: policies.id }).from(policies).where(eq(policies.name, name)).get()!.id
  t.same(body.data.roles, [
    { id: systemRoleId('PROJECT', 'Owner'), name: 'Owner', description: null, projectId: null, policies: [] },
    { id: systemRoleId('PROJECT', 'Manager'), name: 'Manager', description: null, projectId: null, policies: [] },
    { id: systemRoleId('PROJECT', 'Member'), name: 'Member', description: null, projectId: null, policies: [] },
    {
      id: REVIEWER_ID,
      name: 'Reviewer',
      description: 'Reviews traces',
      projectId: org.projectId,
      policies: [{ id: policyId('Annotate'), name: 'Annotate' }, { id: policyId('View traces'), name: 'View traces' }]
    },
    { id: org.roles['Main/Bystander'], name: 'Bystander', description: null, projectId: org.projectId, policies: [] }
  ], "not organization roles, not another project's, not another organization's")
  for (const role of body.data.roles) t.same(Object.keys(role), ['id', 'name', 'description', 'projectId', 'policies'])
})

t.test('a project without custom roles lists the three system roles', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await app.inject({ url: `/v1/projects/${org.projectId}/roles`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'listProjectRoles', json(res))
  t.same(json(res).data.roles.map((r: { name: string }) => r.name), ['Owner', 'Manager', 'Member'])
})

t.test("an unknown project or another organization's is a 404", async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const other = seedOrg(app, { projects: [{ name: 'Main', roles: [{ name: 'Secret' }] }] })
  for (const id of [other.projectId, 'cnosuchproject00000000000']) {
    const res = await app.inject({ url: `/v1/projects/${id}/roles`, headers: { CONFIDENT_API_KEY: org.key } })
    t.equal(res.statusCode, 404)
    t.same(json(res), { success: false, error: 'Project not found', deprecated: false })
  }
})

t.test('key failures', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await assertKeyFailures(t, app, org, { method: 'GET', url: `/v1/projects/${org.projectId}/roles` })
})
