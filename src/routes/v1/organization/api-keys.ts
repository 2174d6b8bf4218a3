// Organization API keys: /v1/organization/api-keys[/:apiKeyId] (list, mint, retrieve, set validity, delete).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../../plugins/auth.js'
import {
  ApiKeyIdParams,
  ApiKeyListResponse,
  ApiKeyResponse,
  CreateApiKeyBody,
  DeletedApiKeyResponse,
  UpdateApiKeyBody
} from '../../../schemas/api-keys.js'
import { errors } from '../../../schemas/common.js'
import type { KeyOwner } from '../../../services/api-keys.js'
import { toApiKey } from '../presenters.js'
import { tag } from '../../tags.js'

const tags = tag('Organization API Keys')
const owner: KeyOwner = { projectId: null }

const organizationApiKeys: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organization/api-keys', {
    schema: {
      tags,
      operationId: 'listOrganizationApiKeys',
      summary: 'List Organization API Keys',
      description: 'The organization\'s organization-scoped keys (not its project keys), by id ascending, each `value` redacted.',
      response: { 200: ApiKeyListResponse, ...errors(401, 403) }
    }
  }, async (request) => {
    const rows = app.apiKeys.list(callerOf(request), owner)
    return { success: true as const, data: { apiKeys: rows.map(toApiKey) } }
  })

  app.post('/organization/api-keys', {
    schema: {
      tags,
      operationId: 'createOrganizationApiKey',
      summary: 'Create Organization API Key',
      description: 'Mints a valid organization key. Its full `value` appears in this answer only: the server keeps a digest and the last 6 characters.',
      body: CreateApiKeyBody,
      response: { 200: ApiKeyResponse, ...errors(400, 401, 403, 413, 415) }
    }
  }, async (request) => {
    const row = app.apiKeys.create(callerOf(request), owner, request.body.name)
    return { success: true as const, data: { apiKey: toApiKey(row) } }
  })

  app.get('/organization/api-keys/:apiKeyId', {
    schema: {
      tags,
      operationId: 'getOrganizationApiKey',
      summary: 'Get Organization API Key',
      description: 'One organization key of the organization, `value` redacted; a project key\'s id is a 404 here.',
      params: ApiKeyIdParams,
      response: { 200: ApiKeyResponse, ...errors(400, 401, 403, 404) }
    }
  }, async (request) => {
    const row = app.apiKeys.get(callerOf(request), owner, request.params.apiKeyId)
    return { success: true as const, data: { apiKey: toApiKey(row) } }
  })

  app.put('/organization/api-keys/:apiKeyId', {
    schema: {
      tags,
      operationId: 'updateOrganizationApiKey',
      summary: 'Update Organization API Key',
      description: 'Activates or deactivates the key, at once: a key deactivated by its own request gets this answer, then 401s. Deactivating the organization\'s last valid organization key is a 409.',
      params: ApiKeyIdParams,
      body: UpdateApiKeyBody,
      response: { 200: ApiKeyResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const row = app.apiKeys.setValid(callerOf(request), owner, request.params.apiKeyId, request.body.valid)
    return { success: true as const, data: { apiKey: toApiKey(row) } }
  })

  app.delete('/organization/api-keys/:apiKeyId', {
    schema: {
      tags,
      operationId: 'deleteOrganizationApiKey',
      summary: 'Revoke Organization API Key',
      description: 'Deletes the key; it stops authenticating at once. Deleting the organization\'s last valid organization key is a 409.',
      params: ApiKeyIdParams,
      response: { 200: DeletedApiKeyResponse, ...errors(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const id = app.apiKeys.remove(callerOf(request), owner, request.params.apiKeyId)
    return { success: true as const, data: { id, deleted: true as const } }
  })
}

export default organizationApiKeys
