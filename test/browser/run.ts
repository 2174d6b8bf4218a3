// The console in a real browser (issue 18): each step drives Chromium against the built server; `--screenshots` only writes docs/images.
//
// Usage (from the repository root; scripts/test-browser.sh installs, type-checks and builds first):
//   node --import tsx test/browser/run.ts                 the steps below
//   node --import tsx test/browser/run.ts --screenshots   only the SCREENSHOTS, into docs/images
// Exit status: 0 every step passed (or was skipped), 1 a step failed, 2 a bad argument.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Locator, Page, Response } from 'playwright-core'
import {
  assertA11y, checkA11y, isHtml, launchBrowser, printSummary, runSteps, screenshot, startServer,
  type BrowserSession, type RunningServer, type Step, type Summary
} from './lib.js'

// The organization the server seeds into a new database (src/boot-state/demo.ts).
const DEMO_ORGANIZATION = 'Demo Organization'
const DEMO_PROJECT = 'Demo Project'
const DEMO_ORGANIZATION_ID = 'cdemoorganization00000000'
const DEMO_PROJECT_ID = 'cdemoproject0000000000000'
const DEMO_ORG_KEY = 'confident_org_0123456789abcdef0123456789abcdef'
const ORGANIZATION_PATH = `organizations/${DEMO_ORGANIZATION_ID}`
const PROJECT_PATH = `${ORGANIZATION_PATH}/projects/${DEMO_PROJECT_ID}`
const INVITATIONS_PATH = `/v1/projects/${DEMO_PROJECT_ID}/invitations`

// What the vendor's Python SDK puts on the wire (test/app/sdk-replay.test.ts: PYTHON_UA and
// DEFAULT_HEADERS, with the JSON content type of a call with a body).
const PYTHON_UA = 'confidentai-python/1.4.2'
const SDK_HEADERS = {
  'Content-Type': 'application/json',
  Accept: 'application/json',
  CONFIDENT_API_KEY: DEMO_ORG_KEY,
  'User-Agent': PYTHON_UA
}

// Issue 18: a /v1 change shows on an open page within a second, without a reload.
const LIVE_BUDGET_MS = 1000
// The second server's admin token (8 to 512 characters).
const ADMIN_TOKEN = 'browser-test-admin-token-0123456789'
const HOUR_MS = 60 * 60 * 1000

/** Ids and paths one step finds and a later one uses (the pages of one email, one invitee, one request). */
interface Seen {
  annEmailPath?: string
  annInvitePath?: string
  bobInvitePath?: string
  /** A pending invitation's page (Accept and Decline shown). */
  pendingInvitePath?: string
  requestPath?: string
}

/** The second server, with CONFIDENT_MOCK_ADMIN_TOKEN, and its own browser (its own cookies). */
interface Guarded {
  server: RunningServer
  browser: BrowserSession
  page: Page
}

/** What every step gets: one server, one browser, one page in it (steps run in order and share them). */
interface Ctx {
  server: RunningServer
  browser: BrowserSession
  page: Page
  /** Opens a path of the server in `page` and answers the navigation's response. */
  open: (path: string) => Promise<Response | null>
  /** Uncaught errors the page threw since the last open() (a script the CSP blocked shows here too). */
  pageErrors: string[]
  /** Where the steps' screenshots go: a temporary folder in a test run, docs/images with --screenshots. */
  screenshotDir: string | undefined
  /** The mailbox and requests pages the live step opens beside `page` (closed once used). */
  mailPage?: Page
  requestsPage?: Page
  seen: Seen
  guarded?: Guarded
}

/** Opens `path` of `base` in `page`, failing unless it answers 200 with an HTML page. */
async function openIn (page: Page, base: string, path: string): Promise<Response> {
  const response = await page.goto(new URL(path, `${base}/`).href)
  assert.ok(response !== null, `${path}: no response`)
  assert.equal(response.status(), 200, `${path} answered ${response.status()}`)
  assert.ok(isHtml(response), `${path} answered ${response.headers()['content-type']}, not HTML`)
  return response
}

/** A new page in the same context, its uncaught errors added to `errors`. */
async function newPage (ctx: Ctx, errors: string[] = ctx.pageErrors): Promise<Page> {
  const page = await ctx.browser.context.newPage()
  page.on('pageerror', (err) => { errors.push(`${page.url()}: ${err.message}`) })
  return page
}

/**
 * Runs `action` (a click or a key that submits a form) and waits for the page's next document to
 * load: a form posted back to the page it is on ends on the same URL, which waitForURL cannot tell.
 */
async function submitted (page: Page, action: () => Promise<unknown>): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }), action()])
  await page.waitForLoadState('load')
}

/** Waits until the header says the page's live stream is connected (console.js, on the stream's `hello`). */
async function waitLive (page: Page, timeout = 5000): Promise<void> {
  const status = page.locator('#live-status')
  try {
    await status.filter({ hasText: 'Live updates: on' }).waitFor({ timeout })
  } catch {
    const shown = await status.count() === 0 ? 'no #live-status element' : `"${await status.innerText()}"`
    throw new Error(`${page.url()}: the live stream did not connect within ${timeout} ms: #live-status shows ${shown}`)
  }
}

