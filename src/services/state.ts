// The whole stored state: what boot puts in it, a reset back to that (or to nothing), a snapshot out and in.
import { applyFixtures, digestOf, type ApplyOptions, type ApplyResult } from '../boot-state/apply.js'
import { catalogue } from '../boot-state/catalog.js'
import { systemRoleId } from '../domain/roles.js'
import { DEMO_FIXTURES, DEMO_ORG_KEY, DEMO_PROJECT_ID, type DemoInfo } from '../boot-state/demo.js'
import { FixturesError, parseStoredOrganization, readFixturesFile } from '../boot-state/parse.js'
import type { Fixtures, LoadableFixtures } from '../boot-state/schema.js'
import type { Clocks } from '../domain/clock.js'
import type { IdGenerator } from '../db/ids.js'
import type { TokenSigner } from '../db/tokens.js'
import type { Transact } from '../db/transaction.js'
import { SYSTEM_ORGANIZATION_ROLES, SYSTEM_PROJECT_ROLES } from '../domain/vocabulary.js'
import { BadDocumentError } from '../domain/errors.js'
import { keyDigest } from '../domain/keys.js'
import type { ApiKeysRepository } from '../repositories/api-keys.js'
import type { DocumentsRepository } from '../repositories/documents.js'
import { type Snapshot, SnapshotError, type StateRepository } from '../repositories/state.js'
import type { TenantsRepository } from '../repositories/tenants.js'
import { EARLIEST_ISO_MS, LATEST_ISO_MS } from '../schemas/common.js'

/** What boot did, for the log line and the banner. */
export interface BootResult {
  /** fixtures: the configured document was applied; already: it had been, to this file; demo: a new database was seeded; kept: the database was left as it was. */
  outcome: 'fixtures' | 'already' | 'demo' | 'kept'
  demo: DemoInfo | null
}

export interface StateServiceDeps {
  transact: Transact
  ids: IdGenerator
  tokens: TokenSigner
  /** The server clock, and the organizations' own clocks (a reset or an import drops them). */
  clocks: Clocks
  apiKeys: ApiKeysRepository
  tenants: TenantsRepository
  documents: DocumentsRepository
  state: StateRepository
  /** A fixtures file to read, or a document given directly (tests, the embeddable API); none: the demo organization. */
  fixtures?: string | Fixtures | undefined
  /** The document boot applies (bootDocumentOf(fixtures)), shared with the tenants' reset. */
  bootDocument: () => Fixtures
}

/** The boot document, read once on first use: the configured fixtures (a file or a document), or the demo organization. */
export function bootDocumentOf (fixtures: string | Fixtures | undefined): () => Fixtures {
  let doc: Fixtures | undefined
  return () => (doc ??= fixtures === undefined ? DEMO_FIXTURES : typeof fixtures === 'string' ? readFixturesFile(fixtures) : fixtures)
}

/** A snapshot the import accepted: every table an array of row objects. */
type ImportedSnapshot = { tables: Record<string, Array<Record<string, unknown>> | undefined> }

/**
 * What the import itself lets through but the server cannot live with: a time outside the years
 * 0000-9999 (the answers that show it as a date-time would fail), and a missing system role (every
 * invitation accepted, every new member is given one: each would fail on the reference).
 */
