// One table of key failures every /v1 endpoint must answer the same way: 401 for no, unknown or invalid keys, 403 for a project key.
import type { InjectOptions } from 'fastify'
import type { App } from '../../src/app.js'
import type { SeededOrg } from './build.js'

interface Asserts {
  equal: (found: unknown, wanted: unknown, message: string) => unknown
  same: (found: unknown, wanted: unknown, message: string) => unknown
  match: (found: unknown, wanted: unknown, message: string) => unknown
}

/** Sends the request with each bad key and checks the status and the error envelope. */
export async function assertKeyFailures (t: Asserts, app: App, org: SeededOrg, request: InjectOptions): Promise<void> {
  const cases = [
    { name: 'missing header', key: undefined, status: 401, error: /^Missing API key/ },
    { name: 'unknown key', key: 'confident_org_ffffffffffffffffffffffffffffffff', status: 401, error: /^Invalid API key$/ },
    { name: 'key marked invalid', key: org.invalidKey, status: 401, error: /^Invalid API key$/ },
    { name: 'project key', key: org.projectKey, status: 403, error: /requires an organization API key/ }
  ]
  for (const { name, key, status, error } of cases) {
    const res = await app.inject({ ...request, headers: key === undefined ? {} : { CONFIDENT_API_KEY: key } })
    t.equal(res.statusCode, status, `${name}: ${status}`)
    const body = JSON.parse(res.body) as Record<string, unknown>
    t.same(Object.keys(body).sort(), ['deprecated', 'error', 'success'], `${name}: the error envelope`)
    t.match(body, { success: false, deprecated: false, error }, `${name}: message`)
  }
}
