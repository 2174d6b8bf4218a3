// The console's organization pages: the overview's counts, an organization's and a project's page, pagination, 404s and escaping.
import t from 'tap'
import type { App } from '../../src/app.js'
import { DEMO_FIXTURES, DEMO_ORGANIZATION_ID } from '../../src/boot-state/demo.js'
import { redactKey } from '../../src/domain/keys.js'
import { build, json, seedOrg } from '../helpers/build.js'
import { HOSTILE, getPage, hasRawMarkup, region } from '../helpers/console.js'
import { inviteOrganization, inviteProject } from '../helpers/invite.js'

/** The token of the last email sent to an address. */
async function tokenFor (app: App, to: string): Promise<string> {
  const res = await app.inject({ method: 'GET', url: `/__admin/outbox?to=${encodeURIComponent(to)}` })
  return json(res).data.at(-1).token
}

const nameOf = (app: App, id: string) => app.tenants.list().find((o) => o.id === id)!.name

/** The table rows of a region (or any HTML). */
const rows = (html: string) => html.match(/<tr\b[^>]*>[\s\S]*?<\/tr>/g) ?? []

/** The row of an invitation by its address. */
function rowOf (html: string, email: string): string {
  const row = rows(html).find((r) => r.includes(`<td>${email}</td>`))
  if (row === undefined) throw new Error(`no row for ${email}`)
  return row
}

/** An organization with something in every section. */
function richOrg (app: App) {
  return seedOrg(app, {
    plan: 'TRIAL',
    trialEndsAt: '2026-02-01T00:00:00.000Z',
    members: [{ email: 'owner@example.com', name: 'Olive Owner', role: 'Owner' }, { email: 'admin@example.com', name: 'Adam Admin', role: 'Admin' }],
    policies: [{ name: 'Billing readers', permissions: ['billing:read'] }],
    roles: [{ name: 'Accountant', description: 'Reads the bills', policies: ['Billing readers'] }],
    governancePolicies: [{ name: 'Strict', controls: [{ name: 'No PII', type: 'RUNTIME' }, { name: 'Evals pass', type: 'PRE_DEPLOYMENT_EVALS' }] }],
    invitations: [{ email: 'declined-org@example.com', status: 'DECLINED' }],
    projects: [
      {
        name: 'Main',
        description: 'The main project',
        governancePolicy: 'Strict',
        members: [{ email: 'dev@example.com', name: 'Dana Dev', role: 'Manager' }],
        policies: [{ name: 'Trace readers', permissions: ['traces:read'] }],
        roles: [{ name: 'Reviewer', policies: ['Trace readers'] }],
        invitations: [{ email: 'ann@example.com', status: 'DECLINED' }]
      },
      { name: 'Side' }
    ]
  })
}

t.test('the overview lists every organization with its counts', async (t) => {
  const app = await build(t)
  const org = richOrg(app)
  const other = seedOrg(app)
  await inviteProject(app, org, ['p1@example.com', 'p2@example.com'])
  await inviteOrganization(app, org, ['o1@example.com'])

  const page = await getPage(app, '/')
  t.equal(page.status, 200)
  const list = region(page.html, 'organizations')
  t.match(list, 'data-live="state"', 'a live region')
  const row = rowOf(list.replace(/<td><a [^>]*>/g, '<td>').replace(/<\/a><\/td>/g, '</td>'), nameOf(app, org.organizationId))
  const cells = [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1])
  // Name, id, plan, trial end, clock, projects, members, pending invitations (2 to Main, 1 to the organization).
  t.same(cells.slice(2, 4), ['TRIAL', '2026-02-01T00:00:00.000Z'])
  t.same(cells.slice(5), ['2', '3', '3'], 'projects, members (two plus the project member), pending invitations of both kinds')
  t.match(list, `href="organizations/${other.organizationId}"`, 'each organization links to its page')
})

t.test('the demo organization is listed by name', async (t) => {
  const app = await build(t, { fixtures: DEMO_FIXTURES })
  const page = await getPage(app, '/')
  t.equal(page.status, 200)
  t.match(region(page.html, 'organizations'), `<a href="organizations/${DEMO_ORGANIZATION_ID}">Demo Organization</a>`)
})

