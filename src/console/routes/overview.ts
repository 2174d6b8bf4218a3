// The console's first page: every organization, with its plan, trial end, clock and counts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { query } from '../links.js'
import { PageNumber } from '../schemas.js'

const overview: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', {
    schema: {
      hide: true,
      querystring: Type.Object({ page: PageNumber }, { additionalProperties: false })
    }
  }, async (request, reply) => {
    const page = app.inspect.organizations(request.query.page)
    const organizations = page.items.map((organization) => ({
      ...organization,
      clock: app.clockControl.organization(organization.id).state()
    }))
    return reply.page('overview', {
      title: 'Organizations', organizations, page, clock: app.clockControl.state(), query: request.query, link: query
    })
  })
}

export default overview
