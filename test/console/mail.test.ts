// The console's mailbox: the list with its filters and pages, one email, and its HTML served for the sandboxed frame.
import t from 'tap'
import { EMAIL_CSP } from '../../src/console/security.js'
import { T0, build, seedOrg } from '../helpers/build.js'
import { HOSTILE, getPage, hasRawMarkup, region } from '../helpers/console.js'
import { inviteOrganization, inviteProject, outbox } from '../helpers/invite.js'

const rows = (html: string) => (html.match(/<tr\b[^>]*>[\s\S]*?<\/tr>/g) ?? []).slice(1)
/** The addresses the mailbox region lists, in order. */
const recipients = (html: string) => rows(region(html, 'mailbox')).map((r) => /<td>([^<]*@[^<]*)<\/td>/.exec(r)?.[1])

t.test('the mailbox lists the emails newest first', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main' }, { name: 'Side' }] })
  await inviteProject(app, org, ['ann@example.com', 'bob@example.com'])
  await app.inject({ method: 'POST', url: '/__admin/clock/advance', payload: { ms: 60_000 } })
  await inviteOrganization(app, org, ['cat@example.com'])
  const emails = await outbox(app)

  const page = await getPage(app, '/mail')
  t.equal(page.status, 200)
  const mailbox = region(page.html, 'mailbox')
  t.match(mailbox, 'data-live="state"', 'a live region')
  t.notMatch(mailbox, '<form', 'the filter form is outside it')
  t.match(mailbox, '3 emails')
  t.same(recipients(page.html), ['cat@example.com', 'bob@example.com', 'ann@example.com'], 'newest first')
  const [cat] = rows(mailbox)
  const cells = [...cat!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1])
  t.equal(cells[0], `<time datetime="${new Date(T0 + 60_000).toISOString()}">${new Date(T0 + 60_000).toISOString()}</time>`, 'sent')
  t.equal(cells[1], 'cat@example.com', 'to')
  const subject = emails[2]!.subject.replace(/'/g, '&#39;')
  t.equal(cells[2], `<a href="mail/${emails[2]!.id}">${subject}</a>`, 'the subject, linked to the email')
  t.equal(cells[3], 'ORGANIZATION', 'kind')
  t.match(page.html, '<form method="get" action="mail" class="filters"')

  const empty = await getPage(app, '/mail?to=nobody@example.com')
  t.match(region(empty.html, 'mailbox'), 'No emails match this filter.')
})

t.test('the filters are the URL, and the form keeps them', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { projects: [{ name: 'Main' }, { name: 'Side' }] })
  const other = seedOrg(app)
  await inviteProject(app, org, ['ann@example.com', 'bob@example.com'])
  await inviteProject(app, org, ['ann@example.com'], org.projects.Side)
  await inviteOrganization(app, org, ['ann@example.com'])
  await inviteProject(app, other, ['ann@example.com'])

  t.same(recipients((await getPage(app, '/mail?to=ANN@example.com')).html), Array(4).fill('ann@example.com'), 'by address, in any case')
  t.same(recipients((await getPage(app, `/mail?organizationId=${org.organizationId}`)).html).length, 4, 'by organization')
  t.same(recipients((await getPage(app, `/mail?projectId=${org.projectId}`)).html), ['bob@example.com', 'ann@example.com'], 'by project')
  const both = await getPage(app, `/mail?to=ann%40example.com&organizationId=${org.organizationId}&projectId=`)
  t.equal(both.status, 200, 'an empty field filters nothing')
  t.equal(recipients(both.html).length, 3, 'address and organization')

  t.match(both.html, '<input id="filter-to" name="to" type="search" value="ann@example.com"', 'the fields keep their values')
  t.match(both.html, `name="organizationId" value="${org.organizationId}"`)
  t.match(both.html, 'name="projectId" value=""')
  t.match(both.html, '<a href="mail">Show all</a>')
  const link = /<a href="(mail\/\d+[^"]*)">/.exec(region(both.html, 'mailbox'))![1]!
  t.match(link, `?to=ann%40example.com&amp;organizationId=${org.organizationId}`, 'an email\'s link keeps the filter')
  const detail = await getPage(app, `/${link.replace(/&amp;/g, '&')}`)
  t.equal(detail.status, 200)
  t.match(detail.html, `<a href="mail?to=ann%40example.com&amp;organizationId=${org.organizationId}">Mailbox</a>`, 'and the way back does too')

  const bad = await getPage(app, '/mail?to=' + 'a'.repeat(300))
  t.equal(bad.status, 400, 'a filter longer than any address')
})

