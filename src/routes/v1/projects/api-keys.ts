// Project API keys: /v1/projects/:projectId/api-keys[/:apiKeyId] (list, mint, retrieve, set validity, delete).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import {
  ApiKeyListResponse,
  ApiKeyResponse,
  CreateApiKeyBody,
  DeletedApiKeyResponse,
  ProjectApiKeyParams,
  UpdateApiKeyBody
} from '../../../schemas/api-keys.js'
import { ProjectIdParams, errors } from '../../../schemas/common.js'
import { toApiKey } from '../presenters.js'
import { tag } from '../../tags.js'

const tags = tag('Project API Keys')

const projectApiKeys: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/projects/:projectId/api-keys', {
    schema: {
      tags,
      operationId: 'listProjectApiKeys',
      summary: 'List Project API Keys',
      description: 'The project\'s keys, by id ascending, each `value` redacted.',
      params: ProjectIdParams,
      response: { 200: ApiKeyListResponse, ...errors(401, 403, 404) }
    }
  }, async (request) => {
    const rows = app.apiKeys.list(callerOf(request), { projectId: request.params.projectId })
    return { success: true as const, data: { apiKeys: rows.map(toApiKey) } }
  })

  app.post('/projects/:projectId/api-keys', {
    schema: {
      tags,
      operationId: 'createProjectApiKey',
      summary: 'Create Project API Key',
      description: 'Mints a valid project key. Its full `value` appears in this answer only: the server keeps a digest and the last 6 characters.',
      params: ProjectIdParams,
      body: CreateApiKeyBody,
      response: { 200: ApiKeyResponse, ...errors(400, 401, 403, 404, 413, 415) }
    }
  }, async (request) => {
    const row = app.apiKeys.create(callerOf(request), { projectId: request.params.projectId }, request.body.name)
    return { success: true as const, data: { apiKey: toApiKey(row) } }
  })

  app.get('/projects/:projectId/api-keys/:apiKeyId', {
    schema: {
      tags,
      operationId: 'getProjectApiKey',
      summary: 'Get Project API Key',
      description: 'One key of the project, `value` redacted.',
      params: ProjectApiKeyParams,
      response: { 200: ApiKeyResponse, ...errors(400, 401, 403, 404) }
    }
  }, async (request) => {
    const { projectId, apiKeyId } = request.params
    const row = app.apiKeys.get(callerOf(request), { projectId }, apiKeyId)
    return { success: true as const, data: { apiKey: toApiKey(row) } }
  })

  app.put('/projects/:projectId/api-keys/:apiKeyId', {
    schema: {
      tags,
      operationId: 'updateProjectApiKey',
      summary: 'Update Project API Key',
      description: 'Activates or deactivates the key, at once.',
      params: ProjectApiKeyParams,
      body: UpdateApiKeyBody,
      response: { 200: ApiKeyResponse, ...errors(400, 401, 403, 404, 413, 415) }
    }
  }, async (request) => {
    const { projectId, apiKeyId } = request.params
    const row = app.apiKeys.setValid(callerOf(request), { projectId }, apiKeyId, request.body.valid)
    return { success: true as const, data: { apiKey: toApiKey(row) } }
  })

  app.delete('/projects/:projectId/api-keys/:apiKeyId', {
    schema: {
      tags,
      operationId: 'deleteProjectApiKey',
      summary: 'Revoke Project API Key',
      description: 'Deletes the key; it stops authenticating at once.',
      params: ProjectApiKeyParams,
      response: { 200: DeletedApiKeyResponse, ...errors(400, 401, 403, 404) }
    }
  }, async (request) => {
    const { projectId, apiKeyId } = request.params
    const id = app.apiKeys.remove(callerOf(request), { projectId }, apiKeyId)
    return { success: true as const, data: { id, deleted: true as const } }
  })
}

export default projectApiKeys
