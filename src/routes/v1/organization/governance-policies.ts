// Governance policies: /v1/organization/governance-policies (list) and /:policyId (assign, unassign, list projects).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import { errors, pageOf } from '../../../schemas/common.js'
import {
  AssignedProjectsResponse,
  GovernancePolicyListResponse,
  GovernancePolicyParams,
  GovernancePolicyProjectsQuery,
  GovernancePolicyProjectsResponse,
  GovernanceProjectIdsBody,
  UnassignedProjectsResponse
} from '../../../schemas/governance-policies.js'
import { tag } from '../../tags.js'

const TAGS = tag('Organization Governance Policies')

const governancePolicies: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organization/governance-policies', {
    schema: {
      tags: TAGS,
      operationId: 'listGovernancePolicies',
      summary: 'List Governance Policies',
      description: 'The organization\'s governance policies with their controls and the number of its projects enrolled in each.',
      response: { 200: GovernancePolicyListResponse, ...errors(401, 403) }
    }
  }, async (request) => {
    return { success: true as const, data: { governancePolicies: app.organization.governancePolicies(callerOf(request)) } }
  })

  app.post('/organization/governance-policies/:policyId/assign', {
    schema: {
      tags: TAGS,
      operationId: 'assignProjectsToGovernancePolicy',
      summary: 'Assign Projects to Governance Policy',
      description: 'Enrolls projects of the organization in the policy, moving them off any other; ids that name no project of the organization are reported in `notFoundProjectIds`.',
      params: GovernancePolicyParams,
      body: GovernanceProjectIdsBody,
      response: { 200: AssignedProjectsResponse, ...errors(400, 401, 403, 404, 413, 415) }
    }
  }, async (request) => {
    const result = app.organization.assignProjects(callerOf(request), request.params.policyId, request.body.projectIds)
    return { success: true as const, data: { ...result, count: result.assignedProjectIds.length } }
  })

  app.post('/organization/governance-policies/:policyId/unassign', {
    schema: {
      tags: TAGS,
      operationId: 'unassignProjectsFromGovernancePolicy',
      summary: 'Unassign Projects from Governance Policy',
      description: 'Takes projects off the policy; ids that name no project of the organization on this policy are reported in `skippedProjectIds`.',
      params: GovernancePolicyParams,
      body: GovernanceProjectIdsBody,
      response: { 200: UnassignedProjectsResponse, ...errors(400, 401, 403, 404, 413, 415) }
    }
  }, async (request) => {
    const result = app.organization.unassignProjects(callerOf(request), request.params.policyId, request.body.projectIds)
    return { success: true as const, data: { ...result, count: result.unassignedProjectIds.length } }
  })

  app.get('/organization/governance-policies/:policyId/projects', {
    schema: {
      tags: TAGS,
      operationId: 'listGovernancePolicyProjects',
      summary: 'List Governance Policy Projects',
      description: 'One page of the projects enrolled in the policy, by name then id; `total` counts them all.',
      params: GovernancePolicyParams,
      querystring: GovernancePolicyProjectsQuery,
      response: { 200: GovernancePolicyProjectsResponse, ...errors(400, 401, 403, 404) }
    }
  }, async (request) => {
    // The query schema fills in the defaults; pageOf only says so to the type.
    const { page, pageSize } = pageOf(request.query)
    return { success: true as const, data: app.organization.governancePolicyProjects(callerOf(request), request.params.policyId, page, pageSize) }
  })
}

export default governancePolicies