/** The form holding the button of that name. */
const formWith = (page: Page, button: string) => page.locator('form').filter({ has: page.getByRole('button', { name: button }) })

/** The path of the page, relative to the server's root (for a later step to open it again). */
const pathOf = (page: Page): string => { const u = new URL(page.url()); return `${u.pathname.slice(1)}${u.search}` }

interface ApiAnswer { status: number, body: any, headers: Headers }

/** A /v1 call from Node, exactly as the vendor's SDK sends it. */
async function v1 (base: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? { Accept: SDK_HEADERS.Accept, CONFIDENT_API_KEY: DEMO_ORG_KEY, 'User-Agent': PYTHON_UA } : SDK_HEADERS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  let parsed: unknown = text
  try { parsed = JSON.parse(text) } catch {}
  return { status: response.status, body: parsed, headers: response.headers }
}

/** A control API call from Node (with the admin token when given). */
async function admin (base: string, method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (token !== undefined) headers['x-admin-token'] = token
  const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const text = await response.text()
  let parsed: unknown = text
  try { parsed = JSON.parse(text) } catch {}
  return { status: response.status, body: parsed, headers: response.headers }
}

/** Invites `emails` to the demo project through /v1; answers the invitations created. */
async function invite (base: string, emails: string[]): Promise<Array<{ id: number, email: string, status: string, created_at: string }>> {
  const answer = await v1(base, 'POST', INVITATIONS_PATH, { emails })
  assert.equal(answer.status, 200, `POST ${INVITATIONS_PATH} answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  return answer.body.data.invitations
}

/** Waits for `locator` for at most `ms`; answers how long it took, or throws naming `what` and the page. */
async function appearsWithin (page: Page, locator: Locator, what: string, ms: number, since: number): Promise<number> {
  const left = Math.max(1, ms - (performance.now() - since))
  try {
    await locator.first().waitFor({ timeout: left })
  } catch {
    throw new Error(`${what} did not appear on ${pathOf(page)} within ${ms} ms of the response (no reload)`)
  }
  return Math.round(performance.now() - since)
}

/**
 * Waits for `locator` to show `text` live (2 s); when it does not, reloads the page and tries once more,
 * noting that the live update did not come (the step's assertion is on the reloaded page then).
 */
async function liveOrReload (page: Page, locator: () => Locator, what: string): Promise<'live' | 'reload'> {
  try {
    await locator().first().waitFor({ timeout: 2000 })
    return 'live'
  } catch {
    console.log(`# note: ${what} did not show live on ${pathOf(page)} within 2 s; reloading`)
    await page.reload()
    await locator().first().waitFor({ timeout: 2000 })
    return 'reload'
  }
}

/** The row of an invitations or members table for `email`. */
const rowOf = (scope: Locator, email: string): Locator => scope.locator('tbody tr').filter({ has: scope.page().getByRole('cell', { name: email, exact: true }) })

/** Opens the email to `to` from the mailbox (its row's link), then the invitation link (a new tab): answers the invitee page. */
async function openInvitation (ctx: Ctx, mailPage: Page, to: string): Promise<{ emailPath: string, invitee: Page, subject: string }> {
  const row = mailPage.locator('#mailbox tbody tr').filter({ hasText: to })
  assert.equal(await row.count(), 1, `the mailbox lists one email to ${to}, found ${await row.count()}`)
  await Promise.all([mailPage.waitForURL(/\/mail\/\d+/), row.getByRole('link').click()])
  const emailPath = pathOf(mailPage)
  const subject = (await mailPage.locator('h1').innerText()).trim()
  const link = mailPage.getByRole('link', { name: 'Open the invitation link' })
  assert.equal(await link.getAttribute('target'), '_blank', 'the invitation link opens in a new tab (target=_blank)')
  const [invitee] = await Promise.all([ctx.browser.context.waitForEvent('page'), link.click()])
  invitee.on('pageerror', (err) => { ctx.pageErrors.push(`${invitee.url()}: ${err.message}`) })
  await invitee.waitForLoadState()
  assert.match(pathOf(invitee), /^invite\//, `the invitation link leads to the invitee page, not ${invitee.url()}`)
  return { emailPath, invitee, subject }
}

/** Tab presses until the focused element matches `selector`; each focused element must show its focus. */
async function tabTo (page: Page, selector: string, maxPresses = 80): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab')
    const focus = await page.evaluate((sel) => {
      const el = document.activeElement
      if (el === null || el === document.body) return null
      const style = getComputedStyle(el)
      const label = `${el.tagName.toLowerCase()}${el.id === '' ? '' : `#${el.id}`}${el.getAttribute('name') === null ? '' : `[name=${el.getAttribute('name')}]`} "${(el.textContent ?? '').trim().slice(0, 30)}"`
      return { matches: el.matches(sel), outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth, label }
    }, selector)
    if (focus === null) continue
    assert.ok(focus.outlineStyle !== 'none' && focus.outlineWidth !== '0px',
      `the focused ${focus.label} shows no focus: outline-style ${focus.outlineStyle}, outline-width ${focus.outlineWidth}`)
    if (focus.matches) return
  }
  throw new Error(`${selector} was not reached in ${maxPresses} Tab presses`)
}

