// Test helpers: a fresh app on a fresh migrated database per test, and fixture functions that return what they made.
import { randomBytes } from 'node:crypto'
import { and, eq, isNull } from 'drizzle-orm'
import { buildApp, type App } from '../../src/app.js'
import { Clock } from '../../src/domain/clock.js'
import { defaultConfig, type Config } from '../../src/config.js'
import { projects, roles } from '../../src/db/schema.js'
import type { FixtureOrganization, Fixtures } from '../../src/boot-state/schema.js'
import { newKey } from '../../src/domain/keys.js'

export interface TeardownTarget {
  teardown: (fn: () => unknown) => void
}

export interface BuildOverrides {
  config?: Partial<Config>
  fixtures?: Fixtures
  clock?: Clock
}

/** 2026-01-15T12:00:00.000Z: a fixed instant so timestamps can be asserted exactly. */
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0, 0)

/** A fresh app on an in-memory database, its clock frozen at T0 unless a clock is given. */
export async function build (t: TeardownTarget, overrides: BuildOverrides = {}): Promise<App> {
  const app = await buildApp(defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:', ...overrides.config }), {
    logger: false,
    clock: overrides.clock ?? new Clock(T0),
    fixtures: overrides.fixtures ?? { organizations: [] }
  })
  t.teardown(() => app.close())
  return app
}

export interface SeededOrg {
  organizationId: string
  /** A valid organization key. */
  key: string
  /** A project key of the first project. */
  projectKey: string
  /** An organization key marked invalid. */
  invalidKey: string
  projectId: string
  /** Project ids by name. */
  projects: Record<string, string>
  /** Role ids by "Project/Role" for custom project roles and by "Role" for system project roles. */
  roles: Record<string, string>
}

let counter = 0

/**
 * Makes an organization through the fixtures loader, with a project "Main" and whatever the
 * overrides add; returns its ids and clear keys.
 */
export function seedOrg (app: App, overrides: Partial<FixtureOrganization> = {}): SeededOrg {
  const name = `Org ${++counter} ${randomBytes(4).toString('hex')}`
  const key = newKey('organization')
  const projectKey = newKey('project')
  const invalidKey = newKey('organization')
  const orgProjects = overrides.projects ?? [{ name: 'Main' }]
  const org: FixtureOrganization = {
    name,
    plan: 'TEAM',
    ...overrides,
    projects: orgProjects,
    apiKeys: [
      { key, name: 'test' },
      { key: projectKey, project: orgProjects[0]!.name },
      { key: invalidKey, valid: false },
      ...(overrides.apiKeys ?? [])
    ]
  }
  const { organizationIds } = app.state.apply({ organizations: [org] }, app.clock.now(), { force: true })
  const organizationId = organizationIds[0]!
  const projectRows = app.db.select({ id: projects.id, name: projects.name }).from(projects)
    .where(eq(projects.organizationId, organizationId)).all()
  const byName = Object.fromEntries(projectRows.map((p) => [p.name, p.id]))
  const roleIds: Record<string, string> = {}
  for (const r of app.db.select({ id: roles.id, name: roles.name }).from(roles)
    .where(and(eq(roles.scope, 'PROJECT'), isNull(roles.projectId))).all()) {
    roleIds[r.name] = r.id
  }
  for (const p of projectRows) {
    for (const r of app.db.select({ id: roles.id, name: roles.name }).from(roles).where(eq(roles.projectId, p.id)).all()) {
      roleIds[`${p.name}/${r.name}`] = r.id
    }
  }
  return {
    organizationId,
    key,
    projectKey,
    invalidKey,
    projectId: byName[orgProjects[0]!.name]!,
    projects: byName,
    roles: roleIds
  }
}

/** Parses a JSON response body. */
export function json<T = any> (res: { body: string }): T {
  return JSON.parse(res.body) as T
}
