// The layers as docs/architecture.md draws them, read from the source: routes call services, services
// use repositories, nothing below the routes knows Fastify or a plugin, and the composition root
// (src/services/index.ts) is the one place a repository is built.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import t from 'tap'

const ROOT = new URL('../..', import.meta.url).pathname
const SRC = join(ROOT, 'src')

function filesUnder (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
}

const sources = filesUnder(SRC).map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }))

/** Each import of a file: what it names, and whether it is `import type` (erased at build). */
function importsOf (text: string): Array<{ from: string, typeOnly: boolean }> {
  return [...text.matchAll(/^(import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gms)]
    .map((m) => ({ from: m[3]!, typeOnly: m[2] !== undefined }))
}

const below = (...dirs: string[]) => sources.filter((s) => dirs.some((d) => s.path.startsWith(`src/${d}`)))

// The domain's errors are made with @fastify/error: a standalone maker of error classes carrying a
// status and a code (it depends on nothing of Fastify), so they can be thrown below the routes.
const errorClasses = (path: string, from: string) => path === 'src/domain/errors.ts' && from === '@fastify/error'

t.test('services, repositories, the boot-state loader and the domain modules import no plugin, route or Fastify', async (t) => {
  const lower = [...below('services/', 'repositories/', 'boot-state/', 'db/'), ...below('domain/', 'http/prefixes.ts')]
  t.ok(lower.length > 30, `${lower.length} files checked`)
  const wrong = lower.flatMap((s) => importsOf(s.text)
    .filter((i) => /(^|\/)(plugins|routes)\//.test(i.from) || i.from === 'fastify' || i.from.startsWith('fastify-') || (i.from.startsWith('@fastify/') && !errorClasses(s.path, i.from)))
    .map((i) => `${s.path} imports ${i.from}`))
  t.same(wrong, [], 'no layer below the routes depends on the HTTP layer')
})

t.test('routes and the console\'s pages reach the data only through services: no repository, database or SQL module but for its types', async (t) => {
  const routes = below('routes/', 'console/')
  t.ok(routes.length > 30, `${routes.length} route and console files checked`)
  const wrong = routes.flatMap((s) => importsOf(s.text)
    .filter((i) => !i.typeOnly && (/\/(repositories|db|boot-state)\//.test(i.from) || i.from === 'better-sqlite3' || i.from === 'drizzle-orm'))
    .map((i) => `${s.path} imports ${i.from}`))
  t.same(wrong, [], 'routes import services (through the app), schemas and presenters only')
})

/*
 * Routes import only services and schemas. Every file under src/routes/ and src/console/routes/
 * imports at runtime, of the modules in src/, only:
 * - src/services/ (what a handler calls, through the app, and what it needs beside: a page size,
 *   a duration's parser) and src/schemas/ (requests, answers, and the rules of their fields);
 * - the HTTP layer itself: src/routes/ (presenters, tags), src/console/ (the pages' plugin and its
 *   helpers: links, forms, schemas), src/http/ (the request plumbing: parsers, the cross-site and
 *   control-access checks) and src/plugins/ (hooks' helpers, such as callerOf).
 * Nothing of the domain, the repositories, the database or the boot-state loader: an error a route
 * would throw is thrown by the service it calls, a constant a schema uses is read from the schema.
 * Type-only imports are free (erased at build). The HTTP layer's plumbing (src/http/, src/plugins/,
 * the console's own modules) is not a route: it may use the domain, turning its errors into answers.
 */
t.test('routes and the console\'s pages import, of src/, only services, schemas and the HTTP layer', async (t) => {
  const allowed = ['src/services/', 'src/schemas/', 'src/routes/', 'src/console/', 'src/http/', 'src/plugins/']
  const routes = below('routes/', 'console/routes/')
  t.ok(routes.length > 30, `${routes.length} route files checked`)
  const wrong = routes.flatMap((s) => importsOf(s.text)
    .filter((i) => !i.typeOnly && i.from.startsWith('.'))
    .map((i) => ({ s, target: join(dirname(s.path), i.from) }))
    .filter(({ target }) => !allowed.some((dir) => target.startsWith(dir)))
    .map(({ s, target }) => `${s.path} imports ${target}`))
  t.same(wrong, [], 'no route reaches the domain, a repository or the database but for types')
})

t.test('every repository is built in the composition root and nowhere else', async (t) => {
  const builders = new Set(below('repositories/').flatMap((s) => [...s.text.matchAll(/^export function (\w+Repository) \(/gm)].map((m) => m[1]!)))
  t.ok(builders.size >= 12, `${builders.size} repository builders found`)
  const calls = sources.flatMap((s) => [...s.text.matchAll(/\b(\w+Repository)\(/g)]
    .filter((m) => builders.has(m[1]!) && !s.path.startsWith('src/repositories/'))
    .map((m) => ({ path: s.path, name: m[1]! })))
  t.same([...new Set(calls.map((c) => c.path))], ['src/services/index.ts'], 'built in src/services/index.ts only')
  t.same(new Set(calls.map((c) => c.name)), builders, 'each of them is built there')
})

t.test('comments cite files that are in the repository', async (t) => {
  const missing: string[] = []
  for (const s of sources) {
    if (/BEHAVIOUR\.md|\.\.\/shared\b/.test(s.text)) missing.push(`${s.path} cites the contract outside the repository`)
    for (const m of s.text.matchAll(/\b((?:docs|src|test|scripts|bench|migrations)\/[\w./-]+\.(?:md|ts|json|sql|yaml))\b/g)) {
      if (!existsSync(join(ROOT, m[1]!))) missing.push(`${s.path} cites ${m[1]}`)
    }
  }
  t.same(missing, [], 'every cited path exists')
})

// What writes a table: SQL that inserts, updates, deletes or replaces, and Drizzle's write builders.
const SQL_WRITE = /\b(insert\s+(or\s+\w+\s+)?into|update\s+"?\w+"?\s+set|delete\s+from|replace\s+into)\b/i
const DRIZZLE_WRITE = /\b(db|tx\.db|tx)\.(insert|update|delete)\(/

t.test('nothing outside src/repositories/ writes a table', async (t) => {
  // src/db/ is the database layer the repositories stand on: the migrations, and the id counter and
  // token secret it keeps in `meta` for itself. Everything else writes through a repository.
  const outside = sources.filter((s) => !s.path.startsWith('src/repositories/') && !s.path.startsWith('src/db/'))
  t.ok(outside.length > 100, `${outside.length} files checked`)
  const wrong = outside.flatMap((s) => s.text.split('\n').flatMap((line, i) =>
    !/^\s*(\/\/|\*)/.test(line) && (SQL_WRITE.test(line) || DRIZZLE_WRITE.test(line)) ? [`${s.path}:${i + 1}: ${line.trim()}`] : []))
  t.same(wrong, [], 'no SQL write and no Drizzle write builder outside the repositories')
  // And the check finds what it looks for: the repositories are full of both.
  const repositories = below('repositories/')
  t.ok(repositories.some((s) => SQL_WRITE.test(s.text)) && repositories.some((s) => DRIZZLE_WRITE.test(s.text)), 'the patterns match the repositories\' writes')
})

t.test('one transaction helper: src/db/transaction.ts opens every transaction', async (t) => {
  const opens = /\.(transaction|immediate|exclusive|deferred)\(|\b(BEGIN|SAVEPOINT|COMMIT)\b/
  const wrong = sources.filter((s) => s.path !== 'src/db/transaction.ts').flatMap((s) => s.text.split('\n').flatMap((line, i) =>
    !/^\s*(\/\/|\*)/.test(line) && opens.test(line) ? [`${s.path}:${i + 1}: ${line.trim()}`] : []))
  t.same(wrong, [], 'no better-sqlite3 or Drizzle transaction, and no transaction SQL, anywhere else')
  const helper = sources.find((s) => s.path === 'src/db/transaction.ts')
  t.ok(helper !== undefined && opens.test(helper.text), 'the helper itself is found by the same pattern')
})

t.test('repository writes take the transaction: every write method\'s first parameter is a Tx', async (t) => {
  const writes = below('repositories/').flatMap((s) => {
    const out: string[] = []
    // A method of the returned object: `    name (params): type {` up to its closing `    }`.
    for (const m of s.text.matchAll(/^ {4}(\w+) \(([^)]*)\)[^{\n]*\{\n([\s\S]*?)^ {4}\}/gm)) {
      const body = m[3]!
      const writesTable = SQL_WRITE.test(body) || DRIZZLE_WRITE.test(body) || /\b(insert\w*|update\w*|remove|delete\w*|set\w*|join\w*|clear\w*)\.(run|all|get)\(/i.test(body)
      if (writesTable && !/^tx: Tx\b/.test(m[2]!)) out.push(`${s.path}: ${m[1]} (${m[2]})`)
    }
    return out
  })
  t.same(writes, [], 'a write outside a transaction does not type-check')
})
