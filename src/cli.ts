#!/usr/bin/env node
// The confident-mock command: serve (the default), healthcheck, help and version.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { PACKAGE_JSON } from './paths.js'

/** Exit code for a command line this program cannot use (as `serve` uses for bad configuration). */
const USAGE_ERROR = 2
// Docker's HEALTHCHECK runs every few seconds with its own timeout (5 s in ours); 2 s answers well inside it.
const DEFAULT_HEALTH_TIMEOUT_MS = 2000

const COMMANDS = [
  ['serve', 'Start the server (the default when no command is given)'],
  ['healthcheck', 'GET <url>/health; exit 0 when it answers 200, 1 otherwise (for container health checks)'],
  ['help', 'Show this help (also --help, -h)'],
  ['version', 'Print the version (also --version, -v)']
] as const

const HEALTHCHECK_FLAGS = [
  ['--url <url>', 'The server\'s base URL (default: http://HOST:PORT from the environment, 0.0.0.0 and :: read as 127.0.0.1)'],
  ['--port <n>', 'Port to ask instead of PORT (default 4010)'],
  ['--host <host>', 'Host to ask instead of HOST (default 127.0.0.1)'],
  ['--timeout <ms>', `Give up after this long (default ${DEFAULT_HEALTH_TIMEOUT_MS})`]
] as const

function version (): string {
  // package.json is one level above both src/ and dist/.
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }
  return pkg.version
}

function table (rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = rows[0]!.slice(0, -1).map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows.map((row) => '  ' + row.map((cell, i) => i < widths.length ? cell.padEnd(widths[i]! + 2) : cell).join(''))
}

/** The usage text; serve's flags come from the configuration schema, so they cannot drift from it. */
async function usage (): Promise<string> {
  const { CLI_FLAGS, ConfigSchema } = await import('./config.js')
  const properties = ConfigSchema.properties as Record<string, { type?: string, enum?: string[], default?: unknown, description?: string }>
  const serveRows = Object.entries(CLI_FLAGS).map(([flag, variable]) => {
    const property = properties[variable]!
    const placeholder = property.type === 'integer' ? '<n>' : '<value>'
    let text = property.description ?? ''
    if (property.enum !== undefined) text += `: ${property.enum.join(', ')}`
    if (property.default !== undefined) text += ` (default ${String(property.default)})`
    return [`--${flag} ${placeholder}`, variable, text]
  })
  return [
    `confident-mock ${version()}: a stateful mock of Confident AI's organization-management API`,
    '',
    'Usage:',
    '  confident-mock [serve] [flags]',
    '  confident-mock healthcheck [--url <url>] [--port <n>] [--host <host>] [--timeout <ms>]',
    '',
    'Commands:',
    ...table(COMMANDS),
    '',
    'serve flags (each overrides the environment variable beside it):',
    ...table(serveRows),
    '',
    'healthcheck flags:',
    ...table(HEALTHCHECK_FLAGS),
    ''
  ].join('\n')
}

/** The URL healthcheck asks: --url, or one made of --host/--port over HOST/PORT. */
function healthUrl (values: { url?: string, port?: string, host?: string }, env: NodeJS.ProcessEnv): URL {
  if (values.url !== undefined) {
    const url = new URL(values.url)
    if (!url.pathname.endsWith('/health')) url.pathname = url.pathname.replace(/\/*$/, '/health')
    return url
  }
  const port = values.port ?? (env['PORT'] !== undefined && env['PORT'] !== '' ? env['PORT'] : '4010')
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new Error(`not a port: ${port}`)
  let host = values.host ?? (env['HOST'] !== undefined && env['HOST'] !== '' ? env['HOST'] : '127.0.0.1')
  // A server listening on every interface is reached on loopback.
  if (host === '0.0.0.0' || host === '::' || host === '[::]') host = '127.0.0.1'
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`
  return new URL(`http://${host}:${port}/health`)
}

/** Exit code 0 when the server answers 200, 1 otherwise (Docker reserves 2), with one line on stderr saying why. */
async function healthcheck (args: string[]): Promise<number> {
  let url: URL
  let timeout = DEFAULT_HEALTH_TIMEOUT_MS
  try {
    const { values } = parseArgs({
      args,
      options: { url: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, timeout: { type: 'string' } },
      strict: true,
      allowPositionals: false
    })
    url = healthUrl(values, process.env)
    if (values.timeout !== undefined) {
      timeout = Number(values.timeout)
      if (!/^\d+$/.test(values.timeout) || timeout < 1) throw new Error(`--timeout must be a positive number of milliseconds, not ${values.timeout}`)
    }
  } catch (err) {
    process.stderr.write(`confident-mock healthcheck: ${(err as Error).message}\n`)
    return 1
  }
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeout) })
    await res.arrayBuffer()
    if (res.status !== 200) {
      process.stderr.write(`confident-mock healthcheck: ${url.href} answered ${res.status}\n`)
      return 1
    }
    process.stdout.write(`confident-mock healthcheck: ${url.href} is healthy\n`)
    return 0
  } catch (err) {
    const error = err as Error & { cause?: { code?: string, message?: string } }
    const reason = error.name === 'TimeoutError'
      ? `no answer within ${timeout} ms`
      : error.cause?.message ?? error.cause?.code ?? error.message
    process.stderr.write(`confident-mock healthcheck: cannot reach ${url.href}: ${reason}\n`)
    return 1
  }
}

async function main (args: string[]): Promise<void> {
  const [command, ...rest] = args
  if (command === undefined || (command.startsWith('-') && !['--help', '-h', '--version', '-v'].includes(command))) {
    const { serve } = await import('./serve.js')
    return serve(args)
  }
  switch (command) {
    case 'serve':
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(await usage())
        return
      }
      return (await import('./serve.js')).serve(rest)
    case 'healthcheck':
      process.exitCode = await healthcheck(rest)
      return
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(await usage())
      return
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`${version()}\n`)
      return
    default:
      process.stderr.write(`confident-mock: unknown command "${command}"\n\n${await usage()}`)
      process.exitCode = USAGE_ERROR
  }
}

await main(process.argv.slice(2))
