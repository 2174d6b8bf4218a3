// How hard and how fast an SMTP delivery tries (src/services/delivery.ts): no imports, so the app's public types (BuildOptions) reach nothing else.
/**
 * How hard a delivery tries: attempts, the wait before each retry (times the attempt's number), one
 * attempt's limit; and how many emails a second it starts at most.
 */
export interface DeliveryTiming {
  attempts: number
  backoffMs: number
  timeoutMs: number
  perSecond?: number
  /**
   * Whether the server is busy now, asked once a batch: while it is, a few emails a second. By
   * default, whether its event loop worked more than 0.8 of the time since the last batch.
   */
  busy?: () => boolean
}

/**
 * Three attempts, 1 s then 2 s apart, each given 10 s to connect, be greeted and be answered; at
 * most 200 emails a second, and 5 while the server is busy (BUSY in src/services/delivery.ts).
 * Sending costs about 1.4 ms of the server's CPU an email (nodemailer composing it, the SMTP
 * exchange, the outcome), more than a create: sent as they come, the emails took a third of the
 * creates' rate at 10 connections. Paced so, a test suite's emails go at once, those of 100 creates a
 * second within about a second (npm run bench:smtp), and a burst's wait behind it and go when it ends.
 */
export const DEFAULT_DELIVERY_TIMING: DeliveryTiming = { attempts: 3, backoffMs: 1000, timeoutMs: 10_000, perSecond: 200 }
