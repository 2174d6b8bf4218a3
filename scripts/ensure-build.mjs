#!/usr/bin/env node
// `npm start` (scripts/start.mjs) serves the build in dist/ when it was made from the sources as they
// are now, and rebuilds first when it was not (or there is none): a stale build is never served and
// a current one starts at once. `npm run build` starts with `--begin` and ends with `--record`, which
// leave beside the build what it was made from. Plain JavaScript, no TypeScript loader: the check must cost milliseconds.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** What a build is made from: the sources (templates and assets too), the compiler settings, the bundler script, the lock file. */
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/bundle.ts', 'package-lock.json']
/** Where the digest of the inputs a build was made from is kept. */
export const STAMP = 'dist/.build-inputs'
/** The inputs as a build in progress started from them. */
const PENDING = 'dist/.build-inputs.next'

/** Every input file, by path, in a fixed order. */
function inputFiles (root) {
  return INPUTS.flatMap((input) => {
    const full = join(root, input)
    if (!existsSync(full)) return []
    if (!statSync(full).isDirectory()) return [input]
    return readdirSync(full, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)))
  }).sort()
}

/** The digest of every input file's path and content. */
export function inputsDigest (root) {
  const hash = createHash('sha256')
  for (const file of inputFiles(root)) hash.update(file).update('\0').update(readFileSync(join(root, file))).update('\0')
  return hash.digest('hex')
}

/** Each input's path, size and modification time: when none moved, the contents are not read again. */
function inputsListing (root) {
  return inputFiles(root).map((file) => {
    const stat = statSync(join(root, file))
    return `${file} ${stat.size} ${stat.mtimeMs}`
  }).join('\n')
}

/** Why the build in `root` cannot be served as it is, or null when it is current. */
export function staleness (root) {
  if (!existsSync(join(root, 'dist', 'server.js'))) return 'there is no build yet'
  const stamp = join(root, STAMP)
  if (!existsSync(stamp)) return 'the build does not say what it was made from'
  const [digest, ...listing] = readFileSync(stamp, 'utf8').split('\n')
  // Nothing touched since the build: current. Something touched (a checkout, an edit): its content decides.
  if (listing.join('\n') === inputsListing(root)) return null
  return digest === inputsDigest(root) ? null : 'the sources changed since the last build'
}

/**
 * The first step of `npm run build`: notes the inputs as the build starts reading them, and drops
 * the old record, so a build that fails is built again. Taken before, not after: a source edited
 * while the build runs is not in the build, and must leave it stale.
 */
export function begin (root) {
  mkdirSync(join(root, 'dist'), { recursive: true })
  rmSync(join(root, STAMP), { force: true })
  writeFileSync(join(root, PENDING), `${inputsDigest(root)}\n${inputsListing(root)}`)
}

/** The last step of `npm run build`: the build is done, so what it was made from becomes its record. */
export function record (root) {
  renameSync(join(root, PENDING), join(root, STAMP))
}

/** Rebuilds when the build is missing or stale, saying why on stderr; exits when the build fails. */
export function ensureBuild (root) {
  const why = staleness(root)
  if (why === null) return
  process.stderr.write(`confident-mock: building first (${why})\n`)
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  if (process.argv.includes('--begin')) begin(root)
  else if (process.argv.includes('--record')) record(root)
  else ensureBuild(root)
}