t.test("an organization's page", async (t) => {
  const app = await build(t)
  const org = richOrg(app)
  await inviteOrganization(app, org, ['new@example.com'])
  const name = nameOf(app, org.organizationId)
  const page = await getPage(app, `/organizations/${org.organizationId}`)
  t.equal(page.status, 200)
  const html = page.html
  t.match(html, `<h1>${name}</h1>`)

  const facts = region(html, 'organization-facts')
  t.match(facts, '<dd>TRIAL</dd>', 'plan')
  t.match(facts, '2026-02-01T00:00:00.000Z', 'trial end')
  t.match(facts, /<dt>Clock<\/dt><dd><time datetime="2026-01-15T12:00:00.000Z">[^<]*<\/time> \(frozen\)/, "the organization's clock")

  for (const heading of ['Projects', 'Members', 'Invitations', 'Roles', 'Policies', 'Governance', 'API keys']) {
    t.match(html, new RegExp(`<h2 id="[a-z]+-heading">${heading}</h2>`), `a ${heading} section`)
  }

  const projects = region(html, 'organization-projects')
  t.match(projects, `<a href="organizations/${org.organizationId}/projects/${org.projectId}">Main</a>`, 'projects link to their page')
  t.match(projects, 'The main project')
  const main = rows(projects).find((r) => r.includes('>Main<'))!
  t.match(main, /<td>1<\/td>\s*<td>0<\/td>/, 'Main: one member, no pending invitation (its one is declined)')
  t.match(rows(projects).find((r) => r.includes('>Side<'))!, /<td>0<\/td>\s*<td>0<\/td>/, 'Side: none')

  const members = region(html, 'organization-members')
  t.match(rowOf(members, 'owner@example.com'), /<td>Olive Owner<\/td><td>Owner<\/td>/)
  t.match(rowOf(members, 'admin@example.com'), /<td>Adam Admin<\/td><td>Admin<\/td>/)

  const invitations = region(html, 'organization-invitations')
  t.match(rowOf(invitations, 'new@example.com'), /class="status status-pending">PENDING</)
  t.match(rowOf(invitations, 'new@example.com'), '<td>Member</td>', 'the default role')
  t.match(rowOf(invitations, 'declined-org@example.com'), /class="status status-declined">DECLINED</)
  t.ok(invitations.indexOf('new@example.com') < invitations.indexOf('declined-org@example.com'), 'newest first')
  t.notMatch(invitations, 'ann@example.com', "a project's invitations are on the project's page")

  t.match(region(html, 'organization-roles'), /<td>Accountant<\/td><td>Reads the bills<\/td><td>Billing readers<\/td>/, 'custom roles with their policies')
  t.notMatch(region(html, 'organization-roles'), 'Reviewer', "a project's roles are on the project's page")
  t.match(region(html, 'organization-policies'), /Billing readers[\s\S]*<code>billing:read<\/code>/, 'policies with their permissions')
  const governance = region(html, 'organization-governance')
  t.match(governance, 'Strict')
  t.match(governance, 'No PII <span class="muted">(RUNTIME)</span>, Evals pass')
  t.match(governance, '<td>Main</td>', 'the enrolled projects')

  const keys = region(html, 'organization-keys')
  for (const key of [org.key, org.projectKey, org.invalidKey]) {
    t.notMatch(html, key, 'no clear key anywhere on the page')
    t.notMatch(html, key.slice(0, -6), 'nor its start')
    t.match(keys, `<code>${redactKey(key.slice(-6))}</code>`, 'the key as /v1 shows it')
  }
  t.match(rowOf(keys.replace(/<td><code>\*+(\w{6})<\/code>/g, '<td>$1'), org.invalidKey.slice(-6)), '<td>invalid</td>')
  t.match(rowOf(keys.replace(/<td><code>\*+(\w{6})<\/code>/g, '<td>$1'), org.projectKey.slice(-6)), '<td>Main</td>', 'a project key names its project')

  t.match(html, `href="mail?organizationId=${org.organizationId}">Emails to this organization</a>`)
  t.match(html, `href="requests?organizationId=${org.organizationId}">Requests</a>`)
  t.match(html, `action="organizations/${org.organizationId}/clock"`, 'the clock controls')
  t.match(html, new RegExp(`<form method="post" action="organizations/${org.organizationId}/reset" data-confirm="Reset [^"]+\\?[^"]*">`), 'the reset form')
  t.match(html, /<button type="submit" class="danger">Reset this organization<\/button>/)
  t.notMatch(html, / style=/, 'no inline style')
  t.notMatch(html, /<script>/, 'no inline script')
})

