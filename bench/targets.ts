// Issue 19's targets, in one run, as ratios: create against the raw better-sqlite3 prototype
// (bench/prototype.js) at 50 connections and at one, a tenant of 1,000 members against one of none,
// and the launch to the first answered create with a 1,000-member fixtures file against one with
// none; `npm start` against `node dist/server.js`. Runs the built server (dist/); `npm run bench`
// builds first. Alone: `npm run bench:targets`.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEMO_ORG_KEY, DEMO_PROJECT_ID } from '../src/boot-state/demo.js'
import { HOST, cpuSeconds, envNumber, freePort, startServer, stopServer, type ServerChild } from './children.js'
import { runLoad } from './load.js'

const SECONDS = envNumber('BENCH_SECONDS', 6, false)
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 2, false)
const ROUNDS = envNumber('BENCH_ROUNDS', 3, true)
const SAMPLES = envNumber('BENCH_SAMPLES', 5, true)
const MEMBERS = 1000
/**
 * Tenants: alternated triples (0, 100, 1,000 members), after warm-ups. A call takes milliseconds, so
 * more samples than launches: the median of 5 moved by a quarter from run to run on a busy machine.
 * On a new server the first four 1,000-member calls took 30 to 48 ms and the later ones 16 to 25
 * (V8 optimizing the plan and the bulk writes): three warm-up triples keep that out of the medians.
 */
const TENANT_SAMPLES = envNumber('BENCH_TENANT_SAMPLES', 15, true)
const TENANT_WARM_UPS = 3
const PARTS = new Set((process.env.BENCH_PARTS ?? 'create,tenants,launch,start').split(','))
const SERVER_JS = new URL('../dist/server.js', import.meta.url).pathname
const PROTOTYPE_JS = new URL('./prototype.js', import.meta.url).pathname

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const results: Array<{ what: string, met: boolean, value: string }> = []
function target (what: string, met: boolean, value: string) {
  results.push({ what, met, value })
  console.log(`  target: ${what}: ${met ? 'MET' : 'MISS'} (${value})`)
}

/** The server's environment at its default configuration: only where it listens and what it stores. */
function serverEnv (port: number, database: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PORT: String(port), HOST, CONFIDENT_MOCK_DATABASE: database, CONFIDENT_MOCK_FIXTURES: '', ...extra }
  return env
}

// The bench's own environment must not change the servers' defaults (a LOG_LEVEL set in the shell).
delete process.env['LOG_LEVEL']

