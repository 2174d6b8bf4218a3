// The server clock as the control API moves it: read, freeze, unfreeze, set, advance by a duration, reset.
import type { Clock, ClockState } from '../clock.js'
import { BadDocumentError } from '../errors.js'
import { LATEST_ISO_MS } from '../schemas/common.js'

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** "36h" to milliseconds. */
export function parseDuration (text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text)
  if (m === null) throw new BadDocumentError(`"${text}" is not a duration: write a number and a unit (ms, s, m, h, d), e.g. 36h`)
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
}

/**
 * The bodies' date-time format (src/formats.ts) already refused what Date cannot read (a leap
 * second) and what lies past year 9999 or before year 0000 once in UTC, so this cannot be NaN.
 */
const timeOf = (iso: string): number => Date.parse(iso)

export interface ClockServiceDeps {
  clock: Clock
}

export function clockService ({ clock }: ClockServiceDeps) {
  return {
    state (): ClockState {
      return clock.state()
    },

    /** Stops the clock at its current time or at `at`, in one step (set then freeze would let a millisecond slip in between). */
    freeze (at?: string): ClockState {
      clock.freeze(at === undefined ? undefined : timeOf(at))
      return clock.state()
    },

    unfreeze (): ClockState {
      clock.unfreeze()
      return clock.state()
    },

    /** Jumps to a time, staying frozen or running as before. */
    set (to: string): ClockState {
      clock.set(timeOf(to))
      return clock.state()
    },

    /** Forward by exactly one of `ms` milliseconds or a duration `by` ("31d"), never past 9999-12-31. */
    advance ({ ms, by }: { ms?: number | undefined, by?: string | undefined }): ClockState {
      if ((ms === undefined) === (by === undefined)) throw new BadDocumentError('Give exactly one of body.ms and body.by')
      const next = clock.now() + (ms ?? parseDuration(by!))
      if (next > LATEST_ISO_MS) throw new BadDocumentError(`The clock cannot go past ${new Date(LATEST_ISO_MS).toISOString()}`)
      clock.set(next)
      return clock.state()
    },

    /** Back to the clock the server started with. */
    reset (): ClockState {
      clock.reset()
      return clock.state()
    }
  }
}

export type ClockService = ReturnType<typeof clockService>
