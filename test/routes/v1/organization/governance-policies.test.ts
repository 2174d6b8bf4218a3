// GET /v1/organization/governance-policies through app.inject: empty unless fixtures define some; controls and project counts.
import t from 'tap'
import { build, json, seedOrg } from '../../../helpers/build.js'
import { assertKeyFailures } from '../../../helpers/auth.js'
import { assertVendorResponse } from '../../../helpers/vendor.js'

const GATE_ID = '7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6'
const CONTROL_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'

const list = (app: Awaited<ReturnType<typeof build>>, key: string) =>
  app.inject({ url: '/v1/organization/governance-policies', headers: { CONFIDENT_API_KEY: key } })

t.test('an organization without governance policies gets an empty list', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await list(app, org.key)
  t.equal(res.statusCode, 200)
  assertVendorResponse(t, 'listGovernancePolicies', json(res))
  t.same(json(res), { success: true, data: { governancePolicies: [] } })
})

t.test('lists the policies in declared order, with their controls in order and the number of enrolled projects', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    governancePolicies: [
      {
        id: GATE_ID,
        name: 'Release Gate',
        description: 'Before production',
        controls: [
          { id: CONTROL_ID, name: 'Evaluated', type: 'PRE_DEPLOYMENT_EVALS' },
          { name: 'Red-teamed', type: 'PRE_DEPLOYMENT_RED_TEAMING' },
          { name: 'Monitored', type: 'RUNTIME' },
          { name: 'On call', type: 'OPERATIONAL' }
        ]
      },
      { name: 'Unused' }
    ],
    projects: [{ name: 'Main', governancePolicy: 'Release Gate' }, { name: 'B', governancePolicy: 'Release Gate' }, { name: 'C', governancePolicy: null }, { name: 'D' }]
  })
  seedOrg(app, { governancePolicies: [{ name: 'Foreign' }], projects: [{ name: 'Main', governancePolicy: 'Foreign' }] })
  const res = await list(app, org.key)
  t.equal(res.statusCode, 200)
  const body = json(res)
  assertVendorResponse(t, 'listGovernancePolicies', body)
  t.same(Object.keys(body.data), ['governancePolicies'])
  const [gate, unused, ...rest] = body.data.governancePolicies
  t.same(rest, [], "not another organization's")
  t.same(Object.keys(gate), ['id', 'name', 'description', 'projectsCount', 'controls'])
  t.equal(gate.id, GATE_ID)
  t.equal(gate.name, 'Release Gate')
  t.equal(gate.description, 'Before production')
  t.equal(gate.projectsCount, 2)
  t.same(gate.controls.map((c: { name: string, type: string }) => [c.name, c.type]), [
    ['Evaluated', 'PRE_DEPLOYMENT_EVALS'], ['Red-teamed', 'PRE_DEPLOYMENT_RED_TEAMING'], ['Monitored', 'RUNTIME'], ['On call', 'OPERATIONAL']
  ])
  t.equal(gate.controls[0].id, CONTROL_ID)
  for (const control of gate.controls) t.same(Object.keys(control), ['id', 'name', 'type'])
  t.match(gate.controls[1].id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'generated ids are UUIDs')
  t.match(unused, { name: 'Unused', description: null, projectsCount: 0, controls: [] })

  // Projects show their enrollment too.
  const projects = json(await app.inject({ url: '/v1/projects', headers: { CONFIDENT_API_KEY: org.key } })).data.projects
  t.same(projects.map((p: { governancePolicy: unknown }) => p.governancePolicy),
    [{ id: GATE_ID, name: 'Release Gate' }, { id: GATE_ID, name: 'Release Gate' }, null, null])
})

t.test('key failures', async (t) => {
  const app = await build(t)
  await assertKeyFailures(t, app, seedOrg(app), { method: 'GET', url: '/v1/organization/governance-policies' })
})
