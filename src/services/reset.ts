// Control plane: the two resets as the control API defines them, the stored state and the in-memory state
// together. POST /__admin/reset, the organization reset and the console's buttons all call this service.
import type { Faults } from './faults.js'
import type { Journal } from './journal.js'
import type { StateService } from './state.js'
import type { TenantReset, TenantService } from './tenants.js'

/** What a reset clears: the tables and clocks (through the state and tenant services), the faults and the journal. */
export interface ResetServiceDeps {
  state: Pick<StateService, 'reset'>
  tenants: Pick<TenantService, 'reset'>
  faults: Pick<Faults, 'reset' | 'clearOrganization'>
  journal: Pick<Journal, 'reset' | 'clearOrganization'>
}

export type ResetTo = 'fixtures' | 'empty'

/*
 * Nothing else in memory is the server's state: the console's live hub (src/console/live.ts) holds
 * only its open streams, which a reset keeps, and learns of the reset as of any other write.
 */
export function resetService ({ state, tenants, faults, journal }: ResetServiceDeps) {
  return {
    /**
     * Everything back to the boot fixtures, or to nothing: the tables (in one transaction), the
     * server clock and every organization's own, every fault and the journal, their ids numbered
     * from 1 again.
     */
    everything (to: ResetTo): { to: ResetTo, organizationIds: string[] } {
      const organizationIds = state.reset(to)
      faults.reset()
      journal.reset()
      return { to, organizationIds }
    },

    /**
     * One organization made again from its document (its clock dropped by the tenant service),
     * and its journal entries and the faults scoped to it forgotten; the others are left as they are.
     */
    organization (organizationId: string): TenantReset {
      const data = tenants.reset(organizationId)
      journal.clearOrganization(organizationId)
      faults.clearOrganization(organizationId)
      return data
    }
  }
}

export type ResetService = ReturnType<typeof resetService>
