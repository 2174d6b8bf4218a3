// The outbox: the invitation emails the real service would have sent, filterable and clearable.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Deleted, OutboxEmailSchema, OutboxQuery } from '../../schemas/admin.js'
import { Success, errors } from '../../schemas/common.js'
import { tag } from '../tags.js'

const TAGS = tag('Control: outbox')

const adminOutbox: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/outbox', {
    schema: {
      tags: TAGS,
      operationId: 'listOutbox',
      summary: 'Recorded invitation emails (one per invitation created, one more per resend), oldest first',
      querystring: OutboxQuery,
      response: { 200: Success(Type.Array(OutboxEmailSchema)), ...errors(400) }
    }
  }, async (request) => ({ success: true as const, data: app.outbox.list(request.query) }))

  app.delete('/outbox', {
    schema: {
      tags: TAGS,
      operationId: 'clearOutbox',
      summary: 'Forget recorded emails: all, or those matching the filter (invitations and their tokens are untouched)',
      querystring: OutboxQuery,
      response: { 200: Deleted, ...errors(400) }
    }
  }, async (request) => ({ success: true as const, data: { deleted: app.outbox.clear(request.query) } }))
}

export default adminOutbox
