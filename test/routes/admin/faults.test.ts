// /__admin/faults: injected errors and delays on /v1 by method, path glob and organization, N times or until removed.
import { performance } from 'node:perf_hooks'
import t from 'tap'
import type { App } from '../../../src/app.js'
import type { Fault } from '../../../src/admin-client.js'
import { build, json, seedOrg } from '../../helpers/build.js'

async function addFault (app: App, body: object): Promise<Fault> {
  const res = await app.inject({ method: 'POST', url: '/__admin/faults', payload: body })
  if (res.statusCode !== 201) throw new Error(`POST /__admin/faults: ${res.statusCode} ${res.body}`)
  return json(res).data
}

async function faults (app: App): Promise<Fault[]> {
  return json(await app.inject({ method: 'GET', url: '/__admin/faults' })).data
}

function org (app: App, key: string | null, url = '/v1/organization', method: 'GET' | 'POST' | 'DELETE' = 'GET', payload?: object) {
  return app.inject({ method, url, headers: key === null ? {} : { CONFIDENT_API_KEY: key }, ...(payload === undefined ? {} : { payload }) })
}

t.test('adding a fault answers it, with defaults', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/__admin/faults', payload: { path: '/v1/organization', status: 503 } })
  t.equal(res.statusCode, 201)
  const fault = json(res).data
  t.same(json(res), {
    success: true,
    data: { id: fault.id, method: '*', path: '/v1/organization', status: 503, error: null, delayMs: 0, remaining: null, organizationId: null, hits: 0, action: null, headers: {}, rateLimit: null, pending: 0 }
  })
  t.type(fault.id, 'number')
  const second = await addFault(app, { method: 'post', path: '/v1/projects/*/invitations', status: 429, error: 'Slow down', delayMs: 5, times: 2, organizationId: 'some-org' })
  t.same(second, { id: second.id, method: 'POST', path: '/v1/projects/*/invitations', status: 429, error: 'Slow down', delayMs: 5, remaining: 2, organizationId: 'some-org', hits: 0, action: null, headers: {}, rateLimit: null, pending: 0 }, 'the method in upper case')
  t.not(second.id, fault.id)
  t.same(await faults(app), [fault, second], 'listed in order')
})

t.test('times: 3 fires exactly three times, then the real answer', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  const fault = await addFault(app, { path: '/v1/organization', status: 500, error: 'Boom', times: 3 })
  for (let i = 1; i <= 3; i++) {
    const res = await org(app, o.key)
    t.equal(res.statusCode, 500, `request ${i} faulted`)
    t.same(json(res), { success: false, error: 'Boom', deprecated: false }, `request ${i}: the envelope with the message`)
    const listed = await faults(app)
    if (i < 3) {
      t.same(listed, [{ ...fault, hits: i, remaining: 3 - i }], `after ${i}: hits ${i}, remaining ${3 - i}`)
    } else {
      t.same(listed, [], 'used up: gone from the list')
    }
  }
  const fourth = await org(app, o.key)
  t.equal(fourth.statusCode, 200, 'the fourth request gets the real answer')
  t.equal(json(fourth).data.organization.id, o.organizationId)
  t.equal((await org(app, o.key)).statusCode, 200, 'and so does the fifth')
  t.equal(json(await app.inject({ method: 'DELETE', url: `/__admin/faults/${fault.id}` })).error, 'Fault not found', 'a used-up fault is removed')
})

t.test('an unlimited fault counts hits and stays', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  const fault = await addFault(app, { path: '/v1/organization', status: 502 })
  for (let i = 0; i < 4; i++) t.equal((await org(app, o.key)).statusCode, 502)
  t.same(await faults(app), [{ ...fault, hits: 4, remaining: null }])
})

