// The server clock: every timestamp and the trial rule read it; tests can freeze, set and advance it.
import { LATEST_ISO_MS as LAST_INSTANT } from './schemas/common.js'

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

  state (): ClockState {
    return { now: new Date(this.now()).toISOString(), frozen: this.#frozenAt !== null }
  }
}
