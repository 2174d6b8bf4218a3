// Server child processes for the bench: a free loopback port, spawn, wait until ready, stop.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

export const HOST = '127.0.0.1'

// Long enough for a cold start (migrations, demo seed), short enough to fail a broken run quickly.
const READY_TIMEOUT_MS = 15_000
const READY_POLL_MS = 50
// The real server waits up to 5 s for in-flight requests (src/server.ts), so give it a little more.
const STOP_TIMEOUT_MS = 8_000
// Only the end of a child's output is kept, for the error message when it dies.
const OUTPUT_TAIL_CHARS = 4_000

/** A port the kernel just handed out on loopback; nothing else should claim it in the next instant. */
export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, HOST)
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (address === null || typeof address === 'string') throw new Error('no TCP address for a probe server')
  return address.port
}

export interface ServerChild {
  name: string
  url: string
  process: ChildProcess
  /** The last few kilobytes the child wrote to stdout and stderr. */
  output: () => string
  /** Set once the process has exited. */
  exit: { code: number | null, signal: NodeJS.Signals | null } | null
}

export interface StartOptions {
  name: string
  /** Arguments to node (node itself is process.execPath). */
  args: string[]
  env: Record<string, string>
  port: number
  /** Polled with GET until it answers 200. */
  readyPath: string
}

export async function startServer (opts: StartOptions): Promise<ServerChild> {
  let tail = ''
  const keep = (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS) }
  const child = spawn(process.execPath, opts.args, {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const server: ServerChild = { name: opts.name, url: `http://${HOST}:${opts.port}`, process: child, output: () => tail, exit: null }
  child.once('exit', (code, signal) => { server.exit = { code, signal } })
  await waitReady(server, opts.readyPath)
  return server
}

async function waitReady (server: ServerChild, path: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  let lastError = 'no answer yet'
  while (Date.now() < deadline) {
    if (server.exit !== null) {
      throw new Error(`${server.name} exited before it was ready (code ${server.exit.code}, signal ${server.exit.signal}):\n${server.output()}`)
    }
    try {
      const response = await fetch(server.url + path, { signal: AbortSignal.timeout(1000) })
      await response.arrayBuffer()
      if (response.status === 200) return
      lastError = `status ${response.status}`
    } catch (err) {
      lastError = (err as Error).message
    }
    await sleep(READY_POLL_MS)
  }
  throw new Error(`${server.name} was not ready at ${server.url}${path} after ${READY_TIMEOUT_MS} ms (${lastError}):\n${server.output()}`)
}

/** SIGTERM, then wait for the exit; SIGKILL if it does not come in time. Resolves with the exit. */
export async function stopServer (server: ServerChild): Promise<NonNullable<ServerChild['exit']>> {
  if (server.exit === null) {
    const exited = once(server.process, 'exit')
    server.process.kill('SIGTERM')
    const timer = setTimeout(() => server.process.kill('SIGKILL'), STOP_TIMEOUT_MS)
    await exited
    clearTimeout(timer)
  }
  return server.exit!
}