t.test('the message defaults to the status text', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  const cases: Array<[number, string]> = [[503, 'Service Unavailable'], [429, 'Too Many Requests'], [400, 'Bad Request'], [418, 'I\'m a Teapot'], [500, 'Internal Server Error']]
  for (const [status, text] of cases) {
    await app.inject({ method: 'DELETE', url: '/__admin/faults' })
    await addFault(app, { path: '/v1/organization', status })
    const res = await org(app, o.key)
    t.equal(res.statusCode, status)
    t.same(json(res), { success: false, error: text, deprecated: false }, `${status}`)
    t.match(res.headers['content-type'], /application\/json/)
  }
})

t.test('a faulted request does nothing: no invitation, no email; it is journaled with its status', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  await addFault(app, { method: 'POST', path: '/v1/projects/*/invitations', status: 500, times: 1 })
  const res = await org(app, o.key, `/v1/projects/${o.projectId}/invitations`, 'POST', { emails: ['a@example.com'] })
  t.equal(res.statusCode, 500)
  const listed = await org(app, o.key, `/v1/projects/${o.projectId}/invitations`)
  t.same(json(listed).data.invitations, [], 'nothing was created')
  t.same(json(await app.inject({ url: '/__admin/outbox' })).data, [], 'no email')
  const journal = json(await app.inject({ url: '/__admin/journal' })).data
  t.same(journal.map((e: { method: string, status: number }) => `${e.method} ${e.status}`), ['POST 500', 'GET 200'])
})

t.test('a faulted request is journaled with the organization of its key', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  await addFault(app, { method: 'POST', path: '/v1/organization/invitations', status: 503, times: 1 })
  const payload = { emails: ['retry@example.com'] }
  t.equal((await org(app, o.key, '/v1/organization/invitations', 'POST', payload)).statusCode, 503)
  t.equal((await org(app, o.key, '/v1/organization/invitations', 'POST', payload)).statusCode, 200, 'the retry goes through')
  const [faulted, retried] = json(await app.inject({ url: '/__admin/journal' })).data
  t.match(retried, { status: 200, organizationId: o.organizationId, body: payload })
  t.equal(faulted.status, 503)
  t.same(faulted.headers.confident_api_key, '[redacted]')
  t.equal(faulted.organizationId, o.organizationId, 'the faulted attempt carried a valid key of this organization')
})

t.test('method: a POST fault does not touch GET; * touches every method', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  const url = `/v1/projects/${o.projectId}/invitations`
  const post = await addFault(app, { method: 'POST', path: url, status: 409 })
  t.equal((await org(app, o.key, url)).statusCode, 200, 'GET passes')
  t.equal((await org(app, o.key, url, 'POST', { emails: ['a@example.com'] })).statusCode, 409, 'POST is faulted')
  const other = await org(app, o.key, `${url}/1`, 'DELETE')
  t.same([other.statusCode, json(other).error], [404, 'Invitation not found'], 'another path passes (the real 404: the faulted POST created nothing)')
  t.same((await faults(app)).map((f) => f.hits), [1], 'only the POST counted')

  await app.inject({ method: 'DELETE', url: `/__admin/faults/${post.id}` })
  await addFault(app, { method: 'get', path: url, status: 410 })
  t.equal((await org(app, o.key, url)).statusCode, 410, 'a lower-case method matches')
  t.equal((await org(app, o.key, url, 'POST', { emails: ['b@example.com'] })).statusCode, 200)

  await app.inject({ method: 'DELETE', url: '/__admin/faults' })
  await addFault(app, { method: '*', path: url, status: 503 })
  t.equal((await org(app, o.key, url)).statusCode, 503)
  t.equal((await org(app, o.key, url, 'POST', { emails: ['c@example.com'] })).statusCode, 503)
})

