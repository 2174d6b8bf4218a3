// Secrets (API keys, the admin token) never reach the log, the journal, a snapshot, or any answer but the one that created them.
import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { buildApp, loggerOptions, type App } from '../../src/app.js'
import { Clock } from '../../src/domain/clock.js'
import { defaultConfig } from '../../src/config.js'
import { systemRoleId } from '../../src/domain/roles.js'
import { DEMO_ORG_KEY } from '../../src/boot-state/demo.js'
import { newKey } from '../../src/domain/keys.js'
import { T0, build } from '../helpers/build.js'
import {
  answerText, findSecret, Haystack, httpClient, injectClient, logCapture, Secrets, secretForms,
  type Client, type Exchange, type RequestSpec
} from '../helpers/secrets.js'
import { startServer, workspace } from '../helpers/server-process.js'

const hex = (bytes: number) => randomBytes(bytes).toString('hex')

/**
 * The admin token: short, so that an error message quoting a few characters of a body could hold
 * all of it, and with `/` and `+`, so that percent-encoding it changes it.
 */
const adminToken = () => `tk/${hex(3)}+!`

/** Keys a client may paste anywhere; this server can tell each is a secret (its format, or the caller's own). */
interface Keys {
  /** The tenant's organization key, minted by POST /__admin/organizations. */
  org: string
  /** A project key given in the tenant document. */
  project: string
  /** An organization key marked invalid in the tenant document. */
  revoked: string
  /** A key in this server's format that no organization has. */
  unknown: string
  /** A valid organization key not in this server's format (fixtures and tenants may give any string of 16+). */
  custom: string
  /** An organization key from the boot fixtures: no answer ever created it. */
  boot: string
}

/** What one run of the scenario leaves to inspect besides the answers. */
interface Outcome {
  /** GET /__admin/journal's answer, taken before the journal is cleared. */
  journal: string
  /** GET /__admin/snapshot's answer. */
  snapshot: string
  /** Secrets the snapshot should hold a row for (as a digest and the last 6 characters). */
  stored: string[]
  keys: Keys
}

/** `/v1/projects/{projectId}` with the values given; `*` (the docs' static files) as one of them. */
function fill (path: string, values: Record<string, string | number>): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (values[name] === undefined) throw new Error(`no value for ${name} in ${path}`)
    return String(values[name])
  }).replace(/\/?\*$/, '/static/swagger-ui.css')
}

/** One character of a string percent-encoded, the rest as is: what some encoders do to `_` or a first letter. */
const oneEncoded = (value: string) => `%${value.charCodeAt(0).toString(16)}${value.slice(1)}`

/**
 * Drives every route with secrets in every place a client could put them, then each route's
 * success; the answers that create secrets are recorded in `secrets`. `routes` lists the served
 * routes (`METHOD /path/{param}`), each of which must get a success.
 */
