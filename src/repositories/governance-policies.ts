// Governance policies of an organization, with the controls they enforce and how many projects they hold.
import { asc, count, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import { governanceControls, governancePolicies, projects, type GovernanceControlType } from '../db/schema.js'

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

export function governancePoliciesRepository (db: Db) {
  return {
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
