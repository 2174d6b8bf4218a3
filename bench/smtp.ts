// Issue 21: create with SMTP delivery on (to a local SMTP server) against off, in one run, rounds
// alternated; the target is within 10%. Also how many of the emails made in the "on" rounds the SMTP
// server received by the end. Runs the built server (dist/); `npm run bench` builds first. Alone:
// `npm run bench:smtp`.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import os from 'node:os'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import { DEMO_ORG_KEY, DEMO_PROJECT_ID } from '../src/boot-state/demo.js'
import { HOST, cpuSeconds, envNumber, freePort, startServer, stopServer, type ServerChild } from './children.js'
import { runLoad } from './load.js'

const SECONDS = envNumber('BENCH_SECONDS', 6, false)
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 2, false)
const ROUNDS = envNumber('BENCH_ROUNDS', 5, true)
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 10, true)
const SERVER_JS = new URL('../dist/server.js', import.meta.url).pathname

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

// The mail catcher: takes every message and reads it to its end, as Mailpit would, without parsing it.
let received = 0
const smtp = new SMTPServer({
  secure: false,
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData (stream, _session, callback) {
    stream.on('end', () => { received++; callback() })
    stream.resume()
  }
})
smtp.listen(0, HOST)
await once(smtp.server, 'listening')
const smtpPort = (smtp.server.address() as { port: number }).port

const tmp = mkdtempSync(join(os.tmpdir(), 'confident-mock-smtp-bench-'))
let email = 0
async function create (server: ServerChild, seconds: number) {
  const before = cpuSeconds(server.process.pid!)
  const result = await runLoad({
    url: `${server.url}/v1/projects/${DEMO_PROJECT_ID}/invitations`,
    seconds,
    connections: CONNECTIONS,
    method: 'POST',
    headers: { CONFIDENT_API_KEY: DEMO_ORG_KEY, 'content-type': 'application/json' },
    request: { method: 'POST', setupRequest: (request) => ({ ...request, body: JSON.stringify({ emails: [`smtp-bench-${++email}@example.com`] }) }) }
  })
  const after = cpuSeconds(server.process.pid!)
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) throw new Error(`${server.name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  return { rps: result.rps, p99: result.p99, cpuUs: before === null || after === null ? Number.NaN : (after - before) * 1e6 / result.responses, responses: result.responses }
}

const servers: ServerChild[] = []
let failed = false
try {
  console.log(`\nissue 21, create with SMTP delivery: ${os.cpus().length} CPUs, node ${process.version}; ${ROUNDS} rounds of ${SECONDS} s, ${CONNECTIONS} connections`)
  const seedPort = await freePort()
  const seed = join(tmp, 'seed.sqlite')
  await stopServer(await startServer({ name: 'seeding server', args: [SERVER_JS], env: { PORT: String(seedPort), HOST, CONFIDENT_MOCK_DATABASE: seed, CONFIDENT_MOCK_FIXTURES: '' }, port: seedPort, readyPath: '/health' }))
  const copy = (name: string) => {
    const path = join(tmp, `${name}.sqlite`)
    copyFileSync(seed, path)
    for (const suffix of ['-wal', '-shm']) if (existsSync(seed + suffix)) copyFileSync(seed + suffix, path + suffix)
    return path
  }
  const start = async (name: string, extra: Record<string, string>) => {
    const port = await freePort()
    const server = await startServer({ name, args: [SERVER_JS], env: { PORT: String(port), HOST, CONFIDENT_MOCK_DATABASE: copy(name), CONFIDENT_MOCK_FIXTURES: '', ...extra }, port, readyPath: '/health' })
    servers.push(server)
    return server
  }
  const off = await start('off', {})
  const on = await start('on', { CONFIDENT_MOCK_SMTP_URL: `smtp://${HOST}:${smtpPort}` })
  const runs: Record<'off' | 'on', Array<{ rps: number, p99: number, cpuUs: number }>> = { off: [], on: [] }
  const state = { madeOn: 0 }
  const drains: string[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    // Each goes first in every other round: neither always follows the other's load.
    const order = round % 2 === 1 ? [['off', off], ['on', on]] as const : [['on', on], ['off', off]] as const
    for (const [kind, server] of order) {
      const warm = await create(server, WARMUP_SECONDS)
      const run = await create(server, SECONDS)
      runs[kind].push(run)
      if (kind === 'off') continue
      state.madeOn += warm.responses + run.responses
      // Sent at the server's pace (200 a second) while the rounds go on: the "off" rounds share the
      // machine with them too, so the two are compared under the same deliveries.
      drains.push(`${received} of ${state.madeOn}`)
    }
  }
  for (const kind of ['off', 'on'] as const) {
    const rs = runs[kind]
    console.log(`  SMTP ${kind.padEnd(3)} ${median(rs.map((r) => r.rps)).toFixed(0).padStart(6)} req/s  p99 ${median(rs.map((r) => r.p99)).toFixed(2)} ms  server CPU ${median(rs.map((r) => r.cpuUs)).toFixed(0)} µs/request`)
  }
  const ratio = median(runs.on.map((r) => r.rps)) / median(runs.off.map((r) => r.rps))
  console.log(`  on / off ${ratio.toFixed(3)}x (rounds ${runs.on.map((r, i) => (r.rps / runs.off[i]!.rps).toFixed(2)).join(', ')})`)
  console.log(`  emails received by the SMTP server / made with SMTP on, after each "on" round: ${drains.join(', ')}; at the end ${received} of ${state.madeOn} (the rest queue: 200 a second while the server is idle, 5 while it is busy)`)
  const met = ratio >= 0.9
  console.log(`  target: create with SMTP delivery on within 10% of off: ${met ? 'MET' : 'MISS'} (${ratio.toFixed(3)}x)`)
} catch (err) {
  failed = true
  console.error(err)
} finally {
  for (const server of servers) await stopServer(server)
  smtp.close()
  rmSync(tmp, { recursive: true, force: true })
}
if (failed) process.exitCode = 1
