// The console's live stream (/events) on a real listening server: it says what changed, coalesced, and ends when the server closes.
import { request as httpRequest, type IncomingMessage } from 'node:http'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { defaultConfig } from '../../src/config.js'
import { DEMO_ORG_KEY } from '../../src/boot-state/demo.js'
import type { TeardownTarget } from '../helpers/build.js'

async function listening (t: TeardownTarget, config = {}) {
  const app = await buildApp(defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:', ...config }), { logger: false })
  t.teardown(() => app.close())
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, base }
}

interface Stream {
  response: IncomingMessage
  /** Events received so far, by name, with their data. */
  events: Array<{ event: string, data: string }>
  /** Resolves once an event matching the test has arrived (or rejects when the stream ends first). */
  until: (test: (e: { event: string, data: string }) => boolean) => Promise<void>
  ended: Promise<void>
}

/** Opens the event stream and parses it as a browser's EventSource does (event and data lines). */
function openStream (base: string, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/events`, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      const events: Stream['events'] = []
      const waiters: Array<{ test: (e: { event: string, data: string }) => boolean, done: () => void, fail: (e: Error) => void }> = []
      let buffer = ''
      let endedResolve: () => void
      const ended = new Promise<void>((resolve) => { endedResolve = resolve })
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        buffer += chunk
        let cut: number
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, cut)
          buffer = buffer.slice(cut + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          if (event === undefined) continue
          const e = { event, data: /^data: (.*)$/m.exec(block)?.[1] ?? '' }
          events.push(e)
          for (const w of waiters.splice(0)) if (w.test(e)) w.done(); else waiters.push(w)
        }
      })
      response.on('end', () => {
        for (const w of waiters.splice(0)) w.fail(new Error('the stream ended'))
        endedResolve()
      })
      resolve({
        response,
        events,
        ended,
        until: (test) => events.some(test)
          ? Promise.resolve()
          : new Promise((resolve, reject) => waiters.push({ test, done: resolve, fail: reject }))
      })
    })
    req.on('error', reject)
    req.end()
  })
}

const topicsOf = (e: { data: string }) => (JSON.parse(e.data) as { topics: string[] }).topics

t.test('a tab is told what changed: requests for /v1, state for anything that writes', async (t) => {
  const { base } = await listening(t)
  const stream = await openStream(base)
  t.equal(stream.response.statusCode, 200)
  t.match(stream.response.headers['content-type'], 'text/event-stream')
  t.equal(stream.response.headers['x-accel-buffering'], 'no', 'nginx passes events on at once')
  await stream.until((e) => e.event === 'hello')

  const read = await fetch(`${base}/v1/organization`, { headers: { CONFIDENT_API_KEY: DEMO_ORG_KEY, 'Content-Type': 'application/json' } })
  t.equal(read.status, 200)
  await stream.until((e) => e.event === 'change' && topicsOf(e).includes('requests'))
  const first = stream.events.filter((e) => e.event === 'change')
  t.same(topicsOf(first[0]!), ['requests'], 'a /v1 read: the journal changed, nothing stored did')

  const frozen = await fetch(`${base}/__admin/clock/freeze`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
  t.equal(frozen.status, 200)
  await stream.until((e) => e.event === 'change' && topicsOf(e).includes('state'))
  t.pass('a control call that writes: state')
  stream.response.destroy()
})

t.test('changes are coalesced: many requests, a few events', async (t) => {
  const { base } = await listening(t)
  const stream = await openStream(base)
  await stream.until((e) => e.event === 'hello')
  const started = performance.now()
  const requests = 60
  for (let i = 0; i < requests; i++) {
    const res = await fetch(`${base}/v1/organization`, { headers: { CONFIDENT_API_KEY: DEMO_ORG_KEY } })
    await res.arrayBuffer()
  }
  const elapsed = performance.now() - started
  await stream.until((e) => e.event === 'change')
  const changes = stream.events.filter((e) => e.event === 'change').length
  // One event per 250 ms window at most, plus the window still open when the loop ended.
  t.ok(changes >= 1 && changes <= Math.ceil(elapsed / 250) + 1, `${changes} events for ${requests} requests in ${elapsed.toFixed(0)} ms`)
  stream.response.destroy()
})

t.test('closing the server ends every open stream rather than waiting on it', async (t) => {
  const { app, base } = await listening(t)
  const streams = await Promise.all([openStream(base), openStream(base), openStream(base)])
  await Promise.all(streams.map((s) => s.until((e) => e.event === 'hello')))
  t.equal(app.consoleLive.size, 3)
  await app.close()
  await Promise.all(streams.map((s) => s.ended))
  t.pass('every stream ended and close resolved')
  t.equal(app.consoleLive.size, 0)
})

t.test('a tab that goes away is forgotten', async (t) => {
  const { app, base } = await listening(t)
  const stream = await openStream(base)
  await stream.until((e) => e.event === 'hello')
  t.equal(app.consoleLive.size, 1)
  stream.response.destroy()
  while (app.consoleLive.size !== 0) await new Promise((resolve) => setImmediate(resolve))
  t.equal(app.consoleLive.size, 0)
})

t.test('with an admin token the stream needs a session', async (t) => {
  const { base } = await listening(t, { CONFIDENT_MOCK_ADMIN_TOKEN: 'live-admin-token-123' })
  const refused = await fetch(`${base}/events`)
  t.equal(refused.status, 401)
  await refused.arrayBuffer()
  const signIn = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    body: 'token=live-admin-token-123'
  })
  t.equal(signIn.status, 303)
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!
  const stream = await openStream(base, { cookie })
  t.equal(stream.response.statusCode, 200)
  await stream.until((e) => e.event === 'hello')
  stream.response.destroy()
})
