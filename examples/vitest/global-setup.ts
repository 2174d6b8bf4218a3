// Vitest globalSetup: starts one server before any test file runs and closes it after the last.
// Test files run in parallel against it; each makes its own organization, so they never meet.
import { randomBytes } from 'node:crypto'
import { startServer } from 'confident-mock'
import type { TestProject } from 'vitest/node'

// What the tests get from inject('confidentMock'), typed.
declare module 'vitest' {
  export interface ProvidedContext {
    confidentMock: { url: string, adminToken?: string | undefined }
  }
}

export default async function setup (project: TestProject) {
  // A server started elsewhere (a CI service container, one you keep running): use it as it is.
  const given = process.env.CONFIDENT_BASE_URL
  if (given) {
    project.provide('confidentMock', { url: given, adminToken: process.env.CONFIDENT_MOCK_ADMIN_TOKEN })
    return
  }
  // An in-memory database and a free loopback port (startServer's defaults), and a control API that
  // only this run can use.
  const adminToken = randomBytes(16).toString('hex')
  const server = await startServer({ adminToken })
  project.provide('confidentMock', { url: server.url, adminToken })
  return () => server.close()
}
