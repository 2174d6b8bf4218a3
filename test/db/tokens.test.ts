// Invitation tokens: bound to one invitation row and to the database's secret.
import Sqlite from 'better-sqlite3'
import t from 'tap'
import { createTokenSigner, type TokenSubject } from '../../src/db/tokens.js'

function signer () {
  const sqlite = new Sqlite(':memory:')
  sqlite.exec('create table meta (key text primary key, value text not null)')
  return { sqlite, tokens: createTokenSigner(sqlite) }
}

const subject: TokenSubject = { kind: 'PROJECT', id: 42, email: 'a@example.com', createdAt: 1_000 }

t.test('a token names its invitation and matches only it', async (t) => {
  const { sqlite, tokens } = signer()
  t.teardown(() => sqlite.close())
  const token = tokens.sign(subject)
  t.match(token, /^pi_42_[A-Za-z0-9_-]{22}$/)
  t.same(tokens.parse(token), { kind: 'PROJECT', id: 42 })
  t.ok(tokens.matches(token, subject))
  t.notOk(tokens.matches(token, { ...subject, createdAt: 1_001 }), 'an id handed out again is another invitation')
  t.notOk(tokens.matches(token, { ...subject, email: 'b@example.com' }))
  t.notOk(tokens.matches(token, { ...subject, kind: 'ORGANIZATION' }))
  t.notOk(tokens.matches(token.slice(0, -1), subject), 'a truncated token')
  t.same(tokens.parse(tokens.sign({ ...subject, kind: 'ORGANIZATION' })), { kind: 'ORGANIZATION', id: 42 })
  for (const bad of ['', 'pi_42', 'xx_42_aaaaaaaaaaaaaaaaaaaaaa', 'pi_0_aaaaaaaaaaaaaaaaaaaaaa', 'pi_42_aaaa', `pi_42_${'a'.repeat(22)}x`]) {
    t.equal(tokens.parse(bad), null, JSON.stringify(bad))
  }
})

t.test('the secret is made once per database and kept', async (t) => {
  const { sqlite, tokens } = signer()
  t.teardown(() => sqlite.close())
  t.equal(createTokenSigner(sqlite).sign(subject), tokens.sign(subject), 'the same database, the same tokens')
  const other = signer()
  t.teardown(() => other.sqlite.close())
  t.not(other.tokens.sign(subject), tokens.sign(subject), 'another database, other tokens')
})
