// The journal: the last N requests received on /v1, with every key redacted, for tests to inspect.
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { globToRegExp, pathOf } from '../glob.js'
import { keyDigest } from '../keys.js'
import { apiKeysRepository } from '../repositories/api-keys.js'
import { API_KEY_HEADER } from './auth.js'

export interface JournalEntry {
  id: number
  /** Server clock time of the response, ISO 8601. */
  time: string
  method: string
  path: string
  query: Record<string, string>
  status: number
  /** The organization whose valid key the request carried (also when refused or faulted before authentication). */
  organizationId: string | null
  headers: Record<string, string>
  body: unknown
  durationMs: number
}

export interface JournalFilter {
  method?: string
  path?: string
  status?: number
  organizationId?: string
  /** Only entries with a larger id. */
  since?: number
  /** The most recent N of those that match. */
  limit?: number
}

export const REDACTED = '[redacted]'
/** Headers whose whole value is a credential. */
const SECRET_HEADERS = new Set([API_KEY_HEADER, 'authorization', 'x-admin-token', 'cookie', 'proxy-authorization'])
/** Keys this server mints, wherever a client may have pasted one. */
const MINTED_KEY = /confident_(?:org|proj)_[0-9a-f]{32}/g

/** A fixed-size ring: the oldest entry goes when a new one would pass the bound. */
export class Journal {
  readonly size: number
  #entries: JournalEntry[] = []
  #start = 0
  #nextId = 1

  constructor (size: number) {
    this.size = size
  }

  get length (): number {
    return this.#entries.length
  }

  add (entry: Omit<JournalEntry, 'id'>): void {
    if (this.size === 0) return
    const full: JournalEntry = { id: this.#nextId++, ...entry }
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
    const path = filter.path === undefined ? null : globToRegExp(filter.path)
    const method = filter.method?.toUpperCase()
    const found = ordered.filter((e) =>
      (method === undefined || e.method === method) &&
      (path === null || path.test(e.path)) &&
      (filter.status === undefined || e.status === filter.status) &&
      (filter.organizationId === undefined || e.organizationId === filter.organizationId) &&
      (filter.since === undefined || e.id > filter.since))
    return filter.limit === undefined ? found : found.slice(-filter.limit)
  }

  clear (): number {
    const n = this.#entries.length
    this.#entries = []
    this.#start = 0
    return n
  }
}

/** Replaces the caller's key, and any key in this server's format, inside a string. */
function scrubText (text: string, key: string | null): string {
  let out = key !== null && key.length > 0 && text.includes(key) ? text.split(key).join(REDACTED) : text
  if (out.includes('confident_')) out = out.replace(MINTED_KEY, REDACTED)
  return out
}

/**
 * A copy of a parsed body with keys scrubbed from every string and property name, at any depth:
 * through its JSON text, where the key can only appear inside a string (its quotes and
 * backslashes escaped). A body that cannot make the round trip is dropped, never kept as is.
 */
function scrub (value: unknown, key: string | null): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? scrubText(value, key) : value
  try {
    let text = scrubText(JSON.stringify(value), key)
    if (key !== null && key !== '') {
      const escaped = JSON.stringify(key).slice(1, -1)
      if (escaped !== key) text = text.split(escaped).join(REDACTED)
    }
    return JSON.parse(text)
  } catch {
    return REDACTED
  }
}

/** The path as recorded: as sent, unless decoding it shows a key, then decoded and scrubbed. */
function pathFor (url: string, key: string | null): string {
  const raw = scrubText(pathOf(url), key)
  if (!raw.includes('%')) return raw
  let decoded: string
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    return raw
  }
  const clean = scrubText(decoded, key)
  return clean === decoded ? raw : clean
}

function headersOf (request: FastifyRequest, key: string | null): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue
    const text = Array.isArray(value) ? value.join(', ') : String(value)
    out[scrubText(name, key)] = SECRET_HEADERS.has(name) ? REDACTED : scrubText(text, key)
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
}

export default fp<JournalPluginOptions>(async (app, opts) => {
  const journal = new Journal(opts.size)
  app.decorate('journal', journal)
  if (opts.size === 0) return
  const keys = apiKeysRepository(app.db)
  /** For a request answered before authentication (a fault, a 403): the organization of a valid key. */
  const organizationOf = (key: string | null): string | null => {
    if (key === null || key === '') return null
    const record = keys.findByDigest(keyDigest(key))
    return record?.valid === true ? record.organizationId : null
  }
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.url.startsWith('/v1/') && request.url !== '/v1') return
    const header = request.headers[API_KEY_HEADER]
    const key = typeof header === 'string' ? header : null
    const q = request.url.indexOf('?')
    journal.add({
      time: new Date(app.clock.now()).toISOString(),
      method: request.method,
      path: pathFor(request.url, key),
      query: q === -1 ? {} : Object.fromEntries([...new URLSearchParams(request.url.slice(q + 1))].map(([k, v]) => [scrubText(k, key), scrubText(v, key)])),
      status: reply.statusCode,
      organizationId: request.caller?.organizationId ?? organizationOf(key),
      headers: headersOf(request, key),
      body: request.body === undefined ? null : scrub(request.body, key),
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000
    })
  })
}, { name: 'journal', dependencies: ['clock', 'auth', 'db'] })
