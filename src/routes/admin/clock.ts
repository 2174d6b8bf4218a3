// The server clock: read, freeze, unfreeze, set, advance, reset. Every timestamp and the trial rule read it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { BadDocumentError } from '../../errors.js'
import { AdvanceBody, ClockResponse, FreezeBody, SetClockBody } from '../../schemas/admin.js'
import { errors, LATEST_ISO_MS } from '../../schemas/common.js'

/** The last time an ISO 8601 date-time with a four-digit year (what set and freeze take) can name. */
const LATEST = LATEST_ISO_MS

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** "36h" to milliseconds. */
export function parseDuration (text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text)
  if (m === null) throw new BadDocumentError(`"${text}" is not a duration: write a number and a unit (ms, s, m, h, d), e.g. 36h`)
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
}

/**
 * The body's date-time format (src/app.ts) already refused what Date cannot read (a leap second)
 * and what lies past year 9999 or before year 0000 once in UTC, so this cannot be NaN.
 */
const timeOf = (iso: string): number => Date.parse(iso)

const TAGS = ['Control: clock']

const adminClock: FastifyPluginAsyncTypebox = async (app) => {
  const state = () => ({ success: true as const, data: app.clock.state() })
  const response = { 200: ClockResponse, ...errors(400) }

  app.get('/clock', {
    schema: { tags: TAGS, operationId: 'getClock', summary: 'The server clock: its time and whether it is frozen', response }
  }, async () => state())

  app.post('/clock/freeze', {
    schema: { tags: TAGS, operationId: 'freezeClock', summary: 'Stop the clock, at its current time or at `at`', body: Type.Optional(FreezeBody), response }
  }, async (request) => {
    const at = request.body?.at
    // In one step: setting a running clock and then freezing it would let a millisecond slip in between.
    app.clock.freeze(at === undefined ? undefined : timeOf(at))
    return state()
  })

  app.post('/clock/unfreeze', {
    schema: { tags: TAGS, operationId: 'unfreezeClock', summary: 'Let the clock run on from the time it shows', response }
  }, async () => {
    app.clock.unfreeze()
    return state()
  })

  app.post('/clock/set', {
    schema: { tags: TAGS, operationId: 'setClock', summary: 'Jump to a time, staying frozen or running as before', body: SetClockBody, response }
  }, async (request) => {
    app.clock.set(timeOf(request.body.to))
    return state()
  })

  app.post('/clock/advance', {
    schema: { tags: TAGS, operationId: 'advanceClock', summary: 'Move the clock forward by `ms` milliseconds or a duration `by` (e.g. 31d)', body: AdvanceBody, response }
  }, async (request) => {
    const { ms, by } = request.body
    if ((ms === undefined) === (by === undefined)) throw new BadDocumentError('Give exactly one of body.ms and body.by')
    const next = app.clock.now() + (ms ?? parseDuration(by!))
    if (next > LATEST) throw new BadDocumentError(`The clock cannot go past ${new Date(LATEST).toISOString()}`)
    app.clock.set(next)
    return state()
  })

  app.post('/clock/reset', {
    schema: { tags: TAGS, operationId: 'resetClock', summary: 'Back to the clock the server started with (real time, or CONFIDENT_MOCK_CLOCK frozen)', response }
  }, async () => {
    app.clock.reset()
    return state()
  })
}

export default adminClock
