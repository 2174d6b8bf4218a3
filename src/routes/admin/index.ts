// The server's own control surface under /__admin, apart from the vendor's /v1; optionally behind a token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { controlAccess, controlNotFound, type ControlAccessOptions } from '../../http/control-access.js'
import { strictJsonParser } from '../../http/json-body.js'
import { emptyIsNone } from '../../plugins/bodyless.js'
import adminClock from './clock.js'
import adminFaults from './faults.js'
import adminInvitations from './invitations.js'
import adminJournal from './journal.js'
import adminOrganizationClock from './organization-clock.js'
import adminOrganizations from './organizations.js'
import adminOutbox from './outbox.js'
import adminState from './state.js'

/** The token every control call must carry when set, and the origins CONFIDENT_MOCK_CORS lets in. */
export type AdminOptions = ControlAccessOptions

const admin: FastifyPluginAsyncTypebox<AdminOptions> = async (app, opts) => {
  // Calls from another site's page are refused, the token checked when set (src/http/control-access.ts).
  app.addHook('onRequest', controlAccess(opts))
  // Unknown paths under the prefix answer here, behind the same token check, not at the root.
  app.setNotFoundHandler(controlNotFound)
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
