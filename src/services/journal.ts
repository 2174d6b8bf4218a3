// Control plane: the journal, the last N requests received on /v1 with every key redacted, in memory, for
// tests to inspect. The journal plugin (src/plugins/journal.ts) hands it each request as it ends.
import type { IncomingHttpHeaders } from 'node:http'
import type { Static } from 'typebox'
import type { Clock } from '../domain/clock.js'
import { compileGlob, pathOf } from '../http/glob.js'
import { REDACTED, scrubText, secretsOf } from '../http/redact.js'
import type { JournalEntrySchema, JournalQuery } from '../schemas/admin.js'

/** A request received on /v1, keys redacted (its shape is the control API's schema). */
export type JournalEntry = Static<typeof JournalEntrySchema>

/** `since`: only entries with a larger id; `limit`: the most recent N of those that match. */
export type JournalFilter = Static<typeof JournalQuery>

/** A finished /v1 request as received, credentials and all: what `record` redacts and keeps. */
export interface ReceivedRequest {
  method: string
  /** The URL as sent: the path and the query. */
  url: string
  headers: IncomingHttpHeaders
  /** The parsed body; undefined or null for none. */
  body: unknown
  status: number
  /** The organization of the key it carried, null for none or an invalid one. */
  organizationId: string | null
  durationMs: number
}

/** As kept in memory: the body as (scrubbed) JSON text, at most JOURNAL_BODY_LIMIT long. */
type StoredEntry = Omit<JournalEntry, 'body'> & { bodyText: string | null }

/**
 * Headers whose whole value is a credential: the API key's (API_KEY_HEADER in src/plugins/auth.ts,
 * which this layer does not import), the admin token's, and the usual ones.
 */
const SECRET_HEADERS = new Set(['confident_api_key', 'authorization', 'x-admin-token', 'cookie', 'proxy-authorization'])

/** Whether an entry matches the filter's method, path pattern, status, organization and `since`. */
function matcher (filter: Omit<JournalFilter, 'limit'>): (e: StoredEntry) => boolean {
  const path = filter.path === undefined ? null : compileGlob(filter.path)
  const method = filter.method?.toUpperCase()
  return (e) =>
    (method === undefined || e.method === method) &&
    (path === null || path(e.path)) &&
    (filter.status === undefined || e.status === filter.status) &&
    (filter.organizationId === undefined || e.organizationId === filter.organizationId) &&
    (filter.since === undefined || e.id > filter.since)
}

/** An entry as answered: its body parsed back from the stored text. */
const parsed = ({ bodyText, ...entry }: StoredEntry): JournalEntry =>
  ({ ...entry, body: bodyText === null ? null : JSON.parse(bodyText) as unknown })

export interface JournalServiceDeps {
  /** The most entries kept (CONFIDENT_MOCK_JOURNAL_SIZE); 0 keeps none. */
  size: number
  /** The admin token, redacted wherever a client may have sent it. */
  adminToken?: string | undefined
  /** The server clock: an entry's time. */
  clock: Clock
}

/** A fixed-size ring: the oldest entry goes when a new one would pass the bound. */
export class Journal {
  readonly size: number
  readonly #adminToken: string | undefined
  readonly #clock: Clock
  #entries: StoredEntry[] = []
  #start = 0
  #nextId = 1

  constructor ({ size, adminToken, clock }: JournalServiceDeps) {
    this.size = size
    this.#adminToken = adminToken
    this.#clock = clock
  }

  get length (): number {
    return this.#entries.length
  }

