// Prints which vendor operations this server implements and which it does not, for the vendor tags it touches (a Markdown table for the README).
import { readFileSync, realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { buildApp, type ServedRoute } from '../src/app.js'
import { defaultConfig } from '../src/config.js'
import { EXTRACT_PATH, MANAGEMENT_TAGS, type VendorExtract, type VendorOperation } from './extract-vendor-schemas.js'

/** `/v1/projects/{projectId}` and `/v1/projects/{id}` name the same route. */
export function routeKey (method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`
}

const METHOD_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

function byPathThenMethod (a: VendorOperation, b: VendorOperation): number {
  return a.path.localeCompare(b.path) || METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method)
}

export interface Coverage {
  /** Vendor tags with at least one operation served here, in MANAGEMENT_TAGS order, with all their operations. */
  tags: Array<{ tag: string, operations: Array<VendorOperation & { implemented: boolean }> }>
  /** Management tags with no operation served here. */
  untouched: string[]
}

export function coverage (extract: VendorExtract, routes: ReadonlyArray<Pick<ServedRoute, 'method' | 'path'>>): Coverage {
  const served = new Set(routes.map((route) => routeKey(route.method, route.path)))
  const operations = Object.values(extract.operations).sort(byPathThenMethod)
  const result: Coverage = { tags: [], untouched: [] }
  for (const tag of MANAGEMENT_TAGS) {
    const inTag = operations.filter((op) => op.tags.includes(tag))
      .map((op) => ({ ...op, implemented: served.has(routeKey(op.method, op.path)) }))
    if (inTag.some((op) => op.implemented)) result.tags.push({ tag, operations: inTag })
    else result.untouched.push(tag)
  }
  return result
}

/** The README's table under "Endpoints", and one line on the tags left out. */
export function renderCoverage ({ tags, untouched }: Coverage): string {
  const rows = tags.flatMap(({ tag, operations }) => operations.map((op) =>
    `| ${tag} | \`${op.method} ${op.path}\` | \`${op.operationId}\` | ${op.implemented ? 'yes' : '**no**'} |`))
  const all = tags.flatMap((entry) => entry.operations)
  const done = all.filter((op) => op.implemented).length
  return [
    '| Vendor tag | Method and path | Operation | Implemented |',
    '|---|---|---|---|',
    ...rows,
    '',
    `${done} of ${all.length} operations in these tags are implemented. ` +
      `Vendor tags with no operation here: ${untouched.length === 0 ? 'none' : untouched.join(', ')}.`,
    ''
  ].join('\n')
}

/** Builds the app in-process on an empty in-memory database and renders its coverage of the committed extract. */
export async function coverageReport (): Promise<string> {
  const extract = JSON.parse(readFileSync(EXTRACT_PATH, 'utf8')) as VendorExtract
  const app = await buildApp(defaultConfig({ CONFIDENT_MOCK_DATABASE: ':memory:', LOG_LEVEL: 'silent' }), {
    logger: false,
    fixtures: { organizations: [] }
  })
  try {
    return renderCoverage(coverage(extract, app.servedRoutes))
  } finally {
    await app.close()
  }
}

/* c8 ignore start: the command-line entry runs as `npm run vendor:coverage`; the test also runs it once as a process */
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.stdout.write(await coverageReport())
}
/* c8 ignore stop */