t.test('path glob: * is one segment, ** any run of them; the query is ignored', async (t) => {
  const app = await build(t)
  const o = seedOrg(app, { projects: [{ name: 'Main' }, { name: 'Side' }] })
  const main = `/v1/projects/${o.projects['Main']}`
  const side = `/v1/projects/${o.projects['Side']}`

  await addFault(app, { path: '/v1/projects/*/invitations', status: 500 })
  t.equal((await org(app, o.key, `${main}/invitations`)).statusCode, 500, '* matches a project id')
  t.equal((await org(app, o.key, `${side}/invitations?x=1`)).statusCode, 500, 'any project, query aside')
  t.equal((await org(app, o.key, `${main}/members`)).statusCode, 200, 'another last segment')
  t.equal((await org(app, o.key, `${main}/invitations/1`, 'DELETE')).statusCode, 404, '* does not reach a deeper path (the real 404)')
  t.equal(json(await org(app, o.key, `${main}/invitations/1`, 'DELETE')).error, 'Invitation not found')
  t.equal((await org(app, o.key, '/v1/projects')).statusCode, 200, 'nor a shorter one')
  await app.inject({ method: 'DELETE', url: '/__admin/faults' })

  await addFault(app, { path: '/v1/projects/*', status: 500 })
  t.equal((await org(app, o.key, main)).statusCode, 500, '/v1/projects/* matches one project')
  t.equal((await org(app, o.key, `${main}/members`)).statusCode, 200, 'not what is below it')
  await app.inject({ method: 'DELETE', url: '/__admin/faults' })

  await addFault(app, { path: '/v1/projects/**', status: 500 })
  t.equal((await org(app, o.key, main)).statusCode, 500, '** one segment')
  t.equal((await org(app, o.key, `${main}/members`)).statusCode, 500, '** two segments')
  t.equal((await org(app, o.key, `${main}/invitations/1`, 'DELETE')).statusCode, 500, '** three segments')
  t.equal((await org(app, o.key, '/v1/organization')).statusCode, 200, 'not outside /v1/projects')
  await app.inject({ method: 'DELETE', url: '/__admin/faults' })

  await addFault(app, { path: '/v1/**/members', status: 500 })
  t.equal((await org(app, o.key, `${main}/members`)).statusCode, 500, '** in the middle')
  t.equal((await org(app, o.key, '/v1/organization/members')).statusCode, 500)
  t.equal((await org(app, o.key, `${main}/invitations`)).statusCode, 200)
  await app.inject({ method: 'DELETE', url: '/__admin/faults' })

  await addFault(app, { path: '/v1/organization', status: 500 })
  t.equal((await org(app, o.key, '/v1/organization/members')).statusCode, 200, 'a plain path is exact')
  t.equal((await org(app, o.key, '/v1/organization?verbose=1')).statusCode, 500)
})

t.test('a fault for one organization hits only its requests', async (t) => {
  const app = await build(t)
  const a = seedOrg(app)
  const b = seedOrg(app)
  const fault = await addFault(app, { path: '/v1/organization', status: 503, organizationId: a.organizationId })
  t.equal((await org(app, b.key)).statusCode, 200, 'b passes')
  t.equal((await org(app, a.key)).statusCode, 503, 'a is faulted')
  t.equal((await org(app, b.key)).statusCode, 200, 'b still passes')
  t.equal((await org(app, null)).statusCode, 401, 'no key: no organization, the real 401')
  t.equal((await org(app, 'confident_org_' + '0'.repeat(32))).statusCode, 401, 'an unknown key: the real 401')
  t.same(await faults(app), [{ ...fault, hits: 1 }], 'only a\'s request counted')

  // An unscoped fault after it still applies to everyone the scoped one skips.
  await addFault(app, { path: '/v1/organization', status: 500, times: 1 })
  t.equal((await org(app, a.key)).statusCode, 503, 'the first matching fault wins')
  t.equal((await org(app, b.key)).statusCode, 500, 'b meets the unscoped one')
  t.equal((await org(app, b.key)).statusCode, 200, 'which is used up')
})