t.test('the mailbox is paginated', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const emails = Array.from({ length: 60 }, (_, i) => `guest${String(i).padStart(2, '0')}@example.com`)
  await inviteProject(app, org, emails)
  await inviteOrganization(app, org, ['solo@example.com'])

  const first = region((await getPage(app, `/mail?projectId=${org.projectId}`)).html, 'mailbox')
  t.equal(rows(first).length, 50)
  t.match(first, 'page 1 of 2')
  t.match(first, `<a href="mail?projectId=${org.projectId}&amp;page=2" rel="next">Next</a>`, 'keeps the filter')
  const second = (await getPage(app, `/mail?projectId=${org.projectId}&page=2`)).html
  t.same(recipients(second), emails.slice(0, 10).reverse(), 'page 2: the oldest 10')
  t.match(region(second, 'mailbox'), `<a href="mail?projectId=${org.projectId}&amp;page=1" rel="prev">Previous</a>`)
  t.match(second, `value="${org.projectId}"`)
  t.equal(rows(region((await getPage(app, '/mail?page=2')).html, 'mailbox')).length, 11, 'unfiltered: 61 emails')
})

t.test('one email', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await inviteProject(app, org, ['ann@example.com'])
  const [email] = await outbox(app)
  const page = await getPage(app, `/mail/${email!.id}`)
  t.equal(page.status, 200)
  const html = page.html
  const subject = email!.subject.replace(/'/g, '&#39;')
  t.match(html, `<h1>${subject}</h1>`)
  t.match(html, '<dt>To</dt><dd>ann@example.com</dd>')
  t.match(html, `<dt>Subject</dt><dd>${subject}</dd>`)
  t.match(html, `<dt>Sent</dt><dd><time datetime="${new Date(T0).toISOString()}">`)
  t.match(html, '<dt>Kind</dt><dd>PROJECT</dd>')
  t.match(html, `<a href="organizations/${org.organizationId}">`, 'its organization')
  t.match(html, `<a href="organizations/${org.organizationId}/projects/${org.projectId}">Main</a>`, 'its project')
  t.match(html, `<a href="${email!.acceptUrl}" target="_blank" rel="noopener">Open the invitation link</a> <code>${email!.acceptUrl}</code>`)
  t.match(html, `<iframe class="email-frame" title="Email: ${subject}" sandbox="allow-popups allow-popups-to-escape-sandbox" src="mail/${email!.id}/html"></iframe>`)
  t.match(html, `<pre>${email!.text.replace(/'/g, '&#39;')}</pre>`, 'the text')
  t.notMatch(html, / style=/, 'no inline style')

  for (const url of ['/mail/999', '/mail/999/html']) {
    const missing = await getPage(app, url)
    t.equal(missing.status, 404, url)
    t.match(missing.html, '<h1>Not found</h1>')
  }
  await app.inject({ method: 'DELETE', url: '/__admin/outbox' })
  t.equal((await getPage(app, `/mail/${email!.id}`)).status, 404, 'a cleared email is gone')
  t.equal((await getPage(app, '/mail/abc')).status, 400, 'an id is a number')
})

t.test("the email's HTML, for the frame", async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  await inviteProject(app, org, ['ann@example.com'])
  const [email] = await outbox(app)
  const res = await app.inject({ method: 'GET', url: `/mail/${email!.id}/html` })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html/)
  t.equal(res.headers['content-security-policy'], EMAIL_CSP, "the email's policy, not the console's")
  t.equal(res.headers['x-frame-options'], 'SAMEORIGIN')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.match(res.body, /<head>\n<base target="_blank">\n<meta charset="utf-8">/, 'links open in a new tab: <base target> first in <head>')
  t.equal(res.body.match(/<base /g)!.length, 1)
  t.match(res.body, `href="${email!.acceptUrl}"`, 'the link')
})

t.test('hostile names come out escaped', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { name: `Org ${HOSTILE}`, projects: [{ name: `Project ${HOSTILE}`, roles: [{ name: `Role ${HOSTILE}` }] }] })
  await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations`,
    headers: { CONFIDENT_API_KEY: org.key },
    payload: { emails: ['victim@example.com'], projectRoleId: org.roles[`Project ${HOSTILE}/Role ${HOSTILE}`] }
  })
  const [email] = await outbox(app)
  t.match(email!.subject, '<script>', 'the subject holds the markup')
  for (const url of ['/mail', `/mail/${email!.id}`, `/mail?to=${encodeURIComponent(HOSTILE)}`]) {
    const page = await getPage(app, url)
    t.equal(page.status, 200, url)
    t.equal(hasRawMarkup(page.html), false, `${url}: no raw markup`)
    t.match(page.html, '&lt;script&gt;alert(1)&lt;/script&gt;', `${url}: the escaped form`)
  }
  const frame = await app.inject({ method: 'GET', url: `/mail/${email!.id}/html` })
  t.equal(hasRawMarkup(frame.body), false, 'the email escapes its names too')
})
