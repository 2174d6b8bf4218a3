// Schema compilers that compile a route's validators and serializers on first use, not at boot.
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifySchemaCompiler } from 'fastify'

/**
 * Compiling every route's validators and response serializers (Ajv and fast-json-stringify code
 * generation, some 200 schemas) was most of the time from launch to the first answer. Compiled on
 * the first request that needs one instead, a server answers its health check sooner, and a test
 * that builds an app to call three routes compiles three routes' schemas. Each compiled function
 * is kept, so the cost is paid once per route and status.
 */

type Validator = ReturnType<FastifySchemaCompiler<unknown>>

type ValidatorCompiler<Route> = (route: Route) => Validator
type Serializer = (data: unknown) => string

/** Every lazy function built so far, to compile them all at once (`compileAll`, for tests). */
const pending = new WeakMap<object, Array<() => unknown>>()

function remember (owner: object, force: () => unknown) {
  let list = pending.get(owner)
  if (list === undefined) pending.set(owner, list = [])
  list.push(force)
}

/** Wraps a validator compiler: the wrapper compiles on its first call and passes on `errors`. */
export function lazyValidatorCompiler<Route> (compile: ValidatorCompiler<Route>, owner: object): ValidatorCompiler<Route> {
  return (route) => {
    let compiled: Validator | undefined
    const force = () => (compiled ??= compile(route))
    const validate: Validator = (data: unknown) => {
      const fn = force()
      const result = fn(data)
      validate.errors = fn.errors
      return result
    }
    remember(owner, force)
    return validate
  }
}

/**
 * Fastify's own serializer factory (fast-json-stringify, with the schemas added by `addSchema`),
 * its compilers wrapped the same way: the `compilersFactory.buildSerializer` of the
 * `schemaController` server option.
 */
export function lazySerializerFactory (owner: object) {
  const build = SerializerSelector()
  return (externalSchemas?: unknown, options?: Parameters<typeof build>[1]) => {
    const compile = build(externalSchemas, options)
    return (route: Parameters<typeof compile>[0]): Serializer => {
      let compiled: Serializer | undefined
      const force = () => (compiled ??= compile(route))
      remember(owner, force)
      return (data) => force()(data)
    }
  }
}

/**
 * Compiles every validator and serializer made so far for this owner (the app's compilers): a
 * schema Ajv or fast-json-stringify cannot compile throws here, as it used to at boot.
 */
export function compileAll (owner: object): number {
  const list = pending.get(owner) ?? []
  for (const force of list) force()
  return list.length
}
