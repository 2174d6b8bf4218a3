// Console sign-in with CONFIDENT_MOCK_ADMIN_TOKEN, the open console without it, cross-site refusal and the security headers.
import t from 'tap'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { App } from '../../src/app.js'
import { consoleAuth } from '../../src/console/auth.js'
import { build } from '../helpers/build.js'
import { getPage, postForm } from '../helpers/console.js'

const TOKEN = 'console-admin-token-0123456789'

/** The session cookie from a sign-in's Set-Cookie, as a Cookie header. */
function sessionOf (setCookie: string | string[] | undefined): string {
  const line = ([] as string[]).concat(setCookie ?? []).find((c) => /^confident_mock_console_\d+=/.test(c))
  if (line === undefined) throw new Error('no session cookie set')
  return line.split(';')[0]!
}

async function signIn (app: App, next = '') {
  const res = await postForm(app, '/sign-in', { token: TOKEN, next })
  return { ...res, cookie: sessionOf(res.headers['set-cookie']), setCookie: String(res.headers['set-cookie']) }
}

t.test('with a token, every console page asks to sign in first', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: TOKEN } })
  for (const url of ['/', '/mail', '/requests?method=POST', '/faults', '/clock', '/state', '/organizations/cdemoorganization00000000']) {
    const page = await getPage(app, url)
    t.equal(page.status, 303, `${url}: redirected`)
    const location = String(page.headers.location)
    t.match(location, /sign-in\?next=/, `${url}: to the sign-in page`)
    t.equal(new URL(location, `http://h${url}`).pathname, '/sign-in', `${url}: relative to the page`)
    t.equal(new URL(location, `http://h${url}`).searchParams.get('next'), url.slice(1), `${url}: and back after`)
  }
  for (const [url, fields] of [['/faults', { path: '/v1/**', status: '500' }], ['/state/reset', { to: 'empty' }], ['/clock', { op: 'freeze' }], ['/sign-out', {}]] as const) {
    const posted = await postForm(app, url, fields)
    t.equal(posted.status, 401, `POST ${url} refused without a session`)
    t.notMatch(posted.html, '<nav', 'nothing of the console shown')
  }
  const events = await app.inject({ method: 'GET', url: '/events' })
  t.equal(events.statusCode, 401, 'the live stream too')
  const organizations = await app.inject({ method: 'GET', url: '/__admin/organizations', headers: { 'x-admin-token': TOKEN } })
  t.equal(organizations.statusCode, 200, 'nothing was reset')
  const sign = await getPage(app, '/sign-in')
  t.equal(sign.status, 200)
  t.match(sign.html, 'type="password"')
  t.notMatch(sign.html, '<nav')
  t.equal((await getPage(app, '/assets/console.css')).status, 200, 'the assets the sign-in page uses need no session')
})

t.test('signing in sets an HttpOnly, SameSite=Strict cookie that is not the token, and opens the pages', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: TOKEN } })
  const wrong = await postForm(app, '/sign-in', { token: 'not-the-token', next: 'mail' })
  t.equal(wrong.status, 401)
  t.match(wrong.html, 'That is not the admin token')
  t.notOk(wrong.headers['set-cookie'], 'no cookie for a wrong token')
  t.notMatch(wrong.html, 'not-the-token', 'what was typed is not echoed')

  const signed = await signIn(app, 'mail?to=ann%40example.com')
  t.equal(signed.status, 303)
  t.equal(signed.location, './mail?to=ann%40example.com', 'back where the reader was going')
  t.match(signed.setCookie, /HttpOnly/i)
  t.match(signed.setCookie, /SameSite=Strict/i)
  t.match(signed.setCookie, /Path=\//)
  t.notMatch(signed.setCookie, TOKEN, 'the cookie is not the token')
  t.notMatch(signed.setCookie, /Secure/, 'not Secure over plain HTTP')

  for (const url of ['/', '/mail', '/requests', '/faults', '/clock', '/state']) {
    const page = await getPage(app, url, { cookie: signed.cookie })
    t.equal(page.status, 200, `${url} with the session`)
    t.notMatch(page.html, TOKEN, `${url}: the token never appears in a page`)
    t.match(page.html, 'action="sign-out"', `${url}: a sign-out button`)
    t.notMatch(page.html, 'This console is open', `${url}: no open-console notice`)
  }
  const forged = await getPage(app, '/', { cookie: 'confident_mock_console_80=forged' })
  t.equal(forged.status, 303, 'a made-up cookie is not a session')
  const tokenAsCookie = await getPage(app, '/', { cookie: `confident_mock_console_80=${TOKEN}` })
  t.equal(tokenAsCookie.status, 303, 'nor is the token itself')

  const out = await postForm(app, '/sign-out', {}, { cookie: signed.cookie })
  t.equal(out.status, 303)
  t.match(String(out.headers['set-cookie']), /confident_mock_console_80=;/, 'the cookie is cleared')
})

