// The members plugin: decorates the service that lists project and organization members, changes their roles and removes them.
import fp from 'fastify-plugin'
import {
  membersRepository, organizationProjectsRepository, ORGANIZATION_MEMBERS, PROJECT_MEMBERS
} from '../repositories/members.js'
import { projectsRepository } from '../repositories/projects.js'
import { rolesRepository } from '../repositories/roles.js'
import { memberService, type MemberService } from '../services/members.js'

declare module 'fastify' {
  interface FastifyInstance {
    members: MemberService
  }
}

export default fp(async (app) => {
  app.decorate('members', memberService({
    sqlite: app.sqlite,
    projects: projectsRepository(app.db),
    roles: rolesRepository(app.db),
    projectMembers: membersRepository(app.db, PROJECT_MEMBERS),
    organizationMembers: membersRepository(app.db, ORGANIZATION_MEMBERS),
    organizationProjects: organizationProjectsRepository(app.db)
  }))
}, { name: 'members', dependencies: ['db'] })
