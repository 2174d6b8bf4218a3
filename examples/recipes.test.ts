// The test-runner recipes of examples/ (Vitest, Jest, Playwright, GitHub Actions), each run as a user runs it.
// Not part of npm test: `npm run test:recipes` (scripts/test-recipes.sh) installs the runners, which are
// examples/'s own dependencies (examples/package.json), then runs this file; .ci/run runs that.
//
// Each runner is its own child process, as from a user's shell, so a recipe that fails (an exit
// code other than 0, or fewer tests passed than it has) fails this file. The recipes import
// 'confident-mock', which inside this repository names its own dist/, not built during npm test:
// Vitest maps it to src/ in its config (the one line a user deletes), and Jest's global setup gets it
// from examples/tsconfig.json's `paths` through tsx (TSX_TSCONFIG_PATH), so its files are exactly
// what a user copies. The Playwright config starts the server through tsx (its one line a user
// changes). The GitHub Actions workflow cannot run here: it is checked against the Dockerfile, its
// health command is run against a real server, and the three recipes run against that server
// through the workflow's CONFIDENT_BASE_URL, as the workflow's test step would run a user's tests.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parse } from 'yaml'
import { startServer } from '../src/index.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
// The runners come from examples/'s own install (npm run test:recipes makes it); the rest from the root's.
const bin = (name: string) => join(ROOT, name === 'tsc' ? 'node_modules' : 'examples/node_modules', '.bin', name)
const TMP = mkdtempSync(join(tmpdir(), 'confident-mock-recipes-'))
t.teardown(() => rmSync(TMP, { recursive: true, force: true }))

// The tests each recipe has: a recipe passes when its runner exits 0 having passed all of them.
const TESTS = { vitest: 2, jest: 2, playwright: 2 }

// A runner that has not finished by then is killed (with its workers and servers) and fails its test.
// Each takes 3 to 15 s alone on a 2-core machine; the suite's other files share it under npm test.
const RUNNER_TIMEOUT_MS = 240_000

interface Run {
  code: number | null
  /** stdout and stderr, interleaved, for the failure message. */
  output: string
  ms: number
}

/**
 * The environment a user's shell would give the runner: this one without tap's (its loaders and
 * coverage hooks in NODE_OPTIONS, its TAP_* settings) or a server address from outside.
 */
function userEnv (extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key === 'NODE_OPTIONS' || key === 'TS_NODE_TRANSPILE_ONLY') continue
    if (/^(TAP|_TAPJS|CONFIDENT_)/.test(key)) continue
    env[key] = value
  }
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', ...extra }
}

/** Runs a command from the repository root to its end (or the timeout), in its own process group. */
function run (command: string, args: string[], env: Record<string, string>): Promise<Run> {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    const timer = setTimeout(() => {
      output += `\n[killed after ${RUNNER_TIMEOUT_MS} ms]`
      try { process.kill(-child.pid!, 'SIGKILL') } catch {}
    }, RUNNER_TIMEOUT_MS)
    child.on('error', (err) => { output += `\n[${err.message}]` })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output, ms: Date.now() - started })
    })
  })
}

/** The end of a runner's output, enough to see why it failed. */
const tail = (run: Run) => run.output.slice(-6000)

function readJson (path: string): any {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return null
  }
}

/** A free loopback port (for the Playwright config, which needs one before its server starts). */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

// Jest runs ES modules only with VM modules on; tsx and the examples' tsconfig (its `paths`) give its
// global setup 'confident-mock' from src/ (a user's project has the package installed instead).
const JEST_ENV = {
  NODE_OPTIONS: '--experimental-vm-modules --import tsx',
  TSX_TSCONFIG_PATH: join(ROOT, 'examples', 'tsconfig.json')
}

function runJest (name: string, extra: Record<string, string> = {}) {
  const outputFile = join(TMP, `${name}.json`)
  return run(bin('jest'), ['--config', 'examples/jest/jest.config.mjs', '--json', '--outputFile', outputFile],
    userEnv({ ...JEST_ENV, ...extra })).then((result) => ({ ...result, report: readJson(outputFile) }))
}