function checkImported ({ tables }: ImportedSnapshot): void {
  for (const [table, rows] of Object.entries(tables)) {
    for (const [i, row] of (rows ?? []).entries()) {
      for (const [column, value] of Object.entries(row)) {
        if (column.endsWith('_at') && typeof value === 'number' && (value < EARLIEST_ISO_MS || value > LATEST_ISO_MS)) {
          throw new SnapshotError(`tables.${table}[${i}].${column} must be a time from 0000-01-01 to 9999-12-31 (milliseconds since the epoch)`)
        }
      }
    }
  }
  const roles = tables['roles'] ?? []
  for (const [scope, names] of [['PROJECT', SYSTEM_PROJECT_ROLES], ['ORGANIZATION', SYSTEM_ORGANIZATION_ROLES]] as const) {
    for (const name of names) {
      const id = systemRoleId(scope, name)
      const found = roles.some((r) => r['id'] === id && r['scope'] === scope && r['name'] === name &&
        (r['organization_id'] ?? null) === null && (r['project_id'] ?? null) === null)
      if (!found) throw new SnapshotError(`tables.roles must hold the system role ${scope} ${name} (id ${id}) as this server defines it`)
    }
  }
  // The documents organizations were made from: a reset of one applies its document again.
  for (const [i, row] of (tables['organization_documents'] ?? []).entries()) {
    const where = `tables.organization_documents[${i}]`
    try {
      const doc = parseStoredOrganization(String(row['document']), `${where}.document`)
      if (doc.id !== row['organization_id']) throw new SnapshotError(`${where}.document must be the document of its organization_id (its id differs)`)
    } catch (err) {
      if (err instanceof FixturesError) throw new SnapshotError(err.message)
      throw err
    }
  }
}

export function stateService (deps: StateServiceDeps) {
  const { transact, ids, tokens, clocks, apiKeys, tenants, documents, state, bootDocument } = deps
  const clock = clocks.server

  return {
    /**
     * At boot: applies the fixtures (once per database file), or seeds the demo organization into
     * a new database. A database emptied on purpose (a reset to empty) stays empty.
     */
    boot (): BootResult {
      const now = clock.now()
      const doc = bootDocument()
      const outcome = transact((tx): BootResult['outcome'] => {
        if (deps.fixtures !== undefined) return applyFixtures(tx, documents, ids, doc, now).applied ? 'fixtures' : 'already'
        if (tenants.list().length === 0 && documents.fixturesDigest() === null) {
          applyFixtures(tx, documents, ids, doc, now)
          return 'demo'
        }
        documents.addCatalogue(tx, catalogue(now))
        return 'kept'
      })
      const demo = apiKeys.findByDigest(keyDigest(DEMO_ORG_KEY)) === null ? null : { apiKey: DEMO_ORG_KEY, projectId: DEMO_PROJECT_ID }
      return { outcome, demo }
    },

    /**
     * Back to the boot fixtures, or to nothing, in one transaction, with the server clock reset
     * first and every organization's own clock dropped; the organizations made.
     */
    reset (to: 'fixtures' | 'empty'): string[] {
      clock.reset()
      clocks.dropAll()
      const now = clock.now()
      const doc = bootDocument()
      return transact((tx) => {
        state.clear(tx)
        if (to === 'empty') {
          documents.addCatalogue(tx, catalogue(now))
          // Marked as applied, so a restart keeps the database empty rather than seeding it again.
          documents.recordFixturesDigest(tx, digestOf(doc))
          return []
        }
        return applyFixtures(tx, documents, ids, doc, now, { force: true }).organizationIds
      })
    },

    /**
     * Applies a fixtures document in one transaction, at `now` (the server clock's time unless
     * given): what tests seed their organizations with, beside the boot document.
     */
    apply (fixtures: LoadableFixtures, now = clock.now(), opts: ApplyOptions = {}): ApplyResult {
      return transact((tx) => applyFixtures(tx, documents, ids, fixtures, now, opts))
    },

    exportSnapshot (): Snapshot {
      // Read in one transaction, so the tables agree with each other.
      return transact((tx) => state.exportSnapshot(tx, clock.now()))
    },

    /**
     * Replaces the whole state with a snapshot's, or refuses it (400) and changes nothing. The
     * organizations are the snapshot's: every organization's own clock is dropped (the server
     * clock stays where it is).
     */
    importSnapshot (doc: unknown): Record<string, number> {
      try {
        // One transaction: a refusal by the checks after the import undoes it.
        const counts = transact((tx) => {
          const counts = state.importSnapshot(tx, tokens, doc)
          checkImported(doc as ImportedSnapshot)
          return counts
        })
        clocks.dropAll()
        return counts
      } catch (err) {
        if (err instanceof SnapshotError) throw new BadDocumentError(err.message)
        throw err
      }
    }
  }
}

export type StateService = ReturnType<typeof stateService>