let nextEmail = 0
async function createLoad (server: ServerChild, connections: number, seconds: number, label: string) {
  const cpuBefore = cpuSeconds(server.process.pid!)
  const result = await runLoad({
    url: `${server.url}/v1/projects/${DEMO_PROJECT_ID}/invitations`,
    seconds,
    connections,
    method: 'POST',
    headers: { CONFIDENT_API_KEY: DEMO_ORG_KEY, 'content-type': 'application/json' },
    request: { method: 'POST', setupRequest: (request) => ({ ...request, body: JSON.stringify({ emails: [`target-${label}-${++nextEmail}@example.com`] }) }) }
  })
  const cpuAfter = cpuSeconds(server.process.pid!)
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${server.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`)
  }
  const cpuUs = cpuBefore === null || cpuAfter === null ? Number.NaN : (cpuAfter - cpuBefore) * 1e6 / result.responses
  return { rps: result.rps, p99: result.p99, cpuUs }
}

async function createPart (tmp: string) {
  // One database made by the real server (migrations, demo seed), copied for each process.
  const seedPort = await freePort()
  const seed = join(tmp, 'seed.sqlite')
  await stopServer(await startServer({ name: 'seeding server', args: [SERVER_JS], env: serverEnv(seedPort, seed), port: seedPort, readyPath: '/health' }))
  const copy = (name: string) => {
    const path = join(tmp, `${name}.sqlite`)
    copyFileSync(seed, path)
    for (const suffix of ['-wal', '-shm']) if (existsSync(seed + suffix)) copyFileSync(seed + suffix, path + suffix)
    return path
  }
  const ports = { prototype: await freePort(), real: await freePort(), warn: await freePort() }
  const servers: Record<keyof typeof ports, ServerChild> = {
    prototype: await startServer({ name: 'prototype', args: [PROTOTYPE_JS], env: { PORT: String(ports.prototype), HOST, PROTOTYPE_DATABASE: copy('prototype') }, port: ports.prototype, readyPath: '/health' }),
    real: await startServer({ name: 'real server (default configuration)', args: [SERVER_JS], env: serverEnv(ports.real, copy('real')), port: ports.real, readyPath: '/health' }),
    warn: await startServer({ name: 'real server (LOG_LEVEL=warn)', args: [SERVER_JS], env: serverEnv(ports.warn, copy('warn'), { LOG_LEVEL: 'warn' }), port: ports.warn, readyPath: '/health' })
  }
  try {
    for (const connections of [50, 1]) {
      const runs: Record<keyof typeof ports, Array<{ rps: number, p99: number, cpuUs: number }>> = { prototype: [], real: [], warn: [] }
      const perRound: string[] = []
      for (let round = 1; round <= ROUNDS; round++) {
        for (const kind of ['prototype', 'real', 'warn'] as const) {
          await createLoad(servers[kind], connections, WARMUP_SECONDS, `${connections}-${round}w`)
          runs[kind].push(await createLoad(servers[kind], connections, SECONDS, `${connections}-${round}`))
        }
        perRound.push((runs.real[round - 1]!.rps / runs.prototype[round - 1]!.rps).toFixed(2))
      }
      const rps = (kind: keyof typeof ports) => median(runs[kind].map((r) => r.rps))
      const cpu = (kind: keyof typeof ports) => median(runs[kind].map((r) => r.cpuUs))
      console.log(`create, ${connections} connection${connections === 1 ? '' : 's'} (medians of ${ROUNDS} rounds of ${SECONDS} s):`)
      for (const kind of ['prototype', 'real', 'warn'] as const) {
        console.log(`  ${servers[kind].name.padEnd(36)} ${rps(kind).toFixed(0).padStart(6)} req/s  p99 ${median(runs[kind].map((r) => r.p99)).toFixed(2)} ms  server CPU ${cpu(kind).toFixed(0)} µs/request`)
      }
      const ratio = rps('real') / rps('prototype')
      console.log(`  default / prototype ${ratio.toFixed(3)}x (rounds ${perRound.join(', ')}); LOG_LEVEL=warn / prototype ${(rps('warn') / rps('prototype')).toFixed(3)}x`)
      const goal = connections === 1 ? 0.85 : 0.95
      target(`create at the default configuration >= ${goal}x the prototype at ${connections} connection${connections === 1 ? '' : 's'}`, ratio >= goal, `${ratio.toFixed(3)}x`)
    }
  } finally {
    for (const server of Object.values(servers)) await stopServer(server)
  }
}

function organizationOf (members: number, name: string) {
  const people = Array.from({ length: members }, (_, i) => ({ email: `member-${i}@example.com`, name: `Member ${i}` }))
  return { name, plan: 'TEAM', members: people, projects: [{ name: 'Project', members: people.map(({ email }) => ({ email })) }] }
}

async function tenantsPart (tmp: string) {
  const port = await freePort()
  const server = await startServer({ name: 'real server', args: [SERVER_JS], env: serverEnv(port, join(tmp, 'tenants.sqlite')), port, readyPath: '/health' })
  try {
    const sizes = [0, 100, MEMBERS]
    const times: Record<number, number[]> = { 0: [], 100: [], [MEMBERS]: [] }
    let n = 0
    // Warm-ups first (the first call also compiles the control API's validators), then alternated.
    for (let sample = -TENANT_WARM_UPS; sample < TENANT_SAMPLES; sample++) {
      for (const size of sizes) {
        const body = JSON.stringify(organizationOf(size, `Tenant ${++n}`))
        const started = performance.now()
        const response = await fetch(`${server.url}/__admin/organizations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        await response.arrayBuffer()
        const ms = performance.now() - started
        if (response.status !== 200 && response.status !== 201) throw new Error(`POST /__admin/organizations (${size} members): ${response.status}`)
        if (sample >= 0) times[size]!.push(ms)
      }
    }
    console.log(`tenant creation, POST /__admin/organizations (members of the organization and of its project; medians of ${TENANT_SAMPLES} after ${TENANT_WARM_UPS} warm-ups):`)
    for (const size of sizes) console.log(`  ${String(size).padStart(5)} members  ${median(times[size]!).toFixed(1).padStart(7)} ms`)
    const ratio = median(times[MEMBERS]!) / median(times[0]!)
    target(`a tenant with ${MEMBERS} members <= 5x the time of one with none`, ratio <= 5, `${ratio.toFixed(2)}x`)
  } finally {
    await stopServer(server)
  }
}

/**
 * Milliseconds from `started` to the first 200 `probe` gets (it gives 0 while nothing listens),
 * polling every 2 ms; then stops the process (its whole group when it was spawned detached).
 */
async function untilAnswered (label: string, child: ChildProcess, started: number, probe: () => Promise<number>, group = false): Promise<number> {
  const exited = once(child, 'exit')
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${label} exited with code ${child.exitCode}`)
      if (performance.now() - started > 60_000) throw new Error(`${label}: no answer in 60 s`)
      const status = await probe().catch(() => 0)
      if (status === 200) return performance.now() - started
      if (status !== 0) throw new Error(`${label}: ${status}`)
      await sleep(2)
    }
  } finally {
    if (group) process.kill(-child.pid!, 'SIGTERM')
    else child.kill('SIGTERM')
    await exited
  }
}

/** An answer's status, once its body is read. */
const statusOf = async (response: Response) => { await response.arrayBuffer(); return response.status }

/** Spawn to the first 200 of a create, on a new database seeded from `fixtures`. */
async function launchToFirstCreate (tmp: string, fixtures: string, label: string): Promise<number> {
  const port = await freePort()
  const database = join(tmp, `launch-${label}.sqlite`)
  const started = performance.now()
  const child = spawn(process.execPath, [SERVER_JS], { env: { ...process.env, ...serverEnv(port, database), CONFIDENT_MOCK_FIXTURES: fixtures }, stdio: 'ignore' })
  try {
    return await untilAnswered(`server (${label})`, child, started, async () => statusOf(await fetch(`http://${HOST}:${port}/v1/projects/launch-project/invitations`, {
      method: 'POST',
      headers: { CONFIDENT_API_KEY: LAUNCH_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ emails: [`first-${label}@example.com`] })
    })))
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(database + suffix, { force: true })
  }
}

