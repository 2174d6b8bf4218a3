// Where a /v1 call acts: the caller's organization itself, or one of its projects; any other project is a 404.
import type { Caller, RoleScope } from '../domain/vocabulary.js'
import { ProjectNotFoundError } from '../domain/errors.js'
import type { ProjectRef, ProjectRow, ProjectsRepository } from '../repositories/projects.js'

/** Whose roles, policies or invitations: the caller's organization (projectId null) or one of its projects. */
export interface Owner {
  scope: RoleScope
  /** The project's id, or the organization's. */
  ownerId: string
  organizationId: string
  projectId: string | null
  noun: 'organization' | 'project'
}

function found<T> (project: T | null): T {
  if (project === null) throw new ProjectNotFoundError()
  return project
}

/** A project of the caller's organization: another organization's is as absent as a missing one (404). */
export function requireProject (projects: ProjectsRepository, caller: Caller, projectId: string): ProjectRef {
  return found(projects.findForOrg(projectId, caller.organizationId))
}

/** The same, with everything the API shows of the project. */
export function requireProjectRow (projects: ProjectsRepository, caller: Caller, projectId: string): ProjectRow {
  return found(projects.findRowForOrg(projectId, caller.organizationId))
}

/** The caller's organization itself (projectId null), or a project of it (404 otherwise). */
export function requireOwner (projects: ProjectsRepository, caller: Caller, projectId: string | null): Owner {
  if (projectId === null) {
    return { scope: 'ORGANIZATION', ownerId: caller.organizationId, organizationId: caller.organizationId, projectId: null, noun: 'organization' }
  }
  const project = requireProject(projects, caller, projectId)
  return { scope: 'PROJECT', ownerId: project.id, organizationId: project.organizationId, projectId: project.id, noun: 'project' }
}
