// The journal: the last N requests received on /v1, with every key redacted, for tests to inspect.
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Static } from 'typebox'
import { compileGlob, pathOf } from '../http/glob.js'
import { isVendorUrl } from '../http/prefixes.js'
import { REDACTED, scrubText, secretsOf } from '../http/redact.js'
import type { JournalEntrySchema, JournalQuery } from '../schemas/admin.js'
import { API_KEY_HEADER } from './auth.js'

/** A request received on /v1, keys redacted (its shape is the control API's schema). */
export type JournalEntry = Static<typeof JournalEntrySchema>

/** `since`: only entries with a larger id; `limit`: the most recent N of those that match. */
export type JournalFilter = Static<typeof JournalQuery>

/** As kept in memory: the body as (scrubbed) JSON text, at most JOURNAL_BODY_LIMIT long. */
type StoredEntry = Omit<JournalEntry, 'body'> & { bodyText: string | null }

/** Headers whose whole value is a credential. */
const SECRET_HEADERS = new Set([API_KEY_HEADER, 'authorization', 'x-admin-token', 'cookie', 'proxy-authorization'])

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

/** A fixed-size ring: the oldest entry goes when a new one would pass the bound. */
export class Journal {
  readonly size: number
  #entries: StoredEntry[] = []
  #start = 0
  #nextId = 1

  constructor (size: number) {
    this.size = size
  }

  get length (): number {
    return this.#entries.length
  }

  add (entry: Omit<StoredEntry, 'id'>): void {
    if (this.size === 0) return
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

function headersOf (request: FastifyRequest, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue
    const text = Array.isArray(value) ? value.join(', ') : String(value)
    out[scrubText(name, secrets)] = SECRET_HEADERS.has(name) ? REDACTED : scrubText(text, secrets)
  }
  return out
}

declare module 'fastify' {
  interface FastifyInstance {
    journal: Journal
  }
}

export interface JournalPluginOptions {
  size: number
  /** The admin token, redacted wherever a client may have sent it. */
  adminToken?: string | undefined
}

export default fp<JournalPluginOptions>(async (app, opts) => {
  const journal = new Journal(opts.size)
  app.decorate('journal', journal)
  if (opts.size === 0) return
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    // A CORS preflight (src/plugins/cors.ts) is the browser's question, not the client's request.
    if (!isVendorUrl(request.url) || (request as { corsPreflightEnabled?: boolean }).corsPreflightEnabled === true) return
    const secrets = opts.adminToken === undefined ? secretsOf(request.headers) : [...secretsOf(request.headers), opts.adminToken]
    const q = request.url.indexOf('?')
    journal.add({
      time: new Date(app.clock.now()).toISOString(),
      method: request.method,
      path: pathFor(request.url, secrets),
      query: q === -1 ? {} : Object.fromEntries([...new URLSearchParams(request.url.slice(q + 1))].map(([k, v]) => [scrubText(k, secrets), scrubText(v, secrets)])),
      status: reply.statusCode,
      organizationId: request.caller?.organizationId ?? app.keyOrganization(request),
      headers: headersOf(request, secrets),
      ...storedBody(request.body, secrets),
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000
    })
  })
}, { name: 'journal', dependencies: ['clock', 'auth', 'db'] })
