// /__admin/outbox: one email per invitation created and per resend, its filters, clearing, its tokens, and each email as rendered.
import t from 'tap'
import type { OutboxEmail as Email } from '../../../src/admin-client.js'
import { systemRoleId } from '../../../src/domain/roles.js'
import type { Config } from '../../../src/config.js'
import { T0, build, json, seedOrg } from '../../helpers/build.js'
import { inviteOrganization, inviteProject, outbox } from '../../helpers/invite.js'

const iso = (ms: number) => new Date(ms).toISOString()

t.test('one email per created invitation, none for skipped addresses', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { members: [{ email: 'member@example.com' }] })
  t.same(await outbox(app), [], 'empty at first')

  const created = await inviteProject(app, org, ['Ann@Example.com', 'bob@example.com', 'ann@example.com'])
  t.equal(created.length, 2, 'the repeated address counts once')
  const emails = await outbox(app)
  t.equal(emails.length, 2)
  t.same(emails.map((e) => e.to), ['ann@example.com', 'bob@example.com'], 'stored in lower case, in order')
  for (const [i, e] of emails.entries()) {
    t.match(e, {
      id: Number,
      kind: 'PROJECT',
      to: created[i]!.email,
      organizationId: org.organizationId,
      projectId: org.projectId,
      invitationId: created[i]!.id,
      token: /^pi_/,
      sentAt: iso(T0)
    }, `email ${i}`)
  }
  t.ok(emails[0]!.id < emails[1]!.id, 'by id')
  t.not(emails[0]!.token, emails[1]!.token, 'one token per invitation')

  // Skipped: an already pending address, and a member of the project (and organization) after acceptance.
  await app.inject({ method: 'POST', url: '/__admin/invitations/accept', payload: { token: emails[1]!.token } })
  const second = await inviteProject(app, org, ['ann@example.com', 'bob@example.com', 'cat@example.com'])
  t.same(second.map((i) => i.email), ['cat@example.com'])
  t.same((await outbox(app)).map((e) => e.to), ['ann@example.com', 'bob@example.com', 'cat@example.com'], 'only cat gets an email')

  const orgSkip = await inviteOrganization(app, org, ['member@example.com'])
  t.same(orgSkip, [], 'an organization member is skipped')
  t.equal((await outbox(app)).length, 3, 'and gets no email')
  const nothing = await inviteProject(app, org, ['ann@example.com'])
  t.same(nothing, [])
  t.equal((await outbox(app)).length, 3, 'a request that creates nothing sends nothing')
})

