// The browser suite's tools: Chromium through playwright-core, the built server as a process, axe-core's check, screenshots and a small step runner.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { existsSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page, type Response } from 'playwright-core'
import type { AxeResults, Result as AxeViolation } from 'axe-core'
import { distFreshness, ROOT, startServer as startChild, stopServer } from '../../scripts/lib/server-child.js'

const HERE = dirname(fileURLToPath(import.meta.url))

/** Where `npm run screenshots` writes: the README and docs show these files. */
export const SCREENSHOT_DIR = join(ROOT, 'docs', 'images')
/** The fixed viewport of every screenshot and of the pages the steps open: a small laptop screen. */
export const VIEWPORT = { width: 1280, height: 800 } as const
// A screenshot is committed and shown in the README: past 200 KB it is a page too busy to read
// or an image that stopped being a screenshot (a photo, a gradient); either way someone should look.
export const SCREENSHOT_MAX_BYTES = 200 * 1024
// An action or a wait on a local server answers in milliseconds; 10 s is a broken page, not a slow one.
const ACTION_TIMEOUT_MS = 10_000
// Chromium starts in about a second; 60 s leaves room on a loaded 2-core CI machine.
const LAUNCH_TIMEOUT_MS = 60_000

/** Debian's package puts its launcher here; CHROMIUM_PATH names another build. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export interface BrowserSession {
  /** The browser's one context (a persistent one: its profile is the fresh folder below). */
  context: BrowserContext
  /** The profile folder, removed by close(). */
  userDataDir: string
  /** Closes Chromium and removes its profile. */
  close: () => Promise<void>
}

/**
 * Chromium, headless, on a new empty profile. Each call is a separate browser with its own cookies
 * and storage: a second user (the invitee beside a signed-in admin) is a second launchBrowser().
 */
export async function launchBrowser (): Promise<BrowserSession> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'confident-mock-chromium-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      timeout: LAUNCH_TIMEOUT_MS,
      viewport: VIEWPORT,
      args: [
        // Root (as CI runs) cannot use Chromium's user-namespace sandbox.
        '--no-sandbox',
        '--disable-gpu',
        // No calls home (update checks, safe browsing lists, sync): the machine reaches no such host,
        // and each would wait for its timeout.
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        // A container's /dev/shm is often 64 MB, where Chromium crashes; Debian's launcher adds this
        // flag itself only when its own check of /dev/shm works.
        '--disable-dev-shm-usage'
      ]
    })
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true })
    throw err
  }
  context.setDefaultTimeout(ACTION_TIMEOUT_MS)
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS)
  return {
    context,
    userDataDir,
    close: async () => {
      try {
        await context.close()
      } finally {
        await rm(userDataDir, { recursive: true, force: true })
      }
    }
  }
}

