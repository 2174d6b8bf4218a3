// The server's own control surface under /__admin, apart from the vendor's /v1; optionally behind a token.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { isCrossSite } from '../../http/cross-site.js'
import { AdminTokenInvalidError, AdminTokenMissingError, CrossSiteRequestError } from '../../domain/errors.js'
import { emptyIsNone } from '../../plugins/bodyless.js'
import { envelope } from '../../domain/errors.js'
import { strictJsonParser } from '../../http/json-body.js'
import adminClock from './clock.js'
import adminFaults from './faults.js'
import adminInvitations from './invitations.js'
import adminJournal from './journal.js'
import adminOrganizationClock from './organization-clock.js'
import adminOrganizations from './organizations.js'
import adminOutbox from './outbox.js'
import adminState from './state.js'

export interface AdminOptions {
  /** When set, every control call must carry it. */
  token?: string | undefined
  /** The origins CONFIDENT_MOCK_CORS lets in (a browser console of theirs may change state). */
  cors?: '*' | string[] | undefined
}

const sha256 = (text: string) => createHash('sha256').update(text).digest()

/** The token a request carries: X-Admin-Token, or Authorization: Bearer. */
function tokenOf (request: FastifyRequest): string | null {
  const header = request.headers['x-admin-token']
  if (typeof header === 'string' && header !== '') return header
  const auth = request.headers.authorization
  const match = typeof auth === 'string' ? /^Bearer\s+(\S.*)$/i.exec(auth) : null
  return match === null ? null : match[1]!.trim()
}

const admin: FastifyPluginAsyncTypebox<AdminOptions> = async (app, opts) => {
  // A page of another site must not reset an open server on 127.0.0.1 with a form or a no-cors
  // fetch (the token, when set, is a header no page can add; without one the control API is
  // open): a state-changing call a browser says came from another site is refused, unless its
  // origin is one CONFIDENT_MOCK_CORS names.
  const allowed = (origin: string | undefined) => opts.cors === '*' || (origin !== undefined && opts.cors?.includes(origin) === true)
  app.addHook('onRequest', async (request) => {
    if (isCrossSite(request) && !allowed(request.headers.origin)) throw new CrossSiteRequestError()
  })
  if (opts.token !== undefined) {
    // Digests of equal length, compared in constant time: neither the token nor its length leaks.
    const expected = sha256(opts.token)
    app.addHook('onRequest', async (request) => {
      const given = tokenOf(request)
      if (given === null) throw new AdminTokenMissingError()
      if (!timingSafeEqual(sha256(given), expected)) throw new AdminTokenInvalidError()
    })
  }
  // Unknown paths under the prefix answer here, behind the same token check, not at the root.
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(envelope(`Route ${request.method} ${request.url.split('?')[0]} not found`))
  })
  // Control calls whose body is optional are often sent with a JSON content type and nothing in
  // it: read an empty body as none (the default parser refuses it), anything else as at the root.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' },
    strictJsonParser(app.getDefaultJsonParser('remove', 'remove'), { emptyIsNone: true }))
  // Sent with no body at all, whatever its Content-Type, it is a call with no options (src/plugins/bodyless.ts).
  app.addHook('preParsing', emptyIsNone)
  // A control call with no body means "no options": validate it as an empty object.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined || request.body === null) request.body = {}
  })
  await app.register(adminOrganizations)
  await app.register(adminState)
  await app.register(adminClock)
  await app.register(adminOrganizationClock)
  await app.register(adminOutbox)
  await app.register(adminInvitations)
  await app.register(adminJournal)
  await app.register(adminFaults)
}

export default admin
