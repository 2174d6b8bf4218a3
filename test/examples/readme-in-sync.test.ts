// The README shows the example test as it runs here (test/examples/readme-example.test.ts), importing from the package.
import { readFileSync } from 'node:fs'
import t from 'tap'

const EXAMPLE = new URL('./readme-example.test.ts', import.meta.url)
const README = new URL('../../README.md', import.meta.url)

/** The example as a user writes it: without this repository's one-line file comment, importing 'confident-mock'. */
function exampleAsPublished (source: string): string {
  const body = source.split('\n').slice(1).join('\n')
  const published = body.replace("from '../../src/index.js'", "from 'confident-mock'")
  if (published === body) throw new Error('the example no longer imports ../../src/index.js')
  return published.trimEnd()
}

t.test('README.md contains the example test, word for word', async (t) => {
  const example = exampleAsPublished(readFileSync(EXAMPLE, 'utf8'))
  t.match(example, /^import t from 'tap'\nimport \{ startServer \} from 'confident-mock'\n/)
  const readme = readFileSync(README, 'utf8')
  t.ok(readme.includes('```ts\n' + example + '\n```'),
    'README.md has the example in a ts code block; paste it again from test/examples/readme-example.test.ts (import from confident-mock) when either changes')
})