async function scenario (client: Client, token: string, secrets: Secrets, routes: string[], boot: string): Promise<Outcome> {
  const admin = { 'x-admin-token': token }
  const ok = async (spec: RequestSpec): Promise<Exchange & { data: any }> => {
    const ex = await client.send(spec)
    if (ex.status >= 400) throw new Error(`${spec.label}: ${ex.status} ${ex.text.slice(0, 300)}`)
    return { ...ex, data: ex.text.startsWith('{') ? JSON.parse(ex.text).data : null }
  }

  // --- The secrets ------------------------------------------------------------------------------
  const tenantProject = secrets.add('a project key given in a tenant document', newKey('project'))
  const tenantRevoked = secrets.add('a revoked key given in a tenant document', newKey('organization'))
  const acme = await ok({
    label: 'create tenant Acme',
    route: 'POST /__admin/organizations',
    method: 'POST',
    url: '/__admin/organizations',
    headers: admin,
    json: {
      name: 'Acme',
      plan: 'TEAM',
      apiKeys: [{ key: tenantProject.value, project: 'Main' }, { key: tenantRevoked.value, valid: false }],
      members: ['owner', 'member', 'leaver', 'project-leaver'].map((m) => ({ email: `${m}@acme.example`, role: m === 'owner' ? 'Owner' : 'Member' })),
      roles: [{ name: 'Auditor' }],
      governancePolicies: [{ name: 'Strict', controls: [{ name: 'No PII', type: 'RUNTIME' }] }],
      projects: [{
        name: 'Main',
        members: [{ email: 'owner@acme.example', role: 'Owner' }, { email: 'member@acme.example' }, { email: 'project-leaver@acme.example' }]
      }]
    }
  })
  tenantProject.createdBy = acme.n
  tenantRevoked.createdBy = acme.n
  const org = secrets.add('an organization key minted for a tenant', acme.data.apiKey as string, acme.n).value
  const custom = secrets.add("an organization key not in this server's format", `cu$tom/key+${hex(8)}`)
  // 47 characters: a message that cuts values to 40 quotes all but 7 of them (28 bits, a search away).
  const long = secrets.add("a long organization key not in this server's format", `long$key/${hex(19)}`, null)
  // Another organization's key not in this server's format, stored but never sent: one pasted into a
  // call by a caller using a different key looks like any other text, and docs/decisions.md says so ("Secrets") (only
  // the caller's key, the admin token and keys in the server's format are recognised).
  const stranger = secrets.add("another organization's key not in this server's format", `str@nger/key+${hex(8)}`, null)
  const customTenant = await ok({
    label: 'create tenant Custom',
    route: 'POST /__admin/organizations',
    method: 'POST',
    url: '/__admin/organizations',
    headers: admin,
    json: {
      name: 'Custom',
      apiKeys: [{ key: custom.value, name: 'custom' }, { key: stranger.value, name: 'pasted, never a credential' }, { key: long.value, name: 'long' }]
    }
  })
  custom.createdBy = customTenant.n
  stranger.createdBy = customTenant.n
  long.createdBy = customTenant.n
  const doomed = await ok({ label: 'create tenant Doomed', route: 'POST /__admin/organizations', method: 'POST', url: '/__admin/organizations', headers: admin, json: { name: 'Doomed' } })
  secrets.add('the key of a tenant deleted later', doomed.data.apiKey as string, doomed.n)
  const refused = secrets.add('a key in a tenant document refused (409: the id is taken)', newKey('organization'))
  const conflict = await client.send({ label: 'a tenant whose id is taken', method: 'POST', url: '/__admin/organizations', headers: admin, json: { id: customTenant.data.id, name: 'Acme', apiKeys: [{ key: refused.value }] } })
  if (conflict.status !== 409) throw new Error(`a taken id: ${conflict.status}`)
  const unknown = secrets.add("a key in this server's format that no organization has", newKey('organization')).value
  const garbage = secrets.add('a made-up key sent as a credential', `garbage-key-${hex(8)}`).value
  const keys: Keys = { org, project: tenantProject.value, revoked: tenantRevoked.value, unknown, custom: custom.value, boot }

  const projectId = acme.data.projects[0].id as string
  const member = (email: string) => (acme.data.members as Array<{ userId: string, email: string }>).find((m) => m.email === email)!.userId
  const nowhere = {
    projectId: 'cnonexistent0000000000000',
    invitationId: 999999,
    userId: 'nobody',
    organizationId: 'nonexistent',
    faultId: 999999,
    apiKeyId: 999999,
    policyId: '00000000-0000-4000-8000-000000000000',
    roleId: '00000000-0000-4000-8000-000000000000'
  }
  const real = { ...nowhere, projectId, userId: member('member@acme.example'), organizationId: doomed.data.id as string }

  /** Secrets in a URL's query, each in a form this server can recognise: clear, percent-encoded (some or every byte), upper-cased, as a name. */
  const pasted = (base: string) => {
    const q = [
      `api_key=${keys.org}`,
      `token=${encodeURIComponent(token)}`,
      `${keys.unknown}=1`,
      `upper=${keys.project.toUpperCase()}`,
      `one=${oneEncoded(keys.revoked)}`,
      `all=${[...Buffer.from(keys.boot)].map((b) => '%' + b.toString(16)).join('')}`
    ].join('&')
    return `${base}${base.includes('?') ? '&' : '?'}${q}`
  }
  /** Secrets in header names and values, besides the credential. */
  const pastedHeaders = { [`x-${keys.unknown}`]: '1', 'x-note': `my key is ${keys.org}`, 'x-token': token, 'x-boot': oneEncoded(keys.boot) }

  /** Bodies carrying secrets that fail before anything is stored: [label, content type, body, a known gap on /v1]. */
  const badBodies: Array<[string, string, string, string?]> = [
    ['secrets in unknown fields and property names', 'application/json',
      JSON.stringify({ [keys.org]: token, note: keys.unknown, nested: { deep: [keys.project, { boot: keys.boot }] } })],
    ['a key as the whole body', 'application/json', JSON.stringify(keys.org)],
    ['a key as a property name, twice', 'application/json', `{"${keys.org}": 1, "${keys.org}": 2}`],
    ['the admin token as a property name, twice', 'application/json', `{"${token}": 1, "${token}": 2}`],
    ['malformed JSON around a key', 'application/json', `{"note": "${keys.org}", `],
    ['malformed JSON: a bare key', 'application/json', keys.revoked],
    ['malformed JSON: the admin token bare', 'application/json', token],
    ['malformed JSON: the admin token as a value', 'application/json', `{"a": ${token}}`],
    ['text/plain with a key', 'text/plain', `key=${keys.org}`],
    ['a content type naming a key', `application/x-${keys.unknown}`, `{"a":"${keys.org}"}`],
    ['a content type naming the admin token', `application/json; token=${token}`, '{'],
    ['over 1 MiB with a key inside', 'application/json', JSON.stringify({ pad: 'x'.repeat(1024 * 1024), key: keys.org })]
  ]

  // --- Every route: credentials missing, wrong, misplaced; secrets pasted; bad bodies --------------
  for (const route of routes) {
    const [method, path] = route.split(' ') as [string, string]
    const vendor = path.startsWith('/v1/')
    const control = path.startsWith('/__admin/')
    const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH'
    // Whatever could change state goes to ids that do not exist, or with a body that is refused.
    const url = fill(path, method === 'GET' ? real : nowhere)
    const send = (label: string, headers: Record<string, string>, extra: Partial<RequestSpec> = {}) =>
      client.send({ label: `${route}: ${label}`, method, url, headers, ...extra })
    if (vendor) {
      await send('no key', {})
      await send('a revoked key', { CONFIDENT_API_KEY: keys.revoked })
      await send('an unknown key', { CONFIDENT_API_KEY: keys.unknown })
      await send('a made-up key', { CONFIDENT_API_KEY: garbage })
      await send('a project key', { CONFIDENT_API_KEY: keys.project })
      await send('the admin token as the key', { CONFIDENT_API_KEY: token, ...admin })
      await send('the key in the wrong headers', { authorization: `Bearer ${keys.org}`, 'x-api-key': keys.org, cookie: `key=${keys.org}` })
      await send('the custom key, percent-encoded, as the key', { CONFIDENT_API_KEY: encodeURIComponent(keys.custom) })
    }
    if (control) {
      await send('no token', {})
      await send('a key as the token', { 'x-admin-token': keys.org })
      await send('the custom key as a bearer token', { authorization: `Bearer ${keys.custom}` })
      await send('the token in the key header', { CONFIDENT_API_KEY: token })
      await send('the token in a cookie', { cookie: `token=${token}` })
      await send('the token, upper-cased', { 'x-admin-token': token.toUpperCase() })
    }
    // The server's own routes need nothing; they get the admin token, so that it is the request's credential there too.
    const credential: Record<string, string> = vendor ? { CONFIDENT_API_KEY: keys.org } : admin
    if (method === 'GET') {
      await client.send({ label: `${route}: secrets in the URL and headers`, route, method, url: pasted(url), headers: { ...credential, ...pastedHeaders } })
      await client.send({ label: `${route}: HEAD, secrets in the URL`, method: 'HEAD', url: pasted(url), headers: credential })
      if (vendor) await send('the custom key, with itself in the URL', { CONFIDENT_API_KEY: keys.custom }, { url: `${url}?mine=${encodeURIComponent(keys.custom)}` })
    } else if (!hasBody && route !== 'DELETE /__admin/journal') {
      // (Clearing the journal now would lose what it holds: it is cleared last, with secrets in its URL.)
      await send('secrets in the URL and headers', { ...credential, ...pastedHeaders }, { url: pasted(url) })
    }
    if (hasBody) {
      for (const [label, type, body, gap] of badBodies) {
        await send(label, { ...credential, 'content-type': type }, { url: pasted(url), body, ...(vendor && gap !== undefined ? { gap } : {}) })
      }
      await send('a compressed body', { ...credential, 'content-type': 'application/json', 'content-encoding': 'gzip' }, { body: `{"k":"${keys.org}"}` })
    }
  }

  // --- Wrong methods, unknown routes, secrets in paths and the Host header -----------------------
  for (const path of new Set(routes.map((r) => r.split(' ')[1]!))) {
    const served = new Set(routes.filter((r) => r.endsWith(` ${path}`)).map((r) => r.split(' ')[0]))
    const method = ['PATCH', 'PUT', 'POST', 'DELETE', 'GET'].find((m) => !served.has(m))!
    const headers = path.startsWith('/v1/') ? { CONFIDENT_API_KEY: keys.org } : admin
    await client.send({ label: `${method} ${path}: a method it does not serve`, method, url: pasted(fill(path, nowhere)), headers })
  }
  const unknownRoutes: Array<[string, Record<string, string>, string?]> = [
    [`/v1/${keys.org}`, { CONFIDENT_API_KEY: keys.org }],
    [`/v1/projects/${keys.unknown}/nothing`, { CONFIDENT_API_KEY: keys.org }],
    [`/v1/projects/${encodeURIComponent(keys.custom)}/nothing`, { CONFIDENT_API_KEY: keys.custom }],
    [`/v1/${oneEncoded(keys.revoked)}`, {}],
    [`/v1/${keys.project.toUpperCase()}`, {}],
    [`/v1/${encodeURIComponent(token)}`, admin],
    [`/v1/${encodeURIComponent(token)}`, { CONFIDENT_API_KEY: keys.org }],
    [`/nothing/${keys.org}`, {}],
    [`/nothing/${encodeURIComponent(token)}`, { authorization: `Bearer ${token}` }],
    [`/nothing/${token.replace('/', '%2F')}`, {}],
    [`/__admin/${encodeURIComponent(token)}`, admin],
    [`/__admin/${keys.org}`, admin],
    [`/__admin/${keys.org}`, {}],
    [`/${keys.unknown}`, { [keys.unknown]: 'a key as a header name' }]
  ]
  await client.send({ label: 'a redirect (Swagger UI\'s), the admin token in the URL only', method: 'GET', url: `/docs/static/index.html?token=${encodeURIComponent(token)}` })
  for (const [url, headers, gap] of unknownRoutes) await client.send({ label: `GET ${url.slice(0, 20)}…: an unknown route`, method: 'GET', url: pasted(url), headers, gap })
  // Error messages that quote the body (logged, and sent): with the caller's own key, which only the request shows to be one.
  const quoted = await client.send({
    label: 'a tenant document naming a project by a key',
    method: 'POST',
    url: '/__admin/organizations',
    headers: { ...admin, CONFIDENT_API_KEY: keys.custom },
    json: { name: 'Quoted', apiKeys: [{ key: newKey('organization'), project: keys.custom }, { key: newKey('project'), project: keys.org }] }
  })
  if (quoted.status !== 400 || !quoted.text.includes('no project named')) throw new Error(`a quoted key: ${quoted.status} ${quoted.text}`)
  await client.send({
    label: "the caller's own long key as a property name, twice",
    method: 'POST',
    url: '/v1/projects',
    headers: { CONFIDENT_API_KEY: long.value, 'content-type': 'application/json' },
    body: `{"${long.value}": 1, "${long.value}": 2}`
  })
  await client.send({ label: "the caller's custom key in the Host header", method: 'GET', url: '/v1/organization', headers: { host: keys.custom, CONFIDENT_API_KEY: keys.custom } })
  await client.send({ label: 'a key in the Host header', method: 'GET', url: '/docs/json', headers: { host: `${keys.unknown}.example:4010` } })
  await client.send({ label: 'a key in the Host header of a /v1 call', method: 'GET', url: '/v1/organization', headers: { host: `${keys.org}.example`, CONFIDENT_API_KEY: keys.org } })

  // --- Each route's success, secrets pasted where they do not change the outcome ------------------
  const v1 = { CONFIDENT_API_KEY: keys.org }
  const success = (route: string, values: Record<string, string | number>, extra: Partial<RequestSpec> = {}) => {
    const [method, path] = route.split(' ') as [string, string]
    return ok({ label: `${route}: success`, route, method, url: fill(path, values), headers: path.startsWith('/__admin/') ? admin : path.startsWith('/v1/') ? v1 : {}, ...extra })
  }
  await ok({ label: 'the boot key, with secrets in the URL', method: 'GET', url: pasted('/v1/organization'), headers: { CONFIDENT_API_KEY: keys.boot } })
  await ok({ label: 'the custom key, with itself in the URL and a header', method: 'GET', url: `/v1/organization?mine=${encodeURIComponent(keys.custom)}`, headers: { CONFIDENT_API_KEY: keys.custom, 'x-mine': keys.custom } })
  await success('GET /__admin/organizations', real, { url: pasted('/__admin/organizations') })
  await success('PATCH /__admin/organizations/{organizationId}', { organizationId: acme.data.id }, { json: { plan: 'TEAM' } })
  await success('DELETE /__admin/organizations/{organizationId}', real, { url: pasted(fill('/__admin/organizations/{organizationId}', real)) })
  await success('GET /v1/organization', real, { url: pasted('/v1/organization'), headers: { ...v1, ...pastedHeaders } })
  await success('GET /v1/projects', real)
  const created = await success('POST /v1/projects', real, { json: { name: 'Created', description: 'holds a new key' } })
  secrets.add('a project key from POST /v1/projects', created.data.apiKey.value as string, created.n)
  await success('GET /v1/projects/{projectId}', real)
  await success('PUT /v1/projects/{projectId}', real, { json: { description: 'Main project', note: keys.org } })
  await success('GET /v1/projects/{projectId}/roles', real)
  await success('GET /v1/projects/{projectId}/permissions', real)
  await success('GET /v1/projects/{projectId}/members', real, { url: `/v1/projects/${projectId}/members?page=1&pageSize=10` })
  const invited = await success('POST /v1/projects/{projectId}/invitations', real, {
    json: { emails: ['resend@example.com', 'drop@example.com', 'accept@example.com'], note: keys.org, [keys.unknown]: token }
  })
  const [resend, drop] = (invited.data.invitations as Array<{ id: number }>).map((i) => i.id)
  await success('GET /v1/projects/{projectId}/invitations', real)
  await success('PUT /v1/projects/{projectId}/invitations/{invitationId}', { projectId, invitationId: resend! })
  await success('DELETE /v1/projects/{projectId}/invitations/{invitationId}', { projectId, invitationId: drop! })
  await success('PUT /v1/projects/{projectId}/members/{userId}', real, { json: { roleId: systemRoleId('PROJECT', 'Manager') } })
  await success('DELETE /v1/projects/{projectId}/members/{userId}', { projectId, userId: member('project-leaver@acme.example') })
  await success('GET /v1/organization/members', real)
  await success('PUT /v1/organization/members/{userId}', real, { json: { roleId: systemRoleId('ORGANIZATION', 'Admin') } })
  await success('DELETE /v1/organization/members/{userId}', { userId: member('leaver@acme.example') })
  const orgInvited = await success('POST /v1/organization/invitations', real, { json: { emails: ['org-resend@example.com', 'org-drop@example.com', 'org-decline@example.com'] } })
  const [orgResend, orgDrop] = (orgInvited.data.invitations as Array<{ id: number }>).map((i) => i.id)
  await success('GET /v1/organization/invitations', real)
  await success('PUT /v1/organization/invitations/{invitationId}', { invitationId: orgResend! })
  await success('DELETE /v1/organization/invitations/{invitationId}', { invitationId: orgDrop! })
  await success('GET /v1/organization/roles', real)
  await success('GET /v1/organization/permissions', real)
  await success('GET /v1/organization/governance-policies', real)

  // API keys: throwaway ones are minted, read, invalidated and deleted, so that the tenant's own
  // key and the project key the scenario sends stay valid. Each minted value is a secret only its
  // creating answer may show.
  const orgMinted = await success('POST /v1/organization/api-keys', real, { json: { name: 'throwaway', note: keys.org } })
  secrets.add('an organization key from POST /v1/organization/api-keys', orgMinted.data.apiKey.value as string, orgMinted.n)
  const orgKeyId = { apiKeyId: orgMinted.data.apiKey.id as number }
  await success('GET /v1/organization/api-keys', real)
  await success('GET /v1/organization/api-keys/{apiKeyId}', orgKeyId)
  await success('PUT /v1/organization/api-keys/{apiKeyId}', orgKeyId, { json: { valid: false } })
  await success('DELETE /v1/organization/api-keys/{apiKeyId}', orgKeyId)
  const projectMinted = await success('POST /v1/projects/{projectId}/api-keys', real, { json: { name: 'throwaway', [keys.unknown]: token } })
  secrets.add('a project key from POST /v1/projects/{projectId}/api-keys', projectMinted.data.apiKey.value as string, projectMinted.n)
  const projectKeyId = { projectId, apiKeyId: projectMinted.data.apiKey.id as number }
  await success('GET /v1/projects/{projectId}/api-keys', real)
  await success('GET /v1/projects/{projectId}/api-keys/{apiKeyId}', projectKeyId)
  await success('PUT /v1/projects/{projectId}/api-keys/{apiKeyId}', projectKeyId, { json: { valid: false } })
  await success('DELETE /v1/projects/{projectId}/api-keys/{apiKeyId}', projectKeyId)

  // Policies and custom roles, at both levels; the organization renamed; a governance policy's projects.
  const permissionOf = async (route: string) => ((await success(route, real)).data.permissions as Array<{ id: string }>)[0]!.id
  const orgPermission = await permissionOf('GET /v1/organization/permissions')
  const projectPermission = await permissionOf('GET /v1/projects/{projectId}/permissions')
  const orgPolicy = { policyId: (await success('POST /v1/organization/policies', real, { json: { name: 'Readers', permissionIds: [orgPermission], note: keys.org } })).data.policy.id as string }
  await success('GET /v1/organization/policies', real)
  await success('PUT /v1/organization/policies/{policyId}', orgPolicy, { json: { name: 'Readers', description: 'read only', permissionIds: [orgPermission] } })
  const orgRole = { roleId: (await success('POST /v1/organization/roles', real, { json: { name: 'Temp', policyIds: [orgPolicy.policyId] } })).data.role.id as string }
  await success('PUT /v1/organization/roles/{roleId}', orgRole, { json: { name: 'Temp', description: 'soon gone', policyIds: [] } })
  await success('DELETE /v1/organization/roles/{roleId}', orgRole)
  await success('DELETE /v1/organization/policies/{policyId}', orgPolicy)
  const projectPolicy = { projectId, policyId: (await success('POST /v1/projects/{projectId}/policies', real, { json: { name: 'Tracing', permissionIds: [projectPermission] } })).data.policy.id as string }
  await success('GET /v1/projects/{projectId}/policies', real)
  await success('PUT /v1/projects/{projectId}/policies/{policyId}', projectPolicy, { json: { name: 'Tracing', permissionIds: [] } })
  const projectRole = { projectId, roleId: (await success('POST /v1/projects/{projectId}/roles', real, { json: { name: 'Temp', policyIds: [projectPolicy.policyId] } })).data.role.id as string }
  await success('PUT /v1/projects/{projectId}/roles/{roleId}', projectRole, { json: { name: 'Temp', policyIds: [] } })
  await success('DELETE /v1/projects/{projectId}/roles/{roleId}', projectRole)
  await success('DELETE /v1/projects/{projectId}/policies/{policyId}', projectPolicy)
  await success('PUT /v1/organization', real, { json: { name: 'Acme Inc', note: keys.org } })
  const governance = { policyId: ((await success('GET /v1/organization/governance-policies', real)).data.governancePolicies as Array<{ id: string }>)[0]!.id }
  await success('POST /v1/organization/governance-policies/{policyId}/assign', governance, { json: { projectIds: [projectId, nowhere.projectId] } })
  await success('GET /v1/organization/governance-policies/{policyId}/projects', governance, { url: pasted(fill('/v1/organization/governance-policies/{policyId}/projects', governance)) })
  await success('POST /v1/organization/governance-policies/{policyId}/unassign', governance, { json: { projectIds: [projectId] } })
  await success('DELETE /v1/projects/{projectId}', { projectId: created.data.project.id })

  const outbox = await success('GET /__admin/outbox', real)
  const tokenFor = (to: string) => (outbox.data as Array<{ to: string, token: string }>).find((e) => e.to === to)!.token
  await success('POST /__admin/invitations/accept', real, { json: { token: tokenFor('accept@example.com') } })
  await success('POST /__admin/invitations/decline', real, { json: { token: tokenFor('org-decline@example.com') } })
  await success('DELETE /__admin/outbox', real, { url: '/__admin/outbox?to=drop@example.com' })

  await success('GET /__admin/clock', real)
  await success('POST /__admin/clock/freeze', real, { json: {} })
  await success('POST /__admin/clock/set', real, { json: { to: '2026-02-01T00:00:00.000Z' } })
  await success('POST /__admin/clock/advance', real, { json: { by: '1h' } })
  await success('POST /__admin/clock/unfreeze', real)
  await success('POST /__admin/clock/reset', real, { body: '', headers: { ...admin, 'content-type': 'application/json' } })

  // One organization's clock, and a reset of that organization to its document (keys stored as digests: the answer shows none).
  const acmeOrg = { organizationId: acme.data.id as string }
  await success('GET /__admin/organizations/{organizationId}/clock', acmeOrg)
  await success('POST /__admin/organizations/{organizationId}/clock/freeze', acmeOrg, { json: {} })
  await success('POST /__admin/organizations/{organizationId}/clock/set', acmeOrg, { json: { to: '2026-02-01T00:00:00.000Z' } })
  await success('POST /__admin/organizations/{organizationId}/clock/advance', acmeOrg, { json: { by: '1h' } })
  await success('POST /__admin/organizations/{organizationId}/clock/unfreeze', acmeOrg)
  await success('POST /__admin/organizations/{organizationId}/clock/reset', acmeOrg, { body: '', headers: { ...admin, 'content-type': 'application/json' } })
  await success('POST /__admin/organizations/{organizationId}/reset', acmeOrg, { body: '', headers: { ...admin, 'content-type': 'application/json' } })

  // Faults: a 500 and a 503 on /v1 answered to requests full of secrets, a delay, removal.
  await success('POST /__admin/faults', real, { json: { path: '/v1/organization', status: 500, times: 1 } })
  await client.send({ label: 'an injected 500', method: 'GET', url: pasted('/v1/organization'), headers: { ...v1, ...pastedHeaders } })
  await success('POST /__admin/faults', real, { json: { path: '/v1/projects/**', status: 503, times: 1, organizationId: acme.data.id } })
  await client.send({ label: 'an injected 503', method: 'POST', url: pasted(`/v1/projects/${projectId}/invitations`), headers: v1, json: { emails: ['x@example.com'], note: keys.org } })
  await success('POST /__admin/faults', real, { json: { method: 'GET', path: '/v1/projects', delayMs: 5, times: 1 } })
  await ok({ label: 'a delayed answer', method: 'GET', url: pasted('/v1/projects'), headers: v1 })
  const spare = await success('POST /__admin/faults', real, { json: { path: '/v1/never', status: 418 } })
  await success('GET /__admin/faults', real)
  await success('DELETE /__admin/faults/{faultId}', { faultId: spare.data.id })
  await success('DELETE /__admin/faults', real, { url: pasted('/__admin/faults') })

  for (const route of routes.filter((r) => !r.includes(' /v1/') && !r.includes(' /__admin/'))) {
    await success(route, real, { url: pasted(fill(route.split(' ')[1]!, real)), headers: { CONFIDENT_API_KEY: keys.org, ...admin } })
  }

  // What the journal and a snapshot hold, read through the control API.
  const journal = await success('GET /__admin/journal', real, { url: '/__admin/journal?limit=100000' })
  const snapshot = await success('GET /__admin/snapshot', real)
  await success('POST /__admin/snapshot', real, { body: snapshot.text, headers: { ...admin, 'content-type': 'application/json' } })
  await client.send({
    label: 'POST /__admin/snapshot: a table named by a key',
    method: 'POST',
    url: '/__admin/snapshot',
    headers: admin,
    json: { ...JSON.parse(snapshot.text), tables: { [keys.org]: [] } }
  })
  await success('DELETE /__admin/journal', real, { url: pasted('/__admin/journal') })
  await success('POST /__admin/reset', real, { json: { to: 'fixtures' } })
  return { journal: journal.text, snapshot: snapshot.text, stored: [org, keys.project, keys.revoked, keys.custom, stranger.value, long.value, boot], keys }
}