t.test('a resend records one more email with the same token', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const [inv] = await inviteProject(app, org, ['again@example.com', 'other@example.com'])
  await app.inject({ method: 'POST', url: '/__admin/clock/advance', payload: { ms: 60_000 } })
  const resend = await app.inject({ method: 'PUT', url: `/v1/projects/${org.projectId}/invitations/${inv!.id}`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(resend.statusCode, 200)
  const emails = await outbox(app, '?to=again@example.com')
  t.equal(emails.length, 2, 'two emails to the same address')
  t.equal(emails[1]!.token, emails[0]!.token, 'the same link')
  t.equal(emails[1]!.invitationId, inv!.id)
  t.equal(emails[1]!.sentAt, iso(T0 + 60_000), 'sent at the resend\'s time')
  t.equal((await outbox(app)).length, 3, 'other@example.com still has one')

  await app.inject({ method: 'PUT', url: `/v1/projects/${org.projectId}/invitations/${inv!.id}`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal((await outbox(app, '?to=again@example.com')).length, 3, 'each resend adds one')

  const [orgInv] = await inviteOrganization(app, org, ['boss@example.com'])
  const orgResend = await app.inject({ method: 'PUT', url: `/v1/organization/invitations/${orgInv!.id}`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(orgResend.statusCode, 200)
  t.equal((await outbox(app, '?kind=ORGANIZATION')).length, 2, 'organization resends too')

  // A resend that fails records nothing.
  await app.inject({ method: 'DELETE', url: `/v1/projects/${org.projectId}/invitations/${inv!.id}`, headers: { CONFIDENT_API_KEY: org.key } })
  const gone = await app.inject({ method: 'PUT', url: `/v1/projects/${org.projectId}/invitations/${inv!.id}`, headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(gone.statusCode, 404)
  t.equal((await outbox(app)).length, 6, 'no email for a failed resend')
})

t.test('organization invitations: kind ORGANIZATION, projectId null', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const [inv] = await inviteOrganization(app, org, ['boss@example.com'])
  const emails = await outbox(app)
  t.equal(emails.length, 1)
  t.match(emails[0], { kind: 'ORGANIZATION', to: 'boss@example.com', organizationId: org.organizationId, projectId: null, invitationId: inv!.id, token: /^oi_/, sentAt: iso(T0) })
  t.equal(emails[0]!.projectId, null)
})

t.test('every filter, alone and combined', async (t) => {
  const app = await build(t)
  const a = seedOrg(app, { projects: [{ name: 'Main' }, { name: 'Side' }] })
  const b = seedOrg(app)
  const a1 = await inviteProject(app, a, ['x@example.com', 'y@example.com'])
  const a2 = await inviteProject(app, a, ['x@example.com'], a.projects['Side'])
  const ao = await inviteOrganization(app, a, ['x@example.com', 'z@example.com'])
  const b1 = await inviteProject(app, b, ['x@example.com'])
  const bo = await inviteOrganization(app, b, ['w@example.com'])
  const all = await outbox(app)
  t.equal(all.length, 7)

  const sameIds = async (query: string, expected: Email[], name: string) => {
    t.same((await outbox(app, query)).map((e) => e.id), expected.map((e) => e.id), name)
  }
  const where = (f: (e: Email) => boolean) => all.filter(f)

  await sameIds('?to=x@example.com', where((e) => e.to === 'x@example.com'), 'to')
  t.equal((await outbox(app, '?to=x@example.com')).length, 4)
  await sameIds('?to=X%40EXAMPLE.com', where((e) => e.to === 'x@example.com'), 'to is case-insensitive')
  await sameIds('?to=nobody@example.com', [], 'to: no match')
  await sameIds('?kind=ORGANIZATION', where((e) => e.kind === 'ORGANIZATION'), 'kind ORGANIZATION')
  t.equal((await outbox(app, '?kind=ORGANIZATION')).length, 3)
  await sameIds('?kind=PROJECT', where((e) => e.kind === 'PROJECT'), 'kind PROJECT')
  await sameIds(`?organizationId=${a.organizationId}`, where((e) => e.organizationId === a.organizationId), 'organizationId a')
  await sameIds(`?organizationId=${b.organizationId}`, where((e) => e.organizationId === b.organizationId), 'organizationId b')
  t.equal((await outbox(app, `?organizationId=${a.organizationId}`)).length, 5)
  t.equal((await outbox(app, `?organizationId=${b.organizationId}`)).length, 2)
  t.ok((await outbox(app, `?organizationId=${b.organizationId}`)).every((e) => e.organizationId === b.organizationId), 'two organizations kept apart')
  await sameIds(`?projectId=${a.projects['Side']}`, where((e) => e.projectId === a.projects['Side']), 'projectId')
  t.equal((await outbox(app, `?projectId=${a.projects['Side']}`)).length, 1)
  await sameIds(`?invitationId=${a1[1]!.id}&kind=PROJECT`, [all.find((e) => e.kind === 'PROJECT' && e.invitationId === a1[1]!.id)!], 'invitationId and kind')
  await sameIds(`?invitationId=${ao[1]!.id}`, where((e) => e.invitationId === ao[1]!.id), 'invitationId alone')
  await sameIds(`?to=x@example.com&organizationId=${a.organizationId}&kind=PROJECT`,
    where((e) => e.to === 'x@example.com' && e.organizationId === a.organizationId && e.kind === 'PROJECT'), 'three filters')
  t.equal((await outbox(app, `?to=x@example.com&organizationId=${a.organizationId}&kind=PROJECT`)).length, 2)
  await sameIds(`?to=x@example.com&projectId=${a.projectId}&invitationId=${a1[0]!.id}&kind=PROJECT&organizationId=${a.organizationId}`,
    [all.find((e) => e.kind === 'PROJECT' && e.invitationId === a1[0]!.id)!], 'all five')
  await sameIds(`?to=y@example.com&projectId=${a.projects['Side']}`, [], 'filters combine with and')
  await sameIds(`?kind=ORGANIZATION&organizationId=${b.organizationId}`, [all.find((e) => e.invitationId === bo[0]!.id && e.kind === 'ORGANIZATION')!], 'kind and organizationId')
  t.ok(a2.length === 1 && b1.length === 1)
})

t.test('DELETE clears by the same filters and answers the count', async (t) => {
  const app = await build(t)
  const a = seedOrg(app)
  const b = seedOrg(app)
  await inviteProject(app, a, ['one@example.com', 'two@example.com'])
  await inviteOrganization(app, a, ['three@example.com'])
  await inviteProject(app, b, ['one@example.com', 'four@example.com', 'five@example.com'])

  const byOrg = await app.inject({ method: 'DELETE', url: `/__admin/outbox?organizationId=${b.organizationId}` })
  t.equal(byOrg.statusCode, 200)
  t.same(json(byOrg), { success: true, data: { deleted: 3 } })
  t.same((await outbox(app)).map((e) => e.organizationId), [a.organizationId, a.organizationId, a.organizationId], 'only b\'s emails went')

  const byTo = await app.inject({ method: 'DELETE', url: '/__admin/outbox?to=ONE@example.com&kind=PROJECT' })
  t.same(json(byTo).data, { deleted: 1 })
  t.same((await outbox(app)).map((e) => e.to), ['two@example.com', 'three@example.com'])

  const none = await app.inject({ method: 'DELETE', url: '/__admin/outbox?to=nobody@example.com' })
  t.same(json(none).data, { deleted: 0 })
  t.equal((await outbox(app)).length, 2)

  const all = await app.inject({ method: 'DELETE', url: '/__admin/outbox' })
  t.same(json(all), { success: true, data: { deleted: 2 } })
  t.same(await outbox(app), [])
  t.same(json(await app.inject({ method: 'DELETE', url: '/__admin/outbox' })).data, { deleted: 0 })

  // The invitations themselves are untouched.
  const listed = json(await app.inject({ url: `/v1/projects/${b.projectId}/invitations`, headers: { CONFIDENT_API_KEY: b.key } }))
  t.equal(listed.data.invitations.length, 3)
})

t.test('the token in the outbox accepts the invitation, even after the outbox is cleared', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const [inv] = await inviteProject(app, org, ['joiner@example.com'])
  const [email] = await outbox(app, `?invitationId=${inv!.id}&kind=PROJECT`)
  await app.inject({ method: 'DELETE', url: '/__admin/outbox' })
  const accepted = await app.inject({ method: 'POST', url: '/__admin/invitations/accept', payload: { token: email!.token } })
  t.equal(accepted.statusCode, 200)
  t.match(json(accepted), { success: true, data: { kind: 'PROJECT', projectId: org.projectId, invitation: { id: inv!.id, email: 'joiner@example.com', status: 'ACCEPTED' } } })
  const members = json(await app.inject({ url: `/v1/projects/${org.projectId}/members`, headers: { CONFIDENT_API_KEY: org.key } }))
  t.ok(JSON.stringify(members).includes('joiner@example.com'), 'a project member now')

  const [orgInv] = await inviteOrganization(app, org, ['boss@example.com'])
  const [orgEmail] = await outbox(app, '?kind=ORGANIZATION')
  const declined = await app.inject({ method: 'POST', url: '/__admin/invitations/decline', payload: { token: orgEmail!.token } })
  t.equal(declined.statusCode, 200)
  t.match(json(declined).data, { kind: 'ORGANIZATION', organizationId: org.organizationId, projectId: null, invitation: { id: orgInv!.id, status: 'DECLINED' } })
})

t.test('a bad query is a 400 in the envelope', async (t) => {
  const app = await build(t)
  const cases: Array<[string, string, string | RegExp]> = [
    ['invitationId not a number', '?invitationId=abc', /^querystring\.invitationId /],
    ['invitationId zero', '?invitationId=0', /^querystring\.invitationId /],
    ['unknown kind', '?kind=TEAM', /^querystring\.kind /],
    ['unknown parameter', '?email=a@example.com', /additional properties/],
    ['address too long', `?to=${'a'.repeat(250)}@example.com`, /^querystring\.to /]
  ]
  for (const method of ['GET', 'DELETE'] as const) {
    for (const [name, query, error] of cases) {
      const res = await app.inject({ method, url: `/__admin/outbox${query}` })
      t.equal(res.statusCode, 400, `${method} ${name}`)
      t.match(json(res), { success: false, error, deprecated: false }, `${method} ${name}`)
    }
  }
})

t.test('each email as the service would send it: subject, text, html and the link to the invitee page', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { name: 'Acme', projects: [{ name: 'Web' }] })
  const [projectInv] = await inviteProject(app, org, ['ann@example.com'])
  const [orgInv] = await inviteOrganization(app, org, ['boss@example.com'])
  const [project, organization] = await outbox(app)

  t.equal(project!.invitationId, projectInv!.id)
  t.equal(project!.acceptUrl, `http://127.0.0.1:4010/invite/${project!.token}`, 'the config\'s HOST and PORT before any listen')
  t.equal(project!.subject, 'You\'re invited to join Web in Acme on Confident AI')
  t.match(project!.text, /the project Web in the organization Acme on Confident AI, with the role Member\./, 'no role: the default one')
  t.ok(project!.text.split('\n').includes(project!.acceptUrl), 'the link on a line of its own')
  t.match(project!.html, /^<!DOCTYPE html>\n<html lang="en">/)
  t.match(project!.html, /<\/html>\n$/)
  t.ok(project!.html.includes(`<a href="${project!.acceptUrl}"`), 'the link is a button')
  t.match(project!.html, /<strong>Web<\/strong> in the organization <strong>Acme<\/strong> on Confident AI, with the role <strong>Member<\/strong>/)
  t.notMatch(project!.html, /<script|<link|<img|<style|src=/i, 'no script and no external resource')

  t.equal(organization!.invitationId, orgInv!.id)
  t.equal(organization!.acceptUrl, `http://127.0.0.1:4010/invite/${organization!.token}`)
  t.equal(organization!.subject, 'You\'re invited to join Acme on Confident AI')
  t.match(organization!.text, /to join the organization Acme on Confident AI, with the role Member\./)
  t.notMatch(organization!.text, /project/, 'no project in an organization invitation')
  t.ok(organization!.text.split('\n').includes(organization!.acceptUrl))
  t.ok(organization!.html.includes(`<a href="${organization!.acceptUrl}"`))
  t.ok(organization!.text.includes('sent to boss@example.com'), 'names the invitee')
})

t.test('the role: a system role, a custom one, by its name as it is now', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { name: 'Roles Co', projects: [{ name: 'Web', roles: [{ name: 'Reviewer' }] }] })
  const invite = (url: string, payload: object) =>
    app.inject({ method: 'POST', url, headers: { CONFIDENT_API_KEY: org.key }, payload })
  t.equal((await invite(`/v1/projects/${org.projectId}/invitations`, { emails: ['custom@example.com'], projectRoleId: org.roles['Web/Reviewer'] })).statusCode, 200)
  t.equal((await invite(`/v1/projects/${org.projectId}/invitations`, { emails: ['manager@example.com'], projectRoleId: org.roles['Manager'] })).statusCode, 200)
  t.equal((await invite('/v1/organization/invitations', { emails: ['admin@example.com'], organizationRoleId: systemRoleId('ORGANIZATION', 'Admin') })).statusCode, 200)
  const created = await invite('/v1/organization/roles', { name: 'Auditor', policyIds: [] })
  t.equal(created.statusCode, 200, created.body)
  t.equal((await invite('/v1/organization/invitations', { emails: ['auditor@example.com'], organizationRoleId: json(created).data.role.id })).statusCode, 200)

  const roleOf = async (to: string) => {
    const [email] = await outbox(app, `?to=${to}`)
    return /with the role ([^.]+)\./.exec(email!.text)?.[1]
  }
  t.equal(await roleOf('custom@example.com'), 'Reviewer', 'a custom project role')
  t.equal(await roleOf('manager@example.com'), 'Manager', 'a system project role')
  t.equal(await roleOf('admin@example.com'), 'Admin', 'a system organization role')
  t.equal(await roleOf('auditor@example.com'), 'Auditor', 'a custom organization role')

  // Rendered when read: a rename after sending shows in the email.
  const renamed = await app.inject({ method: 'PUT', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key }, payload: { name: 'Renamed Co' } })
  t.equal(renamed.statusCode, 200, renamed.body)
  const [email] = await outbox(app, '?to=custom@example.com')
  t.equal(email!.subject, 'You\'re invited to join Web in Renamed Co on Confident AI')
})