export interface RunningServer {
  /** The base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string
  /** The last few kilobytes the server printed, for a failure's message. */
  output: () => string
  /** SIGTERM, waits for the exit, removes the database; resolves with how it exited. */
  stop: () => Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

/**
 * The built server (`node dist/server.js`, as `npm start` and the container run it) on a free
 * loopback port with a new SQLite file, so the demo organization is seeded. `env` adds to or
 * overrides its environment (CONFIDENT_MOCK_ADMIN_TOKEN, CONFIDENT_MOCK_CLOCK...).
 */
export async function startServer (env: Record<string, string> = {}): Promise<RunningServer> {
  if (!existsSync(join(ROOT, 'dist', 'server.js'))) throw new Error('there is no dist/server.js: run `npm run build` first (npm run test:browser does)')
  // scripts/test-browser.sh builds first; run.ts started by hand may meet an old build: said, not refused.
  const freshness = distFreshness()
  if (!freshness.fresh) console.log(`# warning: testing an old build: ${freshness.reason}`)
  const dir = await mkdtemp(join(tmpdir(), 'confident-mock-browser-'))
  try {
    const child = await startChild({
      entry: { kind: 'dist', args: ['dist/server.js'], reason: 'the production build' },
      database: join(dir, 'state.sqlite'),
      logLevel: 'warn',
      env
    })
    return {
      url: child.url.replace(/\/$/, ''),
      output: child.output,
      stop: async () => {
        try {
          return await stopServer(child)
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}

/** Whether a navigation's answer is an HTML page (the console's), not JSON (the API's 404). */
export function isHtml (response: Response | null): boolean {
  return response !== null && (response.headers()['content-type'] ?? '').startsWith('text/html')
}

/** The serious and critical violations of one axe-core run, printed as `# ` lines when there are any. */
export async function checkA11y (page: Page, name: string): Promise<AxeViolation[]> {
  const source = await readFile(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')
  // Evaluated through the DevTools protocol rather than added as a <script>: the console's
  // Content-Security-Policy (script-src 'self', no 'unsafe-inline') blocks an injected inline tag,
  // and an evaluation is not subject to the page's policy.
  await page.evaluate(source)
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<AxeResults> } }).axe
    return await axe.run(document)
  })
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  for (const v of bad) {
    console.log(`# axe ${name}: ${v.impact} ${v.id}: ${v.help} (${v.helpUrl})`)
    for (const node of v.nodes) console.log(`#   at ${node.target.join(' ')}`)
  }
  return bad
}

/** checkA11y, failing the step when there is any serious or critical violation. */
export async function assertA11y (page: Page, name: string): Promise<void> {
  const bad = await checkA11y(page, name)
  if (bad.length > 0) throw new Error(`${name}: ${bad.length} serious or critical accessibility violation(s): ${bad.map((v) => v.id).join(', ')}`)
}

export interface ScreenshotOptions {
  colorScheme: 'light' | 'dark'
  /** The folder (docs/images by default; the test run writes to a temporary one). */
  dir?: string
}

/**
 * The page as it is now, at the fixed viewport, in the given color scheme, saved as
 * `<dir>/console-<name>-<light|dark>.png`; fails when the file is over 200 KB. Returns its path.
 */
export async function screenshot (page: Page, name: string, { colorScheme, dir = SCREENSHOT_DIR }: ScreenshotOptions): Promise<string> {
  const path = join(dir, `console-${name}-${colorScheme}.png`)
  mkdirSync(dir, { recursive: true })
  await page.setViewportSize(VIEWPORT)
  await page.emulateMedia({ colorScheme })
  await page.screenshot({ path, type: 'png', scale: 'css', animations: 'disabled', caret: 'hide' })
  const { size } = await stat(path)
  const shown = relative(process.cwd(), path)
  if (size > SCREENSHOT_MAX_BYTES) throw new Error(`${shown} is ${Math.round(size / 1024)} KB, over ${SCREENSHOT_MAX_BYTES / 1024} KB`)
  return shown
}

/** Thrown by skip(): the step did not apply (yet); reported as `ok N - name # SKIP why`. */
export class Skipped extends Error {}

/** Ends the current step as skipped. */
export function skip (why: string): never {
  throw new Skipped(why)
}

export interface Step<C> {
  name: string
  run: (ctx: C) => Promise<void>
}

export interface Summary {
  passed: number
  failed: number
  skipped: number
}

// A step that waits longer than this has hung (every action already gives up after 10 s).
const STEP_TIMEOUT_MS = 60_000

/**
 * Runs the steps in order, one `ok N - name` / `not ok N - name` line each (TAP-like, the error
 * indented below), on to the end even after a failure. The caller prints the summary.
 */
export async function runSteps<C> (steps: Array<Step<C>>, ctx: C, summary: Summary = { passed: 0, failed: 0, skipped: 0 }): Promise<Summary> {
  for (const step of steps) {
    const n = summary.passed + summary.failed + summary.skipped + 1
    const started = performance.now()
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        step.run(ctx),
        new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`step took over ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS) })
      ])
      summary.passed++
      console.log(`ok ${n} - ${step.name} (${Math.round(performance.now() - started)} ms)`)
    } catch (err) {
      if (err instanceof Skipped) {
        summary.skipped++
        console.log(`ok ${n} - ${step.name} # SKIP ${err.message}`)
      } else {
        summary.failed++
        console.log(`not ok ${n} - ${step.name}`)
        const text = err instanceof Error ? (err.stack ?? err.message) : String(err)
        console.log(text.split('\n').map((line) => `  ${line}`).join('\n'))
      }
    } finally {
      clearTimeout(timer)
    }
  }
  return summary
}

/** The closing line CI reads (a skipped step counts in neither number; it is named on a line of its own). */
export function printSummary ({ passed, failed, skipped }: Summary): void {
  if (skipped > 0) console.log(`# ${skipped} skipped`)
  console.log(`browser: ${passed} passed, ${failed} failed`)
}
