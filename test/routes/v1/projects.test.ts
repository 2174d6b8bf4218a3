// /v1/projects and /v1/projects/:projectId through app.inject: list, create (with its key), retrieve, update, delete.
import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { App } from '../../../src/app.js'
import {
  apiKeys, governancePolicies, invitationEmails, organizationMembers, policies, policyPermissions, projectInvitations, projectMembers, projects,
  rolePolicies, roles, users
} from '../../../src/db/schema.js'
import { systemRoleId } from '../../../src/domain/roles.js'
import { keyDigest } from '../../../src/domain/keys.js'
import { T0, build, json, seedOrg } from '../../helpers/build.js'
import { assertKeyFailures } from '../../helpers/auth.js'
import { assertVendorResponse } from '../../helpers/vendor.js'

const PROJECT_KEYS = ['id', 'name', 'description', 'organizationId', 'created_at', 'governancePolicy']

function send (app: App, key: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  return app.inject({ method, url, headers: { CONFIDENT_API_KEY: key }, ...(payload === undefined ? {} : { payload: payload as object }) })
}

function create (app: App, key: string, payload: unknown) {
  return send(app, key, 'POST', '/v1/projects', payload)
}

function rowsWhere (app: App, table: SQLiteTable, column: SQLiteColumn, value: string): number {
  return app.db.select({ n: sql<number>`count(*)` }).from(table).where(eq(column, value)).get()!.n
}

t.test('GET /v1/projects', async (t) => {
  t.test("lists the organization's projects in creation order, in the vendor's shape", async (t) => {
    const app = await build(t)
    const org = seedOrg(app, {
      governancePolicies: [{ name: 'Gate' }],
      projects: [{ name: 'Main', description: 'The main one', governancePolicy: 'Gate' }, { name: 'Second' }]
    })
    seedOrg(app, { projects: [{ name: 'Elsewhere' }] })
    app.clock.advance(1000)
    const created = json(await create(app, org.key, { name: 'Third' })).data.project
    const res = await send(app, org.key, 'GET', '/v1/projects')
    t.equal(res.statusCode, 200)
    const body = json(res)
    assertVendorResponse(t, 'listProjects', body)
    t.same(Object.keys(body.data), ['projects'])
    const listed = body.data.projects
    t.same(listed.map((p: { name: string }) => p.name), ['Main', 'Second', 'Third'], 'not another organization\'s')
    for (const p of listed) t.same(Object.keys(p), PROJECT_KEYS)
    const gate = app.db.select({ id: governancePolicies.id }).from(governancePolicies).get()!.id
    t.same(listed[0], {
      id: org.projects['Main'],
      name: 'Main',
      description: 'The main one',
      organizationId: org.organizationId,
      created_at: new Date(T0).toISOString(),
      governancePolicy: { id: gate, name: 'Gate' }
    })
    t.same(listed[1], {
      id: org.projects['Second'], name: 'Second', description: null, organizationId: org.organizationId, created_at: new Date(T0).toISOString(), governancePolicy: null
    })
    t.same(listed[2], created)
    t.equal(listed[2].created_at, new Date(T0 + 1000).toISOString())
  })

  t.test('an organization without projects gets an empty list', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    await send(app, org.key, 'DELETE', `/v1/projects/${org.projectId}`)
    const res = await send(app, org.key, 'GET', '/v1/projects')
    t.equal(res.statusCode, 200)
    t.same(json(res), { success: true, data: { projects: [] } })
    assertVendorResponse(t, 'listProjects', json(res))
  })

  t.test('key failures', async (t) => {
    const app = await build(t)
    await assertKeyFailures(t, app, seedOrg(app), { method: 'GET', url: '/v1/projects' })
  })
})

