// Replays, for each of the 53 vendor operations, the request the official Admin SDKs (Python `confidentai`, TypeScript) send, and checks each 200 against the vendor's schema.
import t from 'tap'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { App } from '../../src/app.js'
import { VENDOR_PREFIX } from '../../src/http/prefixes.js'
import { build, json, seedOrg, type SeededOrg } from '../helpers/build.js'
import { assertEachRouteCovered, routeKey, servedKeys } from '../helpers/routes.js'
import { assertVendorResponse, closeObjectSchemas, validateVendorResponse, vendorExtract, type VendorOperation } from '../helpers/vendor.js'

const addFormats = addFormatsModule.default

const PYTHON_UA = 'confidentai-python/1.4.2'
const TYPESCRIPT_UA = 'confident-typescript/1.3.0'

const GOVERNANCE_ID = '3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c'
/** Seeded policies and roles: the fallbacks when the ones the replay creates are not there, so one failure does not hide others. */
const ORG_POLICY_ID = '5b0e7c1d-2a3f-4e5d-9c8b-7a6f5e4d3c2b'
const PROJECT_POLICY_ID = '6c1f8d2e-3b4a-4f6e-8d9c-8b7a6f5e4d3c'
const ORG_ROLE_ID = '7d2a9e3f-4c5b-4a7f-9e0d-9c8b7a6f5e4d'
const PROJECT_ROLE_ID = '8e3b0f4a-5d6c-4b8a-8f1e-0d9c8b7a6f5e'

/** One way an SDK puts a body-less call on the wire: headers beside the defaults, and the payload (absent or empty). */
interface Variant {
  name: string
  headers: Record<string, string>
  payload?: string
}

/** (a) requests / aiohttp: JSON type, Content-Length 0, empty payload. (b) axios: JSON type, no Content-Length, no payload. */
const BODYLESS: Variant[] = [
  { name: 'python: JSON type, Content-Length 0', headers: { 'content-type': 'application/json', 'content-length': '0', 'user-agent': PYTHON_UA }, payload: '' },
  { name: 'typescript: JSON type, no Content-Length', headers: { 'content-type': 'application/json', 'user-agent': TYPESCRIPT_UA } }
]

