// The clocks: the server clock, and the clocks organizations may have of their own. Every timestamp
// written for an organization, and its trial rule, read its clock; tests can freeze, set and advance either.
import { LATEST_ISO_MS as LAST_INSTANT } from '../schemas/common.js'

export interface ClockState {
  /** The clock's current time, ISO 8601. */
  now: string
  frozen: boolean
}

export class Clock {
  #offset = 0
  #frozenAt: number | null = null
  readonly #boot: number | null

  /** @param frozenAt start frozen at this time (milliseconds since the epoch), or run with real time */
  constructor (frozenAt?: number) {
    this.#boot = frozenAt ?? null
    this.#frozenAt = this.#boot
  }

  /**
   * Milliseconds since the epoch. A running clock set near the end stops at 9999-12-31T23:59:59.999Z,
   * the last instant every timestamp format here can write (a year past 9999 is "+010000-…").
   */
  now (): number {
    return this.#frozenAt ?? Math.min(Date.now() + this.#offset, LAST_INSTANT)
  }

  /** Stops the clock at its current time, or at the time given. */
  freeze (at?: number): void {
    this.#frozenAt = at ?? this.now()
  }

  unfreeze (): void {
    if (this.#frozenAt === null) return
    this.#offset = this.#frozenAt - Date.now()
    this.#frozenAt = null
  }

  /** Jumps to a time, keeping the clock frozen or running as it was. */
  set (ms: number): void {
    if (this.#frozenAt !== null) this.#frozenAt = ms
    else this.#offset = ms - Date.now()
  }

  advance (ms: number): void {
    this.set(this.now() + ms)
  }

  /** Back to the state it started in: frozen at its start time, or real time and running. */
  reset (): void {
    this.#offset = 0
    this.#frozenAt = this.#boot
  }

  get frozen (): boolean {
    return this.#frozenAt !== null
  }

  state (): ClockState {
    return { now: new Date(this.now()).toISOString(), frozen: this.frozen }
  }

  /**
   * A new clock showing this one's time, frozen or running as this one is, that moves on its own
   * afterwards (its reset() goes to real time, running).
   */
  copy (): Clock {
    const clock = new Clock()
    if (this.frozen) clock.freeze(this.now())
    else clock.set(this.now())
    return clock
  }
}

/**
 * The server clock and the organizations' own clocks, in memory. An organization without a clock
 * of its own reads the server clock; one with its own (made by the first freeze, set, advance or
 * unfreeze of it) is independent of the server clock's later moves, until dropped. Services that
 * act for an organization read `now(organizationId)`: one Map lookup, on the hot path too.
 */
export class Clocks {
  readonly server: Clock
  readonly #own = new Map<string, Clock>()

  constructor (server: Clock) {
    this.server = server
  }

  /** Milliseconds since the epoch: the organization's own clock when it has one, else the server clock. */
  now (organizationId?: string): number {
    if (organizationId !== undefined) {
      const own = this.#own.get(organizationId)
      if (own !== undefined) return own.now()
    }
    return this.server.now()
  }

  /** The clock an organization reads: its own, or the server clock. */
  of (organizationId: string): Clock {
    return this.#own.get(organizationId) ?? this.server
  }

  /** The organization's own clock; the first call makes it, a copy of the server clock as it stands then. */
  forOrganization (organizationId: string): Clock {
    let own = this.#own.get(organizationId)
    if (own === undefined) {
      own = this.server.copy()
      this.#own.set(organizationId, own)
    }
    return own
  }

  hasOwn (organizationId: string): boolean {
    return this.#own.has(organizationId)
  }

  /** The organization follows the server clock again. */
  drop (organizationId: string): void {
    this.#own.delete(organizationId)
  }

  /** Every organization follows the server clock again. */
  dropAll (): void {
    this.#own.clear()
  }
}
