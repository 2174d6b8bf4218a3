// Reads a boot-state (fixtures) document: JSON or YAML text, checked against the document schema.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Ajv, type ValidateFunction } from 'ajv'
import { withFormats } from '../http/formats.js'
import { FixturesSchema, StoredOrganizationSchema, type Fixtures, type StoredOrganization } from './schema.js'

/** A fixtures file or document that cannot be applied; the message says where and why. */
export class FixturesError extends Error {
  override name = 'FixturesError'
}

// Made on first use: a server started on an existing database (or with the demo) never needs it.
// Compiling is most of what a fixtures file adds to a boot, and a validator here checks one
// document: the schemas are this project's own (TypeBox, checked by its tests), so they are not
// checked against the JSON Schema meta-schema first (compiling that too, 35 ms), and the generated
// code is not optimized (a quarter less time to compile, the same answers).
let ajv: Ajv | undefined
const compile = <T> (schema: object): ValidateFunction<T> =>
  (ajv ??= withFormats(new Ajv({ allErrors: true, strict: false, validateSchema: false, code: { optimize: false } }))).compile<T>(schema)

let validateFixtures: ValidateFunction<Fixtures> | undefined
function fixturesValidator (): ValidateFunction<Fixtures> {
  return (validateFixtures ??= compile<Fixtures>(FixturesSchema))
}

/**
 * YAML, loaded the first time a fixtures file needs it rather than at every start (`require`, as
 * the callers are synchronous; the package ships CommonJS).
 */
function parseYaml (text: string): unknown {
  return (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text)
}

/**
 * Where a parse failed, as a line and column only: the parsers' own messages quote the text
 * around the error, and in a fixtures file that text may be an API key.
 */
function where (text: string, err: unknown): string {
  let linePos = (err as { linePos?: Array<{ line: number, col: number }> }).linePos
  if (linePos === undefined) {
    // JSON.parse names no position on Node 20; the YAML parser (JSON is YAML) does.
    try {
      parseYaml(text)
    } catch (yamlError) {
      linePos = (yamlError as { linePos?: Array<{ line: number, col: number }> }).linePos
    }
  }
  const at = linePos?.[0]
  return at === undefined ? '(an unexpected character)' : `at line ${at.line}, column ${at.col}`
}

export function parseFixtures (text: string, source: string): Fixtures {
  let doc: unknown
  try {
    doc = /\.ya?ml$/i.test(source) ? parseYaml(text) : JSON.parse(text)
  } catch (err) {
    throw new FixturesError(`${source}: not valid ${/\.ya?ml$/i.test(source) ? 'YAML' : 'JSON'} ${where(text, err)}`)
  }
  return checkFixtures(doc, source)
}

export function checkFixtures (doc: unknown, source = 'fixtures'): Fixtures {
  if (typeof doc === 'object' && doc !== null && Object.hasOwn(doc, 'policies')) {
    // The first format listed permission names there; say where they went rather than "additional properties".
    throw new FixturesError(`${source}: /policies: permission names are now listed under "permissions" ` +
      '({organization: [...], project: [...]}); policies are defined per organization or project (docs/fixtures.md)')
  }
  const validate = fixturesValidator()
  if (!validate(doc)) {
    const detail = (validate.errors ?? []).slice(0, 5)
      .map((e) => `${e.instancePath === '' ? '(root)' : e.instancePath} ${e.message ?? ''}`).join('; ')
    throw new FixturesError(`${source}: ${detail}`)
  }
  return doc
}

let validateStored: ValidateFunction<StoredOrganization> | undefined

/**
 * A stored document (src/db/schema.ts organization_documents) as JSON text, checked against the
 * stored form's schema: what a snapshot import brings is only known to be text. The message says
 * why, and never quotes the document (its fields could hold anything).
 */
export function parseStoredOrganization (text: string, source: string): StoredOrganization {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new FixturesError(`${source} is not JSON`)
  }
  const validate = (validateStored ??= compile<StoredOrganization>(StoredOrganizationSchema))
  if (!validate(doc)) {
    const detail = (validate.errors ?? []).slice(0, 3)
      .map((e) => `${e.instancePath === '' ? '(root)' : e.instancePath} ${e.message ?? ''}`).join('; ')
    throw new FixturesError(`${source} is not an organization in the stored form: ${detail}`)
  }
  return doc
}

export function readFixturesFile (path: string): Fixtures {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new FixturesError(`cannot read fixtures file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  return parseFixtures(text, path)
}
