// Projects: looked up within the organization of the caller's key.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { projects } from '../db/schema.js'

export interface ProjectRef {
  id: string
  organizationId: string
}

export function projectsRepository (db: Db) {
  const forOrg = db.select({ id: projects.id, organizationId: projects.organizationId })
    .from(projects)
    .where(and(eq(projects.id, sql.placeholder('projectId')), eq(projects.organizationId, sql.placeholder('organizationId'))))
    .prepare()
  const byId = db.select({ id: projects.id, organizationId: projects.organizationId })
    .from(projects).where(eq(projects.id, sql.placeholder('projectId'))).prepare()

  return {
    /** Any organization's project: for server-side flows with no caller, such as accepting an invitation. */
    findById (projectId: string): ProjectRef | null {
      return byId.get({ projectId }) ?? null
    },

    /** A project of another organization is as absent as a missing one. */
    findForOrg (projectId: string, organizationId: string): ProjectRef | null {
      return forOrg.get({ projectId, organizationId }) ?? null
    }
  }
}

export type ProjectsRepository = ReturnType<typeof projectsRepository>