/** Every secret against every answer but its creator's, the log, the journal and the snapshot. */
function assertNoLeaks (t: Test, client: Client, secrets: Secrets, outcome: Outcome, log: string, routes: string[]) {
  t.test('the checks see every form of every secret', async (t) => {
    for (const secret of secrets.list) {
      const missed = secretForms(secret.value).filter((f) => findSecret(`<${f.text}>`, secret.value).length === 0).map((f) => f.form)
      t.same(missed, [], `${secret.label}: each of ${secretForms(secret.value).length} forms is found`)
      const partly = [...secret.value].map((c, i) => i % 2 === 0 ? `%${c.charCodeAt(0).toString(16)}` : c).join('')
      t.not(findSecret(`<${partly}>`, secret.value).length, 0, `${secret.label}: and with some of its characters percent-encoded`)
      if (secret.value.length >= 20) t.not(findSecret(`<${secret.value.slice(0, -8)}…>`, secret.value).length, 0, `${secret.label}: and cut short by 8 characters`)
    }
  })

  t.test('every served route was exercised, with a success and (for /v1 and /__admin) a 401', async (t) => {
    const succeeded = new Set(client.exchanges.filter((e) => e.route !== undefined && e.status < 400).map((e) => e.route))
    t.same(routes.filter((r) => !succeeded.has(r)), [], `each of ${routes.length} routes answered a success`)
    const aimed = new Set(client.exchanges.map((e) => e.route).filter((r) => r !== undefined))
    t.same([...aimed].filter((r) => !routes.includes(r!)), [], 'no request aimed at a route that is not served')
    const unrefused = routes.filter((r) => r.includes(' /v1/') || r.includes(' /__admin/'))
      .filter((r) => !client.exchanges.some((e) => e.label.startsWith(`${r}: `) && e.status === 401))
    t.same(unrefused, [], 'every /v1 and /__admin route also refused a request')
    const statuses = new Set(client.exchanges.map((e) => e.status))
    for (const status of [200, 201, 400, 401, 403, 404, 409, 413, 415, 500, 503]) t.ok(statuses.has(status), `some answer was a ${status}`)
  })

  t.test('no answer shows a secret, except the one that created it', async (t) => {
    const answers = client.exchanges.map((e) => ({ e, text: new Haystack(answerText(e)) }))
    for (const secret of secrets.list) {
      // A secret with a known gap in the journal: the answer that lists the journal is left to the journal's check (a todo).
      const leaks = answers.filter(({ e }) => e.n !== secret.createdBy && e.gap === undefined &&
        !(secret.gap !== undefined && e.route === 'GET /__admin/journal'))
        .flatMap(({ e, text }) => findSecret(text, secret.value).map((f) => `#${e.n} ${e.label} (${e.status}) ${f}`))
      t.same(leaks, [], `${secret.label}: in no other answer (${answers.length} answers)`)
      if (secret.createdBy !== null) {
        const creator = client.exchanges[secret.createdBy - 1]!
        t.ok(findSecret(answerText(creator), secret.value).length > 0, `${secret.label}: shown in clear by #${creator.n} ${creator.label}, the answer that created it`)
      }
    }
    for (const { e, text } of answers.filter(({ e }) => e.gap !== undefined)) {
      const leaks = secrets.list.flatMap((s) => findSecret(text, s.value).map((f) => `${s.label}: ${f}`))
      t.same(leaks, [], `#${e.n} ${e.label} (${e.status}): no secret in the answer`, { todo: e.gap })
    }
  })

  const sinks: Array<[string, string]> = [['the log', log], ['the journal', outcome.journal], ['the snapshot', outcome.snapshot]]
  for (const [name, text] of sinks) {
    t.test(`no secret in ${name}`, async (t) => {
      const h = new Haystack(text)
      for (const secret of secrets.list) {
        const todo = name === 'the snapshot' ? undefined : secret.gap
        t.same(findSecret(h, secret.value), [], `${secret.label}: not in ${name}`, todo === undefined ? {} : { todo })
      }
    })
  }

  t.test('the sinks hold what they should, so that their checks mean something', async (t) => {
    const entries = JSON.parse(outcome.journal).data as Array<{ path: string, query: Record<string, string>, headers: Record<string, string> }>
    t.ok(entries.length > 200, `the journal kept the /v1 requests (${entries.length})`)
    t.ok(entries.some((e) => e.path.includes('[redacted]')), 'with paths redacted')
    t.ok(entries.some((e) => e.query['api_key'] === '[redacted]' && e.headers['confident_api_key'] === '[redacted]'), 'and queries and headers')
    const stored = (JSON.parse(outcome.snapshot).tables.api_keys as Array<{ last6: string }>).map((k) => k.last6)
    t.same(outcome.stored.filter((key) => !stored.includes(key.slice(-6))), [], `the snapshot holds a row for each of ${outcome.stored.length} keys (their last 6 characters)`)
    const requests = (log.match(/"msg":"request completed"/g) ?? []).length
    // GET /health logs nothing (src/routes/health.ts: probes would fill the log); raw bytes the HTTP parser refuses never become requests.
    const logged = client.exchanges.filter((e) => e.method !== 'RAW' && !e.url.startsWith('/health')).length
    t.ok(requests >= logged, `the log has every request (${requests} for ${logged})`)
    t.match(log, /"url":"[^"]*\[redacted\]/, 'and their URLs with secrets redacted')
  })
}

