// Starts the real server as a child process (the way a user runs it) and talks HTTP to it.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface ServerProcess {
  url: string
  proc: ChildProcess
  /** Everything the process printed so far. */
  output: () => string
  /** Sends a signal and resolves with the exit code once the process has exited. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/** Runs src/server.ts through tsx on a free loopback port; resolves once it listens. */
export async function startServer (env: Record<string, string>, args: string[] = []): Promise<ServerProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let text = ''
  proc.stdout!.on('data', (chunk: Buffer) => { text += chunk.toString() })
  proc.stderr!.on('data', (chunk: Buffer) => { text += chunk.toString() })
  const exited = once(proc, 'exit')
  const url = await new Promise<string>((resolve, reject) => {
    // Start-up through tsx takes about a second; 20 s leaves room on a loaded CI machine.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${text}`)), 20_000)
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(text)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    proc.stdout!.on('data', check)
    proc.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${text}`))
    })
  })
  return {
    url,
    proc,
    output: () => text,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      const [code] = await exited
      return code as number | null
    }
  }
}

/** Runs the server to completion (for start-up failures) and returns its exit code and output. */
export async function runServer (env: Record<string, string>, args: string[] = []): Promise<{ code: number | null, output: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  proc.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  proc.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const [code] = await once(proc, 'exit')
  return { code: code as number | null, output }
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
