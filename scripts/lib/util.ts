// Small helpers shared by the crash-safety and soak scripts: settings from the environment, a seeded random source, percentiles, checks.

/** A positive number from the environment, or the fallback when unset or empty; anything else throws, naming the variable. */
export function envNumber (name: string, fallback: number, opts: { integer?: boolean, min?: number } = {}): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  const min = opts.min ?? Number.MIN_VALUE
  if (!Number.isFinite(value) || value < min || (opts.integer === true && !Number.isInteger(value))) {
    throw new Error(`${name} must be ${opts.integer === true ? 'an integer' : 'a number'} >= ${min === Number.MIN_VALUE ? '0 (exclusive)' : min}, got ${JSON.stringify(raw)}`)
  }
  return value
}

export function envChoice<T extends string> (name: string, choices: readonly T[], fallback: T): T {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  if (!(choices as readonly string[]).includes(raw)) throw new Error(`${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`)
  return raw as T
}

/** mulberry32: a small seeded generator, so a run's choices can be told apart from another's by its seed. */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Nearest-rank percentile of ascending values; NaN when there are none. */
export function percentile (sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

export const mib = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1)

/** A named pass/fail with a detail line; failures carry examples. */
export interface CheckResult {
  name: string
  pass: boolean
  detail: string
}

/** Collects checks; `problems()` lists the failed ones, each with up to a few examples of what failed. */
export class Checks {
  readonly results: CheckResult[] = []
  #prefix: string

  constructor (prefix = '') {
    this.#prefix = prefix
  }

  /** Passes when `failures` is empty; `detail` says what was checked, the failures say what broke. */
  expect (name: string, failures: string[], detail: string): boolean {
    const pass = failures.length === 0
    const shown = failures.slice(0, 5).join('; ') + (failures.length > 5 ? `; ... ${failures.length - 5} more` : '')
    this.results.push({ name: this.#prefix + name, pass, detail: pass ? detail : `${failures.length} failure(s): ${shown}` })
    return pass
  }

  that (name: string, pass: boolean, detail: string): boolean {
    this.results.push({ name: this.#prefix + name, pass, detail })
    return pass
  }

  get passed (): number {
    return this.results.filter((r) => r.pass).length
  }

  problems (): string[] {
    return this.results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.detail}`)
  }
}