t.test('hostile names are escaped in the html, and only there', async (t) => {
  const app = await build(t)
  const hostile = '<script>alert(1)</script>"\'&'
  const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;'
  const org = seedOrg(app, { name: `Org ${hostile}`, projects: [{ name: `Project ${hostile}`, roles: [{ name: `Role ${hostile}` }] }] })
  const res = await app.inject({
    method: 'POST',
    url: `/v1/projects/${org.projectId}/invitations`,
    headers: { CONFIDENT_API_KEY: org.key },
    payload: { emails: ['victim@example.com'], projectRoleId: org.roles[`Project ${hostile}/Role ${hostile}`] }
  })
  t.equal(res.statusCode, 200, res.body)
  const [email] = await outbox(app)
  t.equal(email!.subject, `You're invited to join Project ${hostile} in Org ${hostile} on Confident AI`, 'the subject is text')
  t.ok(email!.text.includes(`the project Project ${hostile} in the organization Org ${hostile} on Confident AI, with the role Role ${hostile}.`), 'so is the text')
  t.notOk(email!.html.includes('<script'), 'no script element')
  t.notOk(email!.html.includes('alert(1)</'), 'no closing tag of it either')
  t.equal(email!.html.split(escaped).length - 1, 5, 'escaped five times: two names in the title, three in the body')
  for (const name of ['Org', 'Project', 'Role']) t.ok(email!.html.includes(`<strong>${name} ${escaped}</strong>`), `${name} escaped in the body`)
  t.ok(email!.html.includes(`<title>You&#39;re invited to join Project ${escaped} in Org ${escaped} on Confident AI</title>`), 'escaped in the title')
  // What is left of the hostile text in the html once its escaped forms are taken out: nothing.
  t.notMatch(email!.html.replaceAll(escaped, ''), /alert\(1\)/)
})