/** An invitation's token, from the link of its email (for the control API). */
async function tokenOf (base: string, to: string, token?: string): Promise<string> {
  const answer = await admin(base, 'GET', `/__admin/outbox?to=${encodeURIComponent(to)}`, undefined, token)
  assert.equal(answer.status, 200, `GET /__admin/outbox answered ${answer.status}`)
  const email = answer.body.data.at(-1)
  assert.ok(email !== undefined, `no email to ${to} in the outbox`)
  return email.token
}

// Any fixed time will do; a weekday morning reads as an ordinary one.
const SCREENSHOT_CLOCK = '2026-03-02T09:30:00.000Z'

/**
 * The pages `npm run screenshots` writes, light and dark, as docs/images/console-<name>-<scheme>.png.
 * A path that depends on the state is read from what the steps (or the screenshots' seed) saw.
 */
const SCREENSHOTS: Array<{ name: string, path: string | ((seen: Seen) => string | undefined) }> = [
  { name: 'organizations', path: '/' },
  { name: 'project', path: PROJECT_PATH },
  { name: 'email', path: (seen) => seen.annEmailPath },
  { name: 'requests', path: 'requests' },
  { name: 'faults', path: 'faults' },
  { name: 'invitee', path: (seen) => seen.bobInvitePath }
]

/** Every page issue 18 names, for axe-core (sign-in is on the second server, in its own step). */
const A11Y_PAGES: Array<{ name: string, path: (seen: Seen) => string | undefined }> = [
  { name: '/', path: () => '/' },
  { name: 'organization page', path: () => ORGANIZATION_PATH },
  { name: 'project page', path: () => PROJECT_PATH },
  { name: 'mail', path: () => 'mail' },
  { name: 'mail/:id', path: (seen) => seen.annEmailPath },
  { name: 'invitee page (accepted)', path: (seen) => seen.annInvitePath },
  { name: 'invitee page (pending: Accept and Decline)', path: (seen) => seen.pendingInvitePath },
  { name: 'requests', path: () => 'requests' },
  { name: 'requests/:id', path: (seen) => seen.requestPath },
  { name: 'faults', path: () => 'faults' },
  { name: 'clock', path: () => 'clock' },
  { name: 'state', path: () => 'state' }
]

/** One screenshot step: the page, with its live stream connected when it has one (so the header reads the same each run). */
function screenshotStep ({ name, path }: typeof SCREENSHOTS[number]): Step<Ctx> {
  const shown = typeof path === 'string' ? path : name
  return {
    name: `screenshot ${shown} as console-${name}-{light,dark}.png (under 200 KB each)`,
    run: async (ctx) => {
      const target = typeof path === 'string' ? path : path(ctx.seen)
      if (target === undefined) throw new Error(`no ${name} page to screenshot: an earlier step did not find it`)
      const response = await ctx.open(target)
      assert.ok(isHtml(response), `${target} answered ${response?.status()} ${response?.headers()['content-type']}, not a page`)
      if (await ctx.page.locator('[data-live][id]').count() > 0) await waitLive(ctx.page)
      for (const colorScheme of ['light', 'dark'] as const) {
        console.log(`# wrote ${await screenshot(ctx.page, name, { colorScheme, dir: ctx.screenshotDir })}`)
      }
      await ctx.page.emulateMedia({ colorScheme: null })
    }
  }
}

