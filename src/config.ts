// The one configuration schema: environment variables validated at boot, the Config type derived from it.
import { join, sep } from 'node:path'
import { parseArgs } from 'node:util'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { PACKAGE_ROOT } from './paths.js'
import { publicBaseUrl } from './http/public-url.js'
import { EARLIEST_ISO_MS, LATEST_ISO_MS } from './schemas/common.js'

/**
 * The default database: under the project folder (src/ and dist/ are one level below it) when run
 * from a clone; under the current folder when run from an installed package, whose own folder in
 * node_modules a reinstall would wipe (and may be read-only).
 */
export function defaultDatabase (root = PACKAGE_ROOT, cwd = process.cwd()): string {
  return join(root.split(sep).includes('node_modules') ? cwd : root, 'data', 'confident-mock.sqlite')
}

export const DEFAULT_DATABASE = defaultDatabase()

/** An ISO 8601 date and time with its zone (a pattern: the configuration check knows no formats). */
const ISO_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$'

export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4010, description: 'TCP port to listen on (0 picks a free one)' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Address to listen on; 0.0.0.0 in a container' }),
  CONFIDENT_MOCK_DATABASE: Type.String({
    minLength: 1,
    default: DEFAULT_DATABASE,
    description: 'SQLite file path, or :memory: for a database that lives as long as the process'
  }),
  CONFIDENT_MOCK_FIXTURES: Type.Optional(Type.String({ minLength: 1, description: 'Fixtures file (JSON or YAML) applied at boot' })),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info', description: 'pino log level' }),
  // The vendor documents no limit; 100 keeps one request's transaction short.
  CONFIDENT_MOCK_MAX_EMAILS: Type.Integer({ minimum: 1, maximum: 10000, default: 100, description: 'Most addresses accepted in one invitation request' }),
  CONFIDENT_MOCK_ID_SEED: Type.String({ minLength: 1, default: 'confident-mock', description: 'Seed for the deterministic project, user and role ids' }),
  CONFIDENT_MOCK_ADMIN_TOKEN: Type.Optional(Type.String({
    minLength: 8,
    maxLength: 512,
    description: 'When set, every /__admin call must send it (X-Admin-Token or Authorization: Bearer); unset, the control API is open'
  })),
  CONFIDENT_MOCK_JOURNAL_SIZE: Type.Integer({ minimum: 0, maximum: 100000, default: 1000, description: 'Most /v1 requests the journal keeps (oldest dropped first); 0 turns it off' }),
  CONFIDENT_MOCK_CLOCK: Type.Optional(Type.String({ pattern: ISO_TIME, description: 'Start with the server clock frozen at this ISO 8601 time (default: real time, running)' })),
  CONFIDENT_MOCK_CORS: Type.Optional(Type.String({
    minLength: 1,
    description: 'Answer browsers from these origins (comma-separated, e.g. http://localhost:5173), or * for any; unset, no CORS'
  })),
  CONFIDENT_MOCK_PUBLIC_URL: Type.Optional(Type.String({
    minLength: 1,
    description: 'The base URL invitees reach this server at, for the links in emails (http or https, may end in a path such as https://example.test/mock); unset, the address it listens on'
  })),
  CONFIDENT_MOCK_CONSOLE: Type.Enum(['on', 'off'], {
    default: 'on',
    description: 'The browser console at / and the invitee page the emails link to; off serves neither (the API only)'
  }),
  CONFIDENT_MOCK_SMTP_URL: Type.Optional(Type.String({
    minLength: 1,
    description: 'Also send every invitation email over SMTP to this server, e.g. smtp://mailpit:1025 (smtps:// for TLS from the start; user:password@ when it asks for them); unset, emails stay in the outbox only'
  })),
  CONFIDENT_MOCK_SMTP_FROM: Type.String({
    minLength: 3,
    maxLength: 320,
    default: 'Confident AI <no-reply@confident-mock.invalid>',
    description: 'The sender of the emails sent over SMTP'
  })
})

export type Config = Static<typeof ConfigSchema>

/** CLI flags, each mirroring one environment variable. */
export const CLI_FLAGS = {
  port: 'PORT',
  host: 'HOST',
  database: 'CONFIDENT_MOCK_DATABASE',
  fixtures: 'CONFIDENT_MOCK_FIXTURES',
  'log-level': 'LOG_LEVEL',
  'max-emails': 'CONFIDENT_MOCK_MAX_EMAILS',
  'id-seed': 'CONFIDENT_MOCK_ID_SEED',
  'admin-token': 'CONFIDENT_MOCK_ADMIN_TOKEN',
  'journal-size': 'CONFIDENT_MOCK_JOURNAL_SIZE',
  clock: 'CONFIDENT_MOCK_CLOCK',
  cors: 'CONFIDENT_MOCK_CORS',
  'public-url': 'CONFIDENT_MOCK_PUBLIC_URL',
  console: 'CONFIDENT_MOCK_CONSOLE',
  'smtp-url': 'CONFIDENT_MOCK_SMTP_URL',
  'smtp-from': 'CONFIDENT_MOCK_SMTP_FROM'
} as const satisfies Record<string, keyof Config>

/**
 * Text to the type its variable declares: an integer variable holding a number's text becomes that
 * number (the check then refuses 1.5 as not an integer); anything else stays text, for the check
 * to refuse.
 */