t.test('a session made with one token does not open a server with another', async (t) => {
  const first = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: TOKEN } })
  const second = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: `${TOKEN}-rotated` } })
  const { cookie } = await signIn(first)
  t.equal((await getPage(first, '/', { cookie })).status, 200)
  t.equal((await getPage(second, '/', { cookie })).status, 303)
})

t.test('next cannot send anyone off the console', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: TOKEN } })
  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '../../etc', '\\\\evil.example']) {
    const signed = await signIn(app, next)
    t.equal(signed.status, 303)
    t.equal(signed.location, './', `${JSON.stringify(next)} → the console's root`)
  }
  const page = await getPage(app, '/sign-in?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E')
  t.notMatch(page.html, '<script>alert(1)</script>', 'next is escaped in the form')
})

t.test('sign-in with a session is a sign-in; a cross-site sign-in post is refused', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: TOKEN } })
  const cross = await postForm(app, '/sign-in', { token: TOKEN }, { headers: { 'sec-fetch-site': 'cross-site' } })
  t.equal(cross.status, 403, 'login CSRF refused')
  t.notOk(cross.headers['set-cookie'])
})

t.test('without a token the console is open and says so', async (t) => {
  const app = await build(t)
  const page = await getPage(app, '/')
  t.equal(page.status, 200)
  t.match(page.html, 'This console is open')
  t.notMatch(page.html, 'action="sign-out"')
  const sign = await getPage(app, '/sign-in')
  t.equal(sign.status, 303, 'nothing to sign in to')
})

t.test('state-changing requests from another site are refused, from the console\'s own pages accepted', async (t) => {
  const app = await build(t)
  const cases: Array<[string, Record<string, string>, number]> = [
    ['cross-site', { 'sec-fetch-site': 'cross-site' }, 403],
    ['same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }, 403],
    ['no fetch metadata, another Origin', { 'sec-fetch-site': '', origin: 'https://evil.example' }, 403],
    ['no fetch metadata, an Origin of null', { 'sec-fetch-site': '', origin: 'null' }, 403],
    ['no fetch metadata, this Origin', { 'sec-fetch-site': '', origin: 'http://localhost:80' }, 303],
    ['same-origin', { 'sec-fetch-site': 'same-origin' }, 303],
    ['typed by the user (none)', { 'sec-fetch-site': 'none' }, 303],
    ['no browser headers at all (curl)', { 'sec-fetch-site': '' }, 303]
  ]
  for (const [name, headers, status] of cases) {
    const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''))
    const res = await app.inject({
      method: 'POST',
      url: '/clock',
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'localhost:80', ...clean },
      payload: 'op=freeze&back=clock'
    })
    t.equal(res.statusCode, status, name)
  }
  const clock = JSON.parse((await app.inject({ method: 'GET', url: '/__admin/clock' })).body).data
  t.equal(clock.frozen, true, 'the accepted posts froze the clock; the refused ones did nothing first')
})

