// Invitation emails over SMTP (CONFIDENT_MOCK_SMTP_URL), against real SMTP servers on 127.0.0.1: the
// message as the outbox shows it and its link accepting; servers that refuse, hang or drop the
// connection cost the API nothing and leave the outbox entry failed with the reason; no password anywhere.
import { once } from 'node:events'
import { createServer, type Server, type Socket } from 'node:net'
import { Writable } from 'node:stream'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import t, { type Test } from 'tap'
import { buildApp, loggerOptions, type App } from '../../src/app.js'
import { defaultConfig, loadConfig, type Config } from '../../src/config.js'
import { Clock } from '../../src/domain/clock.js'
import { loopLoad, type DeliveryTiming } from '../../src/services/delivery.js'
import { T0, json, seedOrg, type SeededOrg } from '../helpers/build.js'
import { getPage, postForm } from '../helpers/console.js'

const PASSWORD = 'pw-Sm7p-4f9c2e81d0'
const USER = 'mailer-user-7q'
/** Quick attempts: the refusing, hanging and dropping servers fail in well under a second each. */
const QUICK = { attempts: 2, backoffMs: 50, timeoutMs: 400 }

/** An SMTP server that takes every message (after AUTH with the test's user and password) and keeps it parsed. */
async function mailCatcher (t: Test) {
  const messages: ParsedMail[] = []
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth (auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: USER })
      callback(new Error('Invalid username or password'))
    },
    onData (stream, _session, callback) {
      simpleParser(stream).then((mail) => { messages.push(mail); callback() }, callback)
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.server.address() as { port: number }
  return { port, messages }
}

/** A TCP server that does `onSocket` with each connection: never greets, or greets and drops. */
async function brokenServer (t: Test, onSocket: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => { sockets.add(socket); socket.on('error', () => {}); onSocket(socket) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { for (const s of sockets) s.destroy(); server.close() })
  return (server.address() as { port: number }).port
}

/** A port nothing listens on: a server that refuses. */
async function closedPort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** An app sending over SMTP to `url`, its log lines kept. */
async function appWith (t: Test, url: string | undefined, timing: DeliveryTiming = QUICK): Promise<{ app: App, logs: string[], org: SeededOrg }> {
  const logs: string[] = []
  const config: Config = defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:', LOG_LEVEL: 'trace', ...(url === undefined ? {} : { CONFIDENT_MOCK_SMTP_URL: url }) })
  const stream = new Writable({ write (chunk, _encoding, done) { logs.push(String(chunk)); done() } })
  const app = await buildApp(config, { logger: { ...loggerOptions(config), stream }, clock: new Clock(T0), fixtures: { organizations: [] }, deliveryTiming: timing })
  t.teardown(() => app.close())
  return { app, logs, org: seedOrg(app) }
}

async function invite (app: App, org: SeededOrg, email: string) {
  const res = await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' }, payload: { emails: [email] } })
  return { res }
}

/** The outbox entry for `to` once its delivery is no longer pending. */
async function settled (app: App, to: string) {
  for (;;) {
    await app.delivery!.idle()
    const [email] = json(await app.inject({ url: `/__admin/outbox?to=${encodeURIComponent(to)}` })).data
    if (email !== undefined && email.delivery !== 'pending') return email
    await new Promise((resolve) => setImmediate(resolve))
  }
}

t.test('each invitation email goes over SMTP after the commit: the outbox\'s subject, bodies and link, which accepts', async (t) => {
  const catcher = await mailCatcher(t)
  const { app, logs, org } = await appWith(t, `smtp://${USER}:${PASSWORD}@127.0.0.1:${catcher.port}`)
  const { res } = await invite(app, org, 'Smtp.Invitee@Example.com')
  t.equal(res.statusCode, 200)
  const outboxed = await settled(app, 'smtp.invitee@example.com')
  t.same([outboxed.delivery, outboxed.deliveryError], ['sent', null])
  t.equal(catcher.messages.length, 1)
  const mail = catcher.messages[0]!
  t.equal(mail.subject, outboxed.subject)
  t.same((Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a!.value.map((v) => v.address)), ['smtp.invitee@example.com'])
  t.equal(mail.from?.value[0]?.address, 'no-reply@confident-mock.invalid', 'the default sender')
  t.equal(mail.text?.trim(), outboxed.text.trim(), 'the plain-text body')
  t.equal(mail.html, outboxed.html, 'the HTML body')
  const link = /https?:\/\/\S+\/invite\/\S+/.exec(mail.text ?? '')?.[0]
  t.equal(link, outboxed.acceptUrl, 'the link is the outbox\'s')

  // The link, followed as the invitee would: the page, then Accept.
  const path = new URL(link!).pathname
  t.equal((await getPage(app, path)).status, 200)
  t.equal((await postForm(app, path, { decision: 'accept' })).status, 303)
  const members = json(await app.inject({ url: `/v1/projects/${org.projectId}/members`, headers: { CONFIDENT_API_KEY: org.key } })).data.members as Array<{ email: string }>
  t.ok(members.some((m) => m.email === 'smtp.invitee@example.com'), 'a member now')

  // A resend is another email, sent too.
  const id = json(res).data.invitations[0].id
  await app.inject({ method: 'PUT', url: `/v1/projects/${org.projectId}/invitations/${id}`, headers: { CONFIDENT_API_KEY: org.key } })
  t.notOk(logs.join('').includes(PASSWORD), 'the password is in no log line')
})

