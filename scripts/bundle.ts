// `npm run build`, second step: bundles the two entry points (dist/server.js, dist/cli.js) over tsc's output.
//
// Why: from launch to the first healthy answer, Node 20 spent most of its time loading modules one
// file at a time (a cold start read and linked some 940 modules, 700 of them typebox's). One
// bundle per entry, its lazily imported parts split into chunks, loads in a fraction of that. The
// library entry (dist/index.js, with its .d.ts) stays tsc's file-per-module output for embedders.
import { cpSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const chunks = `${root}dist/chunks`

// Kept out of the bundle, loaded from node_modules as usual:
// - better-sqlite3: a native addon;
// - @fastify/swagger-ui: serves its static files from its own folder (__dirname);
// - pino, pino-pretty: pino starts transports (pino-pretty on a terminal) in a worker by file path;
// - yaml: @fastify/swagger-ui loads it anyway, so one copy serves both.
const external = ['better-sqlite3', '@fastify/swagger-ui', 'pino', 'pino-pretty', 'yaml']

rmSync(chunks, { recursive: true, force: true })
const result = await build({
  absWorkingDir: root,
  entryPoints: { server: 'src/server.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  legalComments: 'none',
  // Less text for V8 to scan at every start; identifiers keep their names, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true
})

// The console's templates and assets are files read at run time (src/console/files.ts finds them
// under dist/console once built).
for (const folder of ['views', 'public']) {
  rmSync(`${root}dist/console/${folder}`, { recursive: true, force: true })
  cpSync(`${root}src/console/${folder}`, `${root}dist/console/${folder}`, { recursive: true })
}

const outputs = Object.entries(result.metafile.outputs)
const bytes = outputs.reduce((n, [, output]) => n + output.bytes, 0)
console.log(`bundled dist/server.js and dist/cli.js: ${outputs.length} files, ${(bytes / 1024).toFixed(0)} KiB`)
