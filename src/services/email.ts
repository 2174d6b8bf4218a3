// The invitation email as the service would send it: subject, plain text and HTML, every name escaped in the HTML.
import type { InvitationKind } from '../domain/vocabulary.js'

export interface InvitationEmailInput {
  kind: InvitationKind
  /** The invitee's address. */
  to: string
  organizationName: string
  /** The project of a project invitation; null for an organization invitation (or a project deleted since). */
  projectName: string | null
  /** The role the invitation grants; null when unknown (the invitation is gone), and the email then names none. */
  roleName: string | null
  /** The invitee page's link: `<public URL>/invite/<token>`. */
  acceptUrl: string
}

export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text made safe for HTML content and for quoted attribute values. */
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
}

// Inline styles only: mail clients drop <style> blocks and external stylesheets.
const STYLE = {
  body: 'margin:0;padding:24px;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,\'Segoe UI\',Helvetica,Arial,sans-serif;color:#18181b',
  card: 'max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px',
  heading: 'margin:0 0 16px;font-size:20px;line-height:28px',
  text: 'margin:0 0 24px;font-size:15px;line-height:24px',
  button: 'display:inline-block;padding:12px 20px;border-radius:6px;background:#4f46e5;color:#ffffff;font-weight:600;text-decoration:none',
  small: 'margin:24px 0 0;font-size:13px;line-height:20px;color:#52525b',
  link: 'color:#4f46e5;word-break:break-all'
} as const

/** What the invitee is invited to, in words, each name passed through `name` (escaping it for HTML). */
function invitedTo (input: InvitationEmailInput, name: (text: string) => string): string {
  const organization = `the organization ${name(input.organizationName)}`
  if (input.kind === 'ORGANIZATION') return organization
  return input.projectName === null ? `a project in ${organization}` : `the project ${name(input.projectName)} in ${organization}`
}

/**
 * The email of one invitation. The subject names the project (for a project invitation) and the
 * organization; the body names them and the role, unless the role is unknown, and gives the one
 * link: to the invitee page, where Accept and Decline are (opening it changes nothing).
 */
export function renderInvitationEmail (input: InvitationEmailInput): RenderedEmail {
  const target = input.kind === 'PROJECT'
    ? `${input.projectName ?? 'a project'} in ${input.organizationName}`
    : input.organizationName
  const subject = `You're invited to join ${target} on Confident AI`
  const sentence = (name: (text: string) => string) =>
    `You have been invited to join ${invitedTo(input, name)} on Confident AI` +
    (input.roleName === null ? '.' : `, with the role ${name(input.roleName)}.`)

  const text = [
    'Hello,',
    '',
    sentence((s) => s),
    '',
    'Open this link to see the invitation, then accept or decline it:',
    '',
    input.acceptUrl,
    '',
    `This invitation was sent to ${input.to}. If you did not expect it, you can ignore this email.`,
    ''
  ].join('\n')

  const url = escapeHtml(input.acceptUrl)
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title>`,
    '</head>',
    `<body style="${STYLE.body}">`,
    `<div style="${STYLE.card}">`,
    `<h1 style="${STYLE.heading}">You're invited to Confident AI</h1>`,
    `<p style="${STYLE.text}">${sentence((s) => `<strong>${escapeHtml(s)}</strong>`)}</p>`,
    `<p style="margin:0"><a href="${url}" style="${STYLE.button}">View the invitation</a></p>`,
    `<p style="${STYLE.small}">Or open this link: <a href="${url}" style="${STYLE.link}">${url}</a></p>`,
    `<p style="${STYLE.small}">This invitation was sent to ${escapeHtml(input.to)}. If you did not expect it, you can ignore this email.</p>`,
    '</div>',
    '</body>',
    '</html>',
    ''
  ].join('\n')

  return { subject, text, html }
}
