// `npm run bench`: bare Fastify GET vs POST /v1/projects/:projectId/invitations, rounds alternated, then a database check.
import { mkdtempSync, rmSync, statfsSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Sqlite from 'better-sqlite3'
import type { Request } from 'autocannon'
import { DEMO_ORG_KEY, DEMO_PROJECT_ID } from '../src/fixtures/demo.js'
import { HOST, freePort, startServer, stopServer, type ServerChild } from './children.js'
import { runLoad, type LoadResult } from './load.js'

function envNumber (name: string, fallback: number, integer: boolean): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`)
  }
  return value
}

const SECONDS = envNumber('BENCH_SECONDS', 8, false)
const ROUNDS = envNumber('BENCH_ROUNDS', 3, true)
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 10, true)
// Enough to open the connections and let V8 optimise the hot path, short next to the measured run.
const WARMUP_SECONDS = Math.min(2, SECONDS)
// When set, the real server runs under `node --cpu-prof` and writes its profile into this folder.
const CPU_PROF_DIR = process.env['BENCH_CPU_PROF']

const SERVER_JS = fileURLToPath(new URL('../dist/server.js', import.meta.url))
const BARE_SERVER_JS = fileURLToPath(new URL('./bare-server.js', import.meta.url))
const INVITATIONS_PATH = `/v1/projects/${DEMO_PROJECT_ID}/invitations`

/** What the create runs' response hooks saw, over every run against the real server (warm-ups too). */
const created = {
  /** setupRequest calls: one per request written, if autocannon builds each request afresh. */
  built: 0,
  ok: 0,
  invitations: 0,
  /** 200 responses whose invitation is not the one address that request sent. */
  echoMismatches: 0,
  unparsable: 0,
  emails: new Set<string>()
}
let nextEmail = 0

/** POSTs one new address per request: `bench-<round>-<n>@example.com`, n counting across the whole run. */
function createRequest (round: string): Request {
  return {
    method: 'POST',
    path: INVITATIONS_PATH,
    setupRequest: (request, context) => {
      const email = `bench-${round}-${++nextEmail}@example.com`
      context['email'] = email
      created.built++
      return { ...request, body: JSON.stringify({ emails: [email] }) }
    },
    // With one connection per client and no pipelining, context holds the address of the request
    // this response answers: autocannon resets it only when building the next request.
    onResponse: (status, body, context) => {
      if (status !== 200) return
      created.ok++
      let invitations: Array<{ email?: unknown }>
      try {
        invitations = (JSON.parse(body) as { data: { invitations: Array<{ email?: unknown }> } }).data.invitations
        if (!Array.isArray(invitations)) throw new Error('no invitations array')
      } catch {
        created.unparsable++
        return
      }
      created.invitations += invitations.length
      if (invitations.length !== 1 || invitations[0]!.email !== context['email']) created.echoMismatches++
      for (const invitation of invitations) created.emails.add(String(invitation.email))
    }
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const pad = (value: string | number, width: number) => String(value).padStart(width)
const HEADER = `${'run'.padEnd(12)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('non-2xx', 9)}${pad('errors', 8)}${pad('timeouts', 10)}${pad('responses', 11)}`
function row (label: string, r: Pick<LoadResult, 'rps' | 'p50' | 'p99' | 'non2xx' | 'errors' | 'timeouts'> & { responses?: number }): string {
  return `${label.padEnd(12)}${pad(r.rps.toFixed(1), 10)}${pad(r.p50.toFixed(2), 9)}${pad(r.p99.toFixed(2), 9)}` +
    `${pad(r.non2xx, 9)}${pad(r.errors, 8)}${pad(r.timeouts, 10)}${pad(r.responses ?? '', 11)}`
}

/** Every problem found; the run fails when this is not empty. */
const problems: string[] = []

function checkRun (label: string, r: LoadResult) {
  if (r.non2xx > 0) problems.push(`${label}: ${r.non2xx} non-2xx responses`)
  if (r.errors > 0) problems.push(`${label}: ${r.errors} errors (${r.timeouts} timeouts)`)
  if (r.unanswered !== 0) problems.push(`${label}: ${r.unanswered} requests sent without a response counted`)
}

function check (label: string, pass: boolean, detail: string) {
  console.log(`${pass ? 'PASS' : 'FAIL'}  ${label}: ${detail}`)
  if (!pass) problems.push(label)
}

const children: ServerChild[] = []
let tmp: string | undefined
// Interrupted: the children get SIGTERM (without waiting), the temporary database goes.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) if (child.exit === null) child.process.kill('SIGTERM')
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true })
    process.exit(130)
  })
}

// statfs magic numbers of the usual file systems: WAL checkpoints fsync, so the medium shows in p99.
const FS_TYPES: Record<number, string> = {
  0xEF53: 'ext4',
  0x01021994: 'tmpfs',
  0x58465342: 'xfs',
  0x9123683E: 'btrfs',
  0x794C7630: 'overlayfs'
}
function fsType (path: string): string {
  const type = statfsSync(path).type
  return FS_TYPES[type] ?? `file system type 0x${type.toString(16)}`
}

async function main () {
  const cpus = os.cpus()
  console.log(`machine: ${cpus.length} CPUs, ${cpus[0]?.model ?? 'unknown model'}, node ${process.version}, ${os.platform()} ${os.release()}`)
  console.log(`settings: ${SECONDS} s per run (after ${WARMUP_SECONDS} s warm-up), ${ROUNDS} rounds, ${CONNECTIONS} connections, pipelining 1, loopback ${HOST}`)
  if (CPU_PROF_DIR !== undefined) console.log(`note: the create server runs under --cpu-prof (profile in ${CPU_PROF_DIR}): its numbers are lower than usual`)

  tmp = mkdtempSync(join(os.tmpdir(), 'confident-mock-bench-'))
  const dbPath = join(tmp, 'bench.sqlite')
  let keepTmp = false
  try {
    const barePort = await freePort()
    children.push(await startServer({
      name: 'bare server',
      args: [BARE_SERVER_JS],
      env: { PORT: String(barePort), HOST },
      port: barePort,
      readyPath: '/'
    }))
    const bare = children[0]!

    const port = await freePort()
    const profArgs = CPU_PROF_DIR === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', CPU_PROF_DIR]
    // No fixtures file (empty counts as unset): the server seeds the demo organization into the new database.
    const env = { PORT: String(port), HOST, LOG_LEVEL: 'warn', CONFIDENT_MOCK_DATABASE: dbPath, CONFIDENT_MOCK_FIXTURES: '' }
    children.push(await startServer({ name: 'create server', args: [...profArgs, SERVER_JS], env, port, readyPath: '/health' }))
    const real = children[1]!
    console.log(`database: ${dbPath} (${fsType(tmp)})\n`)

    const createHeaders = { CONFIDENT_API_KEY: DEMO_ORG_KEY, 'content-type': 'application/json' }
    const results = { bare: [] as LoadResult[], create: [] as LoadResult[] }
    let sent = 0
    console.log(HEADER)
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of ['bare', 'create'] as const) {
        const load = (seconds: number, label: string) => kind === 'bare'
          ? runLoad({ url: bare.url + '/', seconds, connections: CONNECTIONS })
          : runLoad({
            url: real.url + INVITATIONS_PATH,
            seconds,
            connections: CONNECTIONS,
            method: 'POST',
            headers: createHeaders,
            request: createRequest(label)
          })
        const warm = await load(WARMUP_SECONDS, `${round}w`)
        checkRun(`${kind} #${round} warm-up`, warm)
        const result = await load(SECONDS, String(round))
        checkRun(`${kind} #${round}`, result)
        if (kind === 'create') sent += warm.sent + result.sent
        results[kind].push(result)
        console.log(row(`${kind} #${round}`, result))
      }
    }

    const medians = (rs: LoadResult[]) => ({
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
      errors: rs.reduce((n, r) => n + r.errors, 0),
      timeouts: rs.reduce((n, r) => n + r.timeouts, 0),
      responses: rs.reduce((n, r) => n + r.responses, 0)
    })
    const bareMedian = medians(results.bare)
    const createMedian = medians(results.create)
    console.log('\nmedians (error columns and responses are totals over the measured runs)')
    console.log(HEADER)
    console.log(row('bare', bareMedian))
    console.log(row('create', createMedian))
    console.log(`\ncreate/bare = ${(createMedian.rps / bareMedian.rps).toFixed(3)}x`)
    // Each round's own ratio: a slow spell of the machine moves both runs of a round, not their ratio.
    const perRound = results.create.map((r, i) => (r.rps / results.bare[i]!.rps).toFixed(3))
    console.log(`per round:    ${perRound.join(', ')}`)

    // Stop the writer before reading: the check sees exactly what the server committed.
    const exit = await stopServer(real)
    await stopServer(bare)
    console.log('\nverification (every create request, warm-ups included)')
    check('create server exited cleanly on SIGTERM', exit.code === 0, `code ${exit.code}, signal ${exit.signal}`)
    check('one request body built per request sent', created.built === sent,
      `${created.built} bodies built by setupRequest, ${sent} requests sent`)
    check('every 200 names the one address its request sent', created.echoMismatches === 0 && created.unparsable === 0,
      `${created.echoMismatches} mismatches, ${created.unparsable} unparsable bodies in ${created.ok} responses with status 200`)
    check('reported invitations are all distinct', created.emails.size === created.invitations,
      `${created.emails.size} distinct addresses in ${created.invitations} reported invitations`)

    const db = new Sqlite(dbPath, { readonly: true, fileMustExist: true })
    try {
      const count = (table: string) => db.prepare<[], { n: number }>(`select count(*) as n from ${table}`).get()!.n
      const invitations = count('project_invitations')
      const emails = count('invitation_emails')
      check('project_invitations rows = invitations reported', invitations === created.invitations,
        `${invitations} rows, ${created.invitations} reported in ${created.ok} responses with status 200`)
      check('invitation_emails rows = invitations reported', emails === created.invitations,
        `${emails} rows, ${created.invitations} reported`)
      const integrity = db.pragma('integrity_check', { simple: true })
      check('pragma integrity_check', integrity === 'ok', String(integrity))
    } finally {
      db.close()
    }
    if (problems.length > 0) keepTmp = true
  } catch (err) {
    keepTmp = true
    throw err
  } finally {
    for (const child of children) await stopServer(child)
    if (keepTmp) console.log(`\nkept for inspection: ${tmp}`)
    else rmSync(tmp, { recursive: true, force: true })
  }

  if (problems.length > 0) {
    console.log(`\nFAIL: ${problems.length} problem(s)`)
    for (const problem of problems) console.log(`  - ${problem}`)
    process.exitCode = 1
  } else {
    console.log('\nPASS: no non-2xx responses, no errors, database matches the responses')
  }
}

try {
  await main()
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? String(err)}`)
  process.exitCode = 1
}
