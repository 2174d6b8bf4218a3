// The confident-mock command (src/cli.ts) as a user runs it: help, version, serve, healthcheck, exit codes.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { CLI_FLAGS, ConfigSchema } from '../../src/config.js'
import { runCli, startServer } from '../helpers/server-process.js'

const SERVE_ARGS = ['--port', '0', '--host', '127.0.0.1', '--database', ':memory:', '--log-level', 'silent']

/** A loopback HTTP server answering with the handler, closed after the test. */
async function httpServer (t: { teardown: (fn: () => unknown) => void }, handler: Parameters<typeof createServer>[1]): Promise<{ server: Server, port: number }> {
  const server = createServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return { server, port: (server.address() as AddressInfo).port }
}

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

t.test('--help lists the commands and every serve flag with its variable and description', async (t) => {
  const argLists = [['--help'], ['serve', '--help']]
  // Each run starts Node and tsx (about a second): run them side by side.
  const runs = await Promise.all(argLists.map((args) => runCli(args)))
  for (const [i, { code, stdout, stderr }] of runs.entries()) {
    const args = argLists[i]!
    t.equal(code, 0, args.join(' '))
    t.equal(stderr, '')
    t.match(stdout, /confident-mock \[serve\] \[flags\]/)
    t.match(stdout, /^ {2}healthcheck /m)
    for (const [flag, variable] of Object.entries(CLI_FLAGS)) {
      const description = (ConfigSchema.properties[variable] as unknown as { description: string }).description
      const line = stdout.split('\n').find((l) => l.trimStart().startsWith(`--${flag} `))
      t.ok(line, `--${flag} is listed`)
      t.ok(line?.includes(variable), `--${flag} names ${variable}`)
      t.ok(line?.includes(description), `--${flag} has its description`)
    }
    for (const flag of ['--url', '--timeout']) t.match(stdout, new RegExp(`^ {2}${flag} `, 'm'))
  }
})

t.test('--version prints the package version', async (t) => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  const { code, stdout } = await runCli(['--version'])
  t.equal(code, 0)
  t.equal(stdout, `${version}\n`)
})

t.test('an unknown command: usage on stderr, exit 2', async (t) => {
  const { code, stdout, stderr } = await runCli(['frobnicate'])
  t.equal(code, 2)
  t.equal(stdout, '')
  t.match(stderr, /unknown command "frobnicate"/)
  t.match(stderr, /Usage:/)
})

t.test('bad serve flags exit 2 with the reason on stderr', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['serve', '--port', 'abc'], /invalid configuration: .*PORT must be integer/],
    [['serve', '--clock', 'yesterday'], /invalid configuration: .*CONFIDENT_MOCK_CLOCK/],
    [['--no-such-flag'], /invalid configuration: Unknown option '--no-such-flag'/]
  ]
  const runs = await Promise.all(cases.map(([args]) => runCli(args)))
  for (const [i, { code, stderr }] of runs.entries()) {
    t.equal(code, 2, cases[i]![0].join(' '))
    t.match(stderr, cases[i]![1])
  }
})

t.test('serve prints the listening line; healthcheck --url against it exits 0', async (t) => {
  const server = await startServer({}, ['serve', ...SERVE_ARGS], 'src/cli.ts')
  t.teardown(() => server.stop())
  t.match(server.output(), /^confident-mock listening on http:\/\/127\.0\.0\.1:\d+\n/)
  t.match(server.output(), /\n {2}console \(open in a browser\): http:\/\/127\.0\.0\.1:\d+\/\n/, 'the console\'s address, to open')
  t.match(server.output(), /demo organization API key: confident_org_/)

  const [ok, withPath] = await Promise.all([
    runCli(['healthcheck', '--url', server.url]),
    runCli(['healthcheck', '--url', `${server.url}/health`])
  ])
  t.equal(ok.code, 0)
  t.equal(ok.stderr, '')
  t.match(ok.stdout, /is healthy/)
  t.equal(withPath.code, 0, 'a URL that already ends in /health is used as is')

  t.equal(await server.stop(), 0, 'SIGTERM closes it cleanly')
})

t.test('no command is serve; healthcheck finds the server from PORT and HOST (0.0.0.0 read as loopback)', async (t) => {
  const server = await startServer({}, ['--port', '0', '--host', '0.0.0.0', '--database', ':memory:', '--log-level', 'silent'], 'src/cli.ts')
  t.teardown(() => server.stop())
  const port = new URL(server.url).port
  const [byEnv, byFlags] = await Promise.all([
    runCli(['healthcheck'], { PORT: port, HOST: '0.0.0.0' }),
    runCli(['healthcheck', '--port', port, '--host', '127.0.0.1'], { PORT: '1', HOST: '192.0.2.1' })
  ])
  t.equal(byEnv.code, 0, byEnv.stderr)
  t.match(byEnv.stdout, new RegExp(`http://127\\.0\\.0\\.1:${port}/health`))
  t.equal(byFlags.code, 0, 'flags win over the environment')
})

t.test('the server entry (src/server.ts, npm start and the container) still serves the same way', async (t) => {
  const server = await startServer({}, SERVE_ARGS)
  t.teardown(() => server.stop())
  t.match(server.output(), /^confident-mock listening on http:\/\/127\.0\.0\.1:\d+\n/)
  t.equal((await fetch(`${server.url}/health`)).status, 200)
  t.equal(await server.stop(), 0)
})

t.test('healthcheck against a closed port: exit 1 at once, one line saying why', async (t) => {
  const port = await closedPort()
  // A long timeout: finishing well inside it shows the refusal was reported, not waited out.
  const { code, stdout, stderr, ms } = await runCli(['healthcheck', '--port', String(port), '--timeout', '60000'])
  t.equal(code, 1)
  t.equal(stdout, '')
  t.match(stderr, new RegExp(`^confident-mock healthcheck: cannot reach http://127\\.0\\.0\\.1:${port}/health: .*ECONNREFUSED.*\\n$`))
  t.equal(stderr.split('\n').length, 2, 'one line')
  t.ok(ms < 30_000, `finished in ${ms} ms`)
})

t.test('healthcheck: a non-200 answer is exit 1 naming the status', async (t) => {
  const { port } = await httpServer(t, (_req, res) => {
    res.statusCode = 503
    res.end('{"success":false}')
  })
  const { code, stderr } = await runCli(['healthcheck', '--url', `http://127.0.0.1:${port}`])
  t.equal(code, 1)
  t.match(stderr, /answered 503/)
})

t.test('healthcheck: no answer within --timeout is exit 1', async (t) => {
  const { port } = await httpServer(t, () => { /* never answers */ })
  const { code, stderr, ms } = await runCli(['healthcheck', '--url', `http://127.0.0.1:${port}`, '--timeout', '300'])
  t.equal(code, 1)
  t.match(stderr, /no answer within 300 ms/)
  t.ok(ms < 20_000, `gave up after ${ms} ms`)
})

t.test('healthcheck: flags it cannot use are exit 1 (Docker reserves 2), with the reason', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['healthcheck', '--timeout', 'soon'], /--timeout must be a positive number/],
    [['healthcheck', '--verbose'], /Unknown option '--verbose'/]
  ]
  const runs = await Promise.all(cases.map(([args]) => runCli(args)))
  for (const [i, { code, stderr }] of runs.entries()) {
    t.equal(code, 1, cases[i]![0].join(' '))
    t.match(stderr, cases[i]![1])
  }
})
