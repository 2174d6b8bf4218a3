// The requests page: the journal of /v1 requests, newest first, filtered and paginated, and one request with a curl command that replays it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import createError from '@fastify/error'
import { Type } from 'typebox'
import type { JournalEntry } from '../../services/journal.js'
import { CONSOLE_PAGE_SIZE } from '../../services/inspect.js'
import { query } from '../links.js'

// A page of the table, as the console's other lists.
const PAGE_SIZE = CONSOLE_PAGE_SIZE

const RequestNotFoundError = createError('CM_CONSOLE_REQUEST_NOT_FOUND', 'No request with this id in the journal (it keeps the most recent ones only).', 404)

// Text, as a GET form sends every field (empty when left blank); checked here, not coerced.
const Filters = Type.Object({
  method: Type.Optional(Type.String({ maxLength: 16 })),
  path: Type.Optional(Type.String({ maxLength: 500 })),
  status: Type.Optional(Type.String({ pattern: '^(\\d{3})?$' })),
  organizationId: Type.Optional(Type.String({ maxLength: 200 })),
  // At most 100 000 entries (the journal's bound) over 50 a page: 2000 pages.
  page: Type.Optional(Type.String({ pattern: '^\\d{0,4}$' }))
})

/** A shell word: single quotes, each quote inside closed, escaped and opened again. */
export const shellQuote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`

/** Headers curl sets by itself, or that would describe the original connection rather than the replay. */
const OWN_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'accept-encoding'])

/** `curl -X POST '<base>/v1/…' -H 'name: value' … --data-raw '<body>'`, from what the journal recorded (keys already redacted). */
export function curlOf (entry: JournalEntry, base: string): string {
  const search = new URLSearchParams(entry.query).toString()
  const parts = [`curl -X ${entry.method} ${shellQuote(`${base}${entry.path}${search === '' ? '' : `?${search}`}`)}`]
  for (const [name, value] of Object.entries(entry.headers)) {
    if (!OWN_HEADERS.has(name.toLowerCase())) parts.push(`-H ${shellQuote(`${name}: ${value}`)}`)
  }
  if (entry.body !== null) parts.push(`--data-raw ${shellQuote(JSON.stringify(entry.body))}`)
  return parts.join(' \\\n  ')
}

/** The status's class for the table: 2xx, 4xx, 5xx (444 and 499, answers never sent, are 4xx). */
export const statusClass = (status: number): string => `status-${Math.floor(status / 100)}xx`

const requests: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/requests', { schema: { hide: true, querystring: Filters } }, async (request, reply) => {
    const q = request.query
    const filters = {
      method: q.method?.trim() ?? '',
      path: q.path?.trim() ?? '',
      status: q.status ?? '',
      organizationId: q.organizationId?.trim() ?? ''
    }
    const page = Math.max(1, Number(q.page === undefined || q.page === '' ? 1 : q.page))
    const { entries, total } = app.journal.newest({
      ...(filters.method === '' ? {} : { method: filters.method }),
      ...(filters.path === '' ? {} : { path: filters.path }),
      ...(filters.status === '' ? {} : { status: Number(filters.status) }),
      ...(filters.organizationId === '' ? {} : { organizationId: filters.organizationId })
    }, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
    const names = new Map(app.tenants.list().map((o) => [o.id, o.name]))
    return reply.page('requests', {
      title: 'Requests',
      filters,
      entries: entries.map((e) => ({ ...e, statusClass: statusClass(e.status), organizationName: e.organizationId === null ? null : names.get(e.organizationId) ?? null })),
      total,
      page,
      pages,
      pageSize: PAGE_SIZE,
      journalSize: app.journal.size,
      previous: page > 1 ? `requests${query({ ...filters, page: page - 1 })}` : null,
      next: page < pages ? `requests${query({ ...filters, page: page + 1 })}` : null
    })
  })

  app.get('/requests/:id', {
    schema: { hide: true, params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }) }
  }, async (request, reply) => {
    const entry = app.journal.find(request.params.id)
    if (entry === null) throw new RequestNotFoundError()
    const { organizationName } = entry.organizationId === null ? { organizationName: null } : app.inspect.names(entry.organizationId, null)
    return reply.page('request', {
      title: `Request ${entry.id}`,
      entry,
      statusClass: statusClass(entry.status),
      organizationName,
      queryText: new URLSearchParams(entry.query).toString(),
      bodyText: entry.body === null ? null : JSON.stringify(entry.body, null, 2),
      // The base URL clients reach this server at (CONFIDENT_MOCK_PUBLIC_URL, else where it listens).
      curl: curlOf(entry, app.publicUrl())
    })
  })
}

export default requests