t.test('acceptUrl: under CONFIDENT_MOCK_PUBLIC_URL (a path included), else the config\'s host and port', async (t) => {
  const cases: Array<[string, Partial<Config>, string]> = [
    ['a public URL with a path and a trailing slash', { CONFIDENT_MOCK_PUBLIC_URL: 'https://Example.test/mock/' }, 'https://example.test/mock'],
    ['a public URL without a path', { CONFIDENT_MOCK_PUBLIC_URL: 'http://mail.example.test:8080' }, 'http://mail.example.test:8080'],
    ['HOST and PORT', { HOST: '127.0.0.1', PORT: 4321 }, 'http://127.0.0.1:4321'],
    ['a wildcard HOST reads as localhost', { HOST: '0.0.0.0', PORT: 4010 }, 'http://localhost:4010'],
    ['an IPv6 wildcard too', { HOST: '::', PORT: 4010 }, 'http://localhost:4010'],
    ['an IPv6 literal in brackets', { HOST: '::1', PORT: 4010 }, 'http://[::1]:4010']
  ]
  for (const [name, config, base] of cases) {
    const app = await build(t, { config })
    const org = seedOrg(app)
    await inviteProject(app, org, ['link@example.com'])
    const [email] = await outbox(app)
    t.equal(email!.acceptUrl, `${base}/invite/${email!.token}`, name)
    t.ok(email!.text.includes(`\n${base}/invite/${email!.token}\n`), `${name}: in the text`)
    t.ok(email!.html.includes(`href="${base}/invite/${email!.token}"`), `${name}: in the html`)
    t.equal(app.publicUrl(), base, `${name}: app.publicUrl()`)
  }
})

