// The whole state: reset to the boot fixtures or to nothing, export a snapshot, import one.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ResetBody, ResetResponse } from '../../schemas/admin.js'
import { Success, errors } from '../../schemas/common.js'
import { tag } from '../tags.js'

/** A snapshot of a busy database is far larger than an API request. */
const SNAPSHOT_BODY_LIMIT = 64 * 1024 * 1024

const adminState: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/reset', {
    schema: {
      tags: tag('Control: state'),
      operationId: 'reset',
      summary: 'Back to the boot fixtures, or to empty, in one transaction; also removes faults, clears the journal, resets the server clock and drops every organization clock',
      body: Type.Optional(ResetBody),
      response: { 200: ResetResponse, ...errors(400) }
    }
  }, async (request) => {
    // The same reset as the console's (src/services/reset.ts).
    const data = app.reset.everything(request.body?.to ?? 'fixtures')
    request.log.info({ to: data.to }, 'state reset')
    return { success: true as const, data }
  })

  app.get('/snapshot', {
    schema: {
      tags: tag('Control: state'),
      operationId: 'exportSnapshot',
      summary: 'The whole stored state as a versioned JSON document (no API key in clear: keys are stored as digests)',
      response: { 200: Type.Object({}, { additionalProperties: true, description: 'format, version, schema, exportedAt, tables' }) }
    }
  }, async (_request, reply) => {
    reply.header('content-disposition', 'attachment; filename="confident-mock-snapshot.json"')
    return app.state.exportSnapshot()
  })

  app.post('/snapshot', {
    bodyLimit: SNAPSHOT_BODY_LIMIT,
    schema: {
      tags: tag('Control: state'),
      operationId: 'importSnapshot',
      summary: 'Replace the whole state with an exported snapshot, in one transaction (refused unless of the same version and schema)',
      body: Type.Object({}, { additionalProperties: true, description: 'A document from GET /__admin/snapshot' }),
      response: { 200: Success(Type.Object({ tables: Type.Record(Type.String(), Type.Integer()) })), ...errors(400) }
    }
  }, async (request) => {
    const tables = app.state.importSnapshot(request.body)
    request.log.info('snapshot imported')
    return { success: true as const, data: { tables } }
  })
}

export default adminState
