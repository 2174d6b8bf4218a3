// The project rules: names unique in the organization, an optional Owner from its members, a key minted once, deletion.
import type { Clocks } from '../domain/clock.js'
import type { IdGenerator } from '../db/ids.js'
import type { Transact, Tx } from '../db/transaction.js'
import { NotAnOrganizationMemberError, ProjectNameTakenError } from '../domain/errors.js'
import { systemRoleId } from '../domain/roles.js'
import { newKey, storedKey } from '../domain/keys.js'

import type { ApiKeysRepository, KeyRow } from '../repositories/api-keys.js'
import type { OrganizationsRepository } from '../repositories/organizations.js'
import type { PeopleRepository } from '../repositories/people.js'
import type { ProjectRow, ProjectsRepository } from '../repositories/projects.js'
import { NEW_PROJECT_KEY_NAME, normalizeEmail } from '../domain/rules.js'
import { OWNER_ROLE, type Caller } from '../domain/vocabulary.js'
import { requireProject, requireProjectRow } from './scope.js'

export interface ProjectServiceDeps {
  transact: Transact
  /** Timestamps read the caller's organization's clock. */
  clocks: Clocks
  ids: IdGenerator
  projects: ProjectsRepository
  organizations: OrganizationsRepository
  apiKeys: ApiKeysRepository
  people: PeopleRepository
}

export interface NewProjectInput {
  name: string
  description?: string | undefined
  /** An organization member who becomes the project's Owner. */
  email?: string | undefined
}

export interface ProjectChanges {
  name?: string | undefined
  description?: string | undefined
}

export interface CreatedProject {
  project: ProjectRow
  /** The new project key: `value` is its clear text, which exists nowhere else afterwards. */
  apiKey: KeyRow & { value: string }
}

export function projectService (deps: ProjectServiceDeps) {
  const { transact, clocks, ids, projects, organizations, apiKeys, people } = deps

  function requireFreeName (organizationId: string, name: string, exceptId?: string) {
    if (projects.nameTaken(organizationId, name, exceptId)) throw new ProjectNameTakenError(name)
  }

  // Run in one IMMEDIATE transaction (src/db/transaction.ts), so the name check and the insert hold
  // the write lock together (a second process on the file waits).
  function insertProject (tx: Tx, caller: Caller, input: NewProjectInput, now: number): CreatedProject {
    const ownerId = input.email === undefined ? null : organizations.memberByEmail(caller.organizationId, normalizeEmail(input.email))
    if (input.email !== undefined && ownerId === null) throw new NotAnOrganizationMemberError()
    requireFreeName(caller.organizationId, input.name)
    const id = ids.cuid()
    projects.insert(tx, { id, organizationId: caller.organizationId, name: input.name, description: input.description ?? null, createdAt: now })
    if (ownerId !== null) people.joinProject(tx, id, ownerId, systemRoleId('PROJECT', OWNER_ROLE), now)
    const value = newKey('project')
    const key = apiKeys.insert(tx, { organizationId: caller.organizationId, projectId: id, name: NEW_PROJECT_KEY_NAME, ...storedKey(value), createdAt: now })
    return { project: projects.findRowForOrg(id, caller.organizationId)!, apiKey: { ...key, value } }
  }

  function updateProject (tx: Tx, caller: Caller, projectId: string, changes: ProjectChanges): ProjectRow {
    const project = requireProject(projects, caller, projectId)
    if (changes.name !== undefined) requireFreeName(caller.organizationId, changes.name, project.id)
    projects.update(tx, project.id, { name: changes.name, description: changes.description })
    return projects.findRowForOrg(project.id, caller.organizationId)!
  }

  return {
    /** The caller's organization's projects, in creation order. */
    list (caller: Caller): ProjectRow[] {
      return projects.listForOrg(caller.organizationId)
    },

    get (caller: Caller, projectId: string): ProjectRow {
      return requireProjectRow(projects, caller, projectId)
    },

    /**
     * Checks, first failure wins: `email` names a member of the organization (400), the name is
     * free (409). Then the project, its Owner (only when `email` is given: otherwise the project has
     * no members) and its key, in one transaction.
     */
    create (caller: Caller, input: NewProjectInput): CreatedProject {
      return transact((tx) => insertProject(tx, caller, input, clocks.now(caller.organizationId)))
    },

    /** Project (404), then a new name free in the organization (409); a field left out is kept. */
    update (caller: Caller, projectId: string, changes: ProjectChanges): ProjectRow {
      return transact((tx) => updateProject(tx, caller, projectId, changes))
    },

    /** Deletes the project with its members, invitations, custom roles, policies and keys (database cascades). */
    remove (caller: Caller, projectId: string): string {
      return transact((tx) => {
        const project = requireProject(projects, caller, projectId)
        projects.delete(tx, project.id)
        return project.id
      })
    }
  }
}

export type ProjectService = ReturnType<typeof projectService>