const LAUNCH_KEY = `confident_org_${'a1'.repeat(16)}`

async function launchPart (tmp: string) {
  const files: Record<string, string> = {}
  for (const [label, members] of [['none', 0], [String(MEMBERS), MEMBERS]] as const) {
    const organization = { ...organizationOf(members, 'Launch'), apiKeys: [{ key: LAUNCH_KEY }] }
    organization.projects[0] = { ...organization.projects[0]!, id: 'launch-project' } as typeof organization.projects[0]
    files[label] = join(tmp, `fixtures-${label}.json`)
    writeFileSync(files[label]!, JSON.stringify({ organizations: [organization] }))
  }
  const times: Record<string, number[]> = { none: [], [MEMBERS]: [] }
  let n = 0
  for (let sample = 0; sample < SAMPLES; sample++) {
    for (const label of Object.keys(files)) times[label]!.push(await launchToFirstCreate(tmp, files[label]!, `${label}-${++n}`))
  }
  console.log(`launch to the first answered create (new database, fixtures file; medians of ${SAMPLES} launches, alternated):`)
  for (const label of Object.keys(files)) console.log(`  ${label.padStart(5)} members  ${median(times[label]!).toFixed(0).padStart(6)} ms`)
  const ratio = median(times[String(MEMBERS)]!) / median(times['none']!)
  target(`launch with a ${MEMBERS}-member fixtures file <= 1.3x the launch with none`, ratio <= 1.3, `${ratio.toFixed(2)}x`)
}

/** Spawn to the first 200 of `/health`, on a database a server made before (a restart). */
async function launchToHealth (command: string, args: readonly string[], database: string): Promise<number> {
  const port = await freePort()
  const started = performance.now()
  // Its own process group: `npm start` runs the server as a grandchild (npm, its shell, node).
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...serverEnv(port, database) }, stdio: 'ignore', detached: true })
  return untilAnswered(`${command} ${args.join(' ')}`, child, started, async () => statusOf(await fetch(`http://${HOST}:${port}/health`)), true)
}

const ROOT = new URL('..', import.meta.url).pathname
const START_SAMPLES = envNumber('BENCH_START_SAMPLES', 11, true)

async function startPart (tmp: string) {
  const database = join(tmp, 'start.sqlite')
  const starts = [['node dist/server.js', process.execPath, [SERVER_JS]], ['npm start', 'npm', ['start']]] as const
  await launchToHealth(process.execPath, [SERVER_JS], database)
  const times: number[][] = [[], [], []]
  for (let sample = 0; sample < START_SAMPLES; sample++) {
    for (const [i, [, command, args]] of starts.entries()) times[i]!.push(await launchToHealth(command, args, database))
    // npm's own start and a script of nothing: what `npm start` adds that no project controls.
    const started = performance.now()
    await once(spawn('npm', ['run', '-s', 'env'], { cwd: ROOT, stdio: 'ignore' }), 'exit')
    times[2]!.push(performance.now() - started)
  }
  console.log(`start of a built tree to the first answered /health (a restart: the database exists; medians of ${START_SAMPLES}, alternated):`)
  for (const [i, label] of [...starts.map(([label]) => label), 'npm run -s env (npm alone)'].entries()) console.log(`  ${label.padEnd(28)} ${median(times[i]!).toFixed(0).padStart(6)} ms`)
  const ratio = median(times[1]!) / median(times[0]!)
  target('`npm start` on a built tree <= 1.5x `node dist/server.js`', ratio <= 1.5, `${ratio.toFixed(2)}x`)
}

const cpus = os.cpus()
console.log(`\nissue 19 targets: ${cpus.length} CPUs, node ${process.version}; ${ROUNDS} rounds of ${SECONDS} s, ${SAMPLES} launches, ${TENANT_SAMPLES} tenant triples`)
const tmp = mkdtempSync(join(os.tmpdir(), 'confident-mock-targets-'))
try {
  if (PARTS.has('create')) await createPart(tmp)
  if (PARTS.has('tenants')) await tenantsPart(tmp)
  if (PARTS.has('launch')) await launchPart(tmp)
  if (PARTS.has('start')) await startPart(tmp)
  console.log(`targets met: ${results.filter((r) => r.met).length} of ${results.length}`)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
