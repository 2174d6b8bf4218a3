// Invitation emails over SMTP (CONFIDENT_MOCK_SMTP_URL): after the commit that records them, with a bounded retry, each one's outcome on its outbox entry.
import { setTimeout as sleep } from 'node:timers/promises'
import nodemailer from 'nodemailer'
import type { Transact } from '../db/transaction.js'
import type { SmtpServer } from '../config.js'
import type { OutboxRepository } from '../repositories/outbox.js'
import type { OutboxService } from './outbox.js'
import { DEFAULT_DELIVERY_TIMING, type DeliveryTiming } from './delivery-timing.js'

export { DEFAULT_DELIVERY_TIMING, type DeliveryTiming }

/**
 * The server is busy when its event loop worked more than this share of the time since the last
 * batch (Node's event-loop utilization): the API's requests first, the emails slow to BUSY_PER_SECOND.
 * The emails' own work counts in the reading: at 100 creates a second with delivery the loop works
 * 0.2 to 0.7 of the time, and at 0.5 the emails slowed themselves down (seconds behind their creates);
 * creates as fast as answered keep it near 1.
 */
const BUSY = 0.8
const BUSY_PER_SECOND = 5
/** A reading this soon after the last one repeats it: a window of a few microseconds says nothing. */
const MIN_WINDOW_MS = 10

/** The event loop's idle and active time so far, in ms (Node's event-loop utilization, or a test's). */
type LoopTimes = () => { idle: number, active: number }

/**
 * The share of the time the event loop worked since the previous reading, from 0 to 1. The first
 * reading covers the time since this was made, so a run of deliveries after a quiet spell starts at
 * the full pace, and one that follows a busy spell starts slow.
 */
export function loopLoad (times: LoopTimes = () => performance.eventLoopUtilization()): () => number {
  let since = times()
  let last = 0
  return () => {
    const now = times()
    const idle = now.idle - since.idle
    const active = now.active - since.active
    if (idle + active < MIN_WINDOW_MS) return last
    since = now
    last = active / (idle + active)
    return last
  }
}

/** The longest reason a failed delivery records. */
const MAX_REASON = 300
/** Emails read from the outbox at a time, and sent at once (over at most CONNECTIONS connections). */
const BATCH = 40
/** Connections to the SMTP server, each kept open for the next message (pooled). */
const CONNECTIONS = 4

/** Where a delivery reports what went wrong (pino's logger: the app's). */
export interface DeliveryLog {
  warn: (details: object, message: string) => void
  error: (details: object, message: string) => void
}

export interface DeliveryDeps {
  url: string
  server: SmtpServer
  from: string
  transact: Transact
  outbox: OutboxRepository
  /** Renders an email as the outbox shows it: subject, text, HTML and link. */
  render: Pick<OutboxService, 'find'>
  log: DeliveryLog
  timing?: DeliveryTiming
}

export interface Delivery {
  /** Where the emails go, without credentials (smtp://host:port). */
  readonly server: string
  /** Emails were recorded as pending: send them (and any others pending) soon, without waiting. */
  kick: () => void
  /** Resolves once nothing is pending or being sent (tests, the bench). */
  idle: () => Promise<void>
  /** Stops: what is being sent ends as it may, what is pending stays pending for the next start. */
  close: () => Promise<void>
}

/** The credentials of an SMTP URL, in every form an error message could show them. */
function secretsOf (url: string): string[] {
  const parsed = new URL(url)
  return [parsed.password, parsed.username].filter((s) => s !== '').flatMap((s) => [s, decodeURIComponent(s)])
}

/**
 * Sends every email the outbox has as pending, oldest first, each after the commit that recorded
 * it (create and resend kick it once their transaction has committed), and marks it sent, or
 * failed with the reason once every attempt failed. Nothing here delays an answer or can fail one:
 * the API's work is done and answered before the first byte goes to the SMTP server. A server that
 * refuses, never greets or drops the connection costs each email its attempts, never a request.
 * Pending emails left at a stop (or a crash) are sent at the next start with SMTP set.
 */
