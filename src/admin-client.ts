// A typed client for the /__admin control API over global fetch: tenants, reset, snapshots, clock, outbox, journal, faults, invitees.
import type { Static } from 'typebox'
import type { FixtureOrganization } from './boot-state/schema.js'
import type { InvitationStatus, Plan } from './domain/vocabulary.js'
import type {
  ClockSchema, FaultBody, FaultSchema, JournalEntrySchema, JournalQuery, OrganizationSummarySchema, OutboxEmailSchema, OutboxQuery,
  ResetBody, ResetResponse, TenantResetSchema, TenantSchema
} from './schemas/admin.js'

export type { Plan }

/** A time as a Date or an ISO 8601 string (sent as ISO 8601). */
export type TimeInput = Date | string

/** One organization in the fixtures format; `name` and `plan` may be left out (a unique name, TEAM). */
export type NewOrganization = Omit<FixtureOrganization, 'name' | 'plan' | 'trialEndsAt'> & {
  name?: string
  plan?: Plan
  trialEndsAt?: TimeInput | null
}

/** What creating a tenant answers: its ids and every key in clear (the only answer that shows them). */
export type CreatedOrganization = Static<typeof TenantSchema>

export type OrganizationSummary = Static<typeof OrganizationSummarySchema>

/** What a reset of one organization answers: its ids, its keys redacted (the clear ones from the create work again). */
export type ResetOrganization = Static<typeof TenantResetSchema>

export interface OrganizationPatch {
  plan?: Plan
  trialEndsAt?: TimeInput | null
}

/** `to`: "fixtures" (default), the boot fixtures or the demo organization when none were configured; or "empty". */
export type ResetOptions = Static<typeof ResetBody>

export type ResetResult = Static<typeof ResetResponse>['data']

export interface Snapshot {
  format: 'confident-mock-snapshot'
  version: 1
  /** The latest migration tag of the database that made it. */
  schema: string
  exportedAt: string
  tables: Record<string, Array<Record<string, unknown>>>
}

export interface SnapshotImportResult {
  /** Rows restored, per table. */
  tables: Record<string, number>
}

export type ClockState = Static<typeof ClockSchema>

/**
 * A recorded invitation email, rendered as the service would send it: `subject`, `text`, `html`, and
 * `acceptUrl` (the invitee page, `<public URL>/invite/<token>`); `token` is what that link carries,
 * for `invitations.accept` and `invitations.decline`.
 */
export type OutboxEmail = Static<typeof OutboxEmailSchema>

export type InvitationKind = OutboxEmail['kind']

export type OutboxFilter = Static<typeof OutboxQuery>

/** A request received on /v1, keys redacted; `body` is null when none or over 32 KiB (`bodyOmitted`). */
export type JournalEntry = Static<typeof JournalEntrySchema>

/** `path` is a pattern: `*` within one segment, a `**` segment any run of them. */
export type JournalFilter = Static<typeof JournalQuery>

/**
 * A status (400..599), an `action` (reset, hang, malformed), a delayMs or a `rateLimit` is required;
 * `headers` go on its answer; `times` expires it, `organizationId` scopes it.
 */
export type FaultInput = Static<typeof FaultBody>

/** An active fault; `remaining` is null when it lasts until removed. */
export type Fault = Static<typeof FaultSchema>

export interface InvitationAnswer {
  kind: InvitationKind
  /** Set for an organization invitation. */
  organizationId: string | null
  /** Set for a project invitation. */
  projectId: string | null
  invitation: {
    id: number
    email: string
    status: InvitationStatus
    created_at: string
    projectRoleId?: string | null
    organizationRoleId?: string | null
  }
}

/** A /__admin call answered with a status other than 2xx; the message is the envelope's `error`. */
export class AdminApiError extends Error {
  readonly status: number
  readonly method: string
  readonly path: string
  /** The parsed response body (the error envelope), or its text when it was not JSON. */
  readonly body: unknown

  constructor (status: number, message: string, details: { method: string, path: string, body: unknown }) {
    super(message)
    this.name = 'AdminApiError'
    this.status = status
    this.method = details.method
    this.path = details.path
    this.body = details.body
  }
}

export interface AdminClientOptions {
  /** The server's CONFIDENT_MOCK_ADMIN_TOKEN, sent as X-Admin-Token. */
  token?: string
}

function iso (time: TimeInput): string {
  const date = time instanceof Date ? time : new Date(time)
  if (Number.isNaN(date.getTime())) throw new TypeError(`not a time: ${String(time)}`)
  return date.toISOString()
}

function isoOrNull (time: TimeInput | null | undefined): string | null | undefined {
  return time === null || time === undefined ? time : iso(time)
}

function queryString (filter: object | undefined): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (value !== undefined && value !== null) params.set(key, String(value))
  }
  const text = params.toString()
  return text === '' ? '' : `?${text}`
}

