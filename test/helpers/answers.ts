// What every answer to a hostile request must be, and what the database and the prototypes must be after a run of them.
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { App } from '../../src/app.js'

/** What a request must get: an exact status, any 4xx (`reject`), or a 2xx or 4xx as the state decides. */
export type Expectation =
  | { status: number, why: string }
  | { reject: boolean, why: string }

/** No answer within this long is a hang: the slowest legitimate request (a 1 MiB body) takes well under a second. */
export const ANSWER_WITHIN_MS = 10_000

/** `app.inject`, failing after ANSWER_WITHIN_MS instead of waiting for ever. */
export async function requestWithin (app: Pick<App, 'inject'>, options: InjectOptions, ms = ANSWER_WITHIN_MS): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${options.method} ${String(options.url).slice(0, 200)}`)), ms)
  })
  try {
    return await Promise.race([app.inject(options), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Error messages must not show internals: the database's own errors or a stack. */
const INTERNALS = /SQLITE_[A-Z]|\n\s+at |node_modules|TypeError|ReferenceError|undefined is not|Cannot read propert/

/**
 * Checks an answer's status against the expectation and its shape against the envelopes: JSON,
 * `{success: false, error: <non-empty text>, deprecated: false}` and nothing else for a 4xx,
 * `{success: true, data}` for a 2xx. Throws with the request's description on any difference.
 * Returns the parsed body.
 */
export function checkAnswer (res: LightMyRequestResponse, expectation: Expectation, describe: () => string): any {
  const fail = (message: string): never => {
    throw new Error(`${message}\n  status ${res.statusCode}, body ${res.body.slice(0, 500)}\n  expected ${JSON.stringify(expectation)}\n  request: ${describe()}`)
  }
  const status = res.statusCode
  if (status >= 500) fail('a 5xx')
  if (!(status >= 200 && status < 300) && !(status >= 400 && status < 500)) fail('neither a 2xx nor a 4xx')
  if ('status' in expectation && status !== expectation.status) fail(`status ${status} instead of ${expectation.status}`)
  if ('reject' in expectation && expectation.reject && status < 400) fail('a hostile request was not refused')
  if (!/^application\/json\b/.test(String(res.headers['content-type']))) fail(`content-type ${String(res.headers['content-type'])}`)
  let body: any
  try {
    body = JSON.parse(res.body)
  } catch {
    fail('the body is not JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail('the body is not an object')
  const keys = Object.keys(body).sort().join(',')
  if (status >= 400) {
    if (keys !== 'deprecated,error,success' || body.success !== false || body.deprecated !== false) fail('not exactly the error envelope')
    if (typeof body.error !== 'string' || body.error.trim() === '') fail('an empty error message')
    if (INTERNALS.test(body.error)) fail('the error message shows internals')
  } else if (keys !== 'data,success' || body.success !== true) {
    // The snapshot export is the bare document, not an envelope: its callers check it themselves.
    if (!(body.format === 'confident-mock-snapshot' && typeof body.tables === 'object')) fail('not exactly the success envelope')
  }
  return body
}

/** The own property names of the built-in prototypes, to tell that nothing was added to them. */
export function prototypesNow (): string {
  const names = (o: object) => Object.getOwnPropertyNames(o).sort().join(',')
  return JSON.stringify([Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype, Boolean.prototype]
    .map(names))
}

/**
 * After a run: SQLite finds no corruption and no broken reference, the built-in prototypes are as
 * they were (no `polluted` property anywhere), and the stored state equals the model.
 */
export function checkDatabase (app: Pick<App, 'sqlite'>, stored: unknown, model: unknown, prototypes: string): void {
  const integrity = app.sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>
  if (integrity.length !== 1 || integrity[0]!.integrity_check !== 'ok') throw new Error(`integrity_check: ${JSON.stringify(integrity)}`)
  const broken = app.sqlite.pragma('foreign_key_check') as unknown[]
  if (broken.length > 0) throw new Error(`foreign_key_check: ${JSON.stringify(broken.slice(0, 5))}`)
  const probe: Record<string, unknown> = {}
  if (prototypesNow() !== prototypes || probe['polluted'] !== undefined || probe['isAdmin'] !== undefined || ([] as unknown as Record<string, unknown>)['polluted'] !== undefined) {
    throw new Error(`a built-in prototype changed: ${prototypesNow()}`)
  }
  if (JSON.stringify(stored) !== JSON.stringify(model)) {
    // Name the parts that differ, each side in full up to a point.
    const s = stored as Record<string, unknown>
    const m = model as Record<string, unknown>
    const parts = Object.keys({ ...s, ...m }).filter((k) => JSON.stringify(s[k]) !== JSON.stringify(m[k]))
      .map((k) => `  ${k}:\n    stored ${JSON.stringify(s[k]).slice(0, 1500)}\n    model  ${JSON.stringify(m[k]).slice(0, 1500)}`)
    throw new Error(`the database differs from what the answers said:\n${parts.join('\n')}`)
  }
}

/** JSON for a message, cut short; a value too deep for JSON.stringify says so instead of throwing. */
export function short (value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? 'undefined'
  } catch {
    return '(too deep to show)'
  }
  return text.length > 300 ? `${text.slice(0, 300)}…(${text.length})` : text
}

/** What a property's plan sends besides its URL and body: extra headers, the credential, content type and encoding. */
export interface PlannedHeaders {
  extra: Record<string, string>
  credential: { headers: Record<string, string | string[]> }
  encoding: string | undefined
  body: { kind: string, contentType?: string | undefined }
}

export function headersOf (plan: PlannedHeaders): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { ...plan.extra, ...plan.credential.headers }
  if (plan.body.contentType !== undefined && plan.body.kind !== 'none') headers['content-type'] = plan.body.contentType
  if (plan.encoding !== undefined) headers['content-encoding'] = plan.encoding
  return headers
}

/** Answers counted per route: how many, how many 2xx, how many refused, by status. */
export interface Stats { requests: number, success: number, rejected: number, byStatus: Map<number, number> }

export const newStats = (): Stats => ({ requests: 0, success: 0, rejected: 0, byStatus: new Map() })

/** Counts an answer; true when it was a success (2xx). */
export function count (stats: Stats, status: number): boolean {
  stats.requests++
  stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1)
  if (status >= 400) stats.rejected++
  else stats.success++
  return status < 400
}

/** "n requests checked: a 2xx, b 4xx (200×…)", for a route's assertion. */
export function summary (stats: Stats): string {
  return `${stats.requests} requests checked: ${stats.success} 2xx, ${stats.rejected} 4xx ` +
    `(${[...stats.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')})`
}
