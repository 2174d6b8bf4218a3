// Top self-time functions of a .cpuprofile from `BENCH_CPU_PROF=<dir> npm run bench`: node --import tsx bench/cpu-top.ts <file> [count]
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

const [file, countArg] = process.argv.slice(2)
if (file === undefined) {
  console.error('usage: node --import tsx bench/cpu-top.ts <file.cpuprofile> [count]')
  process.exit(2)
}
// Twenty-five lines show the hot path and the long tail's start.
const count = Number(countArg ?? '25')
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile

const root = process.cwd()
function where (url: string, line: number): string {
  if (url === '') return ''
  const path = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url
  return ` ${path}:${line + 1}`
}

const byNode = new Map(profile.nodes.map((n) => [n.id, n]))
const self = new Map<string, number>()
let total = 0
profile.samples.forEach((id, i) => {
  // timeDeltas[i] is the time before sample i was taken, so it belongs to that sample.
  const dt = profile.timeDeltas[i] ?? 0
  const node = byNode.get(id)!
  const { functionName, url, lineNumber } = node.callFrame
  const key = `${functionName === '' ? '(anonymous)' : functionName}${where(url, lineNumber)}`
  self.set(key, (self.get(key) ?? 0) + dt)
  total += dt
})

const idle = self.get('(idle)') ?? 0
console.log(`profile ${(total / 1e6).toFixed(1)} s, ${((total - idle) / 1e6).toFixed(1)} s busy; self time as % of busy time`)
const busy = [...self].filter(([key]) => key !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, count)
for (const [key, us] of busy) {
  console.log(`${(100 * us / (total - idle)).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`)
}