export function deliveryService ({ url, server, from, transact, outbox, render, log, timing = DEFAULT_DELIVERY_TIMING }: DeliveryDeps): Delivery {
  const secrets = secretsOf(url)
  const { username, password } = new URL(url)
  const transport = nodemailer.createTransport({
    host: server.host.replace(/^\[(.*)\]$/, '$1'),
    port: server.port,
    secure: server.secure,
    ...(username === '' ? {} : { auth: { user: decodeURIComponent(username), pass: decodeURIComponent(password) } }),
    pool: true,
    maxConnections: CONNECTIONS,
    // A connection is kept for every message rather than closed after nodemailer's default 100.
    maxMessages: Infinity,
    connectionTimeout: timing.timeoutMs,
    greetingTimeout: timing.timeoutMs,
    socketTimeout: timing.timeoutMs
  })
  let closed = false
  let running: Promise<void> | null = null
  let again = false
  // Ends the waits between attempts at once when the server stops.
  const stopping = new AbortController()
  // Kept from run to run: a run's first batch is paced by what the server did before it.
  const load = loopLoad()
  const busyNow = timing.busy ?? (() => load() > BUSY)

  /** An error as one line, without the URL's credentials, cut short. */
  function reason (err: unknown): string {
    const e = err as { code?: unknown, message?: unknown }
    let text = `${typeof e.code === 'string' ? `${e.code}: ` : ''}${String(e.message ?? err)}`.replace(/\s+/g, ' ').trim()
    for (const secret of secrets) text = text.split(secret).join('[REDACTED]')
    return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text
  }

  // Outcomes are written together, one transaction per turn of the event loop, not one per email.
  let outcomes: Array<[number, 'sent' | 'failed', string | null]> = []
  function writeOutcomes (): void {
    const batch = outcomes
    outcomes = []
    if (closed || batch.length === 0) return
    transact((tx) => { for (const [id, state, error] of batch) outbox.setDelivery(tx, id, state, error) })
  }
  function record (id: number, state: 'sent' | 'failed', error: string | null): void {
    if (outcomes.length === 0) setImmediate(writeOutcomes)
    outcomes.push([id, state, error])
  }

  async function deliver (id: number): Promise<void> {
    const email = render.find(id)
    // Cleared from the outbox meanwhile: nothing to send, nowhere to record it.
    if (email === null) return
    let last = ''
    for (let attempt = 1; attempt <= timing.attempts; attempt++) {
      if (closed) return
      try {
        await transport.sendMail({ from, to: email.to, subject: email.subject, text: email.text, html: email.html })
        record(id, 'sent', null)
        return
      } catch (err) {
        last = reason(err)
        if (attempt < timing.attempts) await sleep(timing.backoffMs * attempt, undefined, { signal: stopping.signal }).catch(() => {})
      }
    }
    log.warn({ emailId: id, smtp: server.shown, reason: last }, 'an invitation email could not be delivered over SMTP')
    record(id, 'failed', last)
  }

  async function drain (): Promise<void> {
    do {
      again = false
      let after = 0
      for (;;) {
        if (closed) return
        // Busy since the last batch: a few emails, a second apart; else a full batch at the full pace.
        const busy = busyNow()
        const perSecond = busy ? Math.min(BUSY_PER_SECOND, timing.perSecond ?? Infinity) : timing.perSecond ?? Infinity
        const ids = outbox.pendingDeliveries(after, busy ? BUSY_PER_SECOND : BATCH)
        if (ids.length === 0) break
        const started = performance.now()
        await Promise.all(ids.map(deliver))
        after = ids[ids.length - 1]!
        // The pace: this batch's share of a second, at most `perSecond` emails in it.
        const rest = ids.length * 1000 / perSecond - (performance.now() - started)
        if (rest > 0) await sleep(rest, undefined, { signal: stopping.signal }).catch(() => {})
      }
      // eslint-disable-next-line no-unmodified-loop-condition -- kick() and close() change them while this awaits
    } while (again && !closed)
  }

  function kick (): void {
    if (closed) return
    if (running !== null) {
      again = true
      return
    }
    running = drain()
      .catch((err: unknown) => { log.error({ reason: reason(err) }, 'SMTP delivery stopped') })
      .finally(() => {
        running = null
        // Kicked after the last look for pending emails: look again.
        if (again) {
          again = false
          kick()
        }
      })
  }

  return {
    server: server.shown,
    kick,
    async idle () {
      // eslint-disable-next-line no-unmodified-loop-condition -- the run's own end sets it to null, or starts another
      while (running !== null) await running
    },
    async close () {
      // What is known is written; what a stop interrupts stays pending, for the next start.
      writeOutcomes()
      closed = true
      stopping.abort()
      transport.close()
      await running
    }
  }
}
