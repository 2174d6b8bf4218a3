// The two resets as the control API defines them, stored state and in-memory state together: one place for POST /__admin/reset, the organization reset and the console.
import type { StateService } from './state.js'
import type { TenantReset, TenantService } from './tenants.js'

/** What lives in memory beside the database (the journal, the faults: src/plugins/): cleared with it. */
interface InMemory {
  reset: () => void
  clearOrganization: (organizationId: string) => number
}

/** The app's services and in-memory stores a reset touches (the app itself has them all). */
export interface ResetTargets {
  state: Pick<StateService, 'reset'>
  tenants: Pick<TenantService, 'reset'>
  faults: InMemory
  journal: InMemory
}

export type ResetTo = 'fixtures' | 'empty'

/**
 * Everything back to the boot fixtures, or to nothing: the tables (in one transaction), the server
 * clock and every organization's own, every fault and the journal, their ids numbered from 1 again.
 */
export function resetEverything (targets: ResetTargets, to: ResetTo): { to: ResetTo, organizationIds: string[] } {
  const organizationIds = targets.state.reset(to)
  targets.faults.reset()
  targets.journal.reset()
  return { to, organizationIds }
}

/**
 * One organization made again from its document (its clock dropped by the service), and its
 * journal entries and the faults scoped to it forgotten; the others are left as they are.
 */
export function resetOrganization (targets: ResetTargets, organizationId: string): TenantReset {
  const data = targets.tenants.reset(organizationId)
  targets.journal.clearOrganization(organizationId)
  targets.faults.clearOrganization(organizationId)
  return data
}
