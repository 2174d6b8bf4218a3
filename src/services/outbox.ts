// The outbox: the invitation emails the real service would have sent, as recorded by create and resend.
import type { OutboxEmail, OutboxFilter, OutboxRepository } from '../repositories/outbox.js'

export interface OutboxServiceDeps {
  outbox: OutboxRepository
}

export function outboxService ({ outbox }: OutboxServiceDeps) {
  return {
    /** The recorded emails matching the filter, oldest first. */
    list (filter: OutboxFilter = {}): OutboxEmail[] {
      return outbox.list(filter)
    },

    /** Forgets the matching emails (invitations and their tokens are untouched); how many. */
    clear (filter: OutboxFilter = {}): number {
      return outbox.clear(filter)
    }
  }
}

export type OutboxService = ReturnType<typeof outboxService>
