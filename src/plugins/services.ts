// The services plugin: builds the repositories once and the services that hold the rules.
import fp from 'fastify-plugin'
import { invitationsRepository, ORGANIZATION_INVITATIONS, PROJECT_INVITATIONS } from '../repositories/invitations.js'
import { peopleRepository } from '../repositories/people.js'
import { projectsRepository } from '../repositories/projects.js'
import { rolesRepository } from '../repositories/roles.js'
import { invitationService, type InvitationService } from '../services/invitations.js'
import { tenantService, type TenantService } from '../services/tenants.js'

declare module 'fastify' {
  interface FastifyInstance {
    invitations: InvitationService
    /** Organizations made and changed through the control API. */
    tenants: TenantService
  }
}

export default fp(async (app) => {
  app.decorate('invitations', invitationService({
    sqlite: app.sqlite,
    commits: app.commits,
    clock: app.clock,
    tokens: app.tokens,
    projects: projectsRepository(app.db),
    roles: rolesRepository(app.db),
    people: peopleRepository(app.sqlite, app.ids),
    projectInvitations: invitationsRepository(app.sqlite, PROJECT_INVITATIONS),
    organizationInvitations: invitationsRepository(app.sqlite, ORGANIZATION_INVITATIONS)
  }))
  app.decorate('tenants', tenantService({ db: app.db, sqlite: app.sqlite, ids: app.ids, now: () => app.clock.now() }))
}, { name: 'services', dependencies: ['db', 'clock'] })
