// Schemas of the control API under /__admin: tenants, clock, outbox, invitees, journal, faults, snapshots.
// Integers have a maximum: Ajv takes Infinity (from "1e309", or JSON's 1e400) as an integer otherwise.
import { Type } from 'typebox'
import { FixtureOrganizationSchema } from '../boot-state/schema.js'
import { DELIVERY_STATES, INVITATION_KINDS } from '../domain/vocabulary.js'
import { MAX_EMAIL_LENGTH } from '../domain/rules.js'
import { NameSchema, PlanSchema, Success } from './common.js'
import { OrganizationInvitationSchema, ProjectInvitationSchema } from './invitations.js'

const Iso = Type.String({ format: 'date-time', description: 'ISO 8601' })
const Id = { id: Type.String() }
const Named = Type.Object({ ...Id, name: Type.String() })

export const TenantBody = Type.Object({
  ...FixtureOrganizationSchema.properties,
  name: Type.Optional(NameSchema('Default: "Organization <id>"')),
  plan: Type.Optional({ ...PlanSchema, description: 'Default: TEAM' })
}, { additionalProperties: false, description: 'One organization in the fixtures-file format; name and plan may be left out' })

export const OrganizationSummarySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  plan: PlanSchema,
  trialEndsAt: Type.Union([Iso, Type.Null()]),
  createdAt: Iso
})

export const TenantSchema = Type.Object({
  ...OrganizationSummarySchema.properties,
  apiKey: Type.String({ description: 'The first valid organization key, clear: send it as CONFIDENT_API_KEY' }),
  apiKeys: Type.Array(Type.Object({
    key: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    projectId: Type.Union([Type.String(), Type.Null()], { description: 'Set for a project key' }),
    valid: Type.Boolean()
  })),
  projects: Type.Array(Type.Object({ ...Id, name: Type.String(), roles: Type.Array(Named) })),
  roles: Type.Array(Named, { description: 'Custom organization roles' }),
  members: Type.Array(Type.Object({ userId: Type.String(), email: Type.String(), role: Type.String() }))
})

/** What a reset of one organization answers: as a new tenant, but no key in clear (only digests were kept). */
export const TenantResetSchema = Type.Object({
  ...OrganizationSummarySchema.properties,
  apiKeys: Type.Array(Type.Object({
    id: Type.Integer(),
    name: Type.Union([Type.String(), Type.Null()]),
    projectId: Type.Union([Type.String(), Type.Null()], { description: 'Set for a project key' }),
    valid: Type.Boolean(),
    redacted: Type.String({ description: 'As /v1 shows a stored key: 15 asterisks and its last 6 characters. The clear keys are the ones the create answered (or the document gave): they work again' })
  })),
  projects: TenantSchema.properties.projects,
  roles: TenantSchema.properties.roles,
  members: TenantSchema.properties.members
})

export const OrganizationIdParams = Type.Object({ organizationId: Type.String({ maxLength: 200 }) })

export const OrganizationPatchBody = Type.Object({
  plan: Type.Optional(PlanSchema),
  trialEndsAt: Type.Optional(Type.Union([Iso, Type.Null()]))
}, { additionalProperties: false })

export const ResetBody = Type.Object({
  to: Type.Optional(Type.Enum(['fixtures', 'empty'], { default: 'fixtures', description: 'The boot fixtures (or the demo organization when none were configured), or nothing' }))
}, { additionalProperties: false })

export const ResetResponse = Success(Type.Object({
  to: Type.Enum(['fixtures', 'empty']),
  organizationIds: Type.Array(Type.String())
}))

export const ClockSchema = Type.Object({ now: Iso, frozen: Type.Boolean() })
export const ClockResponse = Success(ClockSchema)

export const FreezeBody = Type.Object({ at: Type.Optional(Iso) }, { additionalProperties: false })
export const SetClockBody = Type.Object({ to: Iso }, { additionalProperties: false })
export const AdvanceBody = Type.Object({
  ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 * 365 * 86_400_000 })),
  by: Type.Optional(Type.String({ pattern: '^\\d{1,9}(ms|s|m|h|d)$', description: 'A duration: 500ms, 90s, 15m, 36h, 31d' }))
}, { additionalProperties: false, description: 'Exactly one of ms and by' })

const Kind = Type.Enum([...INVITATION_KINDS])

export const OutboxQuery = Type.Object({
  // A filter compared with the stored addresses, so no longer than the longest of them.
  to: Type.Optional(Type.String({ maxLength: MAX_EMAIL_LENGTH })),
  kind: Type.Optional(Kind),
  organizationId: Type.Optional(Type.String({ maxLength: 200 })),
  projectId: Type.Optional(Type.String({ maxLength: 200 })),
  invitationId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }))
}, { additionalProperties: false })

export const OutboxEmailSchema = Type.Object({
  id: Type.Integer(),
  kind: Kind,
  to: Type.String(),
  organizationId: Type.String(),
  projectId: Type.Union([Type.String(), Type.Null()]),
  invitationId: Type.Integer(),
  token: Type.String({ description: 'What the email link carries: POST it to /__admin/invitations/accept or /decline' }),
  sentAt: Iso,
  subject: Type.String({ description: 'The subject line: the project (for a project invitation) and the organization, by their names now' }),
  text: Type.String({ description: 'The plain-text body: organization, project and role (the default role when the invitation names none; no role when the invitation is gone), the link on a line of its own' }),
  html: Type.String({ description: 'The HTML body: a complete document with inline styles, no script or external resource, every name escaped; the link as a button' }),
  acceptUrl: Type.String({ description: 'The one link, <public URL>/invite/<token>: the invitee page, which shows the invitation with Accept and Decline (opening it changes nothing)' }),
  delivery: Type.Union([Type.Enum([...DELIVERY_STATES]), Type.Null()], {
    description: 'Over SMTP (CONFIDENT_MOCK_SMTP_URL): pending (waiting or being tried), sent (the SMTP server took it) or failed (every attempt failed: deliveryError says why); null when no SMTP server was set when it was recorded'
  }),
  deliveryError: Type.Union([Type.String(), Type.Null()], { description: 'Why the delivery failed (the last attempt\'s error, without credentials); null unless it did' })
})

