// Lazy schema compilers: validators and serializers compile on first use, and all of them still compile.
import Fastify from 'fastify'
import t from 'tap'
import { compileAll, lazySerializerFactory, lazyValidatorCompiler } from '../../src/http/compilers.js'
import { build, json, seedOrg } from '../helpers/build.js'

t.test('every validator and serializer of the app compiles', async (t) => {
  const app = await build(t)
  // Each /v1 and control route has params, query or body validators and a serializer per status.
  t.ok(app.compileSchemas() > 100, 'well over a hundred compiled')
  const org = seedOrg(app)
  const res = await app.inject({ method: 'GET', url: '/v1/organization', headers: { CONFIDENT_API_KEY: org.key } })
  t.equal(res.statusCode, 200, 'routes answer after a full compile')
})

t.test('a route works before anything is compiled, and a bad request gets the validator\'s message', async (t) => {
  const app = await build(t)
  const org = seedOrg(app)
  const url = `/v1/projects/${org.projectId}/invitations`
  const headers = { CONFIDENT_API_KEY: org.key }
  const bad = await app.inject({ method: 'POST', url, headers, payload: { emails: ['not an address'] } })
  t.equal(bad.statusCode, 400)
  t.equal(json(bad).error, 'body.emails[0] must be a valid email', 'the lazy validator passes its errors on')
  const good = await app.inject({ method: 'POST', url, headers, payload: { emails: ['a@example.com'] } })
  t.equal(good.statusCode, 200)
  t.same(Object.keys(json(good).data.invitations[0]).sort(), ['created_at', 'email', 'id', 'projectRoleId', 'status'])
})

t.test('a schema that cannot compile fails on first use and in compileAll, not silently', async (t) => {
  const owner = {}
  const app = Fastify({ schemaController: { compilersFactory: { buildSerializer: lazySerializerFactory(owner) } } })
  t.teardown(() => app.close())
  const { Ajv } = await import('ajv')
  const ajv = new Ajv()
  app.setValidatorCompiler(lazyValidatorCompiler(({ schema }: { schema: object }) => ajv.compile(schema), owner))
  app.get('/bad', { schema: { querystring: { type: 'object', properties: { n: { type: 'no-such-type' } } } } }, async () => ({}))
  app.get('/good', { schema: { response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } } } }, async () => ({ n: 1, secret: 'x' }))
  await app.ready()
  const good = await app.inject({ method: 'GET', url: '/good' })
  t.same(good.json(), { n: 1 }, 'the lazy serializer filters as the eager one did')
  t.equal((await app.inject({ method: 'GET', url: '/bad' })).statusCode, 500, 'the bad schema throws when first needed')
  t.throws(() => compileAll(owner), /no-such-type|type must be/, 'compileAll throws for it too')
})
