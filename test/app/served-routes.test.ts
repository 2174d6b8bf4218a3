// app.servedRoutes, the one list of the routes the app serves (src/app.ts), and the console's part of it (app.consoleRoutes).
import Fastify from 'fastify'
import t from 'tap'
import { routeCollector, type ServedRoute } from '../../src/app.js'
import { CONTROL_PREFIX, VENDOR_PREFIX } from '../../src/http/prefixes.js'
import { build } from '../helpers/build.js'

const keys = (routes: readonly ServedRoute[]) => routes.map((route) => `${route.method} ${route.url}`)

t.test('one entry per method of each route; Fastify\'s HEAD beside a GET is not one, a declared HEAD is', async (t) => {
  const routes: ServedRoute[] = []
  const app = Fastify()
  t.teardown(() => app.close())
  app.addHook('onRoute', routeCollector(routes))
  const handler = async () => ({})
  app.get('/health', handler)
  app.route({ method: ['PUT', 'DELETE'], url: '/things/:thingId', handler })
  app.get('/stream', { exposeHeadRoute: false }, handler)
  app.head('/probe', async () => null)
  app.get('/probe', handler)
  await app.register(async (scope) => {
    scope.get('/', handler)
    scope.get('/projects/:projectId/invitations', handler)
  }, { prefix: '/v1' })
  await app.ready()

  t.same(keys(routes), [
    'GET /health',
    'PUT /things/:thingId',
    'DELETE /things/:thingId',
    'GET /stream',
    'HEAD /probe',
    'GET /probe',
    'GET /v1',
    'GET /v1/projects/:projectId/invitations'
  ])
  t.equal((await app.inject({ method: 'HEAD', url: '/health' })).statusCode, 200, 'though Fastify answers HEAD beside the GET')
  t.same(routes.find((route) => route.method === 'DELETE'), { method: 'DELETE', url: '/things/:thingId', path: '/things/{thingId}' })
  t.equal(routes.at(-1)!.path, '/v1/projects/{projectId}/invitations', 'the path as the OpenAPI document writes it')
})

t.test('the app\'s list: routes Fastify serves, each once; the console\'s part of it', async (t) => {
  const app = await build(t)
  const listed = keys(app.servedRoutes)
  t.same(listed.filter((route, i) => listed.indexOf(route) !== i), [], 'no route twice')
  for (const { method, url } of app.servedRoutes) t.ok(app.hasRoute({ method: method as 'GET', url }), `${method} ${url} is served`)
  t.notOk(app.servedRoutes.some((route) => route.method === 'HEAD'), 'no HEAD: the app declares none of its own')
  t.ok(app.servedRoutes.filter((route) => route.url.startsWith(`${VENDOR_PREFIX}/`)).length >= 53, 'the vendor\'s 53 operations')
  t.ok(app.servedRoutes.filter((route) => route.url.startsWith(`${CONTROL_PREFIX}/`)).length >= 30, 'the control routes')
  t.ok(keys(app.servedRoutes).includes('GET /health'))

  t.ok(app.consoleRoutes.length >= 20, `${app.consoleRoutes.length} console routes`)
  t.ok(app.consoleRoutes.every((route) => app.servedRoutes.includes(route)), 'the console\'s routes are entries of the one list')
  t.ok(keys(app.consoleRoutes).includes('GET /mail/:id'))
  t.notOk(app.consoleRoutes.some((route) => route.url.startsWith(`${VENDOR_PREFIX}/`) || route.url.startsWith(`${CONTROL_PREFIX}/`) || route.url === '/health'),
    'and none of the others')
})

t.test('without the console, the list has none of its routes', async (t) => {
  const withConsole = await build(t)
  const app = await build(t, { config: { CONFIDENT_MOCK_CONSOLE: 'off' } })
  t.same(keys(app.servedRoutes), keys(withConsole.servedRoutes.filter((route) => !withConsole.consoleRoutes.includes(route))))
  t.notOk(app.hasDecorator('consoleRoutes'))
})
