// Projects: looked up within the organization of the caller's key, listed, created, renamed, deleted.
import type { Database } from 'better-sqlite3'
import { rowOf } from '../db/rows.js'
import type { Tx } from '../db/transaction.js'
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { governancePolicies, projects } from '../db/schema.js'

export interface ProjectRef {
  id: string
  organizationId: string
}

export interface ProjectRow extends ProjectRef {
  name: string
  description: string | null
  createdAt: number
  governancePolicy: { id: string, name: string } | null
}

export interface NewProject {
  id: string
  organizationId: string
  name: string
  description: string | null
  createdAt: number
}

export function projectsRepository (db: Db, sqlite: Database) {
  // Read as an array (src/db/rows.ts): every project-scoped /v1 request makes this check.
  const forOrg = rowOf(sqlite.prepare<[string, string]>('select id, organization_id from projects where id = ? and organization_id = ?'),
    (v): ProjectRef => ({ id: v[0] as string, organizationId: v[1] as string }))
  const byId = db.select({ id: projects.id, organizationId: projects.organizationId })
    .from(projects).where(eq(projects.id, sql.placeholder('projectId'))).prepare()
  const rows = () => db.select({
    id: projects.id,
    organizationId: projects.organizationId,
    name: projects.name,
    description: projects.description,
    createdAt: projects.createdAt,
    governancePolicy: { id: governancePolicies.id, name: governancePolicies.name }
  }).from(projects).leftJoin(governancePolicies, eq(governancePolicies.id, projects.governancePolicyId))

  // GET /v1/projects's read, prepared once.
  const listed = rows().where(eq(projects.organizationId, sql.placeholder('organizationId')))
    .orderBy(asc(projects.createdAt), asc(sql`${projects}.rowid`)).prepare()

  return {
    /** Any organization's project: for server-side flows with no caller, such as accepting an invitation. */
    findById (projectId: string): ProjectRef | null {
      return byId.get({ projectId }) ?? null
    },

    /** A project of another organization is as absent as a missing one. */
    findForOrg (projectId: string, organizationId: string): ProjectRef | null {
      return forOrg(projectId, organizationId)
    },

    /** The organization's projects in creation order (rowid breaks ties between equal times). */
    listForOrg (organizationId: string): ProjectRow[] {
      return listed.all({ organizationId })
    },

    /** A project with everything the API shows, if it is this organization's. */
    findRowForOrg (projectId: string, organizationId: string): ProjectRow | null {
      return rows().where(and(eq(projects.id, projectId), eq(projects.organizationId, organizationId))).get() ?? null
    },

    /** The governance policy id (or null) of each of these ids that names a project of the organization; other ids are absent. */
    governancePoliciesOf (organizationId: string, projectIds: readonly string[]): Map<string, string | null> {
      if (projectIds.length === 0) return new Map()
      const found = db.select({ id: projects.id, policyId: projects.governancePolicyId }).from(projects)
        .where(and(eq(projects.organizationId, organizationId), inArray(projects.id, [...projectIds]))).all()
      return new Map(found.map((p) => [p.id, p.policyId]))
    },

    /** Whether another project of the organization (than `exceptId`) has this name. */
    nameTaken (organizationId: string, name: string, exceptId?: string): boolean {
      return db.select({ id: projects.id }).from(projects).where(and(
        eq(projects.organizationId, organizationId),
        eq(projects.name, name),
        exceptId === undefined ? undefined : ne(projects.id, exceptId))).get() !== undefined
    },

    insert (tx: Tx, project: NewProject): void {
      tx.db.insert(projects).values(project).run()
    },

    update (tx: Tx, projectId: string, fields: { name?: string, description?: string }): void {
      if (fields.name === undefined && fields.description === undefined) return
      tx.db.update(projects).set(fields).where(eq(projects.id, projectId)).run()
    },

    /** Deletes the project; the database cascades to its members, invitations, roles, policies and keys. */
    delete (tx: Tx, projectId: string): void {
      tx.db.delete(projects).where(eq(projects.id, projectId)).run()
    }
  }
}

export type ProjectsRepository = ReturnType<typeof projectsRepository>
