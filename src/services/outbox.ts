// The outbox: the invitation emails the real service would have sent, as recorded by create and resend, rendered when read.
import type { Transact } from '../db/transaction.js'
import type { Static } from 'typebox'
import type { OutboxFilter, OutboxRepository, OutboxRow } from '../repositories/outbox.js'
import type { PublicUrlResolver } from '../http/public-url.js'
import { DEFAULT_ORGANIZATION_ROLE, DEFAULT_PROJECT_ROLE } from '../domain/rules.js'
import type { OutboxEmailSchema } from '../schemas/admin.js'
import { renderInvitationEmail } from './email.js'
import { pageOf, type Page } from './paging.js'

export type OutboxEmail = Static<typeof OutboxEmailSchema>

export interface OutboxServiceDeps {
  transact: Transact
  outbox: OutboxRepository
  /** The base of the links in the emails. */
  publicUrl: Pick<PublicUrlResolver, 'get'>
}

const DEFAULT_ROLE = { PROJECT: DEFAULT_PROJECT_ROLE, ORGANIZATION: DEFAULT_ORGANIZATION_ROLE } as const

/** The invitee page's link for a token, under the public base URL. */
export function acceptUrl (base: string, token: string): string {
  return `${base}/invite/${encodeURIComponent(token)}`
}

export function outboxService ({ transact, outbox, publicUrl }: OutboxServiceDeps) {
  /**
   * The email as it reads now: with today's names and public URL (docs/decisions.md, "Invitation
   * emails"). An invitation without a role grants the default one; a gone invitation's role is unknown.
   */
  function render (row: OutboxRow, base: string): OutboxEmail {
    const { organizationName, projectName, invitationFound, roleName, ...email } = row
    const url = acceptUrl(base, row.token)
    const rendered = renderInvitationEmail({
      kind: row.kind,
      to: row.to,
      organizationName,
      projectName,
      roleName: invitationFound ? roleName ?? DEFAULT_ROLE[row.kind] : null,
      acceptUrl: url
    })
    return { ...email, ...rendered, acceptUrl: url }
  }

  return {
    /** The recorded emails matching the filter, oldest first, each with its subject, bodies and link. */
    list (filter: OutboxFilter = {}): OutboxEmail[] {
      const base = publicUrl.get()
      return outbox.list(filter).map((row) => render(row, base))
    },

    /** One page of the matching emails, newest first, rendered (the console's mailbox). */
    page (filter: OutboxFilter, page: number | undefined, pageSize: number): Page<OutboxEmail> {
      const base = publicUrl.get()
      return pageOf(outbox.count(filter), page, pageSize, (limit, offset) => outbox.page(filter, limit, offset), (row) => render(row, base))
    },

    /** One recorded email, rendered; null when there is none with that id (or it was cleared). */
    find (id: number): OutboxEmail | null {
      const row = outbox.find(id)
      return row === null ? null : render(row, publicUrl.get())
    },

    /** Forgets the matching emails (invitations and their tokens are untouched); how many. */
    clear (filter: OutboxFilter = {}): number {
      return transact((tx) => outbox.clear(tx, filter))
    }
  }
}

export type OutboxService = ReturnType<typeof outboxService>
