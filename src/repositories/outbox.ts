// The outbox: the invitation emails recorded by create and resend, read and cleared by filter.
import type { Database } from 'better-sqlite3'
import type { Static } from 'typebox'
import type { OutboxEmailSchema, OutboxQuery } from '../schemas/admin.js'

export type OutboxFilter = Static<typeof OutboxQuery>
export type OutboxEmail = Static<typeof OutboxEmailSchema>

const COLUMNS = { to: 'to_email', kind: 'kind', organizationId: 'organization_id', projectId: 'project_id', invitationId: 'invitation_id' } as const

/** A where clause over the filter's fields, addresses compared as stored (lower case). */
function where (filter: OutboxFilter): { clause: string, values: Array<string | number> } {
  const parts: string[] = []
  const values: Array<string | number> = []
  for (const [field, column] of Object.entries(COLUMNS)) {
    let value = filter[field as keyof OutboxFilter]
    if (value === undefined) continue
    if (field === 'to') value = String(value).toLowerCase()
    parts.push(`${column} = ?`)
    values.push(value)
  }
  return { clause: parts.length === 0 ? '' : `where ${parts.join(' and ')}`, values }
}

export function outboxRepository (sqlite: Database) {
  return {
    list (filter: OutboxFilter = {}): OutboxEmail[] {
      const { clause, values } = where(filter)
      return sqlite.prepare<unknown[], Omit<OutboxEmail, 'sentAt'> & { createdAt: number }>(`
        select id, kind, to_email as "to", organization_id as organizationId, project_id as projectId,
               invitation_id as invitationId, token, created_at as createdAt
        from invitation_emails ${clause} order by id`).all(...values)
        .map(({ createdAt, ...email }) => ({ ...email, sentAt: new Date(createdAt).toISOString() }))
    },

    clear (filter: OutboxFilter = {}): number {
      const { clause, values } = where(filter)
      return sqlite.prepare(`delete from invitation_emails ${clause}`).run(...values).changes
    }
  }
}
export type OutboxRepository = ReturnType<typeof outboxRepository>