t.test('every console answer carries a CSP that loads nothing from another origin', async (t) => {
  const app = await build(t)
  const page = await getPage(app, '/')
  const csp = String(page.headers['content-security-policy'])
  t.match(csp, "default-src 'none'")
  t.match(csp, "script-src 'self'")
  t.match(csp, "frame-ancestors 'none'")
  t.notMatch(csp, 'unsafe-inline', 'no inline script or style in the console')
  t.notMatch(csp, /https?:/, 'no other origin')
  t.equal(page.headers['x-content-type-options'], 'nosniff')
  t.notMatch(page.html, /(src|href)="(https?:)?\/\//, 'no absolute URL in the page')
  t.notMatch(page.html, /\sstyle=|<style/, 'no inline styles')
  t.notMatch(page.html, /<script>|<script [^>]*>[^<]/, 'no inline script')
  for (const asset of ['/assets/console.css', '/assets/console.js', '/assets/favicon.svg']) {
    const res = await getPage(app, asset)
    t.equal(res.status, 200, asset)
    t.notMatch(res.html, /https?:\/\/(?!www\.w3\.org)/, `${asset}: nothing from another origin`)
  }
  const api = await app.inject({ method: 'GET', url: '/__admin/clock' })
  t.notOk(api.headers['content-security-policy'], 'the control API is left as it was')
})

t.test('CONFIDENT_MOCK_CONSOLE=off serves the API only: no page, no invitee page, no stream', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_CONSOLE: 'off' } })
  for (const url of ['/', '/mail', '/invite/pi_1_AAAAAAAAAAAAAAAAAAAAAA', '/events', '/assets/console.css']) {
    const page = await getPage(app, url)
    t.equal(page.status, 404, url)
    t.match(JSON.parse(page.html), { success: false, error: /not found/ }, `${url}: the API's envelope`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/__admin/clock' })).statusCode, 200, 'the control API is there')
})

t.test('a session expires on the server after 12 hours, whatever the browser keeps', async (t) => {
  let now = Date.UTC(2026, 0, 1)
  const auth = consoleAuth({ token: TOKEN, now: () => now })
  const cookies: Record<string, string> = {}
  const request = { host: 'localhost:4010', protocol: 'http', cookies } as unknown as FastifyRequest
  let set: { name: string, value: string, options: Record<string, unknown> } | undefined
  const reply = { setCookie: (name: string, value: string, options: Record<string, unknown>) => { set = { name, value, options } } } as unknown as FastifyReply
  auth.signIn(request, reply)
  t.equal(set!.name, 'confident_mock_console_4010', 'named for the port: two servers on one host keep their own')
  t.notMatch(set!.value, TOKEN)
  cookies[set!.name] = set!.value
  t.ok(auth.signedIn(request), 'signed in')
  now += 11 * 60 * 60 * 1000
  t.ok(auth.signedIn(request), 'after 11 hours')
  now += 60 * 60 * 1000
  t.notOk(auth.signedIn(request), 'not after 12')
  cookies[set!.name] = set!.value.replace(/^\d+/, String(Math.floor(now / 1000)))
  t.notOk(auth.signedIn(request), 'a cookie whose time was moved does not match its MAC')
  t.notOk(consoleAuth({ token: `${TOKEN}-other`, now: () => now }).signedIn(request), 'nor one made under another token')

  const secure = consoleAuth({ token: TOKEN, https: () => true })
  secure.signIn(request, reply)
  t.equal(set!.options['secure'], true, 'Secure when the public URL is https, behind a proxy that speaks http to it')
})

t.test('next and back never leave the console, never break the Location header', async (t) => {
  const app = await build(t)
  for (const back of ['a\u0000b', 'mail\r\nSet-Cookie: x=1', '.%2e/.%2e/x', 'a/%2E%2e/b', 'a/./b', '%2e%2e', ' mail']) {
    const posted = await postForm(app, '/clock', { op: 'freeze', back })
    t.equal(posted.status, 303, `${JSON.stringify(back)}: redirected`)
    t.equal(posted.location, './', `${JSON.stringify(back)}: to the console's root`)
  }
  const kept = await postForm(app, '/clock', { op: 'unfreeze', back: 'organizations/abc?membersPage=2' })
  t.equal(kept.location, './organizations/abc?membersPage=2', 'a console path is kept')
})

t.test('HEAD /events is not served (a stream never answers one); bodies over 1 MiB are refused on public pages', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: TOKEN } })
  const head = await app.inject({ method: 'HEAD', url: '/events' })
  t.not(head.statusCode, 200)
  const big = 'x'.repeat(2 * 1024 * 1024)
  for (const url of ['/sign-in', '/invite/pi_1_AAAAAAAAAAAAAAAAAAAAAA']) {
    const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' }, payload: `token=${big}` })
    t.equal(res.statusCode, 413, `${url}: 2 MiB refused`)
  }
})