t.test('delayMs delays; without a status the real answer follows', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  await addFault(app, { path: '/v1/organization', delayMs: 150, times: 1 })
  let start = performance.now()
  const slow = await org(app, o.key)
  let elapsed = performance.now() - start
  t.ok(elapsed >= 150, `waited ${elapsed.toFixed(1)} ms`)
  t.equal(slow.statusCode, 200, 'then the real answer')
  t.equal(json(slow).data.organization.id, o.organizationId)
  t.same(await faults(app), [], 'used up')

  await addFault(app, { path: '/v1/organization', delayMs: 120, status: 504, error: 'Gateway timed out', times: 1 })
  start = performance.now()
  const both = await org(app, o.key)
  elapsed = performance.now() - start
  t.ok(elapsed >= 120, `waited ${elapsed.toFixed(1)} ms`)
  t.equal(both.statusCode, 504, 'then the fault\'s status')
  t.same(json(both), { success: false, error: 'Gateway timed out', deprecated: false })

  const delayed = await addFault(app, { path: '/v1/organization', delayMs: 100, times: 2 })
  t.same(delayed, { ...delayed, status: null, error: null, delayMs: 100, remaining: 2 }, 'a delay-only fault has no status')
  const denied = await org(app, null)
  t.equal(denied.statusCode, 401, 'a delay in front of auth: the real 401 follows')
})

t.test('a fault stands in front of auth', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  await addFault(app, { path: '/v1/organization', status: 503 })
  const none = await org(app, null)
  t.equal(none.statusCode, 503, 'no key: the fault, not 401')
  t.same(json(none), { success: false, error: 'Service Unavailable', deprecated: false })
  t.equal((await org(app, o.invalidKey)).statusCode, 503, 'an invalid key: the fault')
  t.equal((await org(app, o.projectKey)).statusCode, 503, 'a project key: the fault, not 403')
})

t.test('faults touch only /v1: the control API and /health keep working', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  await addFault(app, { path: '/**', status: 500 })
  t.equal((await org(app, o.key)).statusCode, 500, '/v1 is faulted')
  t.equal((await app.inject({ url: '/health' })).statusCode, 200)
  t.equal((await app.inject({ url: '/__admin/clock' })).statusCode, 200)
  t.equal((await faults(app))[0]!.hits, 1, 'only the /v1 request counted')
})

t.test('DELETE one fault, 404 for an unknown id, DELETE all, reset', async (t) => {
  const app = await build(t)
  const o = seedOrg(app)
  const f1 = await addFault(app, { path: '/v1/organization', status: 500 })
  const f2 = await addFault(app, { path: '/v1/projects', status: 501 })
  const f3 = await addFault(app, { path: '/v1/organization/members', status: 502 })

  const removed = await app.inject({ method: 'DELETE', url: `/__admin/faults/${f1.id}` })
  t.equal(removed.statusCode, 200)
  t.same(json(removed), { success: true, data: { id: f1.id } })
  t.same((await faults(app)).map((f) => f.id), [f2.id, f3.id])
  t.equal((await org(app, o.key)).statusCode, 200, 'the removed fault no longer applies')
  t.equal((await org(app, o.key, '/v1/projects')).statusCode, 501, 'the others still do')

  const again = await app.inject({ method: 'DELETE', url: `/__admin/faults/${f1.id}` })
  t.equal(again.statusCode, 404)
  t.same(json(again), { success: false, error: 'Fault not found', deprecated: false })
  const unknown = await app.inject({ method: 'DELETE', url: '/__admin/faults/9999' })
  t.equal(unknown.statusCode, 404)
  t.same(json(unknown), { success: false, error: 'Fault not found', deprecated: false })
  const notANumber = await app.inject({ method: 'DELETE', url: '/__admin/faults/abc' })
  t.equal(notANumber.statusCode, 400)
  t.match(json(notANumber), { success: false, error: /^params\.faultId /, deprecated: false })

  const cleared = await app.inject({ method: 'DELETE', url: '/__admin/faults' })
  t.same(json(cleared), { success: true, data: { deleted: 2 } })
  t.same(await faults(app), [])
  t.equal((await org(app, o.key, '/v1/projects')).statusCode, 200)
  t.same(json(await app.inject({ method: 'DELETE', url: '/__admin/faults' })).data, { deleted: 0 })

  const f4 = await addFault(app, { path: '/v1/**', status: 500 })
  t.ok(f4.id > f3.id, 'ids are not reused')
  await addFault(app, { path: '/health', status: 500 })
  const reset = await app.inject({ method: 'POST', url: '/__admin/reset', payload: { to: 'fixtures' } })
  t.equal(reset.statusCode, 200)
  t.same(await faults(app), [], 'reset removes every fault')
})

