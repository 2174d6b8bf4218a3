// Issue 21: create with SMTP delivery on (to a local SMTP server) against off, in one run. Each server
// is measured alone: the other is paused (SIGSTOP) meanwhile, so neither's deliveries are charged to
// the other. Two parts:
// - at a test suite's pace (BENCH_SMTP_PACE creates a second): create's latency and CPU on and off, and
//   how long after its create each email reached the SMTP server (every one must);
// - as fast as answered (the target: within 10%), rounds alternated; while the server is that busy
//   its emails wait (src/services/delivery-timing.ts), and how many went is printed.
// Runs the built server (dist/); `npm run bench` builds first. Alone: `npm run bench:smtp`.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import os from 'node:os'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import { DEMO_ORG_KEY, DEMO_PROJECT_ID } from '../src/boot-state/demo.js'
import { HOST, cpuSeconds, envNumber, freePort, startServer, stopServer, type ServerChild } from './children.js'
import { percentile, runLoad } from './load.js'

const SECONDS = envNumber('BENCH_SECONDS', 6, false)
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 2, false)
const ROUNDS = envNumber('BENCH_ROUNDS', 5, true)
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 10, true)
const PACE = envNumber('BENCH_SMTP_PACE', 100, true)
const PACED_SECONDS = envNumber('BENCH_SMTP_PACED_SECONDS', 10, false)
/** How long the paced part waits for its last emails to reach the SMTP server. */
const DELIVERED_WITHIN_MS = 30_000
const SERVER_JS = new URL('../dist/server.js', import.meta.url).pathname

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

// The mail catcher: takes every message and reads it to its end, as Mailpit would, without parsing it;
// notes when each recipient's message arrived.
let received = 0
const arrived = new Map<string, number>()
const smtp = new SMTPServer({
  secure: false,
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData (stream, session, callback) {
    stream.on('end', () => {
      received++
      for (const rcpt of session.envelope.rcptTo) arrived.set(rcpt.address, performance.now())
      callback()
    })
    stream.resume()
  }
})
smtp.listen(0, HOST)
await once(smtp.server, 'listening')
const smtpPort = (smtp.server.address() as { port: number }).port

