// One organization's clock: read, freeze, unfreeze, set, advance, reset. The same bodies and answers as
// the server clock's (src/routes/admin/clock.ts), the same service logic (src/services/clock.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ClockState } from '../../domain/clock.js'
import { AdvanceBody, ClockResponse, FreezeBody, OrganizationIdParams, SetClockBody } from '../../schemas/admin.js'
import { errors } from '../../schemas/common.js'
import { tag } from '../tags.js'

const TAGS = tag('Control: clock')

const OWN = 'The first freeze, unfreeze, set or advance gives the organization a clock of its own, a copy of the server clock as it stands; ' +
  'from then on the server clock\'s moves do not change it, until its reset. Its timestamps and trial rule read it.'

const adminOrganizationClock: FastifyPluginAsyncTypebox = async (app) => {
  const state = (data: ClockState) => ({ success: true as const, data })
  const response = { 200: ClockResponse, ...errors(400, 404) }
  const params = OrganizationIdParams
  const clock = (organizationId: string) => app.clockControl.organization(organizationId)

  app.get('/organizations/:organizationId/clock', {
    schema: {
      tags: TAGS,
      operationId: 'getOrganizationClock',
      summary: "An organization's clock: its own, or the server clock it follows",
      params,
      response: { 200: ClockResponse, ...errors(404) }
    }
  }, async (request) => state(clock(request.params.organizationId).state()))

  app.post('/organizations/:organizationId/clock/freeze', {
    schema: {
      tags: TAGS,
      operationId: 'freezeOrganizationClock',
      summary: "Stop the organization's clock, at its current time or at `at`",
      description: OWN,
      params,
      body: Type.Optional(FreezeBody),
      response
    }
  }, async (request) => state(clock(request.params.organizationId).freeze(request.body?.at)))

  app.post('/organizations/:organizationId/clock/unfreeze', {
    schema: {
      tags: TAGS,
      operationId: 'unfreezeOrganizationClock',
      summary: "Let the organization's clock run on from the time it shows",
      description: OWN,
      params,
      response: { 200: ClockResponse, ...errors(404) }
    }
  }, async (request) => state(clock(request.params.organizationId).unfreeze()))

  app.post('/organizations/:organizationId/clock/set', {
    schema: {
      tags: TAGS,
      operationId: 'setOrganizationClock',
      summary: "Jump the organization's clock to a time, staying frozen or running as before",
      description: OWN,
      params,
      body: SetClockBody,
      response
    }
  }, async (request) => state(clock(request.params.organizationId).set(request.body.to)))

  app.post('/organizations/:organizationId/clock/advance', {
    schema: {
      tags: TAGS,
      operationId: 'advanceOrganizationClock',
      summary: "Move the organization's clock forward by `ms` milliseconds or a duration `by` (e.g. 31d)",
      description: OWN,
      params,
      body: AdvanceBody,
      response
    }
  }, async (request) => state(clock(request.params.organizationId).advance(request.body)))

  app.post('/organizations/:organizationId/clock/reset', {
    schema: {
      tags: TAGS,
      operationId: 'resetOrganizationClock',
      summary: 'The organization follows the server clock again (answers the server clock)',
      params,
      response: { 200: ClockResponse, ...errors(404) }
    }
  }, async (request) => state(clock(request.params.organizationId).reset()))
}

export default adminOrganizationClock
