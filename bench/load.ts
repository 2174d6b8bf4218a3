// One timed autocannon run that ends by draining: every request sent gets its response counted.
import autocannon, { type Client, type Request } from 'autocannon'

// If the drain has not finished this long after the measured window, autocannon's own duration
// stops the run, dropping what is in flight, which shows as requests sent without a response.
const DRAIN_GRACE_SECONDS = 10
// A request unanswered this long counts as a timeout (autocannon's default, made explicit).
const REQUEST_TIMEOUT_SECONDS = 10

export interface LoadOptions {
  url: string
  seconds: number
  connections: number
  /** Requests a second across all connections; unset, as fast as the server answers. */
  rate?: number
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  /** Per-request setup and response hooks (autocannon's `requests` option). */
  request?: Request
  /** A sequence each connection cycles through instead (a mixed workload); overrides `request`. */
  requests?: Request[]
}

export interface LoadResult {
  /** Responses inside the measured window, per second of that window. */
  rps: number
  p50: number
  p99: number
  /** Responses inside the measured window. */
  windowResponses: number
  /** Requests written, the drain included. */
  sent: number
  /** All responses, the drain included. */
  responses: number
  non2xx: number
  errors: number
  timeouts: number
  /** Requests autocannon wrote that never got a response: 0 unless the drain failed or timed out. */
  unanswered: number
  /** Length of the measured window. */
  seconds: number
}

/** Nearest-rank percentile of ascending values, in the values' unit. */
export function percentile (sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/**
 * Loads `url` for `seconds`, then stops each connection after the response to its last request
 * rather than cutting it off: a cut-off POST may still have been applied by the server, and the
 * bench must count every response the server sent. Throughput and latency cover the window only.
 */
export async function runLoad (opts: LoadOptions): Promise<LoadResult> {
  const clients: Client[] = []
  const latencies: number[] = []
  let responses = 0
  let windowOpen = true
  const started = performance.now()
  let windowMs = opts.seconds * 1000

  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    ...(opts.rate === undefined ? {} : { overallRate: opts.rate }),
    pipelining: 1,
    duration: opts.seconds + DRAIN_GRACE_SECONDS,
    timeout: REQUEST_TIMEOUT_SECONDS,
    method: opts.method ?? 'GET',
    headers: opts.headers ?? {},
    ...(opts.requests !== undefined ? { requests: opts.requests } : opts.request === undefined ? {} : { requests: [opts.request] }),
    setupClient: (client) => { clients.push(client) }
  })
  instance.on('response', (_client: Client, _status: number, _bytes: number, responseTime: number) => {
    responses++
    if (windowOpen) latencies.push(responseTime)
  })

  const timer = setTimeout(() => {
    windowOpen = false
    windowMs = performance.now() - started
    // autocannon destroys a connection before its next request once reqsMade reaches responseMax:
    // the request now in flight is its last, and the run ends when every connection is done.
    for (const client of clients) client.responseMax = client.reqsMade
  }, opts.seconds * 1000)

  let result
  try {
    result = await instance
  } finally {
    clearTimeout(timer)
  }
  const sent = clients.reduce((n, c) => n + c.reqsMade, 0)
  const sorted = Float64Array.from(latencies).sort()
  return {
    rps: latencies.length / (windowMs / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    windowResponses: latencies.length,
    sent,
    responses,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    unanswered: sent - responses,
    seconds: windowMs / 1000
  }
}
