// The clocks as the control API moves them: the server clock, and one organization's. Read, freeze,
// unfreeze, set, advance by a duration, reset: the same operations, checks and bounds for both.
import type { Clock, ClockState, Clocks } from '../domain/clock.js'
import { BadDocumentError, OrganizationNotFoundError } from '../domain/errors.js'
import type { TenantsRepository } from '../repositories/tenants.js'
import { LATEST_ISO_MS } from '../schemas/common.js'

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** "36h" to milliseconds. */
export function parseDuration (text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text)
  if (m === null) throw new BadDocumentError(`"${text}" is not a duration: write a number and a unit (ms, s, m, h, d), e.g. 36h`)
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
}

/**
 * The bodies' date-time format (src/http/formats.ts) already refused what Date cannot read (a leap
 * second) and what lies past year 9999 or before year 0000 once in UTC, so this cannot be NaN.
 */
const timeOf = (iso: string): number => Date.parse(iso)

/**
 * Where the operations act: the clock read, the clock written (made on first use), what reset
 * does, and the check that the clock's owner exists (run after the body's checks, as validation
 * comes before a 404 everywhere).
 */
interface ClockTarget {
  read: () => Clock
  write: () => Clock
  reset: () => void
  exists?: () => void
}

/** The operations on one clock; every check comes before `write()`, so a refused call makes no clock. */
function operations ({ read, write, reset, exists = () => {} }: ClockTarget) {
  return {
    state (): ClockState {
      exists()
      return read().state()
    },

    /** Stops the clock at its current time or at `at`, in one step (set then freeze would let a millisecond slip in between). */
    freeze (at?: string): ClockState {
      exists()
      const clock = write()
      clock.freeze(at === undefined ? undefined : timeOf(at))
      return clock.state()
    },

    unfreeze (): ClockState {
      exists()
      const clock = write()
      clock.unfreeze()
      return clock.state()
    },

    /** Jumps to a time, staying frozen or running as before. */
    set (to: string): ClockState {
      exists()
      const clock = write()
      clock.set(timeOf(to))
      return clock.state()
    },

    /** Forward by exactly one of `ms` milliseconds or a duration `by` ("31d"), never past 9999-12-31. */
    advance ({ ms, by }: { ms?: number | undefined, by?: string | undefined }): ClockState {
      if ((ms === undefined) === (by === undefined)) throw new BadDocumentError('Give exactly one of body.ms and body.by')
      const delta = ms ?? parseDuration(by!)
      exists()
      const next = read().now() + delta
      if (next > LATEST_ISO_MS) throw new BadDocumentError(`The clock cannot go past ${new Date(LATEST_ISO_MS).toISOString()}`)
      const clock = write()
      clock.set(next)
      return clock.state()
    },

    reset (): ClockState {
      exists()
      reset()
      return read().state()
    }
  }
}

export type ClockOperations = ReturnType<typeof operations>

export interface ClockServiceDeps {
  clocks: Clocks
  tenants: Pick<TenantsRepository, 'find'>
}

export function clockService ({ clocks, tenants }: ClockServiceDeps) {
  const server = () => clocks.server
  return {
    /** The server clock; its reset goes back to the clock the server started with. */
    ...operations({ read: server, write: server, reset: () => clocks.server.reset() }),

    /**
     * One organization's clock (404 for an unknown organization). Until one of the writes gives it
     * a clock of its own (a copy of the server clock as it stands), it reads the server clock; its
     * reset makes it read the server clock again.
     */
    organization (organizationId: string): ClockOperations {
      return operations({
        read: () => clocks.of(organizationId),
        write: () => clocks.forOrganization(organizationId),
        reset: () => clocks.drop(organizationId),
        exists: () => { if (tenants.find(organizationId) === null) throw new OrganizationNotFoundError() }
      })
    }
  }
}

export type ClockService = ReturnType<typeof clockService>