export const Deleted = Success(Type.Object({ deleted: Type.Integer() }))

/** What POST /__admin/invitations/accept and /decline take: the token an invitee's email link carries. */
export const InvitationTokenBody = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200, description: 'The token from the recorded invitation email' })
})

/** An invitation accepted or declined, with where it was to. */
export const InvitationRespondedResponse = Success(Type.Object({
  kind: Type.Enum(INVITATION_KINDS),
  organizationId: Type.Union([Type.String(), Type.Null()], { description: 'Set for an organization invitation' }),
  projectId: Type.Union([Type.String(), Type.Null()], { description: 'Set for a project invitation' }),
  invitation: Type.Union([ProjectInvitationSchema, OrganizationInvitationSchema])
}))

export const JournalQuery = Type.Object({
  method: Type.Optional(Type.String({ maxLength: 16 })),
  path: Type.Optional(Type.String({ maxLength: 500, description: 'A path pattern: * is one segment, ** any run of them' })),
  status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  organizationId: Type.Optional(Type.String({ maxLength: 200 })),
  since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Only entries with a larger id' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: 'The most recent N of those matching' }))
}, { additionalProperties: false })

export const JournalEntrySchema = Type.Object({
  id: Type.Integer(),
  time: Iso,
  method: Type.String(),
  path: Type.String(),
  query: Type.Record(Type.String(), Type.String()),
  status: Type.Integer(),
  organizationId: Type.Union([Type.String(), Type.Null()]),
  headers: Type.Record(Type.String(), Type.String()),
  body: Type.Unknown({ description: 'The parsed body, keys redacted; null when none, or when over 32 KiB' }),
  bodyOmitted: Type.Boolean({ description: 'True when the body was over 32 KiB (as JSON) and not kept' }),
  durationMs: Type.Number()
})

/** What a fault does instead of an error answer: no answer at all (reset, hang), or a body that is not JSON. */
export const FAULT_ACTIONS = ['reset', 'hang', 'malformed'] as const
const FaultAction = Type.Enum([...FAULT_ACTIONS])
/** Header values as Node sends them: tab, printable ASCII and Latin-1 (never CR or LF). */
const FaultHeaders = Type.Record(Type.String(), Type.String({ maxLength: 1000, pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$' }), {
  maxProperties: 20,
  description: 'Headers set on the fault\'s answer, e.g. {"Retry-After": "2"}'
})

export const FaultBody = Type.Object({
  method: Type.Optional(Type.String({ pattern: '^(\\*|[A-Za-z]{1,16})$', default: '*', description: 'An HTTP method, or * for any' })),
  path: Type.String({ minLength: 1, maxLength: 500, pattern: '^/', description: 'A path pattern, e.g. /v1/projects/*/invitations (* one segment, ** any)' }),
  status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
  error: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'The envelope\'s message (default: the status text)' })),
  delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60000, description: 'Wait this long first' })),
  action: Type.Optional({ ...FaultAction, description: 'reset: close the connection with no answer (a TCP reset); hang: never answer, until the client gives up; malformed: answer `status` (default 200) with a JSON body cut short' }),
  headers: Type.Optional(FaultHeaders),
  rateLimit: Type.Optional(Type.Object({
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Requests let through per window' }),
    windowMs: Type.Integer({ minimum: 1, maximum: 86_400_000, description: 'The window, in real-time milliseconds, from the first request counted in it' })
  }, { additionalProperties: false, description: 'Let `limit` matching requests through per window, then fault the rest of it (default: 429 with Retry-After)' })),
  times: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Apply to this many requests, then expire (default: until removed)' })),
  organizationId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only requests made with a key of this organization' }))
}, { additionalProperties: false })

export const FaultSchema = Type.Object({
  id: Type.Integer(),
  method: Type.String(),
  path: Type.String(),
  status: Type.Union([Type.Integer(), Type.Null()], { description: 'The status it answers; null: no answer of its own (the real one after a delay, a reset, a hang)' }),
  error: Type.Union([Type.String(), Type.Null()]),
  delayMs: Type.Integer(),
  remaining: Type.Union([Type.Integer(), Type.Null()], { description: 'Requests left before it expires; null: until removed' }),
  organizationId: Type.Union([Type.String(), Type.Null()]),
  hits: Type.Integer({ description: 'Requests it acted on (with a rate limit: those over the limit)' }),
  action: Type.Union([FaultAction, Type.Null()]),
  headers: Type.Record(Type.String(), Type.String()),
  rateLimit: Type.Union([Type.Object({
    limit: Type.Integer(),
    windowMs: Type.Integer(),
    used: Type.Integer({ description: 'Requests let through in the current window' }),
    resetsInMs: Type.Union([Type.Integer(), Type.Null()], { description: 'Until the current window ends; null: no window open' })
  }), Type.Null()]),
  pending: Type.Integer({ description: 'Requests it holds now: waiting out its delay, or hanging' })
})

export const FaultIdParams = Type.Object({ faultId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) })
