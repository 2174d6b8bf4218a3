// Lint: neostandard (standard style) with TypeScript support. The linter is lint/'s own install
// (lint/package.json), which `npm run lint` makes: the root npm ci does not carry it.
import neostandard from './lint/node_modules/neostandard/index.js'

export default neostandard({ ts: true, ignores: ['dist/**', 'coverage/**', '.tap/**', 'migrations/**', '.scratch/**', 'test/browser/node_modules/**', 'lint/node_modules/**', 'examples/node_modules/**', 'bench/node_modules/**'] })
