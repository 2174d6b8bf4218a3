// The journal: what clients sent to /v1, keys redacted, so a test can check its client's requests.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Deleted, JournalEntrySchema, JournalQuery } from '../../schemas/admin.js'
import { Success, errors } from '../../schemas/common.js'
import { tag } from '../tags.js'

const TAGS = tag('Control: journal')

const adminJournal: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/journal', {
    schema: {
      tags: TAGS,
      operationId: 'listJournal',
      summary: 'Requests received on /v1, oldest first (in memory, the most recent CONFIDENT_MOCK_JOURNAL_SIZE)',
      querystring: JournalQuery,
      response: { 200: Success(Type.Array(JournalEntrySchema)), ...errors(400) }
    }
  }, async (request) => ({ success: true as const, data: app.journal.list(request.query) }))

  app.delete('/journal', {
    schema: { tags: TAGS, operationId: 'clearJournal', summary: 'Forget every journal entry', response: { 200: Deleted } }
  }, async () => ({ success: true as const, data: { deleted: app.journal.clear() } }))
}

export default adminJournal
