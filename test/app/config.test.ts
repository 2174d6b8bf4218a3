// Configuration: defaults, validation naming the variable, flags over the environment.
import t from 'tap'
import { DEFAULT_DATABASE, configFromArgs, defaultDatabase, loadConfig } from '../../src/config.js'

t.test('defaults', async (t) => {
  const config = loadConfig({})
  t.same(config, {
    PORT: 4010,
    HOST: '127.0.0.1',
    CONFIDENT_MOCK_DATABASE: DEFAULT_DATABASE,
    LOG_LEVEL: 'info',
    CONFIDENT_MOCK_MAX_EMAILS: 100,
    CONFIDENT_MOCK_ID_SEED: 'confident-mock',
    CONFIDENT_MOCK_JOURNAL_SIZE: 1000,
    CONFIDENT_MOCK_CONSOLE: 'on',
    CONFIDENT_MOCK_SMTP_FROM: 'Confident AI <no-reply@confident-mock.invalid>'
  })
  t.match(DEFAULT_DATABASE, /data\/confident-mock\.sqlite$/)
})

t.test('values are coerced and validated; errors name the variable', async (t) => {
  t.equal(loadConfig({ PORT: '8080', CONFIDENT_MOCK_MAX_EMAILS: '5', UNRELATED: 'x' }).PORT, 8080)
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: '70000' }, /PORT must be <= 65535/],
    [{ CONFIDENT_MOCK_CONSOLE: 'yes' }, /CONFIDENT_MOCK_CONSOLE/],
    [{ PORT: '1.5' }, /PORT must be integer/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be equal to one of the allowed values/],
    [{ CONFIDENT_MOCK_MAX_EMAILS: '-1' }, /CONFIDENT_MOCK_MAX_EMAILS must be >= 1/],
    [{ CONFIDENT_MOCK_ADMIN_TOKEN: 'short' }, /CONFIDENT_MOCK_ADMIN_TOKEN must not have fewer than 8 characters/i],
    [{ CONFIDENT_MOCK_JOURNAL_SIZE: '-1' }, /CONFIDENT_MOCK_JOURNAL_SIZE must be >= 0/],
    [{ CONFIDENT_MOCK_CLOCK: 'tomorrow' }, /CONFIDENT_MOCK_CLOCK must match pattern/],
    [{ CONFIDENT_MOCK_CLOCK: '2026-13-45T99:00:00Z' }, /CONFIDENT_MOCK_CLOCK is not a time this server can read/],
    [{ CONFIDENT_MOCK_CLOCK: '9999-12-31T23:59:59-01:00' }, /CONFIDENT_MOCK_CLOCK must fall within years 0000-9999 once in UTC/]
  ]
  for (const [env, message] of bad) t.throws(() => loadConfig(env), message)
  t.equal(loadConfig({ PORT: '' }).PORT, 4010, 'an empty variable counts as unset')
})

t.test('each flag overrides the variable it mirrors', async (t) => {
  const config = configFromArgs(
    ['--port', '1234', '--host', '0.0.0.0', '--database', ':memory:', '--fixtures', 'f.yaml', '--log-level', 'debug', '--max-emails', '7', '--id-seed', 's',
      '--admin-token', 'a-long-token', '--journal-size', '0', '--clock', '2026-03-01T00:00:00Z', '--public-url', 'https://example.test/mock/', '--console', 'off',
      '--smtp-url', 'smtp://mailpit:1025', '--smtp-from', 'Tests <tests@example.test>'],
    { PORT: '9', HOST: 'localhost' })
  t.same(config, {
    PORT: 1234,
    HOST: '0.0.0.0',
    CONFIDENT_MOCK_DATABASE: ':memory:',
    CONFIDENT_MOCK_FIXTURES: 'f.yaml',
    LOG_LEVEL: 'debug',
    CONFIDENT_MOCK_MAX_EMAILS: 7,
    CONFIDENT_MOCK_ID_SEED: 's',
    CONFIDENT_MOCK_ADMIN_TOKEN: 'a-long-token',
    CONFIDENT_MOCK_JOURNAL_SIZE: 0,
    CONFIDENT_MOCK_CLOCK: '2026-03-01T00:00:00Z',
    CONFIDENT_MOCK_PUBLIC_URL: 'https://example.test/mock',
    CONFIDENT_MOCK_CONSOLE: 'off',
    CONFIDENT_MOCK_SMTP_URL: 'smtp://mailpit:1025',
    CONFIDENT_MOCK_SMTP_FROM: 'Tests <tests@example.test>'
  })
  t.throws(() => configFromArgs(['serve']), /Unexpected argument 'serve'/)
})