export function createAdminClient (baseUrl: string, opts: AdminClientOptions = {}) {
  const root = baseUrl.replace(/\/+$/, '')

  /** One call; resolves with the parsed body, or throws AdminApiError on a non-2xx status. */
  async function call<T> (method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (opts.token !== undefined) headers['x-admin-token'] = opts.token
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(`${root}/__admin${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text === '' ? null : JSON.parse(text)
    } catch {
      // Not JSON (a proxy's page, say): kept as text for the error below.
    }
    if (!res.ok) {
      const envelopeError = (parsed as { error?: unknown } | null)?.error
      const message = typeof envelopeError === 'string' ? envelopeError : `${method} /__admin${path} answered ${res.status}`
      throw new AdminApiError(res.status, message, { method, path: `/__admin${path}`, body: parsed })
    }
    return parsed as T
  }

  /** The `data` of a success envelope. */
  async function data<T> (method: string, path: string, body?: unknown): Promise<T> {
    return (await call<{ data: T }>(method, path, body)).data
  }

  /** `/organizations/<id>`; "." and ".." are refused: URL resolution would send the call to another route (/__admin/reset). */
  function organizationPath (id: string): string {
    if (id === '.' || id === '..') throw new TypeError(`an organization id "${id}" cannot be named in a URL`)
    return `/organizations/${encodeURIComponent(id)}`
  }

  /** The clock operations, on the server clock (`/clock`) or on one organization's (`/organizations/<id>/clock`). */
  const clockAt = (path: string) => ({
    get: () => data<ClockState>('GET', path),
    /** Stops the clock, at the given time or where it is now. */
    freeze: (at?: TimeInput) => data<ClockState>('POST', `${path}/freeze`, at === undefined ? {} : { at: iso(at) }),
    unfreeze: () => data<ClockState>('POST', `${path}/unfreeze`, {}),
    /** Jumps to a time, staying frozen or running as it was. */
    set: (to: TimeInput) => data<ClockState>('POST', `${path}/set`, { to: iso(to) }),
    /** Milliseconds, or a duration such as "90s", "15m", "36h", "31d", "500ms". */
    advance: (msOrDuration: number | string) => data<ClockState>('POST', `${path}/advance`,
      typeof msOrDuration === 'number' ? { ms: msOrDuration } : { by: msOrDuration }),
    /** The server clock: back to the boot state (frozen at the configured time, or real time). An organization's: it follows the server clock again. */
    reset: () => data<ClockState>('POST', `${path}/reset`, {})
  })

  return {
    organizations: {
      create: (doc: NewOrganization = {}) => data<CreatedOrganization>('POST', '/organizations', {
        ...doc,
        ...(doc.trialEndsAt === undefined ? {} : { trialEndsAt: isoOrNull(doc.trialEndsAt) })
      }),
      list: () => data<OrganizationSummary[]>('GET', '/organizations'),
      update: (id: string, patch: OrganizationPatch) => data<OrganizationSummary>('PATCH', `/organizations/${encodeURIComponent(id)}`, {
        ...patch,
        ...(patch.trialEndsAt === undefined ? {} : { trialEndsAt: isoOrNull(patch.trialEndsAt) })
      }),
      delete: (id: string) => data<{ id: string }>('DELETE', `/organizations/${encodeURIComponent(id)}`),
      /** Makes the organization again from the document that made it: same ids, same keys; its clock follows the server's again. */
      reset: (id: string) => data<ResetOrganization>('POST', `${organizationPath(id)}/reset`, {}),
      /** One organization's clock: the first freeze, unfreeze, set or advance gives it its own, apart from the server clock. */
      clock: (id: string) => clockAt(`${organizationPath(id)}/clock`)
    },

    reset: (options: ResetOptions = {}) => data<ResetResult>('POST', '/reset', options),

    snapshot: {
      /** The whole state as a document (the body itself, not an envelope). */
      export: () => call<Snapshot>('GET', '/snapshot'),
      /** Replaces the whole state with a document export() made. */
      import: (doc: Snapshot) => data<SnapshotImportResult>('POST', '/snapshot', doc)
    },

    clock: clockAt('/clock'),

    outbox: {
      list: (filter?: OutboxFilter) => data<OutboxEmail[]>('GET', `/outbox${queryString(filter)}`),
      clear: (filter?: OutboxFilter) => data<{ deleted: number }>('DELETE', `/outbox${queryString(filter)}`)
    },

    journal: {
      list: (filter?: JournalFilter) => data<JournalEntry[]>('GET', `/journal${queryString(filter)}`),
      clear: () => data<{ deleted: number }>('DELETE', '/journal')
    },

    faults: {
      add: (fault: FaultInput) => data<Fault>('POST', '/faults', fault),
      list: () => data<Fault[]>('GET', '/faults'),
      remove: (id: number) => data<{ id: number }>('DELETE', `/faults/${id}`),
      clear: () => data<{ deleted: number }>('DELETE', '/faults')
    },

    invitations: {
      /** What the invitee's accept link does, by the token of an outbox email. */
      accept: (token: string) => data<InvitationAnswer>('POST', '/invitations/accept', { token }),
      decline: (token: string) => data<InvitationAnswer>('POST', '/invitations/decline', { token })
    }
  }
}

export type AdminClient = ReturnType<typeof createAdminClient>