function runVitest (name: string, extra: Record<string, string> = {}) {
  const outputFile = join(TMP, `${name}.json`)
  return run(bin('vitest'), ['run', '--config', 'examples/vitest/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${outputFile}`],
    userEnv(extra)).then((result) => ({ ...result, report: readJson(outputFile) }))
}

async function runPlaywright (name: string, extra: Record<string, string> = {}) {
  const outputFile = join(TMP, `${name}.json`)
  // CI=1: on a port already taken, the run fails instead of reusing a server that is not its own.
  const result = await run(bin('playwright'), ['test', '--config', 'examples/playwright/playwright.config.ts', '--reporter=list,json', '--output', join(TMP, `${name}-results`)],
    userEnv({ CI: '1', CONFIDENT_MOCK_PLAYWRIGHT_PORT: String(await freePort()), PLAYWRIGHT_JSON_OUTPUT_FILE: outputFile, ...extra }))
  return { ...result, report: readJson(outputFile) }
}

// Every runner starts at once (they mostly wait: on servers, on workers); each test awaits its own.
const vitest = runVitest('vitest')
const jest = runJest('jest')
const playwright = runPlaywright('playwright')

// The examples' TypeScript (the ProvidedContext augmentation, the admin client's types), which
// `npm run typecheck` does not cover: 'confident-mock' resolves there only through examples/tsconfig.json.
const typecheck = run(bin('tsc'), ['-p', 'examples/tsconfig.json'], userEnv())

t.test('Vitest: globalSetup starts the server, provide/inject hands it to the tests', async (t) => {
  const result = await vitest
  t.comment(`vitest: ${result.ms} ms`)
  t.equal(result.code, 0, 'vitest exits 0', { output: tail(result) })
  t.match(result.report, { success: true, numTotalTests: TESTS.vitest, numPassedTests: TESTS.vitest, numFailedTests: 0 }, 'all its tests passed')
})

t.test('Jest: globalSetup starts the server, process.env hands its URL to the tests', async (t) => {
  const result = await jest
  t.comment(`jest: ${result.ms} ms`)
  t.equal(result.code, 0, 'jest exits 0', { output: tail(result) })
  t.match(result.report, { success: true, numTotalTests: TESTS.jest, numPassedTests: TESTS.jest, numFailedTests: 0 }, 'all its tests passed')
})

t.test('Playwright: webServer starts the server, the request fixture calls it', async (t) => {
  const result = await playwright
  t.comment(`playwright: ${result.ms} ms`)
  t.equal(result.code, 0, 'playwright exits 0', { output: tail(result) })
  t.match(result.report?.stats, { expected: TESTS.playwright, unexpected: 0, flaky: 0, skipped: 0 }, 'all its tests passed')
})

t.test('the examples type-check', async (t) => {
  const result = await typecheck
  t.comment(`tsc: ${result.ms} ms`)
  // The program holds src/ too (through `paths`); its errors are npm run typecheck's to report.
  const errors = result.output.split('\n').filter((line) => /^\S+\(\d+,\d+\): error /.test(line))
  t.same(errors.filter((line) => line.startsWith('examples/')), [], 'no type error in examples/')
  if (result.code !== 0) t.ok(errors.length > 0, 'tsc failed only on type errors outside examples/', { output: tail(result) })
})

t.test('GitHub Actions: the service container, its health check and the test step agree', async (t) => {
  const workflow = parse(readFileSync(join(ROOT, 'examples/github-actions/tests.yml'), 'utf8'))
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ')
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }

  const job = workflow.jobs.test
  t.notOk(job.container, 'the job runs on the runner, so the service is on localhost')
  const service = job.services['confident-mock']

  // The image: this project's, at the package's version (the tag to push when it is built).
  t.match(service.image, new RegExp(`^[a-z0-9.-]+(/[a-z0-9._-]+)*/confident-mock:${version.replaceAll('.', '\\.')}$`), 'the image is confident-mock at this version')

  // The health check: the Dockerfile's own HEALTHCHECK command, as docker run --health-cmd.
  const healthcheck = /^HEALTHCHECK .*\bCMD (\[.*\])\s*$/m.exec(dockerfile)
  t.ok(healthcheck, 'the Dockerfile has an exec-form HEALTHCHECK')
  const imageCommand = (JSON.parse(healthcheck![1]!) as string[]).join(' ')
  const healthCmd = /--health-cmd\s+(?:"([^"]+)"|'([^']+)'|(\S+))/.exec(service.options)
  t.ok(healthCmd, 'the service has a --health-cmd')
  const command = healthCmd![1] ?? healthCmd![2] ?? healthCmd![3]!
  t.equal(command, imageCommand, 'its --health-cmd is the Dockerfile\'s HEALTHCHECK command')

  // The port: the image's PORT published on the runner, and the test step's URL on that port.
  const imagePort = /^ENV [^\n]*\bPORT=(\d+)/m.exec(dockerfile)?.[1]
  t.equal(imagePort, '4010', 'the image listens on PORT=4010')
  t.equal(service.ports?.length, 1, 'one port published')
  const [hostPort, containerPort] = String(service.ports[0]).split(':')
  t.equal(containerPort, String(service.env?.PORT ?? imagePort), 'the container port is the one the server listens on')
  const testSteps = job.steps.filter((step: any) => step.env?.CONFIDENT_BASE_URL !== undefined)
  t.equal(testSteps.length, 1, 'one step runs the tests with CONFIDENT_BASE_URL')
  const baseUrl = new URL(testSteps[0].env.CONFIDENT_BASE_URL)
  t.ok(['127.0.0.1', 'localhost'].includes(baseUrl.hostname), 'CONFIDENT_BASE_URL is on the runner')
  t.equal(baseUrl.port, hostPort, 'CONFIDENT_BASE_URL uses the published port')
  t.equal(baseUrl.pathname, '/', 'CONFIDENT_BASE_URL is the server root')

  // What the runner would do, against a real server: the health command with the image's environment
  // (HOST=0.0.0.0 and PORT; the server here listens on loopback only), then the test step.
  const server = await startServer()
  t.teardown(() => server.close())
  const port = new URL(server.url).port
  const [node, script, ...args] = command.split(' ')
  t.equal(node, 'node')
  t.equal(script, 'dist/cli.js', 'the image runs the built CLI, here its source through tsx')
  const health = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], userEnv({ HOST: '0.0.0.0', PORT: port }))
  t.equal(health.code, 0, 'the health command passes against the running server', { output: tail(health) })
  t.match(health.output, /is healthy/)

  // The test step: each recipe, given CONFIDENT_BASE_URL, starts no server and runs against this one.
  baseUrl.port = port
  const given = { CONFIDENT_BASE_URL: baseUrl.href.replace(/\/$/, '') }
  const before = await server.admin.organizations.list()
  const [jestRun, vitestRun, playwrightRun] = await Promise.all([
    runJest('jest-given', given),
    runVitest('vitest-given', given),
    runPlaywright('playwright-given', given)
  ])
  t.comment(`against the given server: jest ${jestRun.ms} ms, vitest ${vitestRun.ms} ms, playwright ${playwrightRun.ms} ms`)
  t.equal(jestRun.code, 0, 'the Jest recipe passes', { output: tail(jestRun) })
  t.match(jestRun.report, { success: true, numPassedTests: TESTS.jest, numFailedTests: 0 }, 'all its tests passed')
  t.equal(vitestRun.code, 0, 'the Vitest recipe passes', { output: tail(vitestRun) })
  t.match(vitestRun.report, { success: true, numPassedTests: TESTS.vitest, numFailedTests: 0 }, 'all its tests passed')
  t.equal(playwrightRun.code, 0, 'the Playwright recipe passes', { output: tail(playwrightRun) })
  t.match(playwrightRun.report?.stats, { expected: TESTS.playwright, unexpected: 0, flaky: 0, skipped: 0 }, 'all its tests passed')
  const after = await server.admin.organizations.list()
  t.equal(after.length - before.length, TESTS.vitest + TESTS.jest + TESTS.playwright, 'they ran against this server: each of their tests made its organization here')
  t.equal((await server.admin.outbox.list({ to: 'carol@example.com' })).length, 3, 'and invited through it')
})
