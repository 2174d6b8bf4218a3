// GET /v1/organization/permissions through app.inject: the documented organization permissions, plus those fixtures add.
import t from 'tap'
import { permissionId } from '../../../../src/domain/roles.js'
import { build, json, seedOrg } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

const list = (app: Awaited<ReturnType<typeof build>>, key: string) =>
  app.inject({ url: '/v1/organization/permissions', headers: { CONFIDENT_API_KEY: key } })

t.test('by default: the organization permissions the vendor documents, with ids fixed by their names', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await list(app, org.key)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'listPermissions', json(res))
  t.same(json(res), {
    success: true,
    data: {
      permissions: [
        { id: permissionId('ORGANIZATION', 'billing:read'), name: 'billing:read', description: null },
        { id: permissionId('ORGANIZATION', 'billing:write'), name: 'billing:write', description: null }
      ]
    }
  })
  t.match(json(res).data.permissions[0].id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
})

t.test('fixtures add permissions, by name, with or without a description; project permissions are not listed', async (t) => {
  const app = await build(t, {
    fixtures: {
      permissions: {
        organization: ['user:manage', { name: 'iam:manage', description: 'Manage roles and policies' }, { name: 'billing:read', description: 'See invoices' }],
        project: ['datasets:write']
      },
      organizations: []
    }
  })
  const org = seedOrg(app)
  const res = await list(app, org.key)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'listPermissions', json(res))
  t.same(json(res).data.permissions, [
    { id: permissionId('ORGANIZATION', 'billing:read'), name: 'billing:read', description: 'See invoices' },
    { id: permissionId('ORGANIZATION', 'billing:write'), name: 'billing:write', description: null },
    { id: permissionId('ORGANIZATION', 'iam:manage'), name: 'iam:manage', description: 'Manage roles and policies' },
    { id: permissionId('ORGANIZATION', 'user:manage'), name: 'user:manage', description: null }
  ])
  // The catalogue is the platform's: every organization sees the same one.
  t.same(json(await list(app, seedOrg(app).key)), json(res))
})

t.test('key failures', async (t) => {
  const app = await build(t)
  await assertKeyFailures(t, app, seedOrg(app), { method: 'GET', url: '/v1/organization/permissions' })
})
