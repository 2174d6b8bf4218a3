// A stand-in for one test file of a user's suite, run as its own process against a shared server:
// makes its own organization through the control API, drives invitations, reports what it saw.
const [url, label] = process.argv.slice(2) as [string, string]

async function call (method: string, path: string, body?: unknown, key?: string) {
  const res = await fetch(url + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key === undefined ? {} : { CONFIDENT_API_KEY: key }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  return { status: res.status, body: await res.json() as any }
}

const tenant = (await call('POST', '/__admin/organizations', { name: `Suite ${label}`, projects: [{ name: 'Main' }] })).body.data
const projectId = tenant.projects[0].id as string
// Both suites invite the same addresses: only the organization keeps them apart.
const emails = Array.from({ length: 10 }, (_, i) => `person${i}@shared.example`)
const statuses: number[] = []
const ids: number[] = []
for (let i = 0; i < emails.length; i += 2) {
  const res = await call('POST', `/v1/projects/${projectId}/invitations`, { emails: emails.slice(i, i + 2) }, tenant.apiKey)
  statuses.push(res.status)
  ids.push(...(res.body.data?.invitations ?? []).map((inv: { id: number }) => inv.id))
}
const resent = await call('PUT', `/v1/projects/${projectId}/invitations/${ids[0]}`, undefined, tenant.apiKey)
statuses.push(resent.status)
const list = (await call('GET', `/v1/projects/${projectId}/invitations`, undefined, tenant.apiKey)).body.data.invitations
const outbox = (await call('GET', `/__admin/outbox?organizationId=${tenant.id}`)).body.data
const journal = (await call('GET', `/__admin/journal?organizationId=${tenant.id}`)).body.data

process.stdout.write(JSON.stringify({ tenant, statuses, ids, list, outbox, journal }))
