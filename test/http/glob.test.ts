// Path patterns of faults and journal filters: what * and ** match, and no pattern can make matching slow.
import t from 'tap'
import { compileGlob } from '../../src/http/glob.js'

t.test('what matches', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['/v1/projects/*/invitations', '/v1/projects/abc/invitations', true],
    ['/v1/projects/*/invitations', '/v1/projects//invitations', false],
    ['/v1/projects/*/invitations', '/v1/projects/a/b/invitations', false],
    ['/v1/**', '/v1/a/b/c', true],
    ['/v1/**', '/v1', true],
    ['/v1/**', '/v2/a', false],
    ['/v1/**/**/invitations', '/v1/projects/x/invitations', true],
    ['/v1/**/invitations', '/v1/invitations', true],
    ['/v1/p*', '/v1/projects', true],
    ['/v1/p*s', '/v1/projects', true],
    ['/v1/p*x', '/v1/projects', false],
    ['/v1/*a*b', '/v1/xaab', true],
    ['/v1/a*', '/v1/a', false],
    ['/v1/organization', '/v1/organization', true],
    ['/v1/organization', '/v1/organizations', false],
    ['/v1/(x)[y].+', '/v1/(x)[y].+', true],
    ['/v1/(x)[y].+', '/v1/(x)[y]a+', false]
  ]
  for (const [pattern, path, expected] of cases) t.equal(compileGlob(pattern)(path), expected, `${pattern} ${expected ? 'matches' : 'does not match'} ${path}`)
})

t.test('patterns that make a regular expression backtrack for minutes answer at once', async (t) => {
  // With the regular expressions this replaced, the first took 71 s on an 80-character path.
  const hostile: Array<[string, string]> = [
    ['/v1/**a**a**a**a**a**a**a**a!', '/v1/' + 'a'.repeat(5000)],
    ['/v1/' + '*a'.repeat(200) + '!', '/v1/' + 'a'.repeat(8000)],
    ['/' + '**/'.repeat(200) + 'x', '/' + 'a/'.repeat(4000) + 'y']
  ]
  for (const [pattern, path] of hostile) {
    const started = process.hrtime.bigint()
    t.equal(compileGlob(pattern)(path), false)
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    // A hang guard, not a speed target: these take a few milliseconds.
    t.ok(ms < 2000, `${pattern.slice(0, 30)}… decided in ${ms.toFixed(1)} ms`)
  }
})
