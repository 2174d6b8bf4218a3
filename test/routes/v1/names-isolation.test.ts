// No answer to one tenant depends on another tenant's names: every /v1 operation that takes a name
// answers tenant A the same whether tenant B already holds that name everywhere or holds none of it.
import t from 'tap'
import type { App } from '../../../src/app.js'
import { build, json, seedOrg, type SeededOrg } from '../../helpers/build.js'

/** The operations of the vendor's API whose body takes a name (test/vendor/operations.json), run in this order. */
const OPERATIONS = [
  'updateOrganization', 'createProject', 'updateProject', 'createRole', 'updateRole', 'createProjectRole', 'updateProjectRole',
  'createPolicy', 'updatePolicy', 'createProjectPolicy', 'updateProjectPolicy', 'createOrganizationApiKey', 'createProjectApiKey'
] as const

type Step = [operation: typeof OPERATIONS[number], status: number, body: unknown]

/** The first `id` in an answer's data (the entity it made). */
function idIn (value: unknown): string {
  if (typeof value !== 'object' || value === null) throw new Error('no id in the answer')
  const record = value as Record<string, unknown>
  if (typeof record['id'] === 'string' || typeof record['id'] === 'number') return String(record['id'])
  for (const child of Object.values(record)) {
    if (typeof child === 'object' && child !== null) return idIn(child)
  }
  throw new Error('no id in the answer')
}

const isIdKey = (key: string) => key === 'id' || key.endsWith('Id') || key.endsWith('Ids')

/**
 * An answer with what differs between two servers for reasons other than names replaced: each id by
 * the order this run first met it in, a key's value and last characters by a mark. Everything else,
 * the error messages included, is compared as it is.
 */
function normalized (value: unknown, seen: Map<string, number>, idField = false): unknown {
  if (Array.isArray(value)) return value.map((v) => normalized(v, seen, idField))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'last6' ? '<last6>' : normalized(v, seen, isIdKey(k))]))
  }
  if (idField && (typeof value === 'string' || typeof value === 'number')) {
    const id = String(value)
    if (!seen.has(id)) seen.set(id, seen.size)
    return `<id ${seen.get(id)!}>`
  }
  return typeof value === 'string' ? value.replace(/confident_(org|proj)_[0-9a-f]{32}/g, '<key>') : value
}

/** Every operation that takes a name, each with `name`, for the tenant `org`; its answers normalized. */
async function everyNamedOperation (app: App, org: SeededOrg, name: string): Promise<Step[]> {
  const steps: Step[] = []
  const seen = new Map<string, number>()
  const call = async (operation: Step[0], method: 'POST' | 'PUT', url: string, payload: object) => {
    const res = await app.inject({ method, url, headers: { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
    const body = json(res)
    steps.push([operation, res.statusCode, normalized(body, seen)])
    return res.statusCode < 300 ? idIn(body.data) : 'none'
  }
  await call('updateOrganization', 'PUT', '/v1/organization', { name })
  const projectId = await call('createProject', 'POST', '/v1/projects', { name })
  await call('updateProject', 'PUT', `/v1/projects/${projectId}`, { name, description: 'renamed' })
  const roleId = await call('createRole', 'POST', '/v1/organization/roles', { name, policyIds: [] })
  await call('updateRole', 'PUT', `/v1/organization/roles/${roleId}`, { name, policyIds: [] })
  const projectRoleId = await call('createProjectRole', 'POST', `/v1/projects/${projectId}/roles`, { name, policyIds: [] })
  await call('updateProjectRole', 'PUT', `/v1/projects/${projectId}/roles/${projectRoleId}`, { name, policyIds: [] })
  const policyId = await call('createPolicy', 'POST', '/v1/organization/policies', { name, permissionIds: [] })
  await call('updatePolicy', 'PUT', `/v1/organization/policies/${policyId}`, { name, permissionIds: [] })
  const projectPolicyId = await call('createProjectPolicy', 'POST', `/v1/projects/${projectId}/policies`, { name, permissionIds: [] })
  await call('updateProjectPolicy', 'PUT', `/v1/projects/${projectId}/policies/${projectPolicyId}`, { name, permissionIds: [] })
  await call('createOrganizationApiKey', 'POST', '/v1/organization/api-keys', { name })
  await call('createProjectApiKey', 'POST', `/v1/projects/${projectId}/api-keys`, { name })
  return steps
}

t.test("tenant A's answers to every operation that takes a name do not depend on tenant B's names", async (t) => {
  const answersOfA = async (bNames: string) => {
    const app = await build(t)
    const b = seedOrg(app)
    const a = seedOrg(app)
    const bSteps = await everyNamedOperation(app, b, bNames)
    t.same(bSteps.map(([operation, status]) => [operation, status]), OPERATIONS.map((operation) => [operation, 200]), `B makes every "${bNames}"`)
    return everyNamedOperation(app, a, 'Shared')
  }
  const beside = await answersOfA('Shared')
  const alone = await answersOfA('Elsewhere')
  t.same(beside.map(([operation]) => operation), OPERATIONS, 'every operation that takes a name was run')
  t.same(beside.map(([, status]) => status), OPERATIONS.map(() => 200), 'A gets each name B holds')
  t.same(beside, alone, 'the same answers, whole, whether B holds the names or not')
})

t.test('two tenants of one name stay two: each renames, lists and is reset on its own', async (t) => {
  const app = await build(t)
  const a = seedOrg(app)
  const b = seedOrg(app)
  const rename = (org: SeededOrg, name: string) =>
    app.inject({ method: 'PUT', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key }, payload: { name } })
  t.equal((await rename(a, 'Same')).statusCode, 200)
  t.equal((await rename(b, 'Same')).statusCode, 200)
  for (const org of [a, b]) {
    const got = json(await app.inject({ url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key } })).data.organization
    t.same([got.id, got.name], [org.organizationId, 'Same'])
  }
  t.equal((await rename(a, 'Apart')).statusCode, 200)
  t.equal(json(await app.inject({ url: '/v1/organization', headers: { CONFIDENT_API_KEY: b.key } })).data.organization.name, 'Same', 'B keeps its name')
})