/** axe-core on one page in both color schemes; every serious or critical violation is printed before the step fails. */
function a11yStep ({ name, path }: typeof A11Y_PAGES[number]): Step<Ctx> {
  return {
    name: `axe-core: ${name} has no serious or critical violation, light and dark`,
    run: async (ctx) => {
      const target = path(ctx.seen)
      if (target === undefined) throw new Error(`no ${name} to check: an earlier step did not find it`)
      await openIn(ctx.page, ctx.server.url, target)
      const found: string[] = []
      for (const colorScheme of ['light', 'dark'] as const) {
        await ctx.page.emulateMedia({ colorScheme })
        const bad = await checkA11y(ctx.page, `${target} (${colorScheme})`)
        for (const v of bad) found.push(`${colorScheme}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
      }
      await ctx.page.emulateMedia({ colorScheme: null })
      assert.deepEqual(found, [], `${target}: serious or critical violations`)
    }
  }
}

// Add a step: { name, run: async (ctx) => { ... } }; assert with node:assert, skip() what does not apply.
const STEPS: Array<Step<Ctx>> = [
  {
    name: 'GET /health answers in the browser (the harness works end to end)',
    run: async (ctx) => {
      const response = await ctx.open('/health')
      assert.equal(response?.status(), 200)
      assert.match(await ctx.page.locator('body').innerText(), /"status":\s*"ok"/)
    }
  },
  {
    name: `/ lists the demo organization (${DEMO_ORGANIZATION})`,
    run: async (ctx) => {
      const response = await ctx.open('/')
      assert.equal(response?.status(), 200, `/ answered ${response?.status()}`)
      assert.ok(isHtml(response), `/ answered ${response?.headers()['content-type']}, not HTML`)
      await ctx.page.getByRole('link', { name: DEMO_ORGANIZATION }).first().waitFor()
      assert.deepEqual(ctx.pageErrors, [], 'the page threw no error')
    }
  },
  {
    name: `an SDK's POST ${INVITATIONS_PATH} shows on the open project page and mailbox within ${LIVE_BUDGET_MS} ms, without a reload`,
    run: async (ctx) => {
      const { url } = ctx.server
      await openIn(ctx.page, url, PROJECT_PATH)
      ctx.requestsPage = await newPage(ctx)
      await openIn(ctx.requestsPage, url, 'requests')
      ctx.mailPage = await newPage(ctx)
      await openIn(ctx.mailPage, url, 'mail')
      const pages = { project: ctx.page, mail: ctx.mailPage, requests: ctx.requestsPage }
      for (const page of Object.values(pages)) await waitLive(page)
      const navigations: string[] = []
      for (const [name, page] of Object.entries(pages)) {
        await page.evaluate((marker) => { (window as unknown as { __marker: string }).__marker = marker }, name)
        page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations.push(`${name}: ${frame.url()}`) })
      }
      for (const email of ['ann@example.com', 'bob@example.com']) {
        assert.equal(await ctx.page.getByText(email).count(), 0, `${email} is not on the project page before the request`)
        assert.equal(await ctx.mailPage.getByText(email).count(), 0, `${email} is not in the mailbox before the request`)
      }

      const answer = await v1(url, 'POST', INVITATIONS_PATH, { emails: ['ann@example.com', 'bob@example.com'] })
      const answered = performance.now()
      assert.equal(answer.status, 200, `POST ${INVITATIONS_PATH} answered ${answer.status}: ${JSON.stringify(answer.body)}`)
      assert.deepEqual(answer.body.data.invitations.map((i: { email: string }) => i.email).sort(), ['ann@example.com', 'bob@example.com'])

      const timings = await Promise.all([
        ['project', ctx.page, 'ann@example.com'], ['project', ctx.page, 'bob@example.com'],
        ['mail', ctx.mailPage, 'ann@example.com'], ['mail', ctx.mailPage, 'bob@example.com']
      ].map(async ([name, page, email]) => `${name} ${email} ${await appearsWithin(page as Page, (page as Page).getByText(email as string), email as string, LIVE_BUDGET_MS, answered)} ms`))
      console.log(`# live after the response: ${timings.join(', ')}`)

      for (const [name, page] of Object.entries(pages)) {
        const marker = await page.evaluate(() => (window as unknown as { __marker?: string }).__marker)
        assert.equal(marker, name, `the ${name} page was not reloaded (window.__marker survives)`)
      }
      assert.deepEqual(navigations, [], 'no page navigated')
      assert.deepEqual(ctx.pageErrors, [], 'no page threw an error')
    }
  },
  {
    name: `the requests page opened before it shows the POST ${INVITATIONS_PATH} with status 200, live`,
    run: async (ctx) => {
      const page = ctx.requestsPage
      if (page === undefined) throw new Error('the live step did not open the requests page')
      try {
        const row = page.locator('#requests-list tbody tr')
          .filter({ has: page.getByRole('cell', { name: 'POST', exact: true }) })
          .filter({ has: page.getByRole('cell', { name: INVITATIONS_PATH, exact: true }) })
        await row.first().waitFor({ timeout: LIVE_BUDGET_MS })
        assert.equal(await row.count(), 1, 'one such request')
        assert.equal((await row.locator('.status').innerText()).trim(), '200')
        assert.equal(await page.evaluate(() => (window as unknown as { __marker?: string }).__marker), 'requests', 'the requests page was not reloaded')
        const href = await row.getByRole('link').first().getAttribute('href')
        assert.ok(href !== null && /^requests\/\d+$/.test(href), `the row links to its request page, not ${href}`)
        ctx.seen.requestPath = href
        // The request page shows what the SDK sent.
        await openIn(page, ctx.server.url, href)
        assert.match(await page.locator('h1').innerText(), new RegExp(`POST\\s+${INVITATIONS_PATH}`))
        assert.match(await page.locator('#request-headers').innerText(), /confidentai-python\/1\.4\.2/)
        assert.match(await page.locator('#request-body').innerText(), /ann@example\.com/)
      } finally {
        await page.close()
        delete ctx.requestsPage
      }
    }
  },
  {
    name: 'mailbox: the email to ann names the project and organization; its link\'s Accept makes ann a member with the invited role',
    run: async (ctx) => {
      const mailPage = ctx.mailPage
      if (mailPage === undefined) throw new Error('the live step did not open the mailbox')
      const { emailPath, invitee, subject } = await openInvitation(ctx, mailPage, 'ann@example.com')
      ctx.seen.annEmailPath = emailPath
      ctx.seen.annInvitePath = pathOf(invitee)
      try {
        assert.ok(subject.includes(DEMO_PROJECT) && subject.includes(DEMO_ORGANIZATION), `the subject names the project and organization: "${subject}"`)
        assert.match(await invitee.locator('h1').innerText(), new RegExp(`Join ${DEMO_PROJECT} in ${DEMO_ORGANIZATION}`))
        assert.equal((await invitee.locator('#invitation-status').innerText()).trim(), 'PENDING')
        await invitee.getByRole('button', { name: 'Accept' }).click()
        await invitee.locator('#invitation-status', { hasText: 'ACCEPTED' }).waitFor()
      } finally {
        await invitee.close()
      }
      // The project page, still open from the live step.
      const project = ctx.page
      const invitations = () => project.locator('#project-invitations')
      const members = () => project.locator('#project-members')
      const how = await liveOrReload(project, () => rowOf(members(), 'ann@example.com'), 'ann as a member')
      await rowOf(invitations(), 'ann@example.com').locator('.status', { hasText: 'ACCEPTED' }).waitFor({ timeout: 2000 })
      const invitedRole = (await rowOf(invitations(), 'ann@example.com').locator('td').nth(3).innerText()).trim()
      const memberRole = (await rowOf(members(), 'ann@example.com').locator('td').nth(2).innerText()).trim()
      console.log(`# ann: member shown ${how}, invitation role "${invitedRole}", member role "${memberRole}"`)
      assert.equal(invitedRole, 'Member', 'an invitation naming no role shows the default role, Member')
      assert.equal(memberRole, invitedRole, 'ann is a member with the invited role')
    }
  },
  {
    name: 'mailbox: the email to bob, its link\'s Decline: the project page shows bob\'s invitation DECLINED',
    run: async (ctx) => {
      const mailPage = ctx.mailPage
      if (mailPage === undefined) throw new Error('the live step did not open the mailbox')
      try {
        await openIn(mailPage, ctx.server.url, 'mail')
        const { invitee } = await openInvitation(ctx, mailPage, 'bob@example.com')
        ctx.seen.bobInvitePath = pathOf(invitee)
        try {
          await invitee.getByRole('button', { name: 'Decline' }).click()
          await invitee.locator('#invitation-status', { hasText: 'DECLINED' }).waitFor()
        } finally {
          await invitee.close()
        }
      } finally {
        await mailPage.close()
        delete ctx.mailPage
      }
      const project = ctx.page
      const how = await liveOrReload(project, () => rowOf(project.locator('#project-invitations'), 'bob@example.com').locator('.status', { hasText: 'DECLINED' }), 'bob\'s DECLINED')
      console.log(`# bob: DECLINED shown ${how}`)
      assert.equal(await rowOf(project.locator('#project-members'), 'bob@example.com').count(), 0, 'bob is not a member')
    }
  },
  {
    name: 'faults: a fault added from the console form makes GET /v1/organization answer 503 with its error; its Remove button ends it',
    run: async (ctx) => {
      const { url } = ctx.server
      const page = ctx.page
      await openIn(page, url, 'faults')
      const form = formWith(page, 'Add the fault')
      await form.getByLabel('Method').selectOption('GET')
      await form.getByLabel('Path (pattern)').fill('/v1/organization')
      await form.getByLabel('Status (400–599)').fill('503')
      await form.getByLabel('Error message').fill('Console fault')
      await submitted(page, async () => await form.getByRole('button', { name: 'Add the fault' }).click())
      const row = page.locator('#faults-list tbody tr').filter({ has: page.getByRole('cell', { name: '/v1/organization', exact: true }) })
      assert.equal(await row.count(), 1, 'the faults list shows the new fault')

      const faulted = await v1(url, 'GET', '/v1/organization')
      assert.equal(faulted.status, 503, `GET /v1/organization answered ${faulted.status}: ${JSON.stringify(faulted.body)}`)
      assert.equal(faulted.body.success, false)
      assert.equal(faulted.body.error, 'Console fault')

      await liveOrReload(page, () => row.getByRole('cell', { name: '1', exact: true }), 'the fault\'s one hit')
      await submitted(page, async () => await row.getByRole('button', { name: 'Remove' }).click())
      assert.equal(await row.count(), 0, 'the fault is gone from the list')
      const real = await v1(url, 'GET', '/v1/organization')
      assert.equal(real.status, 200, `GET /v1/organization answered ${real.status} after the Remove: ${JSON.stringify(real.body)}`)
    }
  },
  {
    name: 'faults: the add-fault form filled and sent with the keyboard only, the focus visible on each element Tab reaches',
    run: async (ctx) => {
      const { url } = ctx.server
      const page = ctx.page
      await openIn(page, url, 'faults')
      // Tab from the top of the page to the form's first field, checking every stop on the way.
      await tabTo(page, 'section[aria-labelledby="add-fault"] select[name="method"]')
      await page.keyboard.type('POST')
      await tabTo(page, 'input[name="path"]', 1)
      await page.keyboard.type('/v1/keyboard/*')
      await tabTo(page, 'input[name="status"]', 1)
      await page.keyboard.type('418')
      await tabTo(page, 'input[name="error"]', 1)
      await page.keyboard.type('Typed fault')
      const method = await page.locator('section[aria-labelledby="add-fault"] select[name="method"]').inputValue()
      assert.equal(method, 'POST', 'typing on the focused Method select chose POST')
      await submitted(page, async () => await page.keyboard.press('Enter'))
      const row = page.locator('#faults-list tbody tr').filter({ has: page.getByRole('cell', { name: '/v1/keyboard/*', exact: true }) })
      assert.equal(await row.count(), 1, 'the keyboard\'s fault is listed')
      assert.match(await row.innerText(), /POST[\s\S]*418[\s\S]*Typed fault/)
      // Tidy up, from the keyboard too: focus its Remove button and press Enter.
      await row.getByRole('button', { name: 'Remove' }).focus()
      await submitted(page, async () => await page.keyboard.press('Enter'))
      assert.equal(await row.count(), 0, 'removed')
    }
  },
  {
    name: 'nine console tabs in one browser: they share one live stream, so every tab goes live, a tenth page still loads and a change reaches a follower',
    run: async (ctx) => {
      const { url } = ctx.server
      // Chromium opens at most six connections to one host over HTTP/1.1: one stream per tab would
      // leave none for the seventh tab's page.
      const paths = ['', 'mail', 'requests', 'faults', 'clock', ORGANIZATION_PATH, PROJECT_PATH, 'mail?to=ann%40example.com', 'requests?method=GET']
      const pages: Page[] = []
      try {
        for (const path of paths) {
          const page = await newPage(ctx)
          pages.push(page)
          await openIn(page, url, path)
          await waitLive(page)
        }
        const tenth = await newPage(ctx)
        pages.push(tenth)
        await openIn(tenth, url, 'state')
        // The first tab holds the stream; the requests tab opened third follows it.
        const requests = pages[2]!
        const count = requests.locator('#requests-list')
        const before = await count.innerText()
        const answer = await v1(url, 'GET', '/v1/organization')
        assert.equal(answer.status, 200)
        await requests.waitForFunction((text) => document.getElementById('requests-list')?.innerText !== text, before, { timeout: 2000 })
      } finally {
        for (const page of pages) await page.close()
      }
    }
  },
  {
    name: 'state: a tenant created from a pasted YAML document: its page shows the new keys once, and passes axe-core; a refused document shows why',
    run: async (ctx) => {
      const { url } = ctx.server
      const page = ctx.page
      await openIn(page, url, 'state')
      const form = formWith(page, 'Create the tenant')
      await form.getByLabel('or the document').fill('name: Browser tenant\nplan: TRIAL\ntrialEndsAt: 2030-01-01T00:00:00Z\nprojects:\n  - name: Web\n')
      await submitted(page, async () => await form.getByRole('button', { name: 'Create the tenant' }).click())
      await page.getByText('Browser tenant').first().waitFor()
      const key = await page.getByLabel('API key 1').inputValue()
      assert.match(key, /^confident_org_[0-9a-f]{32}$/, 'the minted key, in clear, once')
      await assertA11y(page, 'tenant created')
      await openIn(page, url, 'state')
      const again = formWith(page, 'Create the tenant')
      // A plan the vendor has not: refused, and the alert says which field (a taken name is no refusal: names are not unique).
      await again.getByLabel('or the document').fill('name: Browser tenant\nplan: GOLD\n')
      await submitted(page, async () => await again.getByRole('button', { name: 'Create the tenant' }).click())
      await page.getByRole('alert').filter({ hasText: 'plan' }).waitFor()
      await assertA11y(page, 'state with a refused tenant')
    }
  },
  {
    name: 'organization clock: frozen, then advanced by 36h from the console: the next invitation is created 36 h after the previous one',
    run: async (ctx) => {
      const { url } = ctx.server
      const page = ctx.page
      await openIn(page, url, ORGANIZATION_PATH)
      const controls = page.getByRole('region', { name: 'Organization clock' })
      await submitted(page, async () => await controls.getByRole('button', { name: 'Freeze', exact: true }).click())
      await page.getByRole('region', { name: 'Organization clock' }).getByText('frozen', { exact: true }).waitFor()
      const [before] = await invite(url, ['carol@example.com'])
      const carol = await admin(url, 'GET', '/__admin/outbox?to=carol%40example.com')
      ctx.seen.pendingInvitePath = new URL(carol.body.data[0].acceptUrl).pathname.slice(1)
      await controls.getByLabel(/^By/).fill('36h')
      await submitted(page, async () => await controls.getByRole('button', { name: 'Advance' }).click())
      const shown = await controls.locator('time').first().getAttribute('datetime')
      const [after] = await invite(url, ['dave@example.com'])
      const gap = Date.parse(after!.created_at) - Date.parse(before!.created_at)
      console.log(`# created_at ${before!.created_at} then ${after!.created_at}; the page's clock shows ${shown}`)
      assert.equal(gap, 36 * HOUR_MS, `the second invitation is ${gap / HOUR_MS} h after the first, not 36 h`)
      assert.equal(shown, after!.created_at, 'the clock the page shows is the time the invitation got')
      // Back to the server clock, for the steps after (the state reset would do it as well).
      await submitted(page, async () => await controls.getByRole('button', { name: 'Reset the clock', exact: true }).click())
    }
  },
  ...A11Y_PAGES.map(a11yStep),
  ...SCREENSHOTS.map(screenshotStep),
  {
    name: 'state: Reset everything from the console (confirmed): the mailbox is empty',
    run: async (ctx) => {
      const { url } = ctx.server
      const page = ctx.page
      await openIn(page, url, 'mail')
      assert.ok(await page.locator('#mailbox tbody tr').filter({ hasText: '@example.com' }).count() > 0, 'the mailbox has emails before the reset')
      await openIn(page, url, 'state')
      const dialogs: string[] = []
      page.once('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.accept().catch(() => {}) })
      const form = formWith(page, 'Reset everything')
      await Promise.all([page.waitForURL(/\/state\?done=fixtures$/), form.getByRole('button', { name: 'Reset everything' }).click()])
      assert.equal(dialogs.length, 1, 'the reset asked for a confirmation')
      await page.locator('#state-done').waitFor()
      await openIn(page, url, 'mail')
      assert.match(await page.locator('#mailbox').innerText(), /^0 emails/)
      assert.equal(await page.locator('#mailbox tbody tr').filter({ hasText: '@example.com' }).count(), 0, 'no email is listed')
      const outbox = await admin(url, 'GET', '/__admin/outbox')
      assert.deepEqual(outbox.body.data, [], 'the control API agrees: the outbox is empty')
    }
  },
  {
    name: 'a second server with CONFIDENT_MOCK_ADMIN_TOKEN: / redirects to the sign-in page, which passes axe-core',
    run: async (ctx) => {
      const server = await startServer({ CONFIDENT_MOCK_ADMIN_TOKEN: ADMIN_TOKEN })
      let browser: BrowserSession
      try {
        browser = await launchBrowser()
      } catch (err) {
        await server.stop()
        throw err
      }
      const page = browser.context.pages()[0] ?? await browser.context.newPage()
      ctx.guarded = { server, browser, page }
      const response = await page.goto(`${server.url}/`)
      assert.match(page.url(), /\/sign-in\?next=/, `/ led to ${page.url()}`)
      assert.equal(response?.status(), 200)
      await page.getByLabel('Admin token').waitFor()
      assert.equal(await page.getByRole('navigation').count(), 0, 'the sign-in page shows none of the console\'s navigation')
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme })
        await assertA11y(page, `sign-in (${colorScheme})`)
      }
      await page.emulateMedia({ colorScheme: null })
    }
  },
  {
    name: 'signed in with the token, the pages work',
    run: async (ctx) => {
      if (ctx.guarded === undefined) throw new Error('the second server did not start')
      const { page, server } = ctx.guarded
      await page.getByLabel('Admin token').fill('not-the-token')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('alert').filter({ hasText: 'not the admin token' }).waitFor()
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
      await Promise.all([page.waitForURL(`${server.url}/`), page.getByRole('button', { name: 'Sign in' }).click()])
      await page.getByRole('link', { name: DEMO_ORGANIZATION }).waitFor()
      await waitLive(page)
      for (const path of [ORGANIZATION_PATH, PROJECT_PATH, 'mail', 'requests', 'faults', 'clock', 'state']) await openIn(page, server.url, path)
      await page.getByRole('button', { name: 'Sign out' }).waitFor()
    }
  },
  {
    name: 'a form posted to the signed-in console from another origin (same site and cross-site) is refused with 403 and resets nothing',
    run: async (ctx) => {
      if (ctx.guarded === undefined) throw new Error('the second server did not start')
      const { page, server } = ctx.guarded
      // Something a reset would remove: an invitation and its email.
      await invite(server.url, ['eve@example.com'])
      const outboxBefore = await admin(server.url, 'GET', '/__admin/outbox', undefined, ADMIN_TOKEN)
      assert.equal(outboxBefore.status, 200)
      assert.equal(outboxBefore.body.data.length, 1, 'one email before')

      const target = `${server.url}/state/reset`
      const attacker: Server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        res.end(`<!doctype html><title>elsewhere</title><form method="post" action="${target}"><input type="hidden" name="to" value="empty"><button>Win a prize</button></form>`)
      })
      await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
      try {
        const { port } = attacker.address() as AddressInfo
        // 127.0.0.1 on another port: another origin on the same site (SameSite cookies still go);
        // localhost: another site.
        for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
          await page.goto(`${origin}/`)
          const [answer] = await Promise.all([
            page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST'),
            page.getByRole('button', { name: 'Win a prize' }).click()
          ])
          assert.equal(answer.status(), 403, `from ${origin} the console answered ${answer.status()}`)
          await page.getByRole('heading', { name: 'Refused' }).waitFor()
        }
      } finally {
        attacker.closeAllConnections()
        await new Promise<void>((resolve) => attacker.close(() => resolve()))
      }
      const outboxAfter = await admin(server.url, 'GET', '/__admin/outbox', undefined, ADMIN_TOKEN)
      assert.deepEqual(outboxAfter.body.data.map((e: { to: string }) => e.to), ['eve@example.com'], 'nothing was reset: the email is still there')
      const organizations = await admin(server.url, 'GET', '/__admin/organizations', undefined, ADMIN_TOKEN)
      assert.ok(JSON.stringify(organizations.body).includes(DEMO_ORGANIZATION_ID), 'the demo organization is still there')
      // The console's own form still works for the signed-in user (the refusal is about where the post came from).
      await openIn(page, server.url, 'state')
      page.once('dialog', (dialog) => { dialog.accept().catch(() => {}) })
      await Promise.all([page.waitForURL(/\/state\?done=fixtures$/), page.getByRole('button', { name: 'Reset everything' }).click()])
    }
  }
]