t.test('in process, logging at trace: every route, every failure', async (t) => {
  const capture = logCapture()
  const token = adminToken()
  const boot = newKey('organization')
  const config = defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:', LOG_LEVEL: 'trace', CONFIDENT_MOCK_ADMIN_TOKEN: token, CONFIDENT_MOCK_JOURNAL_SIZE: 100000 })
  const app: App = await buildApp(config, {
    logger: { ...loggerOptions(config), stream: capture.stream },
    clock: new Clock(T0),
    fixtures: { organizations: [{ name: 'Boot', plan: 'TEAM', apiKeys: [{ key: boot }] }] }
  })
  t.teardown(() => app.close())
  const secrets = new Secrets()
  secrets.add('the admin token', token)
  secrets.add('an organization key from the boot fixtures (no answer created it)', boot)
  // The console's pages have their own secrets test (test/console/secrets.test.ts): they answer HTML
  // to a signed-in browser, not the envelope to a token.
  const routes = app.servedRoutes.filter((r) => !app.consoleRoutes.includes(r)).map((r) => `${r.method} ${r.path}`)
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths?: Record<string, Record<string, unknown>> }
  const documented = Object.entries(document.paths ?? {}).flatMap(([path, ops]) => Object.keys(ops ?? {}).map((m) => `${m.toUpperCase()} ${path}`))
  t.same(documented.filter((r) => !routes.includes(r)), [], 'the served document names only served routes (the server run takes its list from it)')
  const client = injectClient(app)
  const outcome = await scenario(client, token, secrets, routes, boot)

  // An unexpected failure, logged in full (the database gone), for a request full of secrets.
  app.sqlite.close()
  const failed = await client.send({
    label: 'the database gone',
    method: 'POST',
    url: `/v1/projects/x/invitations?k=${outcome.keys.org}&t=${encodeURIComponent(token)}`,
    headers: { CONFIDENT_API_KEY: boot, 'x-admin-token': token },
    json: { emails: ['a@example.com'], note: outcome.keys.org }
  })
  t.equal(failed.status, 500, 'a real 500')
  t.match(capture.text(), /The database connection is not open/, 'whose detail is in the log')
  // Whatever logs a secret the request serializer and the error handler never saw (a future
  // plugin's log call) still cannot write it: the logger's last net scrubs every line.
  app.log.info({ note: outcome.keys.org, nested: { upper: outcome.keys.project.toUpperCase() } }, `a careless message with ${token} and ${encodeURIComponent(token)}`)
  t.match(capture.text(), /"msg":"a careless message with \[redacted\] and \[redacted\]"/, 'a careless log line reaches the log, scrubbed')
  assertNoLeaks(t, client, secrets, outcome, capture.text(), routes)
})