for (const [name, server] of [
  ['refuses the connection', async () => closedPort()],
  ['never greets', async (t: Test) => brokenServer(t, () => {})],
  ['greets, then drops the connection', async (t: Test) => brokenServer(t, (socket) => { socket.write('220 ready\r\n'); socket.once('data', () => socket.destroy()) })]
] as const) {
  t.test(`a server that ${name}: the create answers at once, the outbox entry ends failed with the reason, nothing lost`, async (t) => {
    const port = await server(t)
    const { app, logs, org } = await appWith(t, `smtp://${USER}:${PASSWORD}@127.0.0.1:${port}`)
    const { res } = await invite(app, org, 'nobody@example.com')
    t.equal(res.statusCode, 200)
    const email = await settled(app, 'nobody@example.com')
    t.equal(email.delivery, 'failed')
    t.match(email.deliveryError, /\S/, `the reason: ${email.deliveryError}`)
    const listed = json(await app.inject({ url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key } })).data.invitations
    t.same(listed.map((i: { email: string }) => i.email), ['nobody@example.com'], 'the invitation is there')
    const surfaces = [
      logs.join(''),
      (await app.inject({ url: '/__admin/snapshot' })).body,
      (await app.inject({ url: '/__admin/journal' })).body,
      (await app.inject({ url: '/__admin/outbox' })).body,
      (await getPage(app, '/mail')).html,
      (await getPage(app, `/mail/${email.id}`)).html
    ]
    for (const [i, text] of surfaces.entries()) t.notOk(text.includes(PASSWORD), `no password in surface ${i}`)
    t.match((await getPage(app, `/mail/${email.id}`)).html, 'failed: ', 'the console shows it failed, and why')
  })
}

t.test('the create answers without waiting for the SMTP server: answered while its email is still pending', async (t) => {
  // A server that never greets, and a minute for each of three attempts: the email cannot leave
  // before the test ends, and the create must not wait for it.
  const port = await brokenServer(t, () => {})
  const { app, org } = await appWith(t, `smtp://127.0.0.1:${port}`, { attempts: 3, backoffMs: 60_000, timeoutMs: 60_000 })
  const { res } = await invite(app, org, 'waiting@example.com')
  t.equal(res.statusCode, 200)
  const [email] = json(await app.inject({ url: '/__admin/outbox' })).data
  t.same([email.to, email.delivery], ['waiting@example.com', 'pending'])
  const page = await getPage(app, '/mail')
  t.match(page.html, 'data-delivery="pending"', 'the mailbox shows it pending')
})

t.test('emails go in batches paced by how busy the server is: a full batch when quiet, five at a time when busy', async (t) => {
  const emails = Array.from({ length: 7 }, (_, i) => `batch-${i}@example.com`)
  for (const busy of [false, true]) {
    const catcher = await mailCatcher(t)
    let asked = 0
    const { app, org } = await appWith(t, `smtp://${USER}:${PASSWORD}@127.0.0.1:${catcher.port}`, { ...QUICK, busy: () => { asked++; return busy } })
    // The start's look for emails left pending is over; then one create, one commit, one kick: the
    // seven are pending together when the run starts.
    await app.delivery!.idle()
    asked = 0
    const res = await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key, 'content-type': 'application/json' }, payload: { emails } })
    t.equal(res.statusCode, 200)
    for (const to of emails) t.equal((await settled(app, to)).delivery, 'sent')
    t.equal(catcher.messages.length, 7)
    // Asked once a batch and once more to find nothing pending: 7 at once, or 5 then 2.
    t.equal(asked, busy ? 3 : 2, busy ? 'busy: two batches' : 'quiet: one batch')
  }
})

t.test('the event loop\'s load: low after a quiet spell, high after a blocked one', async (t) => {
  const load = loopLoad()
  await new Promise((resolve) => setTimeout(resolve, 50))
  const quiet = load()
  t.ok(quiet < 0.5, `quiet: ${quiet}`)
  const end = performance.now() + 60
  while (performance.now() < end) { /* the loop blocked, as under a burst of requests */ }
  const blocked = load()
  t.ok(blocked > 0.5, `blocked: ${blocked}`)
})

t.test('the event loop\'s load over a window under 10 ms repeats the last reading', async (t) => {
  // The loop's times given, not read: a machine that pauses the process between two reads cannot move them.
  const times = { idle: 0, active: 0 }
  const load = loopLoad(() => ({ ...times }))
  times.idle = 30
  times.active = 10
  t.equal(load(), 0.25, 'the first window: 10 ms active of 40')
  times.active = 19
  t.equal(load(), 0.25, '9 ms later: the last reading again')
  times.active = 20
  t.equal(load(), 1, '10 ms: a window of its own, measured from the last one read')
})

t.test('without CONFIDENT_MOCK_SMTP_URL: no delivery, the outbox says so', async (t) => {
  const { app, org } = await appWith(t, undefined)
  t.equal(app.delivery, null)
  await invite(app, org, 'local@example.com')
  const [email] = json(await app.inject({ url: '/__admin/outbox' })).data
  t.same([email.delivery, email.deliveryError], [null, null])
})

t.test('a bad CONFIDENT_MOCK_SMTP_URL stops the boot with a message that does not repeat it', async (t) => {
  for (const url of [`http://${USER}:${PASSWORD}@mail.example`, `smtp://${USER}:${PASSWORD}@`, 'not a url', `smtp://${USER}:${PASSWORD}@host:25/path`]) {
    try {
      loadConfig({ CONFIDENT_MOCK_SMTP_URL: url })
      t.fail(`accepted ${url}`)
    } catch (err) {
      t.match((err as Error).message, /^CONFIDENT_MOCK_SMTP_URL /)
      t.notOk((err as Error).message.includes(PASSWORD), 'the password is not repeated')
    }
  }
})