/** In --screenshots mode, a little state first: three invitations (one accepted), a fault, a few requests. */
const SEED: Step<Ctx> = {
  name: 'seed the screenshots\' state: invitations to 3 addresses (one accepted), a fault, a few requests',
  run: async (ctx) => {
    const { url } = ctx.server
    await invite(url, ['ann@example.com', 'bob@example.com', 'carol@example.com'])
    const accepted = await admin(url, 'POST', '/__admin/invitations/accept', { token: await tokenOf(url, 'ann@example.com') })
    assert.equal(accepted.status, 200, `accept answered ${accepted.status}`)
    assert.equal((await v1(url, 'GET', '/v1/organization')).status, 200)
    assert.equal((await v1(url, 'GET', INVITATIONS_PATH)).status, 200)
    assert.equal((await v1(url, 'GET', '/v1/projects/cnosuchproject00000000000/invitations')).status, 404)
    const fault = await admin(url, 'POST', '/__admin/faults', { method: 'POST', path: '/v1/projects/*/invitations', status: 503, error: 'Invitations are down for maintenance', times: 3 })
    assert.equal(fault.status, 201, `the fault answered ${fault.status}`)
    assert.equal((await v1(url, 'POST', INVITATIONS_PATH, { emails: ['dan@example.com'] })).status, 503)
    const outbox = await admin(url, 'GET', '/__admin/outbox')
    const email = (to: string) => outbox.body.data.find((e: { to: string }) => e.to === to)
    ctx.seen.annEmailPath = `mail/${email('ann@example.com').id}`
    ctx.seen.bobInvitePath = new URL(email('bob@example.com').acceptUrl).pathname.slice(1)
  }
}

