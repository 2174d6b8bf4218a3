// The OpenAPI tags, each once with its description, in the order the document lists them (src/plugins/openapi.ts).
// A route names its tag with tag(): a name not listed here does not compile.

/** Tags in the order the document lists them: the vendor's (names as in its reference), the server's, the control API's. */
export const TAGS = [
  { name: 'Projects', description: 'Projects of the key\'s organization' },
  { name: 'Project Invitations', description: 'Invitations to a project' },
  { name: 'Project Members', description: 'Members of a project and their project roles' },
  { name: 'Project Roles', description: 'System and custom roles available to a project' },
  { name: 'Project Permissions', description: 'The project permission catalogue' },
  { name: 'Project Policies', description: 'Custom policies of a project: named groups of project permissions' },
  { name: 'Project API Keys', description: 'API keys of a project' },
  { name: 'Organization', description: 'The organization the key belongs to' },
  { name: 'Organization Invitations', description: 'Invitations to the organization' },
  { name: 'Organization Members', description: 'Members of the organization and their organization roles' },
  { name: 'Organization Roles', description: 'System and custom roles of the organization' },
  { name: 'Organization Permissions', description: 'The organization permission catalogue' },
  { name: 'Organization Governance Policies', description: 'Governance policies of the organization' },
  { name: 'Organization Policies', description: 'Custom policies of the organization: named groups of organization permissions' },
  { name: 'Organization API Keys', description: 'Organization-scoped API keys' },
  { name: 'Server', description: 'This server\'s own endpoints (no key)' },
  { name: 'Control: tenants', description: 'Control API: create, change and remove organizations' },
  { name: 'Control: state', description: 'Control API: reset, export and import the whole state' },
  { name: 'Control: clock', description: 'Control API: the server clock, and the clocks organizations may have of their own' },
  { name: 'Control: outbox', description: 'Control API: the invitation emails the real service would have sent' },
  { name: 'Control: invitees', description: 'Control API: accept or decline an invitation as its invitee' },
  { name: 'Control: journal', description: 'Control API: the requests received on /v1' },
  { name: 'Control: faults', description: 'Control API: make /v1 requests fail or wait' }
] as const

export type TagName = typeof TAGS[number]['name']

/** A route's `tags`: its one tag. */
export const tag = (name: TagName): [TagName] => [name]
