// Lint: neostandard (standard style) with TypeScript support.
import neostandard from 'neostandard'

export default neostandard({ ts: true, ignores: ['dist/**', 'coverage/**', '.tap/**', 'migrations/**', '.scratch/**', 'test/browser/node_modules/**'] })