async function main (): Promise<number> {
  const args = process.argv.slice(2)
  const unknown = args.filter((a) => a !== '--screenshots')
  if (unknown.length > 0) {
    console.error(`test/browser/run.ts: unknown argument ${unknown.join(' ')} (only --screenshots)`)
    return 2
  }
  const screenshotsOnly = args.includes('--screenshots')
  const summary: Summary = { passed: 0, failed: 0, skipped: 0 }
  const tempDir = screenshotsOnly ? undefined : await mkdtemp(join(tmpdir(), 'confident-mock-screenshots-'))

  let server: RunningServer | undefined
  let browser: BrowserSession | undefined
  let ctx: Ctx | undefined
  try {
    await runSteps([
      // The screenshots' server clock is frozen, so a page that shows a time looks the same each run
      // and the images change only when the console does.
      { name: 'start the built server (node dist/server.js)', run: async () => { server = await startServer(screenshotsOnly ? { CONFIDENT_MOCK_CLOCK: SCREENSHOT_CLOCK } : {}) } },
      { name: `launch Chromium (${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'})`, run: async () => { browser = await launchBrowser() } }
    ], undefined, summary)
    if (server !== undefined && browser !== undefined) {
      const { url } = server
      // A persistent context opens with one blank page.
      const page = browser.context.pages()[0] ?? await browser.context.newPage()
      const c: Ctx = {
        server,
        browser,
        page,
        pageErrors: [],
        screenshotDir: tempDir,
        seen: {},
        open: async (path) => {
          c.pageErrors.length = 0
          return await page.goto(new URL(path, `${url}/`).href)
        }
      }
      ctx = c
      page.on('pageerror', (err) => { c.pageErrors.push(err.message) })
      await runSteps(screenshotsOnly ? [SEED, ...SCREENSHOTS.map(screenshotStep)] : STEPS, c, summary)
    }
  } finally {
    if (ctx?.guarded !== undefined) {
      await ctx.guarded.browser.close()
      const exit = await ctx.guarded.server.stop()
      if (exit.code !== 0) {
        summary.failed++
        console.log(`not ok - the second server exited with code ${exit.code} (signal ${exit.signal}) on SIGTERM`)
      }
    }
    await browser?.close()
    const exit = await server?.stop()
    if (exit !== undefined && exit.code !== 0) {
      summary.failed++
      console.log(`not ok - the server exited with code ${exit.code} (signal ${exit.signal}) on SIGTERM`)
    }
    if (summary.failed > 0 && server !== undefined && server.output().trim() !== '') {
      console.log('# the server printed:')
      console.log(server.output().trim().split('\n').map((line) => `#   ${line}`).join('\n'))
    }
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true })
  }
  printSummary(summary)
  return summary.failed > 0 ? 1 : 0
}

process.exitCode = await main()
