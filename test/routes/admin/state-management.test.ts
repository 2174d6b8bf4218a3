// What the management operations make (keys, policies, custom roles, governance assignments, a renamed organization) goes into a snapshot, comes back from it, and a reset removes it.
import t from 'tap'
import type { App } from '../../../src/app.js'
import { build, json, seedOrg, type SeededOrg } from '../../helpers/build.js'

const call = (app: App, key: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url, headers: { CONFIDENT_API_KEY: key, 'content-type': 'application/json' }, ...(payload === undefined ? {} : { payload }) })

/** Everything the management API shows of the organization, as its key reads it. */
async function reads (app: App, key: string, projectId: string, governancePolicyId: string) {
  const out: Record<string, unknown> = {}
  for (const url of ['/v1/organization', '/v1/organization/api-keys', '/v1/organization/policies', '/v1/organization/roles',
    `/v1/projects/${projectId}/api-keys`, `/v1/projects/${projectId}/policies`, `/v1/projects/${projectId}/roles`,
    '/v1/organization/governance-policies', `/v1/organization/governance-policies/${governancePolicyId}/projects`]) {
    const res = await call(app, key, 'GET', url)
    out[url] = [res.statusCode, json(res).data]
  }
  return out
}

/** Uses every new write once; returns the keys it minted. */
async function manage (app: App, org: SeededOrg, governancePolicyId: string) {
  const orgPermissions = json(await call(app, org.key, 'GET', '/v1/organization/permissions')).data.permissions as Array<{ id: string }>
  const projectPermissions = json(await call(app, org.key, 'GET', `/v1/projects/${org.projectId}/permissions`)).data.permissions as Array<{ id: string }>
  const policy = json(await call(app, org.key, 'POST', '/v1/organization/policies', { name: 'Readers', permissionIds: [orgPermissions[0]!.id] })).data.policy
  await call(app, org.key, 'POST', '/v1/organization/roles', { name: 'Reader', policyIds: [policy.id] })
  const projectPolicy = json(await call(app, org.key, 'POST', `/v1/projects/${org.projectId}/policies`, { name: 'P', permissionIds: [projectPermissions[0]!.id] })).data.policy
  await call(app, org.key, 'POST', `/v1/projects/${org.projectId}/roles`, { name: 'Triager', description: 'Reads traces', policyIds: [projectPolicy.id] })
  const orgKey = json(await call(app, org.key, 'POST', '/v1/organization/api-keys', { name: 'CI' })).data.apiKey
  const projectKey = json(await call(app, org.key, 'POST', `/v1/projects/${org.projectId}/api-keys`, { name: 'Ingest' })).data.apiKey
  t.equal((await call(app, org.key, 'PUT', `/v1/organization/api-keys/${orgKey.id}`, { valid: false })).statusCode, 200)
  t.equal((await call(app, org.key, 'PUT', `/v1/organization/api-keys/${orgKey.id}`, { valid: true })).statusCode, 200)
  t.equal((await call(app, org.key, 'POST', `/v1/organization/governance-policies/${governancePolicyId}/assign`, { projectIds: [org.projectId] })).statusCode, 200)
  t.equal((await call(app, org.key, 'PUT', '/v1/organization', { name: `Renamed ${org.organizationId}` })).statusCode, 200)
  return { orgKey: orgKey.value as string, projectKey: projectKey.value as string }
}

t.test('a snapshot carries what the management operations made; imported, the same reads answer the same and minted keys work', async (t) => {
  const source = await build(t)
  const org = seedOrg(source, { governancePolicies: [{ name: 'Strict', controls: [{ name: 'Evals', type: 'PRE_DEPLOYMENT_EVALS' }] }] })
  const governancePolicyId = json(await call(source, org.key, 'GET', '/v1/organization/governance-policies')).data.governancePolicies[0].id as string
  const minted = await manage(source, org, governancePolicyId)
  const before = await reads(source, org.key, org.projectId, governancePolicyId)
  for (const [url, [status]] of Object.entries(before) as Array<[string, [number]]>) t.equal(status, 200, url)

  const snapshot = json(await source.inject({ url: '/__admin/snapshot' }))
  const target = await build(t, { config: { CONFIDENT_MOCK_ID_SEED: 'another seed' } })
  t.equal((await target.inject({ method: 'POST', url: '/__admin/snapshot', payload: snapshot })).statusCode, 200)
  t.same(await reads(target, org.key, org.projectId, governancePolicyId), before, 'every read answers as before the export')
  t.equal((await call(target, minted.orgKey, 'GET', '/v1/organization')).statusCode, 200, 'a key minted through the API authenticates after the import')
  t.equal((await call(target, minted.projectKey, 'GET', '/v1/organization')).statusCode, 403, 'and a minted project key is still a project key')
  const made = json(await call(target, org.key, 'POST', '/v1/organization/api-keys', { name: 'After' })).data.apiKey
  const ids = (json(await call(target, org.key, 'GET', '/v1/organization/api-keys')).data.apiKeys as Array<{ id: number }>).map((k) => k.id)
  t.equal(made.id, Math.max(...ids), 'key ids continue after the imported ones')
  t.equal(new Set(ids).size, ids.length)
})

t.test('a reset to the boot fixtures removes what the management operations made; minted keys stop working', async (t) => {
  const fixtures = {
    organizations: [{
      name: 'Booted',
      plan: 'TEAM' as const,
      apiKeys: [{ key: 'confident_org_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0' }],
      projects: [{ id: 'cbootedproject00000000000', name: 'Main' }],
      governancePolicies: [{ name: 'Strict' }]
    }]
  }
  const app = await build(t, { fixtures })
  const key = fixtures.organizations[0]!.apiKeys[0]!.key
  const org: SeededOrg = { organizationId: '', key, projectKey: '', invalidKey: '', projectId: 'cbootedproject00000000000', projects: {}, roles: {} }
  const governancePolicyId = json(await call(app, key, 'GET', '/v1/organization/governance-policies')).data.governancePolicies[0].id as string
  const booted = await reads(app, key, org.projectId, governancePolicyId)
  const minted = await manage(app, org, governancePolicyId)
  t.not(JSON.stringify(await reads(app, key, org.projectId, governancePolicyId)), JSON.stringify(booted), 'the operations changed what the reads show')
  t.equal((await app.inject({ method: 'POST', url: '/__admin/reset', headers: { 'content-type': 'application/json' } })).statusCode, 200)
  t.same(await reads(app, key, org.projectId, governancePolicyId), booted, 'every read answers as right after boot')
  t.equal((await call(app, minted.orgKey, 'GET', '/v1/organization')).statusCode, 401, 'a key minted before the reset is unknown')
})