function coerce (key: string, text: string): unknown {
  const schema = ConfigSchema.properties[key as keyof Config] as { type?: unknown }
  if (schema.type !== 'integer' || !/^-?\d+(\.\d+)?$/.test(text.trim())) return text
  return Number(text)
}

/**
 * Validates configuration from the environment (and flags layered over it). Throws an error naming
 * the variable when a value is wrong. Only the schema's variables are read; no dotenv file.
 *
 * TypeBox's Value functions walk the schema as data: no code to generate and compile at every
 * start (compiling this schema with Ajv was a tenth of the time to the first healthy answer; the
 * env-schema package before it also compiled Ajv's meta-schema on import).
 */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const data: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') data[key] = coerce(key, value)
  }
  const config = Value.Default(ConfigSchema, data) as Config
  if (!Value.Check(ConfigSchema, config)) {
    const errors = [...Value.Errors(ConfigSchema, config)]
    throw new Error(errors.map((e) => `env${e.instancePath} ${e.message}`).join(', '))
  }
  const clock = config.CONFIDENT_MOCK_CLOCK === undefined ? undefined : Date.parse(config.CONFIDENT_MOCK_CLOCK)
  if (clock !== undefined && Number.isNaN(clock)) {
    throw new Error(`CONFIDENT_MOCK_CLOCK is not a time this server can read: ${config.CONFIDENT_MOCK_CLOCK}`)
  }
  if (clock !== undefined && (clock < EARLIEST_ISO_MS || clock > LATEST_ISO_MS)) {
    throw new Error(`CONFIDENT_MOCK_CLOCK must fall within years 0000-9999 once in UTC: ${config.CONFIDENT_MOCK_CLOCK}`)
  }
  if (config.CONFIDENT_MOCK_CORS !== undefined) corsOrigins(config.CONFIDENT_MOCK_CORS)
  // Stored as links are made from it: normalized, without trailing slash.
  if (config.CONFIDENT_MOCK_PUBLIC_URL !== undefined) config.CONFIDENT_MOCK_PUBLIC_URL = publicBaseUrl(config.CONFIDENT_MOCK_PUBLIC_URL)
  if (config.CONFIDENT_MOCK_SMTP_URL !== undefined) smtpServer(config.CONFIDENT_MOCK_SMTP_URL)
  return config
}

/** Where CONFIDENT_MOCK_SMTP_URL sends: what may be shown of it (never its user or password). */
export interface SmtpServer {
  secure: boolean
  host: string
  port: number
  /** smtp://host:port, without credentials: for the banner and the logs. */
  shown: string
}

/**
 * CONFIDENT_MOCK_SMTP_URL checked: smtp:// or smtps://, a host, a port or the scheme's own (25 or
 * 465), nothing after the address. Its message never repeats the value: it may hold a password.
 */
export function smtpServer (value: string): SmtpServer {
  let url: URL | undefined
  try { url = new URL(value) } catch {}
  const bad = (why: string) => new Error(`CONFIDENT_MOCK_SMTP_URL ${why}: give smtp://host:port, e.g. smtp://mailpit:1025 (smtps:// for TLS; user:password@ before the host when the server asks for them)`)
  if (url === undefined) throw bad('is not a URL')
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw bad('must start with smtp:// or smtps://')
  if (url.hostname === '') throw bad('has no host')
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') throw bad('must end after the host and port')
  const secure = url.protocol === 'smtps:'
  const port = url.port === '' ? (secure ? 465 : 25) : Number(url.port)
  return { secure, host: url.hostname, port, shown: `${url.protocol}//${url.hostname}:${port}` }
}

/**
 * CONFIDENT_MOCK_CORS as the origins it allows: '*' for any, or a list of origins, each exactly as a
 * browser sends it in its Origin header (scheme, host and port; no path, no trailing slash).
 */
export function corsOrigins (value: string): '*' | string[] {
  if (value.trim() === '*') return '*'
  const origins = value.split(',').map((o) => o.trim()).filter((o) => o !== '')
  if (origins.length === 0) throw new Error('CONFIDENT_MOCK_CORS must be * or a comma-separated list of origins')
  for (const origin of origins) {
    let parsed: URL | undefined
    try { parsed = new URL(origin) } catch {}
    if (parsed === undefined || parsed.origin === 'null' || parsed.origin !== origin) {
      const hint = parsed !== undefined && parsed.origin !== 'null' ? ` (did you mean ${parsed.origin}?)` : ''
      throw new Error(`CONFIDENT_MOCK_CORS: "${origin}" is not an origin such as http://localhost:5173${hint}`)
    }
  }
  return origins
}

/** Defaults for everything, for tests and the embeddable API. */
export function defaultConfig (overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), ...overrides }
}

/** Flags override the environment variable each one mirrors. */
export function configFromArgs (args: string[], env: Record<string, string | undefined> = process.env): Config {
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(Object.keys(CLI_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false
  })
  const merged: Record<string, string | undefined> = { ...env }
  for (const [flag, variable] of Object.entries(CLI_FLAGS)) {
    const value = values[flag]
    if (typeof value === 'string') merged[variable] = value
  }
  return loadConfig(merged)
}
