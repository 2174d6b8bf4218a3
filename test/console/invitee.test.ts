// The invitee page (/invite/:token): what the emailed link opens, Accept and Decline, for every state of its token.
import t from 'tap'
import type { App } from '../../src/app.js'
import { build, json, seedOrg, type SeededOrg } from '../helpers/build.js'
import { HOSTILE, getPage, hasRawMarkup, postForm } from '../helpers/console.js'

async function invite (app: App, org: SeededOrg, emails: string[], extra: Record<string, unknown> = {}) {
  const res = await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails, ...extra } })
  t.equal(res.statusCode, 200, res.body)
  const outbox = json((await app.inject({ method: 'GET', url: '/__admin/outbox' }))).data as Array<{ to: string, token: string, acceptUrl: string, invitationId: number }>
  return emails.map((email) => outbox.filter((e) => e.to === email.toLowerCase()).at(-1)!)
}

async function projectMembers (app: App, org: SeededOrg) {
  const res = await app.inject({ method: 'GET', url: `/v1/projects/${org.projectId}/members`, headers: { CONFIDENT_API_KEY: org.key } })
  return json(res).data as unknown
}

t.test('the emailed link opens the page; opening it changes nothing', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Web', roles: [{ name: 'Reviewer' }] }] })
  const [email] = await invite(app, org, ['ann@example.com'], { projectRoleId: org.roles['Web/Reviewer'] })
  const path = new URL(email!.acceptUrl).pathname
  t.equal(path, `/invite/${email!.token}`, 'the link leads to this page')

  for (let i = 0; i < 2; i++) {
    const page = await getPage(app, path)
    t.equal(page.status, 200)
    t.match(page.html, '<base href="../">', 'relative to the console root, one level down')
    t.match(page.html, 'Join Web in ')
    t.match(page.html, org.organizationId === '' ? '' : 'ann@example.com')
    t.match(page.html, 'Reviewer', 'the invited role')
    t.match(page.html, '>PENDING<')
    t.match(page.html, /<button type="submit" name="decision" value="accept"[^>]*>Accept<\/button>/)
    t.match(page.html, /<button type="submit" name="decision" value="decline"[^>]*>Decline<\/button>/)
    t.notMatch(page.html, '<nav', 'no console navigation: the page shows that one invitation only')
    t.notMatch(page.html, 'This console is open', 'nor the console\'s notice')
  }
  const listed = json(await app.inject({ method: 'GET', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key } }))
  t.equal(listed.data.invitations[0].status, 'PENDING', 'still pending after two visits')
})

t.test('Accept: the invitee becomes a member with the invited role, and the page says so', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Web', roles: [{ name: 'Reviewer' }] }] })
  const [email] = await invite(app, org, ['ann@example.com'], { projectRoleId: org.roles['Web/Reviewer'] })
  const path = `/invite/${email!.token}`

  const posted = await postForm(app, path, { decision: 'accept' })
  t.equal(posted.status, 303, 'redirected back to the page: a reload does not post again')
  t.equal(posted.location, `../invite/${email!.token}`)
  const page = await getPage(app, path)
  t.equal(page.status, 200)
  t.match(page.html, '>ACCEPTED<')
  t.match(page.html, 'You accepted this invitation')
  t.notMatch(page.html, 'value="accept"', 'no buttons any more')
  t.match(JSON.stringify(await projectMembers(app, org)), /"email":"ann@example.com"[^}]*"Reviewer"|"Reviewer"[^}]*"email":"ann@example.com"/, 'a member with the invited role')

  const again = await postForm(app, path, { decision: 'decline' })
  t.equal(again.status, 409, 'a used token: 409, as POST /__admin/invitations/decline answers')
  t.match(again.html, 'Invitation is ACCEPTED, not PENDING')
  t.match(again.headers['content-type'], 'text/html')
})

t.test('Decline: the invitation stays listed as DECLINED; no member is made', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const [email] = await invite(app, org, ['bob@example.com'])
  const path = `/invite/${email!.token}`
  t.equal((await postForm(app, path, { decision: 'decline' })).status, 303)
  const page = await getPage(app, path)
  t.match(page.html, '>DECLINED<')
  t.match(page.html, 'You declined this invitation')
  t.notMatch(JSON.stringify(await projectMembers(app, org)), 'bob@example.com')
  const listed = json(await app.inject({ method: 'GET', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key } }))
  t.equal(listed.data.invitations[0].status, 'DECLINED')
  t.equal((await postForm(app, path, { decision: 'accept' })).status, 409, 'then it cannot be accepted')
})