t.test("a project's page", async (t) => {
  const app = await build(t)
  const org = richOrg(app)
  const reviewer = org.roles['Main/Reviewer']!
  await inviteProject(app, org, ['bob@example.com'], undefined, reviewer)
  await inviteProject(app, org, ['cat@example.com'])
  await app.inject({ method: 'POST', url: '/__admin/invitations/decline', payload: { token: await tokenFor(app, 'cat@example.com') } })

  const url = `/organizations/${org.organizationId}/projects/${org.projectId}`
  const page = await getPage(app, url)
  t.equal(page.status, 200)
  const html = page.html
  t.match(html, '<h1>Main</h1>')
  const facts = region(html, 'project-facts')
  t.match(facts, 'The main project')
  t.match(facts, `<a href="organizations/${org.organizationId}">`, 'its organization, linked')
  t.match(facts, '<dd>Strict</dd>', 'its governance policy')
  t.match(html, `href="mail?projectId=${org.projectId}"`, 'its emails')

  const members = region(html, 'project-members')
  t.match(members, 'data-live="state"')
  t.match(rowOf(members, 'dev@example.com'), /<td>Dana Dev<\/td><td>Manager<\/td>/)
  t.notMatch(members, 'admin@example.com', 'organization members are not project members')

  const invitations = region(html, 'project-invitations')
  t.match(invitations, 'data-live="state"')
  t.match(rowOf(invitations, 'bob@example.com'), 'PENDING')
  t.match(rowOf(invitations, 'bob@example.com'), '<td>Reviewer</td>', 'a custom role')
  t.match(rowOf(invitations, 'cat@example.com'), /status-declined">DECLINED</)
  t.match(rowOf(invitations, 'cat@example.com'), '<td>Member</td>', 'the default role')
  t.match(rowOf(invitations, 'ann@example.com'), 'DECLINED')
  t.ok(invitations.indexOf('cat@example.com') < invitations.indexOf('bob@example.com'), 'newest first')

  t.match(region(html, 'project-roles'), /<td>Reviewer<\/td><td>—<\/td><td>Trace readers<\/td>/)
  t.match(region(html, 'project-policies'), /Trace readers[\s\S]*<code>traces:read<\/code>/)
  t.match(region(html, 'project-governance'), 'No PII')
  const keys = region(html, 'project-keys')
  t.match(keys, redactKey(org.projectKey.slice(-6)), 'the project key, masked')
  t.notMatch(keys, org.key.slice(-6), 'no organization key')
  t.notMatch(html, org.projectKey, 'no clear key')

  // A new invitation shows once the region is fetched again: the page is the region's source.
  await inviteProject(app, org, ['dora@example.com'])
  t.match(rowOf(region((await getPage(app, url)).html, 'project-invitations'), 'dora@example.com'), 'PENDING')
  // The forms stay outside the live regions (the script swaps a region's content).
  for (const id of ['project-members', 'project-invitations', 'project-roles', 'project-keys']) t.notMatch(region(html, id), '<form', `${id} holds no form`)

  const side = await getPage(app, `/organizations/${org.organizationId}/projects/${org.projects.Side}`)
  t.equal(side.status, 200)
  t.match(region(side.html, 'project-governance'), 'Not enrolled')
  t.match(region(side.html, 'project-invitations'), 'No invitations.')
})

t.test('unknown ids answer a 404 page', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const other = seedOrg(app)
  for (const url of [
    '/organizations/nope',
    `/organizations/${org.organizationId}/projects/nope`,
    `/organizations/nope/projects/${org.projectId}`,
    `/organizations/${other.organizationId}/projects/${org.projectId}`
  ]) {
    const page = await getPage(app, url)
    t.equal(page.status, 404, url)
    t.match(page.headers['content-type'], 'text/html')
    t.match(page.html, '<h1>Not found</h1>')
  }
  for (const url of [`/organizations/${org.organizationId}?invitationsPage=0`, `/organizations/${org.organizationId}?membersPage=abc`, '/?page=-1']) {
    const page = await getPage(app, url)
    t.equal(page.status, 400, `${url}: a bad page number`)
    t.match(page.html, 'HTTP 400')
  }
})