t.test('CONFIDENT_MOCK_PUBLIC_URL: an absolute http(s) URL, maybe with a path, stored without trailing slash', async (t) => {
  const good: Array<[string, string]> = [
    ['https://example.test/mock', 'https://example.test/mock'],
    ['https://Example.TEST/mock/', 'https://example.test/mock'],
    ['http://localhost:4010', 'http://localhost:4010'],
    ['http://localhost:4010/', 'http://localhost:4010'],
    ['https://example.test:443/a/b//', 'https://example.test/a/b'],
    ['http://[::1]:8080/mock', 'http://[::1]:8080/mock'],
    [' http://127.0.0.1:4010 ', 'http://127.0.0.1:4010']
  ]
  for (const [value, stored] of good) t.equal(loadConfig({ CONFIDENT_MOCK_PUBLIC_URL: value }).CONFIDENT_MOCK_PUBLIC_URL, stored, value)
  t.equal(loadConfig({ CONFIDENT_MOCK_PUBLIC_URL: '' }).CONFIDENT_MOCK_PUBLIC_URL, undefined, 'empty: unset')

  const bad: Array<[string, RegExp]> = [
    ['example.test', /CONFIDENT_MOCK_PUBLIC_URL must be an absolute http\(s\) URL such as https:\/\/example\.test\/mock, not "example\.test"/],
    ['/mock', /must be an absolute http\(s\) URL/],
    ['ftp://example.test/', /CONFIDENT_MOCK_PUBLIC_URL must be an http or https URL, not ftp:/],
    ['javascript:alert(1)', /must be an http or https URL, not javascript:/],
    ['file:///srv/mock', /must be an http or https URL, not file:/],
    ['https://example.test/mock?x=1', /CONFIDENT_MOCK_PUBLIC_URL must have no query/],
    ['https://example.test/mock?', /must have no query/],
    ['https://example.test/mock#top', /CONFIDENT_MOCK_PUBLIC_URL must have no fragment/],
    ['https://user:secret@example.test/', /CONFIDENT_MOCK_PUBLIC_URL must carry no credentials/],
    ['https://user@example.test/', /must carry no credentials/],
    ['https://@example.test/', /must carry no credentials/]
  ]
  for (const [value, message] of bad) t.throws(() => loadConfig({ CONFIDENT_MOCK_PUBLIC_URL: value }), message, value)
  try {
    loadConfig({ CONFIDENT_MOCK_PUBLIC_URL: 'https://user:secret@example.test/' })
  } catch (err) {
    t.notMatch((err as Error).message, /secret/, 'the refused credentials are not repeated')
  }
  t.throws(() => configFromArgs(['--public-url', 'ftp://example.test']), /CONFIDENT_MOCK_PUBLIC_URL must be an http or https URL/)
})

t.test('the default database: in the clone, or in the current folder when installed under node_modules', async (t) => {
  t.equal(defaultDatabase('/home/me/confident-mock', '/elsewhere'), '/home/me/confident-mock/data/confident-mock.sqlite')
  t.equal(defaultDatabase('/app/node_modules/confident-mock', '/app'), '/app/data/confident-mock.sqlite')
  t.equal(DEFAULT_DATABASE, defaultDatabase())
})