t.test('an organization invitation: the page names the organization and its role', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const res = await app.inject({ method: 'POST', url: '/v1/organization/invitations', headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['cat@example.com'] } })
  t.equal(res.statusCode, 200)
  const email = json(await app.inject({ method: 'GET', url: '/__admin/outbox?to=cat@example.com' })).data[0]
  t.match(email.token, /^oi_/)
  const page = await getPage(app, `/invite/${email.token}`)
  t.equal(page.status, 200)
  t.match(page.html, /<h1>Join Org [^<]+<\/h1>/)
  t.match(page.html, 'Member', 'the default organization role')
  t.equal((await postForm(app, `/invite/${email.token}`, { decision: 'accept' })).status, 303)
  const members = json(await app.inject({ method: 'GET', url: '/v1/organization/members', headers: { CONFIDENT_API_KEY: org.key } }))
  t.match(JSON.stringify(members.data), 'cat@example.com')
})

t.test('unknown, forged and revoked tokens get a 404 page, the same for GET and POST', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const [kept, revoked] = await invite(app, org, ['ann@example.com', 'dan@example.com'])
  const del = await app.inject({ method: 'DELETE', url: `/v1/projects/${org.projectId}/invitations/${revoked!.invitationId}`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(del.statusCode, 200, del.body)
  const forged = kept!.token.slice(0, -1) + (kept!.token.endsWith('A') ? 'B' : 'A')
  for (const [name, token] of [['unknown', 'pi_999_AAAAAAAAAAAAAAAAAAAAAA'], ['forged', forged], ['revoked', revoked!.token], ['malformed', 'nonsense']] as const) {
    const page = await getPage(app, `/invite/${encodeURIComponent(token)}`)
    t.equal(page.status, 404, `${name}: GET`)
    t.match(page.html, 'No invitation has this token', name)
    t.match(page.headers['content-type'], 'text/html')
    t.notMatch(page.html, '<nav', `${name}: nothing of the console`)
    const posted = await postForm(app, `/invite/${encodeURIComponent(token)}`, { decision: 'accept' })
    t.equal(posted.status, 404, `${name}: POST`)
  }
  const listed = json(await app.inject({ method: 'GET', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key } }))
  t.same(listed.data.invitations.map((i: { status: string }) => i.status), ['PENDING'], 'the forged attempts changed nothing')
})

t.test('a decision other than accept or decline is a 400 page and changes nothing', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const [email] = await invite(app, org, ['ann@example.com'])
  for (const fields of [{ decision: 'maybe' }, {}]) {
    const posted = await postForm(app, `/invite/${email!.token}`, fields as Record<string, string>)
    t.equal(posted.status, 400)
    t.match(posted.headers['content-type'], 'text/html')
  }
  t.match((await getPage(app, `/invite/${email!.token}`)).html, '>PENDING<')
})

t.test('hostile organization, project and role names come out escaped', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { name: `Org ${HOSTILE}`, projects: [{ name: `Web ${HOSTILE}`, roles: [{ name: `Role ${HOSTILE}` }] }] })
  const [email] = await invite(app, org, ['ann@example.com'], { projectRoleId: org.roles[`Web ${HOSTILE}/Role ${HOSTILE}`] })
  const page = await getPage(app, `/invite/${email!.token}`)
  t.equal(page.status, 200)
  t.notOk(hasRawMarkup(page.html), 'no markup from a name reaches the page')
  t.match(page.html, '&lt;script&gt;alert(1)&lt;/script&gt;')
})

t.test('the invitee page needs no admin token, and a cross-site post is refused', async (t) => {
  const app = await build(t, { config: { CONFIDENT_MOCK_ADMIN_TOKEN: 'an-admin-token-1234' } })
  const org = seedOrg(app)
  const res = await app.inject({ method: 'POST', url: `/v1/projects/${org.projectId}/invitations`, headers: { CONFIDENT_API_KEY: org.key }, payload: { emails: ['ann@example.com'] } })
  t.equal(res.statusCode, 200)
  const email = json(await app.inject({ method: 'GET', url: '/__admin/outbox', headers: { 'x-admin-token': 'an-admin-token-1234' } })).data[0]
  const page = await getPage(app, `/invite/${email.token}`)
  t.equal(page.status, 200, 'no sign-in: the token in the link is the capability')
  const cross = await postForm(app, `/invite/${email.token}`, { decision: 'accept' }, { headers: { 'sec-fetch-site': 'cross-site' } })
  t.equal(cross.status, 403)
  t.match((await getPage(app, `/invite/${email.token}`)).html, '>PENDING<', 'nothing changed')
  t.equal((await postForm(app, `/invite/${email.token}`, { decision: 'accept' })).status, 303)
})
