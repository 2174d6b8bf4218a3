// GET /v1/projects/:projectId/permissions through app.inject: the documented project permissions, plus those fixtures add.
import t from 'tap'
import { permissionId } from '../../../../src/domain/roles.js'
import { build, json, seedOrg } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

const list = (app: Awaited<ReturnType<typeof build>>, key: string, projectId: string) =>
  app.inject({ url: `/v1/projects/${projectId}/permissions`, headers: { CONFIDENT_API_KEY: key } })

t.test('by default: the project permissions the vendor documents, with ids fixed by their names', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await list(app, org.key, org.projectId)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'listProjectPermissions', json(res))
  t.same(json(res), {
    success: true,
    data: {
      permissions: [
        { id: permissionId('PROJECT', 'traces:read'), name: 'traces:read', description: null },
        { id: permissionId('PROJECT', 'traces:write'), name: 'traces:write', description: null }
      ]
    }
  })
})

t.test('fixtures add permissions; organization permissions are not listed', async (t) => {
  const app = await build(t, {
    fixtures: { permissions: { project: [{ name: 'datasets:write', description: 'Edit datasets' }, 'annotations:write'], organization: ['user:manage'] }, organizations: [] }
  })
  const org = seedOrg(app)
  const res = await list(app, org.key, org.projectId)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'listProjectPermissions', json(res))
  t.same(json(res).data.permissions, [
    { id: permissionId('PROJECT', 'annotations:write'), name: 'annotations:write', description: null },
    { id: permissionId('PROJECT', 'datasets:write'), name: 'datasets:write', description: 'Edit datasets' },
    { id: permissionId('PROJECT', 'traces:read'), name: 'traces:read', description: null },
    { id: permissionId('PROJECT', 'traces:write'), name: 'traces:write', description: null }
  ])
})

t.test("an unknown project or another organization's is a 404", async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const other = seedOrg(app)
  for (const id of [other.projectId, 'cnosuchproject00000000000']) {
    const res = await list(app, org.key, id)
    t.equal(res.statusCode, 404)
    t.same(json(res), { success: false, error: 'Project not found', deprecated: false })
  }
})

t.test('key failures', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await assertKeyFailures(t, app, org, { method: 'GET', url: `/v1/projects/${org.projectId}/permissions` })
})