t.test('long lists are paginated, 50 rows a page', async (t) => {
  const app = await build(t)
  const members = Array.from({ length: 59 }, (_, i) => ({ email: `member${String(i).padStart(3, '0')}@example.com` }))
  const org = seedOrg(app, { projects: [{ name: 'Main', members }] })
  const emails = Array.from({ length: 120 }, (_, i) => `guest${String(i).padStart(3, '0')}@example.com`)
  // 100 addresses is the most one request takes (the vendor's limit).
  await inviteProject(app, org, emails.slice(0, 100))
  await inviteProject(app, org, emails.slice(100))
  const base = `/organizations/${org.organizationId}/projects/${org.projectId}`
  const path = base.slice(1)

  const first = region((await getPage(app, base)).html, 'project-invitations')
  t.equal(rows(first).length - 1, 50, 'page 1: 50 invitations (and the header row)')
  t.match(first, '120 invitations')
  t.match(rowOf(first, 'guest119@example.com'), 'PENDING', 'the newest first')
  t.match(first, 'page 1 of 3')
  t.match(first, `<a href="${path}?invitationsPage=2" rel="next">Next</a>`)
  t.match(first, '<span class="muted">Previous</span>', 'no previous page')

  const third = region((await getPage(app, `${base}?invitationsPage=3&membersPage=2`)).html, 'project-invitations')
  t.equal(rows(third).length - 1, 20, 'page 3: the last 20')
  t.match(rowOf(third, 'guest019@example.com'), 'PENDING')
  t.match(rowOf(third, 'guest000@example.com'), 'PENDING', 'the oldest last')
  t.match(third, 'page 3 of 3')
  t.match(third, `<a href="${path}?invitationsPage=2&amp;membersPage=2" rel="prev">Previous</a>`, 'keeps the other list\'s page')
  t.match(third, '<span class="muted">Next</span>')

  const past = region((await getPage(app, `${base}?invitationsPage=99`)).html, 'project-invitations')
  t.match(past, 'page 3 of 3', 'past the end shows the last page')

  const membersPage2 = await getPage(app, `${base}?membersPage=2&invitationsPage=3`)
  const secondMembers = region(membersPage2.html, 'project-members')
  t.equal(rows(secondMembers).length - 1, 9, 'members page 2: 59 - 50')
  t.match(secondMembers, 'page 2 of 2')
  t.match(secondMembers, `<a href="${path}?membersPage=1&amp;invitationsPage=3" rel="prev">Previous</a>`)
  t.equal(rows(region(membersPage2.html, 'project-invitations')).length - 1, 20, 'each list has its own page')

  const orgPage = region((await getPage(app, `/organizations/${org.organizationId}?membersPage=2`)).html, 'organization-members')
  t.equal(rows(orgPage).length - 1, 9, 'organization members, page 2')
})

t.test('hostile names come out escaped', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, {
    name: `Org ${HOSTILE}`,
    members: [{ email: 'evil@example.com', name: `Member ${HOSTILE}` }],
    policies: [{ name: `Policy ${HOSTILE}`, description: HOSTILE }],
    roles: [{ name: `Role ${HOSTILE}`, description: HOSTILE, policies: [`Policy ${HOSTILE}`] }],
    governancePolicies: [{ name: `Governance ${HOSTILE}`, description: HOSTILE, controls: [{ name: `Control ${HOSTILE}`, type: 'OPERATIONAL' }] }],
    projects: [{
      name: `Project ${HOSTILE}`,
      description: HOSTILE,
      governancePolicy: `Governance ${HOSTILE}`,
      roles: [{ name: `Project role ${HOSTILE}` }],
      members: [{ email: 'evil2@example.com', name: `Project member ${HOSTILE}` }]
    }],
    apiKeys: [{ key: 'confident_org_0123456789abcdef0123456789abcdef', name: `Key ${HOSTILE}` }]
  })
  const res = await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations`,
    headers: { CONFIDENT_API_KEY: org.key },
    payload: { emails: ['victim@example.com'], projectRoleId: org.roles[`Project ${HOSTILE}/Project role ${HOSTILE}`] }
  })
  t.equal(res.statusCode, 200)
  for (const url of ['/', `/organizations/${org.organizationId}`, `/organizations/${org.organizationId}/projects/${org.projectId}`]) {
    const page = await getPage(app, url)
    t.equal(page.status, 200, url)
    t.equal(hasRawMarkup(page.html), false, `${url}: no raw markup`)
    t.match(page.html, '&lt;script&gt;alert(1)&lt;/script&gt;', `${url}: the escaped form`)
    t.notMatch(page.html, /href="javascript:/i, `${url}: no javascript: link`)
  }
  const project = (await getPage(app, `/organizations/${org.organizationId}/projects/${org.projectId}`)).html
  t.match(rowOf(region(project, 'project-invitations'), 'victim@example.com'), 'Project role &lt;script&gt;', 'the role name, escaped')
  const orgPage = (await getPage(app, `/organizations/${org.organizationId}`)).html
  t.match(orgPage, /data-confirm="Reset Org &lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&#39;&gt;/, 'escaped inside an attribute too')
})
