// Starts the real server as a child process (the way a user runs it) and talks HTTP to it.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Fixtures } from '../../src/boot-state/schema.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface ServerProcess {
  url: string
  proc: ChildProcess
  /** Everything the process printed so far. */
  output: () => string
  /** Sends a signal and resolves with the exit code once the process has exited. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

export interface Workspace {
  database: string
  fixtures: string
}

/** A temporary folder, removed after the test, with a database path and a fixtures file in it. */
export function workspace (t: { teardown: (fn: () => void) => void }, fixtures: Fixtures = { organizations: [] }): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'confident-mock-e2e-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'fixtures.json')
  writeFileSync(path, JSON.stringify(fixtures))
  return { database: join(dir, 'state.sqlite'), fixtures: path }
}

/** The entry files a test can start: the server entry, or the command line (`src/cli.ts serve ...`). */
export type Entry = 'src/server.ts' | 'src/cli.ts'

/** An entry (src/server.ts by default) through tsx, on a free loopback port, collecting what it prints. */
function spawnServer (env: Record<string, string>, args: string[], entry: Entry = 'src/server.ts') {
  const proc = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const printed = { text: '' }
  proc.stdout.on('data', (chunk: Buffer) => { printed.text += chunk.toString() })
  proc.stderr.on('data', (chunk: Buffer) => { printed.text += chunk.toString() })
  return { proc, printed }
}

/** Starts the server; resolves once it listens. */
export async function startServer (env: Record<string, string>, args: string[] = [], entry?: Entry): Promise<ServerProcess> {
  const { proc, printed } = spawnServer(env, args, entry)
  const exited = once(proc, 'exit')
  const url = await new Promise<string>((resolve, reject) => {
    // Start-up through tsx takes about a second; 20 s leaves room on a loaded CI machine.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${printed.text}`)), 20_000)
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(printed.text)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    proc.stdout.on('data', check)
    proc.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${printed.text}`))
    })
  })
  return {
    url,
    proc,
    output: () => printed.text,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      const [code] = await exited
      return code as number | null
    }
  }
}

/** Runs the server to completion (for start-up failures) and returns its exit code and output. */
export async function runServer (env: Record<string, string>, args: string[] = []): Promise<{ code: number | null, output: string }> {
  const { proc, printed } = spawnServer(env, args)
  const [code] = await once(proc, 'exit')
  return { code: code as number | null, output: printed.text }
}

export async function post (url: string, key: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { CONFIDENT_API_KEY: key, 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  return { status: res.status, body: await res.json() as any }
}

export async function get (url: string, key?: string) {
  const res = await fetch(url, { headers: key === undefined ? {} : { CONFIDENT_API_KEY: key } })
  return { status: res.status, body: await res.json() as any }
}

export interface CommandResult {
  code: number | null
  stdout: string
  stderr: string
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number
}

/** Runs `confident-mock <args>` (src/cli.ts through tsx) to completion, stdout and stderr apart. */
export async function runCli (args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  const started = Date.now()
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  proc.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  // 'close', not 'exit': the output pipes may still hold data when the process exits.
  const [code] = await once(proc, 'close')
  return { code: code as number | null, stdout, stderr, ms: Date.now() - started }
}
