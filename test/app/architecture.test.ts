// The layers as docs/architecture.md draws them, read from the source: routes call services, services
// use repositories, nothing below the routes knows Fastify or a plugin, and the composition root
// (src/services/index.ts) is the one place a repository is built.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
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

t.test('services, repositories, the boot-state loader and the domain modules import no plugin, route or Fastify', async (t) => {
  const lower = [...below('services/', 'repositories/', 'boot-state/', 'db/'), ...below('domain/', 'http/prefixes.ts')]
  t.ok(lower.length > 30, `${lower.length} files checked`)
  const wrong = lower.flatMap((s) => importsOf(s.text)
    .filter((i) => /(^|\/)(plugins|routes)\//.test(i.from) || i.from === 'fastify' || i.from.startsWith('fastify-') || i.from.startsWith('@fastify/'))
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
