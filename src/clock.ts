// The server clock: every timestamp and the trial rule read it; tests can freeze, set and advance it.

export interface ClockState {
  /** The clock's current time, ISO 8601. */
  now: string
  frozen: boolean
}

export class Clock {
  #offset = 0
  #frozenAt: number | null = null

  /** @param frozenAt start frozen at this time (milliseconds since the epoch), or run with real time */
  constructor (frozenAt?: number) {
    if (frozenAt !== undefined) this.#frozenAt = frozenAt
  }

  /** Milliseconds since the epoch. */
  now (): number {
    return this.#frozenAt ?? Date.now() + this.#offset
  }

  freeze (): void {
    this.#frozenAt = this.now()
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

  /** Back to real time, running. */
  reset (): void {
    this.#offset = 0
    this.#frozenAt = null
  }

  state (): ClockState {
    return { now: new Date(this.now()).toISOString(), frozen: this.#frozenAt !== null }
  }
}
