// The services plugin: builds the repositories once and the services that hold the rules.
import fp from 'fastify-plugin'
import { invitationsRepository, PROJECT_INVITATIONS } from '../repositories/invitations.js'
import { projectsRepository } from '../repositories/projects.js'
import { rolesRepository } from '../repositories/roles.js'
import { invitationService, type InvitationService } from '../services/invitations.js'

declare module 'fastify' {
  interface FastifyInstance {
    invitations: InvitationService
  }
}

export default fp(async (app) => {
  app.decorate('invitations', invitationService({
    sqlite: app.sqlite,
    clock: app.clock,
    tokens: app.tokens,
    projects: projectsRepository(app.db),
    roles: rolesRepository(app.db),
    projectInvitations: invitationsRepository(app.sqlite, PROJECT_INVITATIONS)
  }))
}, { name: 'services', dependencies: ['db', 'clock'] })