t.test('a real server process at trace level: its output shows no secret but the documented demo key, in the banner', async (t) => {
  const token = adminToken()
  const { database } = workspace(t)
  // No fixtures file: the demo organization is seeded and its key printed, as the README documents.
  const server = await startServer({ CONFIDENT_MOCK_DATABASE: database, LOG_LEVEL: 'trace', CONFIDENT_MOCK_ADMIN_TOKEN: token, CONFIDENT_MOCK_JOURNAL_SIZE: '100000' })
  t.teardown(() => server.stop())
  const client = httpClient(server.url)
  const secrets = new Secrets()
  secrets.add('the admin token', token)
  secrets.add('the demo organization key', DEMO_ORG_KEY)
  const document = JSON.parse((await client.send({ label: 'the served OpenAPI document', method: 'GET', url: '/openapi.json' })).text) as { paths: Record<string, object> }
  const routes = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
  t.ok(routes.length > 40, `${routes.length} documented operations`)
  const outcome = await scenario(client, token, secrets, routes, DEMO_ORG_KEY)

  // What no HTTP client sends: the server's HTTP parser refuses them, on the socket. (The reset
  // that ended the scenario removed the tenants; the demo key works again.)
  const key = outcome.keys.org
  const raw = client.raw!
  t.equal((await raw('a malformed request with a key in its line', `GET /v1/${key}?k=${key} HTTP/1.1\r\nHost: x\r\nCONFIDENT_API_KEY: ${key}\r\nno colon here ${key}\r\n\r\n`)).status, 400)
  t.equal((await raw('headers too large, a key at their end', `GET /v1/organization?k=${key} HTTP/1.1\r\nHost: x\r\nCONFIDENT_API_KEY: ${key}\r\nX-Pad: ${'p'.repeat(20_000)}${key}\r\n\r\n`)).status, 431)
  t.equal((await raw('a Content-Length shorter than the body, a key after it', `POST /v1/projects?k=${key} HTTP/1.1\r\nHost: x\r\nCONFIDENT_API_KEY: ${DEMO_ORG_KEY}\r\n` +
    `Content-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{"name":"${key}"}`)).status, 400)

  t.equal(await server.stop(), 0, 'the server stops cleanly')
  const output = server.output()
  // The one documented exception: the start-up banner prints the demo organization's key (a
  // fixed, public value: README, "The two commands") on purpose, for copying. Only its two lines
  // may show it, and only that key: everything else printed is checked like the in-process log.
  const isBanner = (line: string) => line.includes(DEMO_ORG_KEY) &&
    (line === `  demo organization API key: ${DEMO_ORG_KEY}` || line.startsWith(`         -H 'CONFIDENT_API_KEY: ${DEMO_ORG_KEY}' `))
  const lines = output.split('\n')
  t.equal(lines.filter(isBanner).length, 2, 'the banner shows the demo key, on its two lines')
  assertNoLeaks(t, client, secrets, outcome, lines.filter((line) => !isBanner(line)).join('\n'), routes)
})

t.test('scrubbing never garbles an answer: a credential too short to be a key or token is not looked for', async (t) => {
  const app = await build(t)
  for (const key of ['a', 'API', 'key']) {
    const res = await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: key } })
    t.same(JSON.parse(res.body), { success: false, error: 'Invalid API key', deprecated: false }, `CONFIDENT_API_KEY: ${key}`)
  }
})