const tmp = mkdtempSync(join(os.tmpdir(), 'confident-mock-smtp-bench-'))
let email = 0
/** When each address's create was sent. */
const asked = new Map<string, number>()
async function create (server: ServerChild, seconds: number, rate?: number) {
  const before = cpuSeconds(server.process.pid!)
  const result = await runLoad({
    url: `${server.url}/v1/projects/${DEMO_PROJECT_ID}/invitations`,
    seconds,
    connections: CONNECTIONS,
    ...(rate === undefined ? {} : { rate }),
    method: 'POST',
    headers: { CONFIDENT_API_KEY: DEMO_ORG_KEY, 'content-type': 'application/json' },
    request: {
      method: 'POST',
      setupRequest: (request) => {
        const to = `smtp-bench-${++email}@example.com`
        asked.set(to, performance.now())
        return { ...request, body: JSON.stringify({ emails: [to] }) }
      }
    }
  })
  const after = cpuSeconds(server.process.pid!)
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) throw new Error(`${server.name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  return { rps: result.rps, p50: result.p50, p99: result.p99, cpuUs: before === null || after === null ? Number.NaN : (after - before) * 1e6 / result.responses, responses: result.responses }
}

/** Runs `fn` with the other servers paused (SIGSTOP): what they would do meanwhile waits. */
async function alone<T> (server: ServerChild, others: ServerChild[], fn: () => Promise<T>): Promise<T> {
  for (const other of others) if (other !== server) other.process.kill('SIGSTOP')
  try {
    return await fn()
  } finally {
    for (const other of others) if (other !== server) other.process.kill('SIGCONT')
  }
}

const servers: ServerChild[] = []
let failed = false
try {
  console.log(`\nissue 21, create with SMTP delivery: ${os.cpus().length} CPUs, node ${process.version}`)
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
  const both = [off, on]
  type Run = Awaited<ReturnType<typeof create>>
  const line = (label: string, r: Pick<Run, 'p50' | 'p99' | 'cpuUs'> & { rps?: number }) =>
    console.log(`  ${label.padEnd(8)} ${r.rps === undefined ? '' : `${r.rps.toFixed(0).padStart(6)} req/s  `}p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  server CPU ${r.cpuUs.toFixed(0)} µs/request`)

  // 1. At a test suite's pace: every email goes, soon after its create.
  console.log(`at ${PACE} creates a second (${PACED_SECONDS} s each, after ${WARMUP_SECONDS} s of warm-up):`)
  const paced: Partial<Record<'off' | 'on', Run>> = {}
  for (const [kind, server] of [['off', off], ['on', on]] as const) {
    paced[kind] = await alone(server, both, async () => {
      await create(server, WARMUP_SECONDS, PACE)
      const first = email + 1
      const run = await create(server, PACED_SECONDS, PACE)
      if (kind === 'on') {
        const addresses = Array.from({ length: email - first + 1 }, (_, i) => `smtp-bench-${first + i}@example.com`)
        const deadline = performance.now() + DELIVERED_WITHIN_MS
        while (addresses.some((a) => !arrived.has(a)) && performance.now() < deadline) await sleep(50)
        const lags = addresses.filter((a) => arrived.has(a)).map((a) => arrived.get(a)! - asked.get(a)!).sort((a, b) => a - b)
        console.log(`  SMTP on: ${lags.length} of ${addresses.length} emails reached the SMTP server; after their create was sent: p50 ${percentile(lags, 50).toFixed(0)} ms, p99 ${percentile(lags, 99).toFixed(0)} ms, max ${(lags.at(-1) ?? Number.NaN).toFixed(0)} ms`)
        if (lags.length !== addresses.length) throw new Error(`${addresses.length - lags.length} emails did not reach the SMTP server within ${DELIVERED_WITHIN_MS} ms`)
      }
      return run
    })
  }
  line('SMTP off', paced.off!)
  line('SMTP on', paced.on!)
  console.log(`  on / off: p50 ${(paced.on!.p50 / paced.off!.p50).toFixed(2)}x, p99 ${(paced.on!.p99 / paced.off!.p99).toFixed(2)}x, CPU ${(paced.on!.cpuUs / paced.off!.cpuUs).toFixed(2)}x`)

  // 2. As fast as answered, rounds alternated.
  console.log(`as fast as answered: ${ROUNDS} rounds of ${SECONDS} s (after ${WARMUP_SECONDS} s of warm-up), ${CONNECTIONS} connections, the other server paused:`)
  const runs: Record<'off' | 'on', Run[]> = { off: [], on: [] }
  const fromRounds = received
  let madeOn = 0
  for (let round = 1; round <= ROUNDS; round++) {
    // Each goes first in every other round: neither always follows the other's load.
    const order = round % 2 === 1 ? [['off', off], ['on', on]] as const : [['on', on], ['off', off]] as const
    for (const [kind, server] of order) {
      await alone(server, both, async () => {
        const warm = await create(server, WARMUP_SECONDS)
        const run = await create(server, SECONDS)
        runs[kind].push(run)
        if (kind === 'on') madeOn += warm.responses + run.responses
      })
    }
  }
  for (const kind of ['off', 'on'] as const) {
    const rs = runs[kind]
    line(`SMTP ${kind}`, { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), cpuUs: median(rs.map((r) => r.cpuUs)) })
  }
  const ratio = median(runs.on.map((r) => r.rps)) / median(runs.off.map((r) => r.rps))
  console.log(`  on / off ${ratio.toFixed(3)}x (rounds ${runs.on.map((r, i) => (r.rps / runs.off[i]!.rps).toFixed(2)).join(', ')})`)
  console.log(`  emails of these rounds the SMTP server received meanwhile: ${received - fromRounds} of ${madeOn}; the rest wait while the server is this busy (5 a second) and go at 200 a second once it is not`)
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
