// `npm start`'s check (scripts/ensure-build.mjs): a build is served only when it was made from the sources as they are now.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
// @ts-expect-error: a plain JavaScript script, without types
import { begin, record, staleness } from '../../scripts/ensure-build.mjs'

function tree (t: { teardown: (fn: () => void) => void }) {
  const root = mkdtempSync(join(tmpdir(), 'confident-mock-ensure-build-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  mkdirSync(join(root, 'src', 'console', 'views'), { recursive: true })
  writeFileSync(join(root, 'src', 'server.ts'), 'serve()\n')
  writeFileSync(join(root, 'src', 'console', 'views', 'page.eta'), '<p>page</p>\n')
  writeFileSync(join(root, 'tsconfig.json'), '{}\n')
  writeFileSync(join(root, 'package-lock.json'), '{}\n')
  return root
}

function build (root: string, meanwhile = () => {}) {
  begin(root)
  writeFileSync(join(root, 'dist', 'server.js'), 'serve()\n')
  meanwhile()
  record(root)
}

t.test('no build, or one that does not say what it was made from, is built first', async (t) => {
  const root = tree(t)
  t.equal(staleness(root), 'there is no build yet')
  mkdirSync(join(root, 'dist'))
  writeFileSync(join(root, 'dist', 'server.js'), 'serve()\n')
  t.equal(staleness(root), 'the build does not say what it was made from')
})

t.test('a build of the sources as they are is served as it is', async (t) => {
  const root = tree(t)
  build(root)
  t.equal(staleness(root), null)
})

t.test('a changed source, template, compiler setting or lock file makes it stale', async (t) => {
  for (const file of ['src/server.ts', 'src/console/views/page.eta', 'tsconfig.json', 'package-lock.json']) {
    const root = tree(t)
    build(root)
    writeFileSync(join(root, file), 'changed\n')
    t.equal(staleness(root), 'the sources changed since the last build', file)
  }
  const root = tree(t)
  build(root)
  writeFileSync(join(root, 'src', 'new.ts'), 'export {}\n')
  t.equal(staleness(root), 'the sources changed since the last build', 'a new source file')
  const removed = tree(t)
  build(removed)
  rmSync(join(removed, 'src', 'console', 'views', 'page.eta'))
  t.equal(staleness(removed), 'the sources changed since the last build', 'a removed one')
})

t.test('a file touched but not changed (a checkout) is read again, and the build is still current', async (t) => {
  const root = tree(t)
  build(root)
  const later = new Date(Date.now() + 60_000)
  utimesSync(join(root, 'src', 'server.ts'), later, later)
  t.equal(staleness(root), null)
})

t.test('a source edited while the build runs leaves the build stale: it was not in it', async (t) => {
  const root = tree(t)
  build(root, () => writeFileSync(join(root, 'src', 'server.ts'), 'edited during the build\n'))
  t.equal(staleness(root), 'the sources changed since the last build')
})

t.test('a build that failed after it began is built again', async (t) => {
  const root = tree(t)
  build(root)
  begin(root)
  t.equal(staleness(root), 'the build does not say what it was made from')
})