  /** Keeps a finished request, its keys, tokens and the admin token redacted in its path, query, headers and body. */
  record (request: ReceivedRequest): void {
    if (this.size === 0) return
    const secrets = this.#adminToken === undefined ? secretsOf(request.headers) : [...secretsOf(request.headers), this.#adminToken]
    const q = request.url.indexOf('?')
    this.#add({
      time: new Date(this.#clock.now()).toISOString(),
      method: request.method,
      path: pathFor(request.url, secrets),
      query: q === -1 ? {} : Object.fromEntries([...new URLSearchParams(request.url.slice(q + 1))].map(([k, v]) => [scrubText(k, secrets), scrubText(v, secrets)])),
      status: request.status,
      organizationId: request.organizationId,
      headers: headersOf(request.headers, secrets),
      ...storedBody(request.body, secrets),
      // To the microsecond: the timer's further digits are noise.
      durationMs: Math.round(request.durationMs * 1000) / 1000
    })
  }

  #add (entry: Omit<StoredEntry, 'id'>): void {
    const full: StoredEntry = { id: this.#nextId++, ...entry }
    if (this.#entries.length < this.size) {
      this.#entries.push(full)
    } else {
      this.#entries[this.#start] = full
      this.#start = (this.#start + 1) % this.size
    }
  }

  /** Oldest first. */
  list (filter: JournalFilter = {}): JournalEntry[] {
    const ordered = this.#entries.slice(this.#start).concat(this.#entries.slice(0, this.#start))
    const found = ordered.filter(matcher(filter))
    return (filter.limit === undefined ? found : found.slice(-filter.limit)).map(parsed)
  }

  /**
   * Newest first, a page of them (the console's requests page): `limit` entries from `offset`
   * among those matching the filter (its `since` and `limit` left aside), and how many match.
   * Only the page's bodies are parsed.
   */
  newest (filter: Omit<JournalFilter, 'since' | 'limit'>, offset: number, limit: number): { entries: JournalEntry[], total: number } {
    const matches = matcher(filter)
    const found: StoredEntry[] = []
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const e = this.#entries[(this.#start + i) % this.#entries.length]!
      if (matches(e)) found.push(e)
    }
    return { entries: found.slice(offset, offset + limit).map(parsed), total: found.length }
  }

  /** One entry by its id, or null (never recorded, or dropped since). */
  find (id: number): JournalEntry | null {
    const entry = this.#entries.find((e) => e.id === id)
    return entry === undefined ? null : parsed(entry)
  }

  clear (): number {
    const n = this.#entries.length
    this.#entries = []
    this.#start = 0
    return n
  }

  /** Forgets the entries of one organization's requests (a reset of that organization); the numbering goes on. */
  clearOrganization (organizationId: string): number {
    const ordered = this.#entries.slice(this.#start).concat(this.#entries.slice(0, this.#start))
    const kept = ordered.filter((e) => e.organizationId !== organizationId)
    this.#entries = kept
    this.#start = 0
    return ordered.length - kept.length
  }

  /** Forgets every entry and numbers the next from 1 again (a reset). */
  reset (): void {
    this.clear()
    this.#nextId = 1
  }
}

/** Bodies longer than this (as JSON text) are not kept: the journal's memory stays bounded. */
export const JOURNAL_BODY_LIMIT = 32 * 1024

/**
 * A parsed body as JSON text with keys scrubbed from every string and property name, at any
 * depth (in JSON text the key can only appear inside a string, its quotes and backslashes
 * escaped); `omitted` when it is over the limit. A body that cannot make the round trip is
 * dropped, never kept as is.
 */
function scrubBody (value: unknown, secrets: readonly string[]): { text: string | null, omitted: boolean } {
  let text: string
  try {
    text = JSON.stringify(value)
  } catch {
    return { text: null, omitted: true }
  }
  if (text.length > JOURNAL_BODY_LIMIT) return { text: null, omitted: true }
  // Each secret as it is written inside a JSON string, too.
  text = scrubText(text, [...secrets, ...secrets.map((secret) => JSON.stringify(secret).slice(1, -1))])
  try {
    JSON.parse(text)
  } catch {
    return { text: null, omitted: true }
  }
  return { text, omitted: false }
}

function storedBody (body: unknown, secrets: readonly string[]): { bodyText: string | null, bodyOmitted: boolean } {
  if (body === undefined || body === null) return { bodyText: null, bodyOmitted: false }
  const { text, omitted } = scrubBody(body, secrets)
  return { bodyText: text, bodyOmitted: omitted }
}

/** The path as recorded: as sent, unless decoding it shows a key, then decoded and scrubbed. */
function pathFor (url: string, secrets: readonly string[]): string {
  const raw = scrubText(pathOf(url), secrets)
  if (!raw.includes('%')) return raw
  let decoded: string
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    return raw
  }
  const clean = scrubText(decoded, secrets)
  return clean === decoded ? raw : clean
}

function headersOf (headers: IncomingHttpHeaders, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const text = Array.isArray(value) ? value.join(', ') : String(value)
    out[scrubText(name, secrets)] = SECRET_HEADERS.has(name) ? REDACTED : scrubText(text, secrets)
  }
  return out
}

/** The journal of a server: empty at boot, in memory only (a restart or a reset empties it). */
export function journalService (deps: JournalServiceDeps): Journal {
  return new Journal(deps)
}

export type JournalService = Journal
