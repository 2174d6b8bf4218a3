// Live updates: one Server-Sent Events stream per open console tab, told what changed at most a few times a second.
import type { ServerResponse } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { isVendorUrl } from '../http/prefixes.js'

/** What a page can follow: `requests` (the journal, fault hits), `state` (anything stored, faults, clocks). */
export type Topic = 'requests' | 'state'

// A tab is told at most this often, however many requests arrive: twenty tabs open during a load
// test cost the server four writes a second each, not one per request.
const FLUSH_MS = 250
// A comment line this often keeps the stream open through proxies that cut idle connections
// (nginx's proxy_read_timeout is 60 s by default).
const KEEPALIVE_MS = 15_000
// How soon a browser reconnects after the stream is cut (EventSource's `retry`).
const RETRY_MS = 2000

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

export class LiveHub {
  private readonly streams = new Set<ServerResponse>()
  private readonly dirty = new Set<Topic>()
  private flushTimer: NodeJS.Timeout | null = null
  private keepaliveTimer: NodeJS.Timeout | null = null
  private closed = false

  get size (): number {
    return this.streams.size
  }

  /** Records what a finished request changed; costs a set insertion while no tab listens. */
  observe (method: string, url: string): void {
    if (this.streams.size === 0) return
    if (isVendorUrl(url)) this.mark('requests')
    if (!SAFE.has(method)) this.mark('state')
  }

  mark (topic: Topic): void {
    if (this.streams.size === 0) return
    this.dirty.add(topic)
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS)
  }

  private flush (): void {
    this.flushTimer = null
    if (this.dirty.size === 0) return
    const message = `event: change\ndata: ${JSON.stringify({ topics: [...this.dirty] })}\n\n`
    this.dirty.clear()
    for (const stream of this.streams) stream.write(message)
  }

  /** Takes over the request's connection as an event stream until the client or the server closes it. */
  open (request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack()
    const res = reply.raw
    if (this.closed) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('The server is shutting down')
      return
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx buffers proxied answers unless told not to: without this no event would arrive live.
      'x-accel-buffering': 'no',
      'content-security-policy': "default-src 'none'",
      'x-content-type-options': 'nosniff'
    })
    res.write(`retry: ${RETRY_MS}\nevent: hello\ndata: {}\n\n`)
    this.streams.add(res)
    this.keepaliveTimer ??= setInterval(() => {
      for (const stream of this.streams) stream.write(': keepalive\n\n')
    }, KEEPALIVE_MS)
    this.keepaliveTimer.unref()
    const drop = () => {
      this.streams.delete(res)
      if (this.streams.size === 0) this.stop()
    }
    request.raw.socket.on('close', drop)
    res.on('close', drop)
  }

  private stop (): void {
    if (this.keepaliveTimer !== null) clearInterval(this.keepaliveTimer)
    if (this.flushTimer !== null) clearTimeout(this.flushTimer)
    this.keepaliveTimer = null
    this.flushTimer = null
    this.dirty.clear()
  }

  /** Ends every stream (the server is closing: an open stream would hold its close). */
  close (): void {
    this.closed = true
    for (const stream of this.streams) stream.end()
    this.streams.clear()
    this.stop()
  }
}
