// An organization's page and its projects' pages: facts, projects, members, invitations, roles, policies, governance and keys (masked).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { query } from '../links.js'
import { Id, PageNumber } from '../schemas.js'

const Pages = Type.Object({ membersPage: PageNumber, invitationsPage: PageNumber }, { additionalProperties: false })

const notFound = (what: string) => ({ title: 'Not found', status: 404, message: `There is no ${what} with that id.` })

const organizations: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organizations/:organizationId', {
    schema: { hide: true, params: Type.Object({ organizationId: Id }), querystring: Pages }
  }, async (request, reply) => {
    const { organizationId } = request.params
    const detail = app.inspect.organization(organizationId, request.query)
    if (detail === null) return reply.code(404).page('error', notFound('organization'))
    return reply.page('organization', {
      title: detail.organization.name,
      ...detail,
      clock: app.clockControl.organization(organizationId).state(),
      query: request.query,
      link: query
    })
  })

  app.get('/organizations/:organizationId/projects/:projectId', {
    schema: { hide: true, params: Type.Object({ organizationId: Id, projectId: Id }), querystring: Pages }
  }, async (request, reply) => {
    const detail = app.inspect.project(request.params.organizationId, request.params.projectId, request.query)
    if (detail === null) return reply.code(404).page('error', notFound('project in this organization'))
    return reply.page('project', { title: `${detail.project.name} · ${detail.organization.name}`, ...detail, query: request.query, link: query })
  })
}

export default organizations
