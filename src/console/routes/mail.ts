// The mailbox: the invitation emails the server recorded, newest first and filtered by the URL, one email with its link, and its HTML for a sandboxed frame.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { OutboxQuery } from '../../schemas/admin.js'
import { CONSOLE_PAGE_SIZE } from '../../services/inspect.js'
import { query } from '../links.js'
import { PageNumber } from '../schemas.js'
import { EMAIL_CSP } from '../security.js'

// The control API's outbox filters (GET /__admin/outbox), the same bounds: an address no longer than
// the longest stored, ids of at most 200 characters (64 are ever stored: a longer one matches nothing).
// The filter form sends empty fields for the filters left blank: an empty value filters nothing.
const Filter = {
  to: OutboxQuery.properties.to,
  organizationId: OutboxQuery.properties.organizationId,
  projectId: OutboxQuery.properties.projectId
}
const FilterQuery = Type.Object(Filter, { additionalProperties: false })
const ListQuery = Type.Object({
  ...Filter,
  page: PageNumber
}, { additionalProperties: false })
const EmailParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) })

type FilterValues = { to?: string | undefined, organizationId?: string | undefined, projectId?: string | undefined }

/** The filters that were filled in. */
function filterOf ({ to, organizationId, projectId }: FilterValues) {
  const filter: { to?: string, organizationId?: string, projectId?: string } = {}
  if (to !== undefined && to.trim() !== '') filter.to = to.trim()
  if (organizationId !== undefined && organizationId !== '') filter.organizationId = organizationId
  if (projectId !== undefined && projectId !== '') filter.projectId = projectId
  return filter
}

const notFound = { title: 'Not found', status: 404, message: 'There is no email with that id: it may have been cleared.' }

const mail: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/mail', { schema: { hide: true, querystring: ListQuery } }, async (request, reply) => {
    const filter = filterOf(request.query)
    const emails = app.outbox.page(filter, request.query.page, CONSOLE_PAGE_SIZE)
    return reply.page('mail', { title: 'Mailbox', emails, filter, query: { ...filter, page: request.query.page }, link: query })
  })

  app.get('/mail/:id', { schema: { hide: true, params: EmailParams, querystring: FilterQuery } }, async (request, reply) => {
    const email = app.outbox.find(request.params.id)
    if (email === null) return reply.code(404).page('error', notFound)
    const names = app.inspect.names(email.organizationId, email.projectId)
    return reply.page('mail-email', { title: email.subject, email, ...names, back: query(filterOf(request.query)) })
  })

  // The email's own HTML, for the mailbox's sandboxed frame: no script, no resource from elsewhere,
  // its links opening in a new tab (<base target>), framed by this server's pages only.
  app.get('/mail/:id/html', { schema: { hide: true, params: EmailParams } }, async (request, reply) => {
    const email = app.outbox.find(request.params.id)
    if (email === null) return reply.code(404).page('error', { ...notFound, bare: true })
    const html = /<head[^>]*>/i.test(email.html)
      ? email.html.replace(/<head[^>]*>/i, (head) => `${head}\n<base target="_blank">`)
      : `<base target="_blank">\n${email.html}`
    return reply
      .header('content-security-policy', EMAIL_CSP)
      .header('x-frame-options', 'SAMEORIGIN')
      .type('text/html; charset=utf-8')
      .send(html)
  })
}

export default mail
