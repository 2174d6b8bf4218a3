// JSON over keep-alive node:http for the crash-safety and soak scripts: status, parsed body and latency per request.
import http from 'node:http'

// A request unanswered this long is an error: far above any latency the server shows under load,
// short enough that a wedged server fails the run instead of hanging it.
const DEFAULT_TIMEOUT_MS = 15_000

export interface Answer {
  status: number
  /** The parsed JSON body, or null when there was none or it was not JSON. */
  body: any
  /** Milliseconds from the call to the last byte of the response. */
  ms: number
}

/** A request that got no complete response: refused, reset, timed out. `code` is the socket error code when there is one. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError'
  readonly code: string
  readonly ms: number

  constructor (message: string, code: string, ms: number) {
    super(message)
    this.code = code
    this.ms = ms
  }
}

export interface ClientOptions {
  /** Sockets kept open to the server: one per concurrent caller, so no request waits for a socket. */
  connections: number
  /** Share another client's sockets (its agent) instead of opening a pool of this client's own. */
  agent?: http.Agent
  timeoutMs?: number
  /** Headers sent with every request (the API key). */
  headers?: Record<string, string>
}

export class JsonClient {
  readonly agent: http.Agent
  readonly #ownAgent: boolean
  readonly #url: URL
  readonly #timeoutMs: number
  readonly #headers: Record<string, string>

  constructor (baseUrl: string, opts: ClientOptions) {
    this.#url = new URL(baseUrl)
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#headers = opts.headers ?? {}
    this.#ownAgent = opts.agent === undefined
    this.agent = opts.agent ?? new http.Agent({ keepAlive: true, maxSockets: opts.connections, maxFreeSockets: opts.connections })
  }

  /**
   * One request; resolves with any status, rejects with NoAnswerError when no complete response came.
   * `onWritten` runs once the whole request has been handed to the operating system (or failed first).
   */
  request (method: string, path: string, body?: unknown, opts: { headers?: Record<string, string>, onWritten?: () => void } = {}): Promise<Answer> {
    const started = performance.now()
    const payload = body === undefined ? undefined : JSON.stringify(body)
    return new Promise<Answer>((resolve, reject) => {
      const fail = (err: Error & { code?: string }) =>
        reject(new NoAnswerError(`${method} ${path}: ${err.message}`, err.code ?? 'ERROR', performance.now() - started))
      const req = http.request({
        agent: this.agent,
        host: this.#url.hostname,
        port: this.#url.port,
        method,
        path,
        headers: {
          ...this.#headers,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...opts.headers
        }
      }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.once('error', fail)
        res.once('aborted', () => fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })))
        res.once('end', () => {
          if (!res.complete) {
            fail(Object.assign(new Error('response cut short'), { code: 'ECONNRESET' }))
            return
          }
          const text = Buffer.concat(chunks).toString('utf8')
          let parsed: unknown = null
          if (text !== '' && String(res.headers['content-type']).startsWith('application/json')) {
            try {
              parsed = JSON.parse(text)
            } catch {
              parsed = null
            }
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - started })
        })
      })
      req.setTimeout(this.#timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${this.#timeoutMs} ms`), { code: 'ETIMEDOUT' })))
      req.once('error', fail)
      if (opts.onWritten !== undefined) {
        const written = opts.onWritten
        req.once('finish', written)
        req.once('error', written)
      }
      req.end(payload)
    })
  }

  /** Closes the sockets, unless they are another client's. */
  close (): void {
    if (this.#ownAgent) this.agent.destroy()
  }
}
