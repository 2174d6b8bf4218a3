// The outbox: the invitation emails recorded by create and resend, read (with the names they show) and cleared by filter.
import type { Tx } from '../db/transaction.js'
import type { Database } from 'better-sqlite3'
import type { Static } from 'typebox'
import type { OutboxQuery } from '../schemas/admin.js'
import type { DeliveryState, InvitationKind } from '../domain/vocabulary.js'

export type OutboxFilter = Static<typeof OutboxQuery>

/** One recorded email as stored, with the names its text is rendered from, as they are now. */
export interface OutboxRow {
  id: number
  kind: InvitationKind
  to: string
  organizationId: string
  projectId: string | null
  invitationId: number
  token: string
  sentAt: string
  organizationName: string
  /** Null for an organization invitation, and for a project deleted since. */
  projectName: string | null
  /** Whether the invitation is still there (not revoked, its project not deleted). */
  invitationFound: boolean
  /** The invitation's role, null when it has none (or is gone). */
  roleName: string | null
  /** Over SMTP: pending, sent or failed; null when no SMTP server was set when it was recorded. */
  delivery: DeliveryState | null
  /** Why the delivery failed, when it did. */
  deliveryError: string | null
}

const COLUMNS = { to: 'to_email', kind: 'kind', organizationId: 'organization_id', projectId: 'project_id', invitationId: 'invitation_id' } as const

/** A where clause over the filter's fields (columns of `alias`), addresses compared as stored (lower case). */
function where (filter: OutboxFilter, alias = ''): { clause: string, values: Array<string | number> } {
  const parts: string[] = []
  const values: Array<string | number> = []
  for (const [field, column] of Object.entries(COLUMNS)) {
    let value = filter[field as keyof OutboxFilter]
    if (value === undefined) continue
    if (field === 'to') value = String(value).toLowerCase()
    parts.push(`${alias}${column} = ?`)
    values.push(value)
  }
  return { clause: parts.length === 0 ? '' : `where ${parts.join(' and ')}`, values }
}

type Selected = Omit<OutboxRow, 'sentAt' | 'invitationFound'> & { createdAt: number, invitationFound: 0 | 1 }

/** The emails with the names they show (see list()), under a where clause, in an order. */
const SELECT = `
  select e.id, e.kind, e.to_email as "to", e.organization_id as organizationId, e.project_id as projectId,
         e.invitation_id as invitationId, e.token, e.created_at as createdAt, e.delivery, e.delivery_error as deliveryError,
         o.name as organizationName, p.name as projectName,
         coalesce(pi.id, oi.id) is not null as invitationFound, r.name as roleName
  from invitation_emails as e
  join organizations as o on o.id = e.organization_id
  left join projects as p on e.kind = 'PROJECT' and p.id = e.project_id
  left join project_invitations as pi
    on e.kind = 'PROJECT' and pi.id = e.invitation_id and pi.project_id = e.project_id and pi.email = e.to_email
  left join organization_invitations as oi
    on e.kind = 'ORGANIZATION' and oi.id = e.invitation_id and oi.organization_id = e.organization_id and oi.email = e.to_email
  left join roles as r on r.id = coalesce(pi.project_role_id, oi.organization_role_id)
`

const present = ({ createdAt, invitationFound, ...email }: Selected): OutboxRow =>
  ({ ...email, sentAt: new Date(createdAt).toISOString(), invitationFound: invitationFound === 1 })

export function outboxRepository (sqlite: Database) {
  const select = (clause: string, tail: string) => sqlite.prepare<unknown[], Selected>(`${SELECT} ${clause} ${tail}`)
  const byId = select('where e.id = ?', '')
  const pending = sqlite.prepare<[number, number], { id: number }>("select id from invitation_emails where delivery = 'pending' and id > ? order by id limit ?")
  const setDelivery = sqlite.prepare<[DeliveryState, string | null, number]>('update invitation_emails set delivery = ?, delivery_error = ? where id = ?')

  return {
    /**
     * The matching emails, oldest first. The names are joined as they are now (no name is stored
     * with an email): the invitation is found by kind, id, owner and address, and with it its role
     * (a system role or a custom one).
     */
    list (filter: OutboxFilter = {}): OutboxRow[] {
      const { clause, values } = where(filter, 'e.')
      return select(clause, 'order by e.id').all(...values).map(present)
    },

    /** One page of the matching emails, newest first (the console's mailbox). */
    page (filter: OutboxFilter, limit: number, offset: number): OutboxRow[] {
      const { clause, values } = where(filter, 'e.')
      return select(clause, 'order by e.id desc limit ? offset ?').all(...values, limit, offset).map(present)
    },

    /** How many emails match. */
    count (filter: OutboxFilter = {}): number {
      const { clause, values } = where(filter)
      return sqlite.prepare<unknown[], { n: number }>(`select count(*) as n from invitation_emails ${clause}`).get(...values)!.n
    },

    find (id: number): OutboxRow | null {
      const row = byId.get(id)
      return row === undefined ? null : present(row)
    },

    /** The ids of emails waiting for the SMTP server, after `afterId`, oldest first. */
    pendingDeliveries (afterId: number, limit: number): number[] {
      return pending.all(afterId, limit).map((r) => r.id)
    },

    /** Records where an email's delivery stands; false when the email is gone (cleared meanwhile). */
    setDelivery (tx: Tx, id: number, state: DeliveryState, error: string | null): boolean {
      return setDelivery.run(state, error, id).changes === 1
    },

    clear (tx: Tx, filter: OutboxFilter = {}): number {
      const { clause, values } = where(filter)
      return sqlite.prepare(`delete from invitation_emails ${clause}`).run(...values).changes
    }
  }
}
export type OutboxRepository = ReturnType<typeof outboxRepository>
