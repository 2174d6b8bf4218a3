// The server's own control surface under /__admin, apart from the vendor's /v1.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import adminInvitations from './invitations.js'

const admin: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(adminInvitations)
}

export default admin
