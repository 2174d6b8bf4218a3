// Types for the part of autocannon 8 the bench uses (the package ships none, and there is no @types package installed).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  /** One request as autocannon builds it; setupRequest may return a changed copy. */
  export interface RequestParams {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
  }

  export type RequestContext = Record<string, unknown>

  export interface Request extends RequestParams {
    setupRequest?: (request: RequestParams, context: RequestContext) => RequestParams
    onResponse?: (status: number, body: string, context: RequestContext, headers: Record<string, string | string[]>) => void
  }

  /**
   * One connection. Only `reqsMade` and `responseMax` are read and written by the bench: they are
   * not documented, but they are how autocannon itself stops a connection after its last request.
   */
  export interface Client extends EventEmitter {
    reqsMade: number
    responseMax: number | undefined
  }

  export interface Options {
    url: string
    connections?: number
    /** Requests a second across all connections (a fixed pace rather than as fast as answered). */
    overallRate?: number
    pipelining?: number
    duration?: number
    timeout?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    requests?: Request[]
    setupClient?: (client: Client) => void
  }

  export interface Result {
    errors: number
    timeouts: number
    non2xx: number
    mismatches: number
    resets: number
    totalRequests: number
    totalCompletedRequests: number
    statusCodeStats: Record<string, { count: number }>
  }

  export interface Instance extends EventEmitter, PromiseLike<Result> {
    stop: () => void
  }

  function autocannon (options: Options): Instance
  export default autocannon
}
