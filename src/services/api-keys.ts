// The API key rules, once for both kinds: which keys a route sees, minting once, validity, deletion, the last organization key.
import type { Transact, Tx } from '../db/transaction.js'
import type { Clocks } from '../domain/clock.js'
import { ApiKeyNotFoundError, LastOrganizationKeyError } from '../domain/errors.js'
import { newKey, storedKey } from '../domain/keys.js'

import type { ApiKeysRepository, StoredKeyRow } from '../repositories/api-keys.js'
import type { ProjectsRepository } from '../repositories/projects.js'
import { wouldLockOut } from '../domain/rules.js'
import type { Caller } from '../domain/vocabulary.js'
import { requireProject } from './scope.js'

export interface ApiKeyServiceDeps {
  transact: Transact
  /** Timestamps read the caller's organization's clock. */
  clocks: Clocks
  apiKeys: ApiKeysRepository
  projects: ProjectsRepository
}

/** Whose keys a route handles: the organization's own (projectId null) or one project's. */
export type KeyOwner = { projectId: null } | { projectId: string }

export interface MintedKey extends StoredKeyRow {
  /** The clear key: it exists nowhere else once this answer is sent. */
  value: string
}

export function apiKeyService (deps: ApiKeyServiceDeps) {
  const { transact, clocks, apiKeys, projects } = deps

  /** A project of another organization is as absent as a missing one; checked before any key. */
  function requireOwner (caller: Caller, owner: KeyOwner): void {
    if (owner.projectId !== null) requireProject(projects, caller, owner.projectId)
  }

  /** A key of the owner; a project key on the organization routes, or the reverse, is absent. */
  function requireKey (caller: Caller, owner: KeyOwner, id: number): StoredKeyRow {
    requireOwner(caller, owner)
    const key = owner.projectId === null ? apiKeys.findForOrg(id, caller.organizationId) : apiKeys.findForProject(id, owner.projectId)
    if (key === null) throw new ApiKeyNotFoundError()
    return key
  }

  /** The last valid organization key of an organization stays (src/domain/rules.ts); project keys have no such rule. */
  function requireNotLast (caller: Caller, owner: KeyOwner, key: StoredKeyRow, action: 'invalidate' | 'delete'): void {
    if (owner.projectId === null && wouldLockOut(key.valid, apiKeys.countValidForOrg(caller.organizationId))) {
      throw new LastOrganizationKeyError(action)
    }
  }

  // better-sqlite3 transactions are synchronous. Run IMMEDIATE, so that the count of valid keys and
  // the write hold the write lock together: two requests can never each invalidate one of the last two.
  function mint (tx: Tx, caller: Caller, owner: KeyOwner, name: string, now: number): MintedKey {
    requireOwner(caller, owner)
    const value = newKey(owner.projectId === null ? 'organization' : 'project')
    const stored = storedKey(value)
    const row = apiKeys.insert(tx, { organizationId: caller.organizationId, projectId: owner.projectId, name, ...stored, createdAt: now })
    return { ...row, last6: stored.last6, value }
  }

  function setValid (tx: Tx, caller: Caller, owner: KeyOwner, id: number, valid: boolean): StoredKeyRow {
    const key = requireKey(caller, owner, id)
    if (!valid) requireNotLast(caller, owner, key, 'invalidate')
    if (key.valid !== valid) apiKeys.setValid(tx, key.id, valid)
    return { ...key, valid }
  }

  function remove (tx: Tx, caller: Caller, owner: KeyOwner, id: number): number {
    const key = requireKey(caller, owner, id)
    requireNotLast(caller, owner, key, 'delete')
    apiKeys.delete(tx, key.id)
    return key.id
  }

  return {
    /** The owner's keys by id ascending, each with only its last 6 characters. */
    list (caller: Caller, owner: KeyOwner): StoredKeyRow[] {
      requireOwner(caller, owner)
      return owner.projectId === null ? apiKeys.listForOrg(caller.organizationId) : apiKeys.listForProject(owner.projectId)
    },

    /** Mints a valid key; only its digest and last 6 characters are stored. */
    create (caller: Caller, owner: KeyOwner, name: string): MintedKey {
      return transact((tx) => mint(tx, caller, owner, name, clocks.now(caller.organizationId)))
    },

    get (caller: Caller, owner: KeyOwner, id: number): StoredKeyRow {
      return requireKey(caller, owner, id)
    },

    /**
     * Sets `valid`; the key authenticates (or stops) from the next request on, the caller's own key
     * included. Invalidating the organization's last valid organization key is a 409.
     */
    setValid (caller: Caller, owner: KeyOwner, id: number, valid: boolean): StoredKeyRow {
      return transact((tx) => setValid(tx, caller, owner, id, valid))
    },

    /** Deletes the key; deleting the organization's last valid organization key is a 409. */
    remove (caller: Caller, owner: KeyOwner, id: number): number {
      return transact((tx) => remove(tx, caller, owner, id))
    }
  }
}

export type ApiKeyService = ReturnType<typeof apiKeyService>