/** The resend PUTs also get (c) aiohttp's octet-stream and (d) axios's form type, each with Content-Length 0. */
const BODYLESS_PUT: Variant[] = [
  ...BODYLESS,
  { name: 'python/aiohttp: octet-stream, Content-Length 0', headers: { 'content-type': 'application/octet-stream', 'content-length': '0', 'user-agent': PYTHON_UA }, payload: '' },
  { name: 'typescript/axios: form type, Content-Length 0', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0', 'user-agent': TYPESCRIPT_UA }, payload: '' }
]

/** What earlier steps learned or made, for the steps after them. */
interface Ctx {
  app: App
  org: SeededOrg
  orgRoleIds: Record<string, string>
  memberIds: Record<string, string>
  projectMemberIds: Record<string, string>
  orgPermissionIds: string[]
  projectPermissionIds: string[]
  orgPolicyId?: string
  projectPolicyId?: string
  orgRoleId?: string
  projectRoleId?: string
  orgApiKeyId?: number
  projectApiKeyId?: number
  orgInvitationId?: number
  projectInvitationId?: number
  newProjectId?: string
  governancePolicyId?: string
  /** Pools of members that the removal variants use up, one per variant. */
  orgLeavers: string[]
  projectLeavers: string[]
  n: number
}

type Params = Record<string, string | number | undefined>

interface ReplayCase {
  /** Path parameters; for a destructive operation, called once per variant to make a fresh target. */
  params?: (c: Ctx) => Params | Promise<Params>
  /** The JSON body, with exactly the vendor's field names; only for operations that declare one. */
  body?: (c: Ctx) => Record<string, unknown>
  /** Reads what later steps need from the answer's `data`. */
  after?: (c: Ctx, data: any) => void
}

const DEFAULT_HEADERS = (c: Ctx) => ({ CONFIDENT_API_KEY: c.org.key, accept: 'application/json' })

/** A setup call made as the SDK makes it (JSON body or none), which must answer 200. */
async function call (c: Ctx, method: 'GET' | 'POST', url: string, body?: object): Promise<any> {
  const res = await c.app.inject({
    method,
    url,
    headers: { ...DEFAULT_HEADERS(c), 'content-type': 'application/json', 'user-agent': PYTHON_UA },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) })
  })
  if (res.statusCode !== 200) throw new Error(`setup ${method} ${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
  return json(res).data
}

const unique = (c: Ctx, what: string) => `${what} ${++c.n}`
const email = (c: Ctx, what: string) => `${what}-${++c.n}@example.com`

/**
 * One case per vendor operationId, in replay order: reads before the destructive operations that
 * need their target, and every delete, revoke or removal on a target made for it.
 */
const CASES: Record<string, ReplayCase> = {
  // Organization
  getOrganization: {},
  updateOrganization: { body: (c) => ({ name: unique(c, 'Replayed Org') }) },

  // Permissions, then policies built from them
  listPermissions: { after: (c, d) => { c.orgPermissionIds = d.permissions.map((p: { id: string }) => p.id) } },
  listProjectPermissions: {
    params: (c) => ({ projectId: c.org.projectId }),
    after: (c, d) => { c.projectPermissionIds = d.permissions.map((p: { id: string }) => p.id) }
  },
  listPolicies: {},
  createPolicy: {
    body: (c) => ({ name: unique(c, 'Readers'), description: 'Read everything', permissionIds: c.orgPermissionIds.slice(0, 2) }),
    after: (c, d) => { c.orgPolicyId = d.policy.id }
  },
  updatePolicy: {
    params: (c) => ({ policyId: c.orgPolicyId ?? ORG_POLICY_ID }),
    body: (c) => ({ name: unique(c, 'Readers'), description: null, permissionIds: c.orgPermissionIds.slice(0, 1) })
  },
  deletePolicy: {
    params: async (c) => ({ policyId: (await call(c, 'POST', '/v1/organization/policies', { name: unique(c, 'Doomed'), permissionIds: [] })).policy.id })
  },
  listProjectPolicies: { params: (c) => ({ projectId: c.org.projectId }) },
  createProjectPolicy: {
    params: (c) => ({ projectId: c.org.projectId }),
    body: (c) => ({ name: unique(c, 'Tracers'), description: null, permissionIds: c.projectPermissionIds.slice(0, 2) }),
    after: (c, d) => { c.projectPolicyId = d.policy.id }
  },
  updateProjectPolicy: {
    params: (c) => ({ projectId: c.org.projectId, policyId: c.projectPolicyId ?? PROJECT_POLICY_ID }),
    body: (c) => ({ name: unique(c, 'Tracers'), description: 'Traces only', permissionIds: c.projectPermissionIds.slice(0, 1) })
  },
  deleteProjectPolicy: {
    params: async (c) => ({
      projectId: c.org.projectId,
      policyId: (await call(c, 'POST', `/v1/projects/${c.org.projectId}/policies`, { name: unique(c, 'Doomed'), permissionIds: [] })).policy.id
    })
  },

  // Roles
  listRoles: { after: (c, d) => { for (const r of d.roles) c.orgRoleIds[r.name] = r.id } },
  createRole: {
    body: (c) => ({ name: unique(c, 'Auditor'), description: 'Reads', policyIds: [c.orgPolicyId ?? ORG_POLICY_ID] }),
    after: (c, d) => { c.orgRoleId = d.role.id }
  },
  updateRole: {
    params: (c) => ({ roleId: c.orgRoleId ?? ORG_ROLE_ID }),
    body: (c) => ({ name: unique(c, 'Auditor'), description: null, policyIds: [] })
  },
  deleteRole: {
    params: async (c) => ({ roleId: (await call(c, 'POST', '/v1/organization/roles', { name: unique(c, 'Doomed'), policyIds: [] })).role.id })
  },
  listProjectRoles: { params: (c) => ({ projectId: c.org.projectId }) },
  createProjectRole: {
    params: (c) => ({ projectId: c.org.projectId }),
    body: (c) => ({ name: unique(c, 'Tracer'), description: 'Traces', policyIds: [c.projectPolicyId ?? PROJECT_POLICY_ID] }),
    after: (c, d) => { c.projectRoleId = d.role.id }
  },
  updateProjectRole: {
    params: (c) => ({ projectId: c.org.projectId, roleId: c.projectRoleId ?? PROJECT_ROLE_ID }),
    body: (c) => ({ name: unique(c, 'Tracer'), description: null, policyIds: [] })
  },
  deleteProjectRole: {
    params: async (c) => ({
      projectId: c.org.projectId,
      roleId: (await call(c, 'POST', `/v1/projects/${c.org.projectId}/roles`, { name: unique(c, 'Doomed'), policyIds: [] })).role.id
    })
  },

  // Organization API keys
  listOrganizationApiKeys: {},
  createOrganizationApiKey: {
    body: (c) => ({ name: unique(c, 'CI key') }),
    after: (c, d) => { c.orgApiKeyId = d.apiKey.id }
  },
  getOrganizationApiKey: { params: (c) => ({ apiKeyId: c.orgApiKeyId }) },
  updateOrganizationApiKey: { params: (c) => ({ apiKeyId: c.orgApiKeyId }), body: () => ({ valid: false }) },
  deleteOrganizationApiKey: {
    params: async (c) => ({ apiKeyId: (await call(c, 'POST', '/v1/organization/api-keys', { name: unique(c, 'Doomed') })).apiKey.id })
  },

  // Project API keys
  listProjectApiKeys: { params: (c) => ({ projectId: c.org.projectId }) },
  createProjectApiKey: {
    params: (c) => ({ projectId: c.org.projectId }),
    body: (c) => ({ name: unique(c, 'Tracing key') }),
    after: (c, d) => { c.projectApiKeyId = d.apiKey.id }
  },
  getProjectApiKey: { params: (c) => ({ projectId: c.org.projectId, apiKeyId: c.projectApiKeyId }) },
  updateProjectApiKey: { params: (c) => ({ projectId: c.org.projectId, apiKeyId: c.projectApiKeyId }), body: () => ({ valid: false }) },
  deleteProjectApiKey: {
    params: async (c) => ({
      projectId: c.org.projectId,
      apiKeyId: (await call(c, 'POST', `/v1/projects/${c.org.projectId}/api-keys`, { name: unique(c, 'Doomed') })).apiKey.id
    })
  },

  // Organization members
  listMembers: { after: (c, d) => { for (const m of d.members) c.memberIds[m.email] = m.id } },
  updateMemberRole: {
    params: (c) => ({ userId: c.memberIds['member@example.com'] }),
    body: (c) => ({ roleId: c.orgRoleIds['Admin'] })
  },
  removeMember: { params: (c) => ({ userId: c.memberIds[c.orgLeavers.shift() ?? 'none'] }) },

  // Project members
  listProjectMembers: {
    params: (c) => ({ projectId: c.org.projectId }),
    after: (c, d) => { for (const m of d.members) c.projectMemberIds[m.email] = m.id }
  },
  updateProjectMemberRole: {
    params: (c) => ({ projectId: c.org.projectId, userId: c.projectMemberIds['pm@example.com'] }),
    body: (c) => ({ roleId: c.org.roles['Manager'] })
  },
  removeProjectMember: {
    params: (c) => ({ projectId: c.org.projectId, userId: c.projectMemberIds[c.projectLeavers.shift() ?? 'none'] })
  },

  // Organization invitations
  createInvitations: {
    body: (c) => ({ emails: [email(c, 'org-invitee'), email(c, 'org-invitee')], organizationRoleId: c.orgRoleIds['Member'] }),
    after: (c, d) => { c.orgInvitationId = d.invitations[0].id }
  },
  listInvitations: {},
  resendInvitation: { params: (c) => ({ invitationId: c.orgInvitationId }) },
  deleteInvitation: {
    params: async (c) => ({ invitationId: (await call(c, 'POST', '/v1/organization/invitations', { emails: [email(c, 'doomed')] })).invitations[0].id })
  },

  // Project invitations
  createProjectInvitations: {
    params: (c) => ({ projectId: c.org.projectId }),
    body: (c) => ({ emails: [email(c, 'invitee'), email(c, 'invitee')], projectRoleId: c.org.roles['Member'] }),
    after: (c, d) => { c.projectInvitationId = d.invitations[0].id }
  },
  listProjectInvitations: { params: (c) => ({ projectId: c.org.projectId }) },
  resendProjectInvitation: { params: (c) => ({ projectId: c.org.projectId, invitationId: c.projectInvitationId }) },
  deleteProjectInvitation: {
    params: async (c) => ({
      projectId: c.org.projectId,
      invitationId: (await call(c, 'POST', `/v1/projects/${c.org.projectId}/invitations`, { emails: [email(c, 'doomed')] })).invitations[0].id
    })
  },

  // Governance
  listGovernancePolicies: {
    after: (c, d) => { c.governancePolicyId = d.governancePolicies.find((p: { id: string }) => p.id === GOVERNANCE_ID)?.id }
  },
  assignProjectsToGovernancePolicy: {
    params: (c) => ({ policyId: c.governancePolicyId }),
    body: (c) => ({ projectIds: [c.org.projects['Side'], 'no-such-project'] })
  },
  listGovernancePolicyProjects: { params: (c) => ({ policyId: c.governancePolicyId }) },
  unassignProjectsFromGovernancePolicy: {
    params: (c) => ({ policyId: c.governancePolicyId }),
    body: (c) => ({ projectIds: [c.org.projects['Side'], c.org.projectId] })
  },

  // Projects
  listProjects: {},
  createProject: {
    body: (c) => ({ name: unique(c, 'Replayed project'), description: 'Made by the SDK replay', email: 'owner@example.com' }),
    after: (c, d) => { c.newProjectId = d.project.id }
  },
  getProject: { params: (c) => ({ projectId: c.newProjectId }) },
  updateProject: {
    params: (c) => ({ projectId: c.newProjectId }),
    body: (c) => ({ name: unique(c, 'Renamed project'), description: 'Renamed by the SDK replay' })
  },
  deleteProject: {
    params: async (c) => ({ projectId: (await call(c, 'POST', '/v1/projects', { name: unique(c, 'Doomed project') })).project.id })
  }
}

/** Body-less operations whose target each variant uses up. */
const DESTRUCTIVE = (operation: VendorOperation) => operation.method === 'DELETE'

const QUERY = (operation: VendorOperation) => {
  const declared = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name))
  const query = [...(declared.has('page') ? ['page=1'] : []), ...(declared.has('pageSize') ? ['pageSize=25'] : [])]
  return query.length === 0 ? '' : `?${query.join('&')}`
}

function urlOf (operation: VendorOperation, params: Params): string {
  return operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`no value for path parameter ${name} (an earlier step did not make it)`)
    return encodeURIComponent(String(value))
  }) + QUERY(operation)
}

const operations = vendorExtract().operations
const operationIds = Object.keys(operations)

t.test('every vendor operation has a replay case, and nothing else does', async (t) => {
  for (const operationId of operationIds) {
    t.ok(Object.hasOwn(CASES, operationId), `replay case for ${operationId}`)
  }
  for (const operationId of Object.keys(CASES)) {
    t.ok(Object.hasOwn(operations, operationId), `${operationId} is a vendor operation`)
  }
  t.equal(operationIds.length, 53, 'the vendor extract has 53 operations')
  t.equal(Object.keys(CASES).length, 53, '53 replay cases')
  for (const [operationId, replay] of Object.entries(CASES)) {
    const operation = operations[operationId]
    if (operation === undefined) continue
    t.equal(replay.body !== undefined, operation.requestBody !== null,
      `${operationId}: sends a body exactly when the vendor declares one`)
  }
})

t.test('the official SDKs\' requests, replayed for each operation, answer 200 in the vendor\'s shape', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    members: [
      { email: 'owner@example.com', name: 'Olive Owner', role: 'Owner' },
      { email: 'admin@example.com', role: 'Admin' },
      { email: 'member@example.com', name: 'Mel Member' },
      { email: 'leaver-a@example.com' },
      { email: 'leaver-b@example.com' },
      { email: 'pm@example.com' },
      { email: 'p-leaver-a@example.com' },
      { email: 'p-leaver-b@example.com' }
    ],
    policies: [{ id: ORG_POLICY_ID, name: 'Seeded org policy', permissions: [] }],
    roles: [{ id: ORG_ROLE_ID, name: 'Seeded org role', policies: ['Seeded org policy'] }],
    governancePolicies: [
      {
        id: GOVERNANCE_ID,
        name: 'Release Gate',
        description: 'Before production',
        controls: [
          { name: 'Evaluated', type: 'PRE_DEPLOYMENT_EVALS' },
          { name: 'Red-teamed', type: 'PRE_DEPLOYMENT_RED_TEAMING' },
          { name: 'Monitored', type: 'RUNTIME' },
          { name: 'On call', type: 'OPERATIONAL' }
        ]
      },
      { name: 'Unused' }
    ],
    projects: [
      {
        name: 'Main',
        description: 'The main project',
        governancePolicy: 'Release Gate',
        members: [
          { email: 'owner@example.com', role: 'Owner' },
          { email: 'pm@example.com', role: 'Member' },
          { email: 'p-leaver-a@example.com' },
          { email: 'p-leaver-b@example.com' }
        ],
        policies: [{ id: PROJECT_POLICY_ID, name: 'Seeded project policy', permissions: [] }],
        roles: [{ id: PROJECT_ROLE_ID, name: 'Reviewer', policies: ['Seeded project policy'] }],
        invitations: [{ email: 'declined@example.com', status: 'DECLINED' }]
      },
      { name: 'Side', members: [{ email: 'owner@example.com', role: 'Owner' }] }
    ],
    invitations: [{ email: 'seeded-invitee@example.com' }]
  })

  const served = new Set(servedKeys(app, VENDOR_PREFIX))
  const replayed = Object.keys(CASES).flatMap((id) => operations[id] === undefined ? [] : [routeKey(operations[id].method, operations[id].path)])
  assertEachRouteCovered(t, [...served], replayed, 'replay case')
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }))
  const c: Ctx = {
    app,
    org,
    orgRoleIds: {},
    memberIds: {},
    projectMemberIds: {},
    orgPermissionIds: [],
    projectPermissionIds: [],
    orgLeavers: ['leaver-a@example.com', 'leaver-b@example.com'],
    projectLeavers: ['p-leaver-a@example.com', 'p-leaver-b@example.com'],
    n: 0
  }
  const passed = new Set<string>()

  for (const [operationId, replay] of Object.entries(CASES)) {
    const operation = operations[operationId]
    if (operation === undefined) continue
    await t.test(`${operationId}: ${operation.method} ${operation.path}`, async (t) => {
      t.ok(served.has(routeKey(operation.method, operation.path)), 'the route is served')
      const variants: Variant[] = operation.requestBody !== null
        ? [{ name: 'JSON body', headers: { 'content-type': 'application/json', 'user-agent': PYTHON_UA } }]
        : operation.method === 'PUT' ? BODYLESS_PUT : BODYLESS
      let params: Params | undefined
      let allPassed = true
      for (const variant of variants) {
        let url: string
        let payload = variant.payload
        try {
          if (params === undefined || DESTRUCTIVE(operation)) params = await replay.params?.(c) ?? {}
          url = urlOf(operation, params)
          if (replay.body !== undefined) {
            const body = replay.body(c)
            const validate = ajv.compile(closeObjectSchemas(operation.requestBody!))
            t.ok(validate(body), `the request body uses the vendor's fields: ${JSON.stringify(body)} ${ajv.errorsText(validate.errors)}`)
            payload = JSON.stringify(body)
          }
        } catch (error) {
          allPassed = false
          t.fail(`${variant.name}: could not prepare the request: ${(error as Error).message}`)
          continue
        }
        const res = await app.inject({
          method: operation.method as 'GET' | 'POST' | 'PUT' | 'DELETE',
          url,
          headers: { ...DEFAULT_HEADERS(c), ...variant.headers },
          ...(payload === undefined ? {} : { payload })
        })
        const where = `${variant.name}: ${operation.method} ${url}`
        const ok = res.statusCode === 200
        t.equal(res.statusCode, 200, `${where} answers 200${ok ? '' : `: ${res.body.slice(0, 400)}`}`)
        let body: any
        try {
          body = json(res)
        } catch {
          allPassed = false
          t.fail(`${where}: the answer is not JSON: ${res.body.slice(0, 200)}`)
          continue
        }
        t.equal(body?.success, true, `${where}: success is true`)
        t.same(Object.keys(body ?? {}).sort(), ['data', 'success'], `${where}: only success and data at the top level`)
        if (ok) {
          assertVendorResponse(t, operationId, body)
          if (validateVendorResponse(operationId, body).length > 0) allPassed = false
          try {
            replay.after?.(c, body.data)
          } catch (error) {
            allPassed = false
            t.fail(`${where}: the answer lacks what later steps need: ${(error as Error).message}`)
          }
        }
        if (!ok || body?.success !== true || Object.keys(body ?? {}).length !== 2) allPassed = false
      }
      if (allPassed) passed.add(operationId)
    })
  }

  t.equal(passed.size, 53, `distinct operations replayed with a 200: ${passed.size} of 53` +
    (passed.size === 53 ? '' : `; failing: ${operationIds.filter((id) => !passed.has(id)).join(', ')}`))
})