t.test('POST /v1/projects', async (t) => {
  t.test('creates the project and mints its key, whose value is shown only here', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const res = await create(app, org.key, { name: 'Checkout', description: 'The checkout agent' })
    t.equal(res.statusCode, 200)
    const body = json(res)
    assertVendorResponse(t, 'createProject', body)
    t.same(Object.keys(body), ['success', 'data'])
    t.same(Object.keys(body.data), ['project', 'apiKey'])
    const { project, apiKey } = body.data
    t.same(Object.keys(project), PROJECT_KEYS)
    t.match(project.id, /^c[0-9a-z]{24}$/)
    t.equal(project.name, 'Checkout')
    t.equal(project.description, 'The checkout agent')
    t.equal(project.organizationId, org.organizationId)
    t.equal(project.created_at, new Date(T0).toISOString())
    t.equal(project.governancePolicy, null)

    t.same(Object.keys(apiKey), ['id', 'name', 'valid', 'value', 'created_at', 'lastUsed'])
    t.ok(Number.isInteger(apiKey.id))
    t.equal(apiKey.name, 'Default Key')
    t.equal(apiKey.valid, true)
    t.match(apiKey.value, /^confident_proj_[0-9a-f]{32}$/)
    t.equal(apiKey.created_at, new Date(T0).toISOString())
    t.equal(apiKey.lastUsed, null)

    // Stored as a digest and the last 6 characters, never in clear.
    const stored = app.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id)).get()!
    t.match(stored, { organizationId: org.organizationId, projectId: project.id, digest: keyDigest(apiKey.value), last6: apiKey.value.slice(-6), valid: true })
    t.notOk(Object.values(stored).includes(apiKey.value), 'no column holds the clear value')
    // It is a working project key: refused on management endpoints with the project-key 403.
    const withKey = await app.inject({ url: '/v1/projects', headers: { CONFIDENT_API_KEY: apiKey.value } })
    t.equal(withKey.statusCode, 403)

    // Retrieving or listing shows the project and never the key.
    const fetched = json(await send(app, org.key, 'GET', `/v1/projects/${project.id}`))
    t.same(fetched.data, { project })
    t.notMatch(JSON.stringify(json(await send(app, org.key, 'GET', '/v1/projects'))), apiKey.value)
  })

  t.test('without email the project has no members; with email that organization member is its Owner', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { members: [{ email: 'olga@example.com', role: 'Admin' }] })
    seedOrg(app, { members: [{ email: 'outsider@example.com' }] })
    const bare = json(await create(app, org.key, { name: 'Bare' })).data.project
    t.equal(rowsWhere(app, projectMembers, projectMembers.projectId, bare.id), 0)

    const res = await create(app, org.key, { name: 'Owned', email: 'Olga@Example.com' })
    t.equal(res.statusCode, 200)
    assertVendorResponse(t, 'createProject', json(res))
    const owned = json(res).data.project
    const olga = app.db.select({ id: users.id }).from(users).where(eq(users.email, 'olga@example.com')).get()!.id
    t.same(app.db.select({ userId: projectMembers.userId, roleId: projectMembers.roleId, createdAt: projectMembers.createdAt })
      .from(projectMembers).where(eq(projectMembers.projectId, owned.id)).all(),
    [{ userId: olga, roleId: systemRoleId('PROJECT', 'Owner'), createdAt: T0 }])
    t.equal(app.db.select().from(organizationMembers).where(eq(organizationMembers.userId, olga)).get()!.roleId,
      systemRoleId('ORGANIZATION', 'Admin'), 'the organization role is untouched')
  })

  t.test('email must name a member of this organization: 400, and nothing is created', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    seedOrg(app, { members: [{ email: 'outsider@example.com' }] })
    for (const email of ['nobody@example.com', 'outsider@example.com']) {
      const projectsBefore = app.db.select().from(projects).all().length
      const keysBefore = app.db.select().from(apiKeys).all().length
      const res = await create(app, org.key, { name: `For ${email}`, email })
      t.equal(res.statusCode, 400, email)
      t.same(json(res), { success: false, error: 'email does not name a member of this organization', deprecated: false })
      t.equal(app.db.select().from(projects).all().length, projectsBefore)
      t.equal(app.db.select().from(apiKeys).all().length, keysBefore)
    }
  })

  t.test('a name already used in the organization is a 409; in another organization it is free', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { members: [{ email: 'm@example.com' }] })
    const other = seedOrg(app)
    const res = await create(app, org.key, { name: 'Main' })
    t.equal(res.statusCode, 409)
    t.same(json(res), { success: false, error: 'A project named "Main" already exists in this organization', deprecated: false })
    t.equal(app.db.select().from(projects).where(eq(projects.organizationId, org.organizationId)).all().length, 1)
    t.equal((await create(app, other.key, { name: 'Checkout' })).statusCode, 200)
    t.equal((await create(app, org.key, { name: 'Checkout' })).statusCode, 200, 'same name, other organization')
    t.equal((await create(app, org.key, { name: 'main' })).statusCode, 200, 'names are compared exactly')
    // The email check comes first.
    const both = await create(app, org.key, { name: 'Main', email: 'nobody@example.com' })
    t.equal(both.statusCode, 400)
  })

  t.test('invalid bodies are a 400 naming the field', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const cases: Array<[string, unknown, RegExp]> = [
      ['no name', { description: 'x' }, /^body must have required property 'name'$/],
      ['empty name', { name: '' }, /^body\.name must NOT have fewer than 1 characters$/],
      ['name not a string', { name: 42 }, /^body\.name must be string$/],
      ['name too long', { name: 'n'.repeat(201) }, /^body\.name must NOT have more than 200 characters$/],
      ['description null', { name: 'A', description: null }, /^body\.description must be string$/],
      ['description too long', { name: 'A', description: 'd'.repeat(2001) }, /^body\.description must NOT have more than 2000 characters$/],
      ['email not an address', { name: 'A', email: 'not-an-email' }, /^body\.email must be a valid email$/],
      ['body an array', [{ name: 'A' }], /^Request body must be a JSON object$/]
    ]
    for (const [name, payload, error] of cases) {
      const res = await create(app, org.key, payload)
      t.equal(res.statusCode, 400, name)
      t.match(json(res), { success: false, error, deprecated: false }, name)
    }
    const empty = await app.inject({ method: 'POST', url: '/v1/projects', headers: { CONFIDENT_API_KEY: org.key } })
    t.equal(empty.statusCode, 400, 'no body at all')
    t.equal(app.db.select().from(projects).all().length, 1, 'nothing was created')
  })

  t.test('unknown body fields are ignored', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const res = await create(app, org.key, { name: 'Extra', color: 'blue', organizationId: 'someone-else' })
    t.equal(res.statusCode, 200)
    t.equal(json(res).data.project.organizationId, org.organizationId)
  })

  t.test('key failures', async (t) => {
    const app = await build(t)
    await assertKeyFailures(t, app, seedOrg(app), { method: 'POST', url: '/v1/projects', payload: { name: 'X' } })
    t.equal(app.db.select().from(projects).where(eq(projects.name, 'X')).all().length, 0)
  })
})

