// The organization plugin: decorates the services behind the projects, roles, permissions and governance endpoints.
import fp from 'fastify-plugin'
import { apiKeysRepository } from '../repositories/api-keys.js'
import { governancePoliciesRepository } from '../repositories/governance-policies.js'
import { organizationsRepository } from '../repositories/organizations.js'
import { peopleRepository } from '../repositories/people.js'
import { permissionsRepository } from '../repositories/permissions.js'
import { policiesRepository } from '../repositories/policies.js'
import { projectsRepository } from '../repositories/projects.js'
import { rolesRepository } from '../repositories/roles.js'
import { accessService, type AccessService } from '../services/access.js'
import { apiKeyService, type ApiKeyService } from '../services/api-keys.js'
import { organizationService, type OrganizationService } from '../services/organization.js'
import { projectService, type ProjectService } from '../services/projects.js'

declare module 'fastify' {
  interface FastifyInstance {
    projects: ProjectService
    organization: OrganizationService
    /** Organization and project API keys. */
    apiKeys: ApiKeyService
    /** Custom policies and roles. */
    access: AccessService
  }
}

export default fp(async (app) => {
  const projects = projectsRepository(app.db)
  const organizations = organizationsRepository(app.db)
  app.decorate('projects', projectService({
    sqlite: app.sqlite,
    clock: app.clock,
    ids: app.ids,
    projects,
    organizations,
    apiKeys: apiKeysRepository(app.db),
    people: peopleRepository(app.sqlite, app.ids)
  }))
  app.decorate('organization', organizationService({
    sqlite: app.sqlite,
    organizations,
    projects,
    roles: rolesRepository(app.db),
    permissions: permissionsRepository(app.db),
    governancePolicies: governancePoliciesRepository(app.db)
  }))
  app.decorate('apiKeys', apiKeyService({ sqlite: app.sqlite, clock: app.clock, apiKeys: apiKeysRepository(app.db), projects }))
  app.decorate('access', accessService({
    sqlite: app.sqlite, clock: app.clock, ids: app.ids, projects, policies: policiesRepository(app.db), roles: rolesRepository(app.db)
  }))
}, { name: 'organization', dependencies: ['db', 'clock'] })
