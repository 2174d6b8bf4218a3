// The state page: reset everything, download and upload snapshots, create a tenant from a fixtures document; and one organization's reset.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { checkBody } from '../../http/check-body.js'
import { OrganizationIdParams, TenantBody } from '../../schemas/admin.js'
import { FormError, isRefusal } from '../forms.js'
import { redirectTo } from '../links.js'

/** What a finished action left to say on the state page, by the `done` its redirect names. */
const DONE = {
  fixtures: 'Everything was reset to the boot fixtures.',
  empty: 'Everything was reset to empty.',
  imported: 'The snapshot was imported.'
} as const

/** Where a parse failed, as a line and column only: the text around it may be an API key. */
function position (err: unknown): string {
  const at = (err as { linePos?: Array<{ line: number, col: number }> }).linePos?.[0]
  return at === undefined ? '' : ` at line ${at.line}, column ${at.col}`
}

/**
 * A document typed or pasted in: JSON, or (with `yaml`) YAML, the package loaded the first time a
 * document needs it, as the fixtures loader does (a console that never parses YAML never loads it).
 */
async function parseDocument (text: string, what: string, opts: { yaml: boolean }): Promise<unknown> {
  const trimmed = text.trim()
  if (trimmed === '') throw new FormError(`Give ${what.toLowerCase()}`)
  try {
    return JSON.parse(trimmed) as unknown
  } catch {
    // Not JSON: YAML (of which JSON is a part; its parser also names where JSON went wrong, which
    // JSON.parse on Node 20 does not).
  }
  const { parse } = await import('yaml')
  try {
    const doc = parse(trimmed) as unknown
    if (opts.yaml) return doc
  } catch (err) {
    throw new FormError(`${what} is not valid ${opts.yaml ? 'JSON or YAML' : 'JSON'}${position(err)}`)
  }
  throw new FormError(`${what} is not valid JSON`)
}

const state: FastifyPluginAsyncTypebox = async (app) => {
  const render = (reply: FastifyReply, data: { done?: string | null, snapshotError?: string | null, snapshot?: string, tenantError?: string | null, tenant?: string }) =>
    reply.page('state', {
      title: 'State',
      done: null,
      snapshotError: null,
      snapshot: '',
      tenantError: null,
      tenant: '',
      ...data
    })

  app.get('/state', {
    schema: { hide: true, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) }) }
  }, async (request, reply) => {
    const done = request.query.done
    return render(reply, { done: done !== undefined && Object.hasOwn(DONE, done) ? DONE[done as keyof typeof DONE] : null })
  })

  app.post('/state/reset', {
    schema: { hide: true, body: Type.Object({ to: Type.Optional(Type.Enum(['fixtures', 'empty'])) }) }
  }, async (request, reply) => {
    // The same reset as POST /__admin/reset (src/services/reset.ts).
    const { to } = app.reset.everything(request.body.to ?? 'fixtures')
    request.log.info({ to }, 'state reset from the console')
    return reply.redirect(redirectTo(request, `state?done=${to}`), 303)
  })

  app.get('/state/snapshot', { schema: { hide: true } }, async (_request, reply) => {
    const snapshot = app.state.exportSnapshot()
    // A name per export, so downloads do not overwrite each other: colons are not allowed in Windows file names.
    const name = `confident-mock-snapshot-${snapshot.exportedAt.replaceAll(':', '-')}.json`
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(JSON.stringify(snapshot))
  })

  app.post('/state/snapshot', {
    // The control API's 64 MiB, grown by URL-encoding (the form parser's own limit, src/console/index.ts).
    bodyLimit: 80 * 1024 * 1024,
    schema: { hide: true, body: Type.Object({ snapshot: Type.String() }) }
  }, async (request, reply) => {
    const text = request.body.snapshot
    try {
      const doc = await parseDocument(text, 'The snapshot', { yaml: false })
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new FormError('The snapshot must be a JSON object, as GET /__admin/snapshot answers')
      // The same import as POST /__admin/snapshot: all or nothing.
      app.state.importSnapshot(doc)
    } catch (err) {
      // The document's reading (FormError) or the import's refusal: both 400s shown on the form.
      if (isRefusal(err, 400)) return render(reply.code(400), { snapshotError: err.message, snapshot: text })
      throw err
    }
    request.log.info('snapshot imported from the console')
    return reply.redirect(redirectTo(request, 'state?done=imported'), 303)
  })

  app.post('/state/tenants', {
    schema: { hide: true, body: Type.Object({ document: Type.String({ maxLength: 1024 * 1024 }) }) }
  }, async (request, reply) => {
    const text = request.body.document
    let tenant
    try {
      // The control API's schema for POST /__admin/organizations, then the same service call.
      tenant = app.tenants.create(checkBody(TenantBody, await parseDocument(text, 'The document', { yaml: true })))
    } catch (err) {
      if (isRefusal(err, 400, 409)) return render(reply.code(err.statusCode), { tenantError: err.message, tenant: text })
      throw err
    }
    // The one page that shows the new keys in clear, as POST /__admin/organizations answers them:
    // like every console page it is sent with Cache-Control: no-store (src/console/security.ts),
    // so neither the browser's cache nor its history keeps them.
    return reply.code(201).page('tenant-created', { title: `Created ${tenant.name}`, tenant })
  })

  app.post('/organizations/:organizationId/reset', {
    schema: { hide: true, params: OrganizationIdParams }
  }, async (request, reply) => {
    const { organizationId } = request.params
    // The same reset as POST /__admin/organizations/:organizationId/reset (src/services/reset.ts).
    app.reset.organization(organizationId)
    request.log.info({ organizationId }, 'organization reset from the console')
    return reply.redirect(redirectTo(request, `organizations/${encodeURIComponent(organizationId)}`), 303)
  })
}

export default state
