// Issue 20's long lists: a project with 100,000 invitations, listed 8 times at once, while /health is
// asked again and again. Reports /health's p99 during the lists and the server's resident memory
// before, at its peak and 30 s after, against the targets (p99 <= 100 ms; memory after <= 1.5x
// before). Runs the built server (dist/); `npm run bench` builds first. Alone: `npm run bench:lists`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEMO_ORG_KEY, DEMO_PROJECT_ID } from '../src/boot-state/demo.js'
import { HOST, envNumber, freePort, startServer, stopServer } from './children.js'

const INVITATIONS = envNumber('BENCH_LIST_INVITATIONS', 100_000, true)
const LISTS = envNumber('BENCH_LISTS', 8, true)
const AFTER_SECONDS = envNumber('BENCH_LIST_AFTER_SECONDS', 30, false)
/** Addresses per create while seeding: the server's own limit is raised to it. */
const BATCH = 10_000
const SERVER_JS = new URL('../dist/server.js', import.meta.url).pathname

/** The process's resident memory, in MiB (Linux). */
function rssMiB (pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024
}

function quantile (values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0
}

const tmp = mkdtempSync(join(os.tmpdir(), 'confident-mock-lists-'))
const port = await freePort()
const server = await startServer({
  name: 'real server',
  args: [SERVER_JS],
  env: { PORT: String(port), HOST, CONFIDENT_MOCK_DATABASE: join(tmp, 'lists.sqlite'), CONFIDENT_MOCK_FIXTURES: '', CONFIDENT_MOCK_MAX_EMAILS: String(BATCH), LOG_LEVEL: 'warn' },
  port,
  readyPath: '/health'
})
const pid = server.process.pid!
const listUrl = `${server.url}/v1/projects/${DEMO_PROJECT_ID}/invitations`
const headers = { CONFIDENT_API_KEY: DEMO_ORG_KEY, 'content-type': 'application/json' }
let failed = false
try {
  console.log(`\nissue 20, long lists: ${os.cpus().length} CPUs, node ${process.version}`)
  for (let made = 0; made < INVITATIONS; made += BATCH) {
    const emails = Array.from({ length: Math.min(BATCH, INVITATIONS - made) }, (_, i) => `list-${made + i}@example.com`)
    const res = await fetch(listUrl, { method: 'POST', headers, body: JSON.stringify({ emails }) })
    if (res.status !== 200) throw new Error(`seeding: ${res.status} ${await res.text()}`)
    await res.arrayBuffer()
  }
  // One list first: compiles what a list needs, and shows its size.
  const first = await fetch(listUrl, { headers })
  const firstText = await first.text()
  const count = (JSON.parse(firstText) as { data: { invitations: unknown[] } }).data.invitations.length
  console.log(`project with ${count} visible invitations; one list is ${(firstText.length / 1024 / 1024).toFixed(1)} MiB`)
  await sleep(2000)
  const before = rssMiB(pid)

  let peak = before
  // Set to false once the lists are answered: the sampler and the prober stop.
  const state = { listing: true }
  const sampler = (async () => {
    while (state.listing) {
      peak = Math.max(peak, rssMiB(pid))
      await sleep(20)
    }
  })()
  const healthTimes: number[] = []
  const prober = (async () => {
    while (state.listing) {
      const started = performance.now()
      const res = await fetch(`${server.url}/health`)
      await res.arrayBuffer()
      healthTimes.push(performance.now() - started)
      if (res.status !== 200) throw new Error(`/health answered ${res.status} during the lists`)
      await sleep(5)
    }
  })()
  const started = performance.now()
  const sizes = await Promise.all(Array.from({ length: LISTS }, async () => {
    const res = await fetch(listUrl, { headers })
    const text = await res.text()
    if (res.status !== 200 || text !== firstText) throw new Error(`a list answered ${res.status} with ${text.length} characters, not the first list's ${firstText.length}`)
    return text.length
  }))
  const listSeconds = (performance.now() - started) / 1000
  state.listing = false
  await Promise.all([sampler, prober])
  console.log(`${LISTS} lists at once: ${listSeconds.toFixed(2)} s, each ${(sizes[0]! / 1024 / 1024).toFixed(1)} MiB, identical to the first`)
  console.log(`/health during them: ${healthTimes.length} answers, p50 ${quantile(healthTimes, 0.5).toFixed(1)} ms, p99 ${quantile(healthTimes, 0.99).toFixed(1)} ms, max ${Math.max(...healthTimes).toFixed(1)} ms`)
  await sleep(AFTER_SECONDS * 1000)
  const after = rssMiB(pid)
  console.log(`resident memory: before ${before.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, ${AFTER_SECONDS} s after ${after.toFixed(0)} MiB (${(after / before).toFixed(2)}x before)`)
  const p99 = quantile(healthTimes, 0.99)
  const met = [p99 <= 100, after <= 1.5 * before]
  console.log(`  target: /health p99 while ${LISTS} lists of ${INVITATIONS} are answered <= 100 ms: ${met[0] ? 'MET' : 'MISS'} (${p99.toFixed(1)} ms)`)
  console.log(`  target: resident memory ${AFTER_SECONDS} s after <= 1.5x before: ${met[1] ? 'MET' : 'MISS'} (${(after / before).toFixed(2)}x)`)
  console.log(`targets met: ${met.filter(Boolean).length} of 2`)
} catch (err) {
  failed = true
  console.error(err)
  console.error(server.output())
} finally {
  await stopServer(server)
  rmSync(tmp, { recursive: true, force: true })
}
if (failed) process.exitCode = 1
