// The vendor's /v1 surface: every route in this scope needs an organization API key.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import projectInvitations from './projects/invitations.js'
import projectMembers from './projects/members.js'
import organizationMembers from './organization/members.js'
import organizationInvitations from './organization/invitations.js'
import organization from './organization.js'
import organizationRoles from './organization/roles.js'
import organizationPermissions from './organization/permissions.js'
import governancePolicies from './organization/governance-policies.js'
import projects from './projects.js'
import projectRoles from './projects/roles.js'
import projectPermissions from './projects/permissions.js'
import organizationApiKeys from './organization/api-keys.js'
import projectApiKeys from './projects/api-keys.js'
import organizationPolicies from './organization/policies.js'
import projectPolicies from './projects/policies.js'

export interface V1Options {
  maxEmails: number
}

const v1: FastifyPluginAsyncTypebox<V1Options> = async (app, opts) => {
  app.addHook('onRequest', app.authenticate)
  await app.register(projectInvitations, { maxEmails: opts.maxEmails })
  await app.register(projectMembers)
  await app.register(organizationMembers)
  await app.register(organizationInvitations, { maxEmails: opts.maxEmails })
  await app.register(organization)
  await app.register(organizationRoles)
  await app.register(organizationPermissions)
  await app.register(governancePolicies)
  await app.register(projects)
  await app.register(projectRoles)
  await app.register(projectPermissions)
  await app.register(organizationApiKeys)
  await app.register(projectApiKeys)
  await app.register(organizationPolicies)
  await app.register(projectPolicies)
}

export default v1
