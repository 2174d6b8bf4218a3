// Jest globalSetup: runs once, in Jest's own process, before the test files (which run in worker
// processes and cannot share its objects): the server's URL reaches them in process.env.
import { startServer } from 'confident-mock'

export default async function globalSetup () {
  // A server given from outside (a CI service container, a server you started): use it as it is.
  if (process.env.CONFIDENT_BASE_URL) return
  // An in-memory database on a free loopback port (startServer's defaults), so runs never collide.
  const server = await startServer()
  // globalThis here is also globalTeardown's: the teardown closes the server.
  globalThis.confidentMockServer = server
  process.env.CONFIDENT_BASE_URL = server.url
}
