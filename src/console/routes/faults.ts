// The faults page: the active faults with their hits, removing them, and a form that adds any fault the control API can, through the same checks.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type, type Static } from 'typebox'
import { checkBody } from '../../http/check-body.js'
import { FaultBody, FaultIdParams } from '../../schemas/admin.js'
import { FormError, isRefusal } from '../forms.js'
import { filled, redirectTo } from '../links.js'

/** Every field as the form sends it: text, empty when left blank. The limits are generous: the control API's checks come after. */
const FaultForm = Type.Object({
  method: Type.Optional(Type.String({ maxLength: 16 })),
  path: Type.Optional(Type.String({ maxLength: 2000 })),
  status: Type.Optional(Type.String({ maxLength: 20 })),
  error: Type.Optional(Type.String({ maxLength: 4000 })),
  delayMs: Type.Optional(Type.String({ maxLength: 20 })),
  action: Type.Optional(Type.String({ maxLength: 20 })),
  // 20 headers (the control API's most) of a 100-character name and a 1000-character value, with room to spare.
  headers: Type.Optional(Type.String({ maxLength: 30_000 })),
  rateLimitLimit: Type.Optional(Type.String({ maxLength: 20 })),
  rateLimitWindowMs: Type.Optional(Type.String({ maxLength: 20 })),
  times: Type.Optional(Type.String({ maxLength: 20 })),
  organizationId: Type.Optional(Type.String({ maxLength: 400 }))
})
type FaultFormValues = Static<typeof FaultForm>

const METHODS = ['*', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE']
const ACTIONS = ['reset', 'hang', 'malformed']

/** A number field: digits become a number; anything else stays text, for the schema to refuse by name. */
const numberOf = (text: string): number | string => /^-?\d{1,16}$/.test(text) ? Number(text) : text

/** "Name: value" lines into an object; a blank line is skipped, a line without a colon refused. */
function headersOf (text: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue
    const colon = line.indexOf(':')
    if (colon <= 0) throw new FormError(`body.headers: line ${i + 1} is not "Name: value"`)
    const name = line.slice(0, colon).trim()
    if (Object.hasOwn(headers, name)) throw new FormError(`body.headers: ${name} is given twice (header names ignore case)`)
    headers[name] = line.slice(colon + 1).trim()
  }
  return headers
}

/**
 * The form as the body of POST /__admin/faults: an empty field is an absent one, numbers are
 * numbers, the headers an object, the two rate-limit fields one object.
 */
export function faultDocument (form: FaultFormValues): Record<string, unknown> {
  const doc: Record<string, unknown> = {}
  const text = { method: filled(form.method), path: filled(form.path), error: filled(form.error) === undefined ? undefined : form.error, action: filled(form.action), organizationId: filled(form.organizationId) }
  for (const [name, value] of Object.entries(text)) if (value !== undefined) doc[name] = value
  for (const name of ['status', 'delayMs', 'times'] as const) {
    const value = filled(form[name])
    if (value !== undefined) doc[name] = numberOf(value)
  }
  const headers = filled(form.headers)
  if (headers !== undefined) doc['headers'] = headersOf(headers)
  const limit = filled(form.rateLimitLimit)
  const windowMs = filled(form.rateLimitWindowMs)
  if (limit !== undefined || windowMs !== undefined) {
    doc['rateLimit'] = { ...(limit === undefined ? {} : { limit: numberOf(limit) }), ...(windowMs === undefined ? {} : { windowMs: numberOf(windowMs) }) }
  }
  return doc
}

const faults: FastifyPluginAsyncTypebox = async (app) => {
  const render = (reply: FastifyReply, values: FaultFormValues, error: string | null) => {
    const organizations = app.tenants.list()
    const names = new Map(organizations.map((o) => [o.id, o.name]))
    return reply.page('faults', {
      title: 'Faults',
      faults: app.faults.list().map((f) => ({ ...f, organizationName: f.organizationId === null ? null : names.get(f.organizationId) ?? null })),
      organizations,
      methods: METHODS,
      actions: ACTIONS,
      values,
      error
    })
  }

  app.get('/faults', { schema: { hide: true } }, async (_request, reply) => render(reply, {}, null))

  app.post('/faults', { schema: { hide: true, body: FaultForm } }, async (request, reply) => {
    try {
      // The control API's schema, then its checks and defaults (src/services/faults.ts): the same fault, or the same refusal.
      app.faults.add(checkBody(FaultBody, faultDocument(request.body)))
    } catch (err) {
      if (isRefusal(err, 400)) return render(reply.code(400), request.body, err.message)
      throw err
    }
    return reply.redirect(redirectTo(request, 'faults'), 303)
  })

  app.post('/faults/:faultId/delete', { schema: { hide: true, params: FaultIdParams } }, async (request, reply) => {
    app.faults.remove(request.params.faultId)
    return reply.redirect(redirectTo(request, 'faults'), 303)
  })

  app.post('/faults/clear', { schema: { hide: true } }, async (request, reply) => {
    app.faults.clear()
    return reply.redirect(redirectTo(request, 'faults'), 303)
  })
}

export default faults