t.test('GET /v1/projects/:projectId', async (t) => {
  t.test('retrieves one of the organization\'s projects', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { projects: [{ name: 'Main', description: 'Described' }] })
    const res = await send(app, org.key, 'GET', `/v1/projects/${org.projectId}`)
    t.equal(res.statusCode, 200)
    assertVendorResponse(t, 'getProject', json(res))
    t.same(json(res), {
      success: true,
      data: {
        project: {
          id: org.projectId, name: 'Main', description: 'Described', organizationId: org.organizationId, created_at: new Date(T0).toISOString(), governancePolicy: null
        }
      }
    })
  })

  t.test("an unknown project or another organization's is a 404", async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const other = seedOrg(app)
    for (const id of [other.projectId, 'cnosuchproject00000000000', 'x'.repeat(300)]) {
      const res = await send(app, org.key, 'GET', `/v1/projects/${id}`)
      t.equal(res.statusCode, 404)
      t.same(json(res), { success: false, error: 'Project not found', deprecated: false })
    }
  })

  t.test('key failures', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    await assertKeyFailures(t, app, org, { method: 'GET', url: `/v1/projects/${org.projectId}` })
  })
})

t.test('PUT /v1/projects/:projectId', async (t) => {
  t.test('changes the name, the description, or both; a field left out is kept', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { governancePolicies: [{ name: 'Gate' }], projects: [{ name: 'Main', description: 'old', governancePolicy: 'Gate' }] })
    const url = `/v1/projects/${org.projectId}`
    const renamed = await send(app, org.key, 'PUT', url, { name: 'Renamed' })
    t.equal(renamed.statusCode, 200)
    assertVendorResponse(t, 'updateProject', json(renamed))
    t.same(Object.keys(json(renamed).data), ['project'])
    t.match(json(renamed).data.project, { id: org.projectId, name: 'Renamed', description: 'old', organizationId: org.organizationId, created_at: new Date(T0).toISOString() })
    t.equal(json(renamed).data.project.governancePolicy.name, 'Gate', 'enrollment is kept')

    const described = json(await send(app, org.key, 'PUT', url, { description: 'new' })).data.project
    t.match(described, { name: 'Renamed', description: 'new' })
    const both = json(await send(app, org.key, 'PUT', url, { name: 'Both', description: '' })).data.project
    t.match(both, { name: 'Both', description: '' })
    const nothing = await send(app, org.key, 'PUT', url, {})
    t.equal(nothing.statusCode, 200)
    t.same(json(nothing).data.project, both, 'an empty body changes nothing')
    t.same(json(await send(app, org.key, 'GET', url)).data.project, both, 'stored')
  })

  t.test('a name used by another project of the organization is a 409; its own name is fine', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { projects: [{ name: 'Main' }, { name: 'Other' }] })
    const url = `/v1/projects/${org.projectId}`
    const res = await send(app, org.key, 'PUT', url, { name: 'Other', description: 'not applied' })
    t.equal(res.statusCode, 409)
    t.same(json(res), { success: false, error: 'A project named "Other" already exists in this organization', deprecated: false })
    t.equal(json(await send(app, org.key, 'GET', url)).data.project.description, null, 'nothing changed')
    t.equal((await send(app, org.key, 'PUT', url, { name: 'Main' })).statusCode, 200)
    seedOrg(app, { projects: [{ name: 'Elsewhere' }] })
    t.equal((await send(app, org.key, 'PUT', url, { name: 'Elsewhere' })).statusCode, 200, 'names of other organizations are free')
  })

  t.test("an unknown project or another organization's is a 404, and it is not changed", async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const other = seedOrg(app)
    for (const id of [other.projectId, 'cnosuchproject00000000000']) {
      const res = await send(app, org.key, 'PUT', `/v1/projects/${id}`, { name: 'Taken over' })
      t.equal(res.statusCode, 404)
      t.same(json(res), { success: false, error: 'Project not found', deprecated: false })
    }
    t.equal(app.db.select().from(projects).where(eq(projects.id, other.projectId)).get()!.name, 'Main')
  })

  t.test('invalid bodies are a 400 naming the field', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const url = `/v1/projects/${org.projectId}`
    const cases: Array<[string, unknown, RegExp]> = [
      ['empty name', { name: '' }, /^body\.name must NOT have fewer than 1 characters$/],
      ['name null', { name: null }, /^body\.name must be string$/],
      ['description a number', { description: 5 }, /^body\.description must be string$/],
      ['body a string', 'Main', /^Request body must be a JSON object$/]
    ]
    for (const [name, payload, error] of cases) {
      const res = await app.inject({ method: 'PUT', url, headers: { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
      t.equal(res.statusCode, 400, name)
      t.match(json(res), { success: false, error, deprecated: false }, name)
    }
    const empty = await app.inject({ method: 'PUT', url, headers: { CONFIDENT_API_KEY: org.key } })
    t.equal(empty.statusCode, 400, 'no body at all')
    t.equal(json(empty).error, 'Request body must be a JSON object')
  })

  t.test('key failures', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    await assertKeyFailures(t, app, org, { method: 'PUT', url: `/v1/projects/${org.projectId}`, payload: { name: 'X' } })
    t.equal(app.db.select().from(projects).where(eq(projects.id, org.projectId)).get()!.name, 'Main')
  })
})

