// The real server as a child process for the crash-safety and soak scripts: which entry, start, kill, stop, RSS.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

// A cold start through tsx takes about a second, from dist a few hundred ms; 30 s leaves room for
// a loaded 2-core machine and still ends a server that will never listen.
const READY_TIMEOUT_MS = 30_000
// The server waits up to 5 s for in-flight requests on SIGTERM (src/serve.ts); a little more here.
const STOP_TIMEOUT_MS = 8_000
// Only the end of a child's output is kept, for the error message when something goes wrong.
const OUTPUT_TAIL_CHARS = 8_000

/** `dist`: the production build (`node dist/server.js`); `src`: the source through tsx; `auto`: dist when it is fresh. */
export type EntryChoice = 'auto' | 'dist' | 'src'

export interface Entry {
  kind: 'dist' | 'src'
  /** Arguments to node (node itself is process.execPath), run in ROOT. */
  args: string[]
  /** Why this entry, for the report. */
  reason: string
}

function sourceFiles (dir: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...sourceFiles(path))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path)
  }
  return found
}

/**
 * Whether dist/server.js was built from the source as it is now: written after every file in src/
 * was last changed. It compares times only, so it holds whether dist/server.js is tsc's output or a
 * bundle over it (a build rewrites it either way).
 */
export function distFreshness (root = ROOT): { fresh: boolean, reason: string } {
  const built = join(root, 'dist', 'server.js')
  if (!existsSync(built)) return { fresh: false, reason: 'dist/server.js does not exist' }
  const builtAt = statSync(built).mtimeMs
  for (const file of sourceFiles(join(root, 'src'))) {
    if (statSync(file).mtimeMs > builtAt) return { fresh: false, reason: `${relative(root, file)} changed after dist/server.js was built` }
  }
  return { fresh: true, reason: 'dist/server.js is newer than every file in src/' }
}

/**
 * The production build when it is fresh: it is what `npm start` and the container run, it starts
 * in a fraction of tsx's time (so a restart time measures the server, not the compiler) and
 * runs without the loader in the way. A stale build would test code that is no longer in the tree,
 * so `auto` then falls back to the source through tsx, and `dist` refuses to run.
 */
export function resolveEntry (choice: EntryChoice, root = ROOT): Entry {
  const src: Entry = { kind: 'src', args: ['--import', 'tsx', 'src/server.ts'], reason: 'asked for the source (through tsx)' }
  if (choice === 'src') return src
  const { fresh, reason } = distFreshness(root)
  if (fresh) return { kind: 'dist', args: ['dist/server.js'], reason: `production build: ${reason}` }
  if (choice === 'dist') throw new Error(`dist/ cannot be used: ${reason}; run \`npm run build\` first`)
  return { ...src, reason: `source through tsx, because ${reason} (run \`npm run build\` to test the production build)` }
}

export interface ServerChild {
  url: string
  pid: number
  process: ChildProcess
  /** Milliseconds from spawn to the "listening on" line. */
  startMs: number
  /** The last few kilobytes the child wrote to stdout and stderr. */
  output: () => string
  /** Set once the process has exited. */
  exit: { code: number | null, signal: NodeJS.Signals | null } | null
}

export interface StartOptions {
  entry: Entry
  /** The SQLite file. */
  database: string
  logLevel?: string
  /** More environment variables for the server. */
  env?: Record<string, string>
}

/** Starts the server on a free loopback port (PORT=0) and resolves once it prints that it listens. */
export async function startServer (opts: StartOptions): Promise<ServerChild> {
  const started = performance.now()
  const child = spawn(process.execPath, opts.entry.args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: opts.logLevel ?? 'warn',
      CONFIDENT_MOCK_DATABASE: opts.database,
      // Empty counts as unset: no fixtures file (so the demo organization is seeded into a new
      // database), no admin token, the real clock, whatever the caller's environment holds.
      CONFIDENT_MOCK_FIXTURES: '',
      CONFIDENT_MOCK_ADMIN_TOKEN: '',
      CONFIDENT_MOCK_CLOCK: '',
      ...opts.env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let tail = ''
  const keep = (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS) }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const server: ServerChild = {
    url: '',
    pid: child.pid ?? -1,
    process: child,
    startMs: 0,
    output: () => tail,
    exit: null
  }
  child.once('exit', (code, signal) => { server.exit = { code, signal } })

  server.url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the server did not listen within ${READY_TIMEOUT_MS} ms:\n${tail}`))
    }, READY_TIMEOUT_MS)
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(tail)
      if (match === null) return
      clearTimeout(timer)
      child.stdout.off('data', onData)
      child.off('exit', onExit)
      resolve(match[1]!)
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      reject(new Error(`the server exited before listening (code ${code}, signal ${signal}):\n${tail}`))
    }
    child.stdout.on('data', onData)
    child.once('exit', onExit)
  })
  server.startMs = performance.now() - started
  return server
}

/** Sends SIGKILL (nothing runs in the server after it) and resolves once the process is gone. */
export async function killServer (server: ServerChild): Promise<void> {
  if (server.exit !== null) return
  const exited = once(server.process, 'exit')
  server.process.kill('SIGKILL')
  await exited
}

/** SIGTERM, then the exit; SIGKILL if it does not come in time. Resolves with how it exited. */
export async function stopServer (server: Pick<ServerChild, 'process' | 'exit'>): Promise<NonNullable<ServerChild['exit']>> {
  if (server.exit === null) {
    const exited = once(server.process, 'exit')
    server.process.kill('SIGTERM')
    const timer = setTimeout(() => server.process.kill('SIGKILL'), STOP_TIMEOUT_MS)
    await exited
    clearTimeout(timer)
  }
  return server.exit!
}

/** The resident set size of a process in bytes, from /proc (Linux); null when it cannot be read. */
export function rssBytes (pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? null : Number(match[1]) * 1024
  } catch {
    return null
  }
}
