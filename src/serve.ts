// `confident-mock serve`: reads flags and the environment, builds the app, listens, shuts down gracefully.
import closeWithGrace from 'close-with-grace'
import type { App } from './app.js'
import { configFromArgs, type Config } from './config.js'
import { ensureDatabaseFolder } from './db/folder.js'

// Long enough to finish in-flight requests, short enough for `docker stop`'s 10 s grace.
const CLOSE_GRACE_MS = 5000

/**
 * Runs the server until a signal. A failure sets process.exitCode (2: bad configuration, 1: cannot
 * start or listen) and resolves, so the caller's process ends on its own.
 */
export async function serve (args: string[]): Promise<void> {
  let config: Config
  try {
    config = configFromArgs(args)
  } catch (err) {
    process.stderr.write(`confident-mock: invalid configuration: ${(err as Error).message}\n`)
    process.exitCode = 2
    return
  }

  let app: App
  try {
    // A database folder that cannot be made is reported before the app loads, as a bad flag is.
    if (config.CONFIDENT_MOCK_DATABASE !== ':memory:') ensureDatabaseFolder(config.CONFIDENT_MOCK_DATABASE)
    // Loaded once the configuration is known good, so a bad flag is reported without loading the app.
    const { buildApp } = await import('./app.js')
    app = await buildApp(config)
  } catch (err) {
    process.stderr.write(`confident-mock: cannot start: ${(err as Error).message}\n`)
    process.exitCode = 1
    return
  }
  let address: string
  try {
    address = await app.listen({ port: config.PORT, host: config.HOST })
  } catch (err) {
    process.stderr.write(`confident-mock: cannot listen on ${config.HOST}:${config.PORT}: ${(err as Error).message}\n`)
    await app.close()
    process.exitCode = 1
    return
  }
  // Installed only once listening: its beforeExit handler would turn a failed start's exit code into 0.
  closeWithGrace({ delay: CLOSE_GRACE_MS }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'closing')
    await app.close()
  })

  // One write, so a reader of the first line has the rest too.
  const lines = [`confident-mock listening on ${address}`]
  if (config.CONFIDENT_MOCK_CONSOLE === 'on') lines.push(`  console (open in a browser): ${address}/`)
  // Where, never with whom: the URL's user and password are not shown.
  if (app.delivery !== null) lines.push(`  invitation emails also go over SMTP to ${app.delivery.server}`)
  if (app.demo !== null) {
    // The demo key is a documented, fixed value, printed for copying: it is not a secret.
    lines.push(
      `  demo organization API key: ${app.demo.apiKey}`,
      `  demo project id:           ${app.demo.projectId}`,
      `  try: curl -s -X POST ${address}/v1/projects/${app.demo.projectId}/invitations \\`,
      `         -H 'CONFIDENT_API_KEY: ${app.demo.apiKey}' -H 'Content-Type: application/json' \\`,
      '         -d \'{"emails": ["carol@example.com"]}\''
    )
  }
  process.stdout.write(lines.join('\n') + '\n')
}
