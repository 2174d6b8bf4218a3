// The invitation email (src/services/email.ts): its wording with and without a project and a role, and HTML escaping.
import t from 'tap'
import { escapeHtml, renderInvitationEmail, type InvitationEmailInput } from '../../src/services/email.js'

const BASE: InvitationEmailInput = {
  kind: 'PROJECT',
  to: 'ann@example.com',
  organizationName: 'Acme',
  projectName: 'Web',
  roleName: 'Manager',
  acceptUrl: 'https://example.test/mock/invite/pi_1_abc'
}

t.test('escapeHtml escapes the five characters HTML gives meaning to, and nothing else', async (t) => {
  t.equal(escapeHtml('<a href="x">Tom & Jerry\'s</a>'), '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;')
  t.equal(escapeHtml('plain text, é ü 日本'), 'plain text, é ü 日本')
  t.equal(escapeHtml('&amp;'), '&amp;amp;', 'already escaped text is escaped again: it is text')
})

t.test('the wording: project or organization, with a role or none', async (t) => {
  const cases: Array<[string, Partial<InvitationEmailInput>, string, string]> = [
    ['a project invitation', {}, 'You\'re invited to join Web in Acme on Confident AI',
      'You have been invited to join the project Web in the organization Acme on Confident AI, with the role Manager.'],
    ['an organization invitation', { kind: 'ORGANIZATION', projectName: null, roleName: 'Admin' }, 'You\'re invited to join Acme on Confident AI',
      'You have been invited to join the organization Acme on Confident AI, with the role Admin.'],
    ['no role known', { roleName: null }, 'You\'re invited to join Web in Acme on Confident AI',
      'You have been invited to join the project Web in the organization Acme on Confident AI.'],
    ['a project gone', { projectName: null, roleName: null }, 'You\'re invited to join a project in Acme on Confident AI',
      'You have been invited to join a project in the organization Acme on Confident AI.']
  ]
  for (const [name, input, subject, sentence] of cases) {
    const email = renderInvitationEmail({ ...BASE, ...input })
    t.equal(email.subject, subject, name)
    t.ok(email.text.split('\n').includes(sentence), `${name}: ${sentence}`)
    t.ok(email.text.split('\n').includes(BASE.acceptUrl), `${name}: the link on its own line`)
    t.ok(email.html.includes(`<title>${escapeHtml(subject)}</title>`), `${name}: the title`)
  }
})

t.test('the html: a whole document, inline styles, every interpolated value escaped, the href too', async (t) => {
  const hostile = '<script>alert(1)</script>"\'&'
  const email = renderInvitationEmail({
    kind: 'PROJECT',
    to: `x${hostile}@example.com`,
    organizationName: hostile,
    projectName: hostile,
    roleName: hostile,
    acceptUrl: `https://example.test/invite/${hostile}`
  })
  t.match(email.html, /^<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">/)
  t.notOk(email.html.includes('<script'), 'no script element')
  t.notMatch(email.html, /<style|<link|<img|src=|url\(/i, 'no external resource, no style block')
  t.ok(email.html.includes(`<a href="https://example.test/invite/${escapeHtml(hostile)}"`), 'the href escaped')
  t.equal(email.html.replaceAll(escapeHtml(hostile), '').includes('alert'), false, 'every occurrence escaped')
  t.ok(email.text.includes(hostile), 'the text is plain text: no escaping there')
})
