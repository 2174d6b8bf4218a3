// The whole state: reset to the boot fixtures or to nothing, export a snapshot, import one.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { clearAll, exportSnapshot, importSnapshot, SnapshotError } from '../../db/state.js'
import { BadDocumentError } from '../../errors.js'
import { applyFixtures, recordFixturesDigest } from '../../boot-state/apply.js'
import { ensureCatalog, systemRoleId } from '../../boot-state/catalog.js'
import { ResetBody, ResetResponse } from '../../schemas/admin.js'
import { EARLIEST_ISO_MS, LATEST_ISO_MS, Success, errors } from '../../schemas/common.js'
import { SYSTEM_ORGANIZATION_ROLES, SYSTEM_PROJECT_ROLES } from '../../domain.js'

/** A snapshot of a busy database is far larger than an API request. */
const SNAPSHOT_BODY_LIMIT = 64 * 1024 * 1024

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
}

const adminState: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/reset', {
    schema: {
      tags: ['Control: state'],
      operationId: 'reset',
      summary: 'Back to the boot fixtures, or to empty, in one transaction; also removes faults, clears the journal, resets the clock',
      body: Type.Optional(ResetBody),
      response: { 200: ResetResponse, ...errors(400) }
    }
  }, async (request) => {
    const to = request.body?.to ?? 'fixtures'
    app.clock.reset()
    const now = app.clock.now()
    const organizationIds = app.sqlite.transaction(() => {
      clearAll(app.sqlite)
      if (to === 'empty') {
        ensureCatalog(app.db, now)
        // Marked as applied, so a restart keeps the database empty rather than seeding it again.
        recordFixturesDigest(app.db, app.bootFixtures)
        return []
      }
      return applyFixtures(app.db, app.ids, app.bootFixtures, now, { force: true }).organizationIds
    }).immediate()
    app.faults.reset()
    app.journal.reset()
    request.log.info({ to }, 'state reset')
    return { success: true as const, data: { to, organizationIds } }
  })

  app.get('/snapshot', {
    schema: {
      tags: ['Control: state'],
      operationId: 'exportSnapshot',
      summary: 'The whole stored state as a versioned JSON document (no API key in clear: keys are stored as digests)',
      response: { 200: Type.Object({}, { additionalProperties: true, description: 'format, version, schema, exportedAt, tables' }) }
    }
  }, async (_request, reply) => {
    reply.header('content-disposition', 'attachment; filename="confident-mock-snapshot.json"')
    return exportSnapshot(app.sqlite, app.clock.now())
  })

  app.post('/snapshot', {
    bodyLimit: SNAPSHOT_BODY_LIMIT,
    schema: {
      tags: ['Control: state'],
      operationId: 'importSnapshot',
      summary: 'Replace the whole state with an exported snapshot, in one transaction (refused unless of the same version and schema)',
      body: Type.Object({}, { additionalProperties: true, description: 'A document from GET /__admin/snapshot' }),
      response: { 200: Success(Type.Object({ tables: Type.Record(Type.String(), Type.Integer()) })), ...errors(400) }
    }
  }, async (request) => {
    try {
      // The import is a savepoint of this transaction: a refusal by the checks after it undoes it.
      const tables = app.sqlite.transaction(() => {
        const counts = importSnapshot(app.sqlite, app.tokens, request.body)
        checkImported(request.body as ImportedSnapshot)
        return counts
      }).immediate()
      request.log.info('snapshot imported')
      return { success: true as const, data: { tables } }
    } catch (err) {
      if (err instanceof SnapshotError) throw new BadDocumentError(err.message)
      throw err
    }
  })
}

export default adminState
