// Projects: /v1/projects (list, create) and /v1/projects/:projectId (retrieve, update, delete).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from '../../plugins/auth.js'
import { ProjectIdParams, errors } from '../../schemas/common.js'
import {
  CreatedProjectResponse,
  CreateProjectBody,
  DeletedProjectResponse,
  ProjectListResponse,
  ProjectResponse,
  UpdateProjectBody
} from '../../schemas/projects.js'
import { toNewApiKey, toProject } from './presenters.js'
import { tag } from '../tags.js'

const tags = tag('Projects')

const projects: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/projects', {
    schema: {
      tags,
      operationId: 'listProjects',
      summary: 'List Projects',
      description: 'The organization\'s projects, in creation order.',
      response: { 200: ProjectListResponse, ...errors(401, 403) }
    }
  }, async (request) => {
    const rows = app.projects.list(callerOf(request))
    return { success: true as const, data: { projects: rows.map(toProject) } }
  })

  app.post('/projects', {
    schema: {
      tags,
      operationId: 'createProject',
      summary: 'Create Project',
      description: 'Creates a project and its default project API key, whose full value appears only in this answer. With `email`, that organization member becomes the project\'s Owner. A name taken in the organization is a 409.',
      body: CreateProjectBody,
      response: { 200: CreatedProjectResponse, ...errors(400, 401, 403, 409, 413, 415) }
    }
  }, async (request) => {
    const { project, apiKey } = app.projects.create(callerOf(request), request.body)
    return { success: true as const, data: { project: toProject(project), apiKey: toNewApiKey(apiKey) } }
  })

  app.get('/projects/:projectId', {
    schema: {
      tags,
      operationId: 'getProject',
      summary: 'Retrieve Project',
      description: 'One project of the key\'s organization.',
      params: ProjectIdParams,
      response: { 200: ProjectResponse, ...errors(401, 403, 404) }
    }
  }, async (request) => {
    const row = app.projects.get(callerOf(request), request.params.projectId)
    return { success: true as const, data: { project: toProject(row) } }
  })

  app.put('/projects/:projectId', {
    schema: {
      tags,
      operationId: 'updateProject',
      summary: 'Update Project',
      description: 'Changes the name or description; fields left out are kept. A name another project of the organization has is a 409.',
      params: ProjectIdParams,
      body: UpdateProjectBody,
      response: { 200: ProjectResponse, ...errors(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request) => {
    const row = app.projects.update(callerOf(request), request.params.projectId, request.body)
    return { success: true as const, data: { project: toProject(row) } }
  })

  app.delete('/projects/:projectId', {
    schema: {
      tags,
      operationId: 'deleteProject',
      summary: 'Delete Project',
      description: 'Deletes the project with its members, invitations, custom roles, policies and API keys.',
      params: ProjectIdParams,
      response: { 200: DeletedProjectResponse, ...errors(400, 401, 403, 404) }
    }
  }, async (request) => {
    const id = app.projects.remove(callerOf(request), request.params.projectId)
    return { success: true as const, data: { id, deleted: true as const } }
  })
}

export default projects
