// Project invitations: /v1/projects/:projectId/invitations (list and create).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import type { InvitationRow } from '../../../repositories/invitations.js'
import { ProjectIdParams, errors } from '../../../schemas/common.js'
import {
  CreateProjectInvitationsBody,
  ProjectInvitationListResponse,
  type ProjectInvitation
} from '../../../schemas/invitations.js'

export interface InvitationRoutesOptions {
  maxEmails: number
}

export function toProjectInvitation (row: InvitationRow): ProjectInvitation {
  return {
    id: row.id,
    email: row.email,
    status: row.status,
    created_at: new Date(row.createdAt).toISOString(),
    projectRoleId: row.roleId
  }
}

const projectInvitations: FastifyPluginAsyncTypebox<InvitationRoutesOptions> = async (app, opts) => {
  app.get('/projects/:projectId/invitations', {
    schema: {
      tags: ['Project Invitations'],
      operationId: 'listProjectInvitations',
      summary: 'List Project Invitations',
      params: ProjectIdParams,
      response: { 200: ProjectInvitationListResponse, ...errors(401, 403, 404) }
    }
  }, async (request) => {
    const rows = app.invitations.listProjectInvitations(callerOf(request), request.params.projectId)
    return { success: true as const, data: { invitations: rows.map(toProjectInvitation) } }
  })

  app.post('/projects/:projectId/invitations', {
    schema: {
      tags: ['Project Invitations'],
      operationId: 'createProjectInvitations',
      summary: 'Create Project Invitations',
      params: ProjectIdParams,
      body: CreateProjectInvitationsBody(opts.maxEmails),
      response: { 200: ProjectInvitationListResponse, ...errors(400, 401, 403, 404, 413, 415) }
    }
  }, async (request) => {
    const { emails, projectRoleId } = request.body
    const rows = app.invitations.createProjectInvitations(
      callerOf(request), request.params.projectId, emails, projectRoleId ?? null)
    return { success: true as const, data: { invitations: rows.map(toProjectInvitation) } }
  })
}

export default projectInvitations