t.test('a bad fault is a 400 in the envelope, and nothing is added', async (t) => {
  const app = await build(t)
  const cases: Array<[string, object, string | RegExp]> = [
    ['no status and no delay', { path: '/v1/organization' }, 'A fault needs a status, an action, a delayMs above 0 or a rateLimit'],
    ['delay 0 and no status', { path: '/v1/organization', delayMs: 0 }, 'A fault needs a status, an action, a delayMs above 0 or a rateLimit'],
    ['status 200', { path: '/v1/organization', status: 200 }, /^body\.status /],
    ['status 399', { path: '/v1/organization', status: 399 }, /^body\.status /],
    ['status 600', { path: '/v1/organization', status: 600 }, /^body\.status /],
    ['status as text', { path: '/v1/organization', status: '500' }, /^body\.status /],
    ['error without status', { path: '/v1/organization', delayMs: 10, error: 'Boom' }, 'body.error is the message of an error status: give body.status too'],
    ['empty error', { path: '/v1/organization', status: 500, error: '' }, /^body\.error /],
    ['path without leading slash', { path: 'v1/organization', status: 500 }, /^body\.path /],
    ['no path', { status: 500 }, /required property 'path'/],
    ['unknown field', { path: '/v1/organization', status: 500, statusCode: 500 }, /additional properties/],
    ['times 0', { path: '/v1/organization', status: 500, times: 0 }, /^body\.times /],
    ['times negative', { path: '/v1/organization', status: 500, times: -1 }, /^body\.times /],
    ['times fractional', { path: '/v1/organization', status: 500, times: 1.5 }, /^body\.times /],
    ['delay too long', { path: '/v1/organization', delayMs: 60001 }, /^body\.delayMs /],
    ['delay negative', { path: '/v1/organization', delayMs: -1, status: 500 }, /^body\.delayMs /],
    ['method not a word', { path: '/v1/organization', status: 500, method: 'GET POST' }, /^body\.method /],
    ['empty organizationId', { path: '/v1/organization', status: 500, organizationId: '' }, /^body\.organizationId /]
  ]
  for (const [name, body, error] of cases) {
    const res = await app.inject({ method: 'POST', url: '/__admin/faults', payload: body })
    t.equal(res.statusCode, 400, name)
    t.match(json(res), { success: false, error, deprecated: false }, name)
  }
  const noBody = await app.inject({ method: 'POST', url: '/__admin/faults' })
  t.equal(noBody.statusCode, 400, 'no body')
  t.match(json(noBody), { success: false, error: /required property 'path'/, deprecated: false })
  t.same(await faults(app), [], 'nothing was added')
})

t.test('a * segment is never empty: /v1/projects//invitations is not /v1/projects/*/invitations', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/__admin/faults', payload: { path: '/v1/projects/*/invitations', status: 418 } })
  const empty = await app.inject({ method: 'GET', url: '/v1/projects//invitations' })
  t.not(empty.statusCode, 418)
  t.equal((await app.inject({ method: 'GET', url: '/v1/projects/p/invitations' })).statusCode, 418)
})

t.test('closing the server cuts a fault\'s delay short: the waiting request gets a 503, the close is quick', async (t) => {
  const app = await build(t)
  await addFault(app, { path: '/v1/**', delayMs: 60_000 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address() as { port: number }
  const waiting = fetch(`http://127.0.0.1:${address.port}/v1/organization`).then(async (res) => ({ status: res.status, body: await res.json() }))
  await new Promise((resolve) => setTimeout(resolve, 200))
  const started = performance.now()
  await app.close()
  const answer = await waiting
  t.same(answer, { status: 503, body: { success: false, error: 'The server is shutting down', deprecated: false } })
  // A hang guard, not a speed target: without the cut the close waited out the full minute.
  t.ok(performance.now() - started < 10_000, 'closed without waiting out the delay')
})
