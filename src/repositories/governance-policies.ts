// Governance policies of an organization, with the controls they enforce and the projects enrolled in them.
import type { Tx } from '../db/transaction.js'
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { governanceControls, governancePolicies, projects } from '../db/schema.js'
import type { GovernanceControlType } from '../domain/vocabulary.js'

export interface GovernanceControlRow {
  id: string
  name: string
  type: GovernanceControlType
}

export interface GovernancePolicyRow {
  id: string
  name: string
  description: string | null
  projectsCount: number
  controls: GovernanceControlRow[]
}

export interface GovernancePolicyRef {
  id: string
  name: string
}

export function governancePoliciesRepository (db: Db) {
  return {
    /** A policy of another organization is as absent as a missing one. */
    findForOrg (policyId: string, organizationId: string): GovernancePolicyRef | null {
      return db.select({ id: governancePolicies.id, name: governancePolicies.name }).from(governancePolicies)
        .where(and(eq(governancePolicies.id, policyId), eq(governancePolicies.organizationId, organizationId))).get() ?? null
    },

    /** Enrolls the projects in the policy, moving them off any other. */
    enroll (tx: Tx, policyId: string, projectIds: readonly string[]): void {
      if (projectIds.length === 0) return
      tx.db.update(projects).set({ governancePolicyId: policyId }).where(inArray(projects.id, [...projectIds])).run()
    },

    /** Takes the projects off whatever policy they are on. */
    withdraw (tx: Tx, projectIds: readonly string[]): void {
      if (projectIds.length === 0) return
      tx.db.update(projects).set({ governancePolicyId: null }).where(inArray(projects.id, [...projectIds])).run()
    },

    /** How many projects are enrolled in the policy. */
    countProjects (policyId: string): number {
      return db.select({ n: count() }).from(projects).where(eq(projects.governancePolicyId, policyId)).get()!.n
    },

    /** One page of the policy's projects, by name then id. */
    projectsPage (policyId: string, limit: number, offset: number): GovernancePolicyRef[] {
      return db.select({ id: projects.id, name: projects.name }).from(projects)
        .where(eq(projects.governancePolicyId, policyId))
        .orderBy(asc(projects.name), asc(projects.id)).limit(limit).offset(offset).all()
    },

    /** The organization's governance policies in creation order, each with its controls in their declared order. */
    listForOrg (organizationId: string): GovernancePolicyRow[] {
      const enrolled = db.select({ policyId: projects.governancePolicyId, n: count().as('n') }).from(projects)
        .groupBy(projects.governancePolicyId).as('enrolled')
      const rows = db.select({
        id: governancePolicies.id,
        name: governancePolicies.name,
        description: governancePolicies.description,
        projectsCount: sql<number>`coalesce(${enrolled.n}, 0)`
      }).from(governancePolicies)
        .leftJoin(enrolled, eq(enrolled.policyId, governancePolicies.id))
        .where(eq(governancePolicies.organizationId, organizationId))
        .orderBy(asc(governancePolicies.createdAt), asc(sql`${governancePolicies}.rowid`)).all()
      if (rows.length === 0) return []
      const controls = db.select({
        policyId: governanceControls.governancePolicyId,
        id: governanceControls.id,
        name: governanceControls.name,
        type: governanceControls.type
      }).from(governanceControls)
        .where(inArray(governanceControls.governancePolicyId, rows.map((r) => r.id)))
        .orderBy(asc(governanceControls.position)).all()
      return rows.map((row) => ({
        ...row,
        controls: controls.filter((c) => c.policyId === row.id).map(({ id, name, type }) => ({ id, name, type }))
      }))
    }
  }
}

export type GovernancePoliciesRepository = ReturnType<typeof governancePoliciesRepository>
