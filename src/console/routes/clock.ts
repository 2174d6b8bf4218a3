// The clock page: the server clock with its controls and every organization's clock; the forms that move the server clock and one organization's.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import type { ClockState } from '../../domain/clock.js'
import { checkBody } from '../../http/check-body.js'
import { AdvanceBody, FreezeBody, OrganizationIdParams, SetClockBody } from '../../schemas/admin.js'
import type { ClockOperations } from '../../services/clock.js'
import { parseDuration } from '../../services/clock.js'
import { FormError } from '../forms.js'
import { filled, redirectTo } from '../links.js'

const OPS = ['freeze', 'unfreeze', 'set', 'advance', 'reset'] as const

const ClockForm = Type.Object({
  op: Type.Enum([...OPS]),
  at: Type.Optional(Type.String({ maxLength: 100 })),
  to: Type.Optional(Type.String({ maxLength: 100 })),
  by: Type.Optional(Type.String({ maxLength: 100 })),
  back: Type.Optional(Type.String({ maxLength: 2000 }))
})
type ClockFormValues = Static<typeof ClockForm>

/** What a datetime-local input sends: a date and a time, no zone. */
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/

/**
 * A time typed in the form as the control API takes it: a datetime-local value (no zone) read as
 * UTC, or a full ISO 8601 time; checked by the control API's own schema, or a 400 saying what to write.
 */
export function isoFromInput (text: string, field: 'at' | 'to'): string {
  const trimmed = text.trim()
  const iso = LOCAL_TIME.test(trimmed) ? `${trimmed}${trimmed.length === 16 ? ':00' : ''}Z` : trimmed
  try {
    checkBody(field === 'at' ? FreezeBody : SetClockBody, { [field]: iso })
  } catch {
    throw new FormError(`"${trimmed}" is not a time: write it as 2026-03-01T09:00 (read as UTC) or a full ISO 8601 time such as 2026-03-01T09:00:00+01:00, between years 0000 and 9999`)
  }
  return iso
}

/** One form's operation on a clock, with the control API's checks (its schemas, then the service's). */
export function applyClockForm (clock: ClockOperations, form: ClockFormValues): ClockState {
  switch (form.op) {
    case 'freeze': {
      const at = filled(form.at)
      return clock.freeze(at === undefined ? undefined : isoFromInput(at, 'at'))
    }
    case 'unfreeze':
      return clock.unfreeze()
    case 'set': {
      const to = filled(form.to)
      if (to === undefined) throw new FormError('Give the time to set the clock to')
      return clock.set(isoFromInput(to, 'to'))
    }
    case 'advance': {
      const by = filled(form.by)
      if (by === undefined) throw new FormError('Give a duration to advance by, e.g. 36h')
      // The service's own message for what is not a duration, then the schema's bound on its digits.
      parseDuration(by)
      return clock.advance(checkBody(AdvanceBody, { by }))
    }
    case 'reset':
      return clock.reset()
  }
}

/** Where to go after a form: the page it came from, when it is one of the console's, else `fallback`. */
function backTo (request: FastifyRequest, back: string | undefined, fallback: string): string {
  return redirectTo(request, back === undefined || back === '' ? fallback : back)
}

const clock: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clock', { schema: { hide: true } }, async (_request, reply) => {
    const organizations = app.tenants.list().map((o) => ({ ...o, clock: app.clockControl.organization(o.id).state() }))
    return reply.page('clock', { title: 'Clock', clock: app.clockControl.state(), organizations })
  })

  app.post('/clock', { schema: { hide: true, body: ClockForm } }, async (request, reply) => {
    applyClockForm(app.clockControl, request.body)
    return reply.redirect(backTo(request, request.body.back, 'clock'), 303)
  })

  app.post('/organizations/:organizationId/clock', {
    schema: { hide: true, params: OrganizationIdParams, body: ClockForm }
  }, async (request, reply) => {
    const { organizationId } = request.params
    applyClockForm(app.clockControl.organization(organizationId), request.body)
    return reply.redirect(backTo(request, request.body.back, `organizations/${encodeURIComponent(organizationId)}`), 303)
  })
}

export default clock
