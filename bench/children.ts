// Server child processes for the bench: a free loopback port, spawn, wait until ready, stop; CPU time; launch time.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { get } from 'node:http'
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

// SIGTERM, then the exit, SIGKILL if it does not come in time: the same as the crash and soak scripts'.
export { stopServer } from '../scripts/lib/server-child.js'

// USER_HZ: 100 on every Linux architecture Node runs on.
const CLOCK_TICKS = 100

/** CPU time (user + system) a process has used so far, in seconds, from /proc; null where there is no /proc. */
export function cpuSeconds (pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces) start at the state, field 3; utime is 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return null
  }
}
/** One GET on a fresh connection; resolves with the status, rejects when nothing listens yet. */
function probe (url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode ?? 0))
    })
    req.once('error', reject)
    req.setTimeout(1000, () => req.destroy(new Error('probe timed out')))
  })
}

// Probing this often costs the starting process next to nothing (a refused connect) and puts the
// reading within a few milliseconds of the moment the server could first answer.
const LAUNCH_POLL_MS = 2

/**
 * Milliseconds from spawning `node <args>` to its first 200 on `path`: what a user or a compose
 * health check waits for. The process is stopped (SIGTERM) before this resolves.
 */
export async function launchToHealthy (opts: StartOptions): Promise<number> {
  const started = performance.now()
  const child = spawn(process.execPath, opts.args, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS) })
  let exited = false
  child.once('exit', () => { exited = true })
  const url = `http://${HOST}:${opts.port}${opts.readyPath}`
  try {
    for (;;) {
      if (exited) throw new Error(`${opts.name} exited before it was healthy:\n${stderr}`)
      if (performance.now() - started > READY_TIMEOUT_MS) throw new Error(`${opts.name} was not healthy after ${READY_TIMEOUT_MS} ms:\n${stderr}`)
      const status = await probe(url).catch(() => 0)
      if (status === 200) return performance.now() - started
      await sleep(LAUNCH_POLL_MS)
    }
  } finally {
    if (!exited) {
      const gone = once(child, 'exit')
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await gone
      clearTimeout(timer)
    }
  }
}

/** A positive number (an integer when `integer`) from the environment, or `fallback` when unset or empty; anything else stops the bench. */
export function envNumber (name: string, fallback: number, integer: boolean): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`)
  }
  return value
}