t.test('a revoked invitation\'s email is still listed, naming no role', async (t) => {
  const app = await build(t)
  const org = seedOrg(app, { name: 'Gone Co', projects: [{ name: 'Web' }] })
  const [inv] = await inviteProject(app, org, ['revoked@example.com'])
  const [orgInv] = await inviteOrganization(app, org, ['revoked-too@example.com'])
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/projects/${org.projectId}/invitations/${inv!.id}`, headers: { CONFIDENT_API_KEY: org.key } })).statusCode, 200)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/organization/invitations/${orgInv!.id}`, headers: { CONFIDENT_API_KEY: org.key } })).statusCode, 200)
  const [project, organization] = await outbox(app)
  t.equal(project!.subject, 'You\'re invited to join Web in Gone Co on Confident AI')
  t.match(project!.text, /to join the project Web in the organization Gone Co on Confident AI\.\n/, 'the sentence ends without a role')
  t.notMatch(project!.text + project!.html, /role/i)
  t.equal(project!.acceptUrl, `http://127.0.0.1:4010/invite/${project!.token}`, 'the link still there (the page says the invitation is gone)')
  t.match(organization!.text, /to join the organization Gone Co on Confident AI\.\n/)
  t.notMatch(organization!.text + organization!.html, /role/i)

  // A deleted project takes its invitations with it; its emails stay, naming a project no more.
  const other = seedOrg(app, { name: 'Deleting Co', projects: [{ name: 'Keep' }, { name: 'Drop' }] })
  await inviteProject(app, other, ['dropped@example.com'], other.projects['Drop'])
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/projects/${other.projects['Drop']}`, headers: { CONFIDENT_API_KEY: other.key } })).statusCode, 200)
  const [dropped] = await outbox(app, '?to=dropped@example.com')
  t.equal(dropped!.subject, 'You\'re invited to join a project in Deleting Co on Confident AI')
  t.match(dropped!.text, /to join a project in the organization Deleting Co on Confident AI\.\n/)
})
