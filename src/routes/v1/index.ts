// The vendor's /v1 surface: every route in this scope needs an organization API key.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import projectInvitations from './projects/invitations.js'
import projectMembers from './projects/members.js'
import organizationMembers from './organization/members.js'
import organizationInvitations from './organization/invitations.js'

export interface V1Options {
  maxEmails: number
}

const v1: FastifyPluginAsyncTypebox<V1Options> = async (app, opts) => {
  app.addHook('onRequest', app.authenticate)
  await app.register(projectInvitations, { maxEmails: opts.maxEmails })
  await app.register(projectMembers)
  await app.register(organizationMembers)
  await app.register(organizationInvitations, { maxEmails: opts.maxEmails })
}

export default v1