t.test('DELETE /v1/projects/:projectId', async (t) => {
  t.test('deletes the project with its members, invitations, custom roles, policies and keys', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, {
      members: [{ email: 'stays@example.com' }],
      projects: [
        {
          name: 'Main',
          members: [{ email: 'owner@example.com', role: 'Owner' }, { email: 'rev@example.com', role: 'Reviewer' }],
          policies: [{ name: 'See traces', permissions: ['traces:read'] }],
          roles: [{ name: 'Reviewer', policies: ['See traces'] }],
          invitations: [{ email: 'pending@example.com', role: 'Reviewer' }, { email: 'declined@example.com', status: 'DECLINED' }]
        },
        { name: 'Kept', members: [{ email: 'owner@example.com', role: 'Owner' }], roles: [{ name: 'Reviewer', policies: ['See traces'] }] }
      ]
    })
    const id = org.projectId
    const kept = org.projects['Kept']!
    // One more invitation through the API, so that an invitation email is recorded.
    const invited = await app.inject({
      method: 'POST', url: `/v1/projects/${id}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['new@example.com'] }
    })
    t.equal(invited.statusCode, 200)
    const roleIds = app.db.select({ id: roles.id }).from(roles).where(eq(roles.projectId, id)).all().map((r) => r.id)
    const policyIds = app.db.select({ id: policies.id }).from(policies).where(eq(policies.projectId, id)).all().map((p) => p.id)
    const before = {
      members: rowsWhere(app, projectMembers, projectMembers.projectId, id),
      invitations: rowsWhere(app, projectInvitations, projectInvitations.projectId, id),
      roles: roleIds.length,
      rolePolicies: rowsWhere(app, rolePolicies, rolePolicies.roleId, roleIds[0]!),
      policies: policyIds.length,
      policyPermissions: rowsWhere(app, policyPermissions, policyPermissions.policyId, policyIds[0]!),
      keys: rowsWhere(app, apiKeys, apiKeys.projectId, id),
      emails: rowsWhere(app, invitationEmails, invitationEmails.projectId, id)
    }
    t.same(before, { members: 2, invitations: 3, roles: 1, rolePolicies: 1, policies: 1, policyPermissions: 1, keys: 1, emails: 1 }, 'all there first')
    const organizationMembersBefore = rowsWhere(app, organizationMembers, organizationMembers.organizationId, org.organizationId)

    const res = await send(app, org.key, 'DELETE', `/v1/projects/${id}`)
    t.equal(res.statusCode, 200)
    assertVendorResponse(t, 'deleteProject', json(res))
    t.same(json(res), { success: true, data: { id, deleted: true } })

    t.same({
      project: rowsWhere(app, projects, projects.id, id),
      members: rowsWhere(app, projectMembers, projectMembers.projectId, id),
      invitations: rowsWhere(app, projectInvitations, projectInvitations.projectId, id),
      roles: rowsWhere(app, roles, roles.projectId, id),
      rolePolicies: rowsWhere(app, rolePolicies, rolePolicies.roleId, roleIds[0]!),
      policies: rowsWhere(app, policies, policies.projectId, id),
      policyPermissions: rowsWhere(app, policyPermissions, policyPermissions.policyId, policyIds[0]!),
      keys: rowsWhere(app, apiKeys, apiKeys.projectId, id)
    }, { project: 0, members: 0, invitations: 0, roles: 0, rolePolicies: 0, policies: 0, policyPermissions: 0, keys: 0 }, 'the database cascaded')
    t.equal(rowsWhere(app, invitationEmails, invitationEmails.projectId, id), 1, 'sent emails stay recorded')
    t.equal(rowsWhere(app, organizationMembers, organizationMembers.organizationId, org.organizationId), organizationMembersBefore,
      'organization members stay')
    t.equal((await app.inject({ url: '/v1/projects', headers: { CONFIDENT_API_KEY: org.projectKey } })).statusCode, 401,
      "the project's key no longer authenticates")

    t.equal(rowsWhere(app, projectMembers, projectMembers.projectId, kept), 1, 'the other project keeps its members')
    t.equal(rowsWhere(app, roles, roles.projectId, kept), 1, 'and its roles')
    t.equal((await send(app, org.key, 'GET', `/v1/projects/${id}`)).statusCode, 404)
    t.same(json(await send(app, org.key, 'GET', '/v1/projects')).data.projects.map((p: { id: string }) => p.id), [kept])
    const again = await send(app, org.key, 'DELETE', `/v1/projects/${id}`)
    t.equal(again.statusCode, 404, 'a second delete finds nothing')
  })

  t.test('leaves governance policies in place and counts one project less', async (t) => {
    const app = await build(t)
    const org = seedOrg(app, { governancePolicies: [{ name: 'Gate' }], projects: [{ name: 'Main', governancePolicy: 'Gate' }, { name: 'B', governancePolicy: 'Gate' }] })
    const count = async () => json(await send(app, org.key, 'GET', '/v1/organization/governance-policies')).data.governancePolicies[0].projectsCount
    t.equal(await count(), 2)
    t.equal((await send(app, org.key, 'DELETE', `/v1/projects/${org.projectId}`)).statusCode, 200)
    t.equal(await count(), 1)
  })

  t.test("an unknown project or another organization's is a 404, and nothing is deleted", async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    const other = seedOrg(app)
    for (const id of [other.projectId, 'cnosuchproject00000000000']) {
      const res = await send(app, org.key, 'DELETE', `/v1/projects/${id}`)
      t.equal(res.statusCode, 404)
      t.same(json(res), { success: false, error: 'Project not found', deprecated: false })
    }
    t.equal(rowsWhere(app, projects, projects.id, other.projectId), 1)
    t.equal(rowsWhere(app, apiKeys, apiKeys.projectId, other.projectId), 1)
  })

  t.test('key failures', async (t) => {
    const app = await build(t)
    const org = seedOrg(app)
    await assertKeyFailures(t, app, org, { method: 'DELETE', url: `/v1/projects/${org.projectId}` })
    t.equal(rowsWhere(app, projects, projects.id, org.projectId), 1)
  })
})
