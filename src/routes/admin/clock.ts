// The server clock: read, freeze, unfreeze, set, advance, reset. Timestamps and the trial rule read it, for
// every organization without a clock of its own (src/routes/admin/organization-clock.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ClockState } from '../../domain/clock.js'
import { AdvanceBody, ClockResponse, FreezeBody, SetClockBody } from '../../schemas/admin.js'
import { errors } from '../../schemas/common.js'
import { tag } from '../tags.js'

const TAGS = tag('Control: clock')

const adminClock: FastifyPluginAsyncTypebox = async (app) => {
  const state = (data: ClockState) => ({ success: true as const, data })
  const response = { 200: ClockResponse, ...errors(400) }

  app.get('/clock', {
    schema: { tags: TAGS, operationId: 'getClock', summary: 'The server clock: its time and whether it is frozen', response }
  }, async () => state(app.clockControl.state()))

  app.post('/clock/freeze', {
    schema: { tags: TAGS, operationId: 'freezeClock', summary: 'Stop the clock, at its current time or at `at`', body: Type.Optional(FreezeBody), response }
  }, async (request) => state(app.clockControl.freeze(request.body?.at)))

  app.post('/clock/unfreeze', {
    schema: { tags: TAGS, operationId: 'unfreezeClock', summary: 'Let the clock run on from the time it shows', response }
  }, async () => state(app.clockControl.unfreeze()))

  app.post('/clock/set', {
    schema: { tags: TAGS, operationId: 'setClock', summary: 'Jump to a time, staying frozen or running as before', body: SetClockBody, response }
  }, async (request) => state(app.clockControl.set(request.body.to)))

  app.post('/clock/advance', {
    schema: { tags: TAGS, operationId: 'advanceClock', summary: 'Move the clock forward by `ms` milliseconds or a duration `by` (e.g. 31d)', body: AdvanceBody, response }
  }, async (request) => state(app.clockControl.advance(request.body)))

  app.post('/clock/reset', {
    schema: { tags: TAGS, operationId: 'resetClock', summary: 'Back to the clock the server started with (real time, or CONFIDENT_MOCK_CLOCK frozen)', response }
  }, async () => state(app.clockControl.reset()))
}

export default adminClock
