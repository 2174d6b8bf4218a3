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
}

/**
 * Three attempts, 1 s then 2 s apart, each given 10 s to connect, be greeted and be answered; at
 * most 200 emails a second, and 5 while the server is busy (BUSY in src/services/delivery.ts). Sending costs about 1 ms of
 * CPU an email (nodemailer composing it, the SMTP exchange): unpaced, it took a third of the
 * machine from the creates (0.65x their rate at 10 connections, npm run bench:smtp), and at a flat
 * 100 a second still a sixth (0.84x). A test suite's emails go at once; a burst's queue behind it
 * and go when the burst ends.
 */
export const DEFAULT_DELIVERY_TIMING: DeliveryTiming = { attempts: 3, backoffMs: 1000, timeoutMs: 10_000, perSecond: 200 }
