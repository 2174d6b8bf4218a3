// The package's entry: startServer() runs an isolated server in this process for tests, with a typed admin client.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAdminClient, type AdminClient } from './admin-client.js'
import { buildApp } from './app.js'
import { loadConfig, type Config } from './config.js'
import { checkFixtures } from './boot-state/parse.js'
import type { Fixtures } from './boot-state/schema.js'
import type { DemoInfo } from './boot-state/demo.js'

export { createAdminClient, AdminApiError } from './admin-client.js'
export type * from './admin-client.js'
export { buildApp, type App, type BuildOptions } from './app.js'
export { defaultConfig, loadConfig, ConfigSchema, CLI_FLAGS, type Config } from './config.js'
export type * from './boot-state/schema.js'
export type { DemoInfo } from './boot-state/demo.js'

export interface StartServerOptions {
  /**
   * "memory" (default): an in-memory database; "temporary": a file in a fresh temporary folder,
   * removed on close; anything else: the path of a SQLite file, kept after close.
   */
  database?: 'memory' | 'temporary' | (string & {})
  /** A fixtures document, or the path of a fixtures file (JSON or YAML), applied at start. */
  fixtures?: Fixtures | string
  /** Start with the server clock frozen at this time (a Date, an ISO 8601 string or milliseconds since the epoch). */
  clock?: Date | string | number
  /** Seed of the deterministic ids (default "confident-mock"). */
  idSeed?: string
  /** When set, every /__admin call must send it; the returned `admin` client does. */
  adminToken?: string
  /** Most /v1 requests the journal keeps (default 1000; 0 turns it off). */
  journalSize?: number
  /** Most addresses accepted in one invitation request (default 100). */
  maxEmails?: number
  /** Default 0: a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** pino level; default "silent". */
  logLevel?: Config['LOG_LEVEL']
}

export interface RunningServer {
  /** The base URL, e.g. http://127.0.0.1:53124: point your client (CONFIDENT_BASE_URL) at it. */
  url: string
  /** A client for this server's /__admin control API (sending the admin token when one is set). */
  admin: AdminClient
  /** The demo organization's key and project, when the database holds them (no fixtures given). */
  demo: DemoInfo | null
  /** The SQLite file, or ":memory:". */
  databasePath: string
  /** Stops listening and closes the database (and removes a temporary one); calling it again is harmless. */
  close: () => Promise<void>
}

/** Which option sets which configuration variable, to name the option in an error. */
const OPTION_VARIABLES = {
  database: 'CONFIDENT_MOCK_DATABASE',
  fixtures: 'CONFIDENT_MOCK_FIXTURES',
  clock: 'CONFIDENT_MOCK_CLOCK',
  idSeed: 'CONFIDENT_MOCK_ID_SEED',
  adminToken: 'CONFIDENT_MOCK_ADMIN_TOKEN',
  journalSize: 'CONFIDENT_MOCK_JOURNAL_SIZE',
  maxEmails: 'CONFIDENT_MOCK_MAX_EMAILS',
  port: 'PORT',
  host: 'HOST',
  logLevel: 'LOG_LEVEL'
} as const satisfies Record<keyof StartServerOptions, keyof Config>

function clockTime (clock: Date | string | number): string {
  const date = clock instanceof Date ? clock : new Date(clock)
  if (Number.isNaN(date.getTime())) throw new TypeError(`startServer: clock is not a time: ${String(clock)}`)
  return date.toISOString()
}

/**
 * The configuration, validated by the same schema as the environment (never read here: every
 * server gets only what its options say).
 */
function configFor (options: StartServerOptions, databasePath: string): Config {
  const values: Record<keyof typeof OPTION_VARIABLES, string | number | undefined> = {
    database: databasePath,
    fixtures: typeof options.fixtures === 'string' ? options.fixtures : undefined,
    clock: options.clock === undefined ? undefined : clockTime(options.clock),
    idSeed: options.idSeed,
    adminToken: options.adminToken,
    journalSize: options.journalSize,
    maxEmails: options.maxEmails,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    logLevel: options.logLevel ?? 'silent'
  }
  const env: Record<string, string | undefined> = {}
  for (const [option, variable] of Object.entries(OPTION_VARIABLES)) {
    const value = values[option as keyof typeof OPTION_VARIABLES]
    env[variable] = value === undefined ? undefined : String(value)
  }
  try {
    return loadConfig(env)
  } catch (err) {
    let message = (err as Error).message
    for (const [option, variable] of Object.entries(OPTION_VARIABLES)) {
      message = message.replaceAll(`env/${variable}`, option).replaceAll(variable, option)
    }
    throw new TypeError(`startServer: invalid options: ${message}`)
  }
}

/**
 * Starts a server in this process, on its own database: many can run at once. Listens on a free
 * loopback port unless told otherwise.
 */
export async function startServer (options: StartServerOptions = {}): Promise<RunningServer> {
  const database = options.database ?? 'memory'
  let temporaryDir: string | null = null
  let databasePath = database
  if (database === 'memory') databasePath = ':memory:'
  if (database === 'temporary') {
    temporaryDir = mkdtempSync(join(tmpdir(), 'confident-mock-'))
    databasePath = join(temporaryDir, 'confident-mock.sqlite')
  }
  const removeTemporary = () => {
    if (temporaryDir !== null) rmSync(temporaryDir, { recursive: true, force: true })
  }

  let app: Awaited<ReturnType<typeof buildApp>>
  let url: string
  try {
    const config = configFor(options, databasePath)
    const fixtures = options.fixtures === undefined || typeof options.fixtures === 'string'
      ? undefined
      : checkFixtures(options.fixtures, 'startServer fixtures')
    app = await buildApp(config, {
      // Unless silent, the app's own logger: pino's options, its lines to standard output in batches.
      ...(config.LOG_LEVEL === 'silent' ? { logger: false } : {}),
      ...(fixtures === undefined ? {} : { fixtures })
    })
    try {
      url = await app.listen({ port: config.PORT, host: config.HOST })
    } catch (err) {
      await app.close()
      throw err
    }
  } catch (err) {
    removeTemporary()
    throw err
  }

  let closing: Promise<void> | null = null
  return {
    url,
    admin: createAdminClient(url, options.adminToken === undefined ? {} : { token: options.adminToken }),
    demo: app.demo,
    databasePath,
    close: () => {
      closing ??= app.close().then(removeTemporary)
      return closing
    }
  }
}
