// Governance policies: /v1/organization/governance-policies (list, with controls and enrolled project counts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { errors } from '../../../schemas/common.js'
import { GovernancePolicyListResponse } from '../../../schemas/governance-policies.js'

const governancePolicies: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organization/governance-policies', {
    schema: {
      tags: ['Organization Governance Policies'],
      operationId: 'listGovernancePolicies',
      summary: 'List Governance Policies',
      description: 'The organization\'s governance policies with their controls and the number of its projects enrolled in each.',
      response: { 200: GovernancePolicyListResponse, ...errors(401, 403) }
    }
  }, async (request) => {
    return { success: true as const, data: { governancePolicies: app.organization.governancePolicies(callerOf(request)) } }
  })
}

export default governancePolicies
