// Hostile inputs for the property tests: fast-check arbitraries for bodies, strings, path parameters, query strings and headers.
import fc from 'fast-check'

/** How many runs each property makes: FC_NUM_RUNS, or the file's default (chosen to keep `npm test` short). */
export function numRuns (fallback: number): number {
  const value = Number(process.env['FC_NUM_RUNS'])
  return Number.isInteger(value) && value > 0 ? value : fallback
}

/**
 * fast-check parameters for every property: the run count, a seed from FC_SEED when given (to
 * replay a failure), and a report that always names the seed and the shrunk counterexample.
 */
export function fcParameters (fallbackRuns: number): fc.Parameters<unknown> {
  const seed = Number(process.env['FC_SEED'])
  return {
    numRuns: numRuns(fallbackRuns),
    ...(Number.isInteger(seed) ? { seed } : {}),
    ...(process.env['FC_PATH'] === undefined ? {} : { path: process.env['FC_PATH'] }),
    // The counterexample and its error only: the failures met while shrinking would repeat megabyte bodies.
    verbose: 0,
    // The failure itself in the message, beside the seed and the counterexample.
    includeErrorInReport: true
  }
}

// ---------------------------------------------------------------------------------------------
// Strings

/** Text that changes a statement when pasted into SQL rather than bound. */
export const SQL_FRAGMENTS = [
  "' OR '1'='1",
  "'; DROP TABLE projects; --",
  '"; DROP TABLE users; --',
  '1; DELETE FROM organizations WHERE 1=1',
  "' UNION SELECT digest, last6 FROM api_keys --",
  "') ON CONFLICT DO NOTHING; --",
  "%' --",
  "\\'; --",
  '/*', '*/', '--',
  "'; PRAGMA foreign_keys = OFF; --",
  "' || (SELECT value FROM meta WHERE key = 'token_secret') || '",
  "'; ATTACH DATABASE '/tmp/x' AS x; --",
  'NULL', "x' COLLATE NOCASE --", 'char(39)', '0x27', '?', '?1', ':name', '@p', '$1'
] as const

/** Keys that reach Object.prototype when a parser or a merge is careless. */
export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const

/** Unpaired UTF-16 surrogates: valid in a JS string and in a JSON escape, not in UTF-8. */
export const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', 'a\ud83d', '\ude00b', '\udfff\ud800'] as const

/**
 * Well-formed but awkward text: control characters, NUL, bidi overrides, zero-width and combining
 * marks, a BOM, astral characters, look-alikes, template and markup syntax, path tricks.
 */
export const ODD_STRINGS = [
  ' ', '\u0000', 'a\u0000b', '\t\n\r', '\u0007\u001b[31m', '\u007f', '\u0085', '\u2028\u2029',
  '\u202e\u202d', '\ufeff', '\u200b\u200c\u200d', 'e\u0301', 'Z\u0351\u0364\u0357\u0358', '😀', '👩‍👩‍👧', '𝕏', '\uffff', '\ufffd',
  'İı', 'ß', 'ﬁ', 'Ａｄｍｉｎ', 'null', 'undefined', 'true', '0', '-1', 'NaN', 'Infinity', '1e309',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  '../../etc/passwd', '..\\..\\', '%00', '%zz', '%', '%25', '<script>alert(1)</script>', '$' + '{7*7}', '{{7*7}}',
  '\\', '"', "'", '`', '\\u0000', '\\ud800', 'confident_org_00000000000000000000000000000000', '[redacted]'
] as const

/** Any well-formed string: full Unicode, odd constants, SQL fragments, and mixes of them. */
export function oddString (maxLength = 40): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).filter((s) => !/[\ud800-\udfff]/u.test(s)) },
    { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom(...SQL_FRAGMENTS) }
  )
  return fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) => truncateCodePoints(parts.join(''), maxLength))
}

/** An odd string that is not empty (at least one code point). */
export function oddNonEmpty (maxLength = 40): fc.Arbitrary<string> {
  return oddString(maxLength).filter((s) => s.length > 0)
}

/** A string holding at least one unpaired surrogate, somewhere in otherwise odd text. */
export function withLoneSurrogate (): fc.Arbitrary<string> {
  return fc.tuple(oddString(10), fc.constantFrom(...LONE_SURROGATES), oddString(10)).map(([a, s, b]) => a + s + b)
}

/** Cuts after n code points (never inside a surrogate pair). */
export function truncateCodePoints (text: string, n: number): string {
  return [...text].slice(0, n).join('')
}

/** How many code points a string has: what JSON Schema's maxLength counts. */
export function codePoints (text: string): number {
  return [...text].length
}

/** A string of exactly n code points, made of one repeated unit (ASCII, two-byte, or astral). */
export function stringOfLength (n: number, unit: 'a' | 'é' | '😀' | "'" = 'a'): string {
  return unit.repeat(n)
}

/** A string just over (or far over) a limit, in code points, with a unit that may be multi-byte. */
export function overLimit (limit: number): fc.Arbitrary<string> {
  return fc.tuple(fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 64 }), fc.integer({ min: limit, max: limit * 20 })),
    fc.constantFrom('a' as const, 'é' as const, '😀' as const, "'" as const))
    .map(([extra, unit]) => stringOfLength(limit + extra, unit))
}

/** A string at or just under a limit: still valid, however odd its characters. */
export function atLimit (limit: number): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: Math.max(1, limit - 2), max: limit }), fc.constantFrom('a' as const, 'é' as const, '😀' as const, "'" as const))
    .map(([n, unit]) => stringOfLength(n, unit))
}

// ---------------------------------------------------------------------------------------------
// JSON documents as trees, so that any text can be written: duplicated keys, `__proto__` as an own
// key, number literals JavaScript cannot hold, nesting deeper than a recursive parser allows.

export type JsonNode =
  | { kind: 'literal', text: string }
  | { kind: 'string', value: string }
  | { kind: 'array', items: JsonNode[] }
  | { kind: 'object', entries: Array<[string, JsonNode]> }
  /** Already JSON text (deep nesting, huge arrays made cheaply). */
  | { kind: 'raw', text: string }

export const lit = (text: string): JsonNode => ({ kind: 'literal', text })
export const str = (value: string): JsonNode => ({ kind: 'string', value })
export const arr = (items: JsonNode[]): JsonNode => ({ kind: 'array', items })
export const obj = (entries: Array<[string, JsonNode]>): JsonNode => ({ kind: 'object', entries })

/** A plain JSON value as a tree (objects keep their keys in order, each once). */
export function fromValue (value: unknown): JsonNode {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return lit(JSON.stringify(value))
  if (typeof value === 'string') return str(value)
  if (Array.isArray(value)) return arr(value.map(fromValue))
  return obj(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => [k, fromValue(v)]))
}

/** The JSON text of a tree. Strings go through JSON.stringify, which escapes lone surrogates as \uD800. */
export function jsonText (node: JsonNode): string {
  switch (node.kind) {
    case 'literal':
    case 'raw':
      return node.text
    case 'string':
      return JSON.stringify(node.value)
    case 'array':
      return `[${node.items.map(jsonText).join(',')}]`
    case 'object':
      return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`
  }
}

/** Number texts that JSON allows but JavaScript rounds, overflows or signs oddly. */
export const ODD_NUMBERS = [
  '0', '-0', '1', '-1', '1.0', '1.5', '1e0', '1E+2', '1e400', '-1e400', '4.9e-324', '9007199254740991', '9007199254740993',
  '123456789012345678901234567890', '0.1', '2147483648', '-2147483649', '1e-7'
] as const

/** A JSON scalar of any type: odd numbers, booleans, null, odd strings. */
export function jsonScalar (): fc.Arbitrary<JsonNode> {
  return fc.oneof(
    fc.constantFrom(...ODD_NUMBERS).map(lit),
    fc.integer().map((n) => lit(String(n))),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => lit(JSON.stringify(n))),
    fc.constantFrom('true', 'false', 'null').map(lit),
    oddString().map(str)
  )
}

/** A key for an object: ordinary, odd, or one that pollutes a careless merge. */
export function jsonKey (): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...POLLUTION_KEYS) },
    { weight: 1, arbitrary: fc.constantFrom('emails', 'name', 'roleId', 'id', 'toString', 'valueOf', 'hasOwnProperty', 'then', 'length', '') },
    { weight: 2, arbitrary: oddString(12) }
  )
}

/** Any JSON value, a few levels deep, keys drawn from `jsonKey` (so `__proto__` objects appear). */
export const jsonValue: fc.Arbitrary<JsonNode> = fc.letrec<{ node: JsonNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: jsonScalar() },
    { weight: 1, arbitrary: fc.array(tie('node'), { maxLength: 4 }).map(arr) },
    { weight: 1, arbitrary: fc.array(fc.tuple(jsonKey(), tie('node')), { maxLength: 4 }).map(obj) }
  )
})).node

/** An object whose own keys pollute: `{"__proto__": {...}}`, `{"constructor": {"prototype": {...}}}`. */
export function pollutingEntries (): fc.Arbitrary<Array<[string, JsonNode]>> {
  const payload = obj([['polluted', lit('true')], ['isAdmin', lit('true')], ['toString', str('x')]])
  return fc.constantFrom<Array<[string, JsonNode]>>(
    [['__proto__', payload]],
    [['constructor', obj([['prototype', payload]])]],
    [['prototype', payload]],
    [['__proto__', payload], ['constructor', obj([['prototype', payload]])]],
    [['__proto__', lit('null')]],
    [['__proto__', arr([payload])]]
  )
}

/** A huge array (made as text, cheaply): 1,000 to 30,000 copies of one item. */
export function hugeArray (item: fc.Arbitrary<JsonNode> = jsonScalar()): fc.Arbitrary<JsonNode> {
  return fc.tuple(fc.integer({ min: 1000, max: 30000 }), item)
    .map(([n, it]) => ({ kind: 'raw', text: `[${new Array<string>(n).fill(jsonText(it)).join(',')}]` }))
}

/** Arrays or objects nested 100 to 50,000 levels deep: a recursive parser or walker overflows its stack. */
export function deepNesting (): fc.Arbitrary<JsonNode> {
  return fc.tuple(fc.integer({ min: 100, max: 50000 }), fc.boolean()).map(([depth, objects]) => ({
    kind: 'raw',
    text: objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`
  }))
}

// ---------------------------------------------------------------------------------------------
// Body texts that are not JSON, or not UTF-8, or JSON whose text is itself hostile.

/** Damages a JSON text so that JSON.parse refuses it (or returns it unchanged when it cannot). */
export function brokenJson (text: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n)),
    fc.constantFrom('}', ']', ',', ':', '"', 'x', '\u0000', ' garbage', '/* c */', '//').map((tail) => text + tail),
    // Not a BOM: the parser skips a leading one, as RFC 8259 allows.
    fc.constantFrom('\u0000', 'x', ')]}\'\n', '\u00a0', '\ufeff\ufeff').map((head) => head + text),
    fc.constant(text.replaceAll('"', "'")),
    fc.constant(text.replace(/}$/, ',}')),
    fc.constantFrom('NaN', 'Infinity', '-Infinity', 'undefined', "{'a':1}", '{a:1}', '[1,]', '{"a":1,}', '{"a" 1}', '01', '.5', '+1', '0x10', '"\\x41"', '"\\u12"', '"\t"')
  ).filter((broken) => {
    try {
      JSON.parse(broken)
      return false
    } catch {
      return true
    }
  })
}

/** Byte sequences no UTF-8 decoder may accept: stray continuation, overlong, surrogate, past U+10FFFF, truncated. */
export const INVALID_UTF8 = [
  [0x80], [0xbf], [0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe], [0xff], [0xff, 0xfe],
  [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3]
] as const

/**
 * A JSON text with invalid UTF-8 bytes put into it: inside a string value (where a lax decoder
 * would store U+FFFD) or anywhere else.
 */
export function withInvalidUtf8 (text: string): fc.Arbitrary<Buffer> {
  const quotes = [...text.matchAll(/"/g)].map((m) => m.index)
  return fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.nat(), fc.boolean()).map(([bytes, at, inString]) => {
    const bytesAt = inString && quotes.length > 0 ? quotes[at % quotes.length]! + 1 : at % (text.length + 1)
    const head = Buffer.from(text.slice(0, bytesAt), 'utf8')
    const tail = Buffer.from(text.slice(bytesAt), 'utf8')
    return Buffer.concat([head, Buffer.from(bytes), tail])
  })
}

/** Writes the object's entries with one of them (or a new key) twice, either value first. */
export function withDuplicateKey (entries: Array<[string, JsonNode]>): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(), jsonValue, fc.boolean(), fc.constantFrom('plain', 'escaped')).map(([i, other, otherFirst, spelling]) => {
    const all = entries.length === 0 ? [['x', lit('1')] as [string, JsonNode]] : entries
    const [key, value] = all[i % all.length]!
    // The same key written with \u escapes: a parser that compares raw text would miss it.
    const written = spelling === 'escaped' && key.length > 0
      ? `"${key.split('').map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`
      : JSON.stringify(key)
    const pair = (v: JsonNode) => `${written}:${jsonText(v)}`
    const rest = all.filter(([k]) => k !== key).map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
    const twice = otherFirst ? [pair(other), pair(value)] : [pair(value), pair(other)]
    return `{${[...rest, ...twice].join(',')}}`
  })
}

/** Bodies that hold nothing: empty or blank. */
export const EMPTY_BODIES = ['', ' ', '\n', '\r\n', '\t \r\n '] as const

// ---------------------------------------------------------------------------------------------
// Content types and encodings

/** Media types the server must read as JSON (case and parameters do not change the type). */
export const JSON_CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'Application/Json; Charset=UTF-8',
  'application/json;charset=utf-8', 'application/json; charset="utf-8"', 'application/json; foo=bar'
] as const

/** Media types that are not JSON: the server must refuse a body sent as any of them with 415. */
export const OTHER_CONTENT_TYPES = [
  'text/plain', 'text/plain; charset=utf-8', 'text/json', 'text/html', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz', 'application/xml', 'application/octet-stream', 'application/jsonx',
  'application/json-patch+json', 'application/vnd.api+json', 'application/problem+json', 'application/ld+json',
  'image/png', 'application', 'json', 'foo/bar'
] as const

/** Content-Encoding values the server reads as "not encoded". */
export const IDENTITY_ENCODINGS = ['identity', 'IDENTITY', 'Identity'] as const

/** Content-Encoding values it must refuse with 415: it does not decompress bodies. */
export const OTHER_ENCODINGS = ['gzip', 'deflate', 'br', 'zstd', 'compress', 'GZIP', 'x-gzip', 'gzip, identity', 'identity, gzip', 'chunked', '*', ''] as const

/** Headers that must change nothing: method overrides, forwarding, odd accepts, cookies. */
export function harmlessHeaders (): fc.Arbitrary<Record<string, string>> {
  return fc.subarray([
    ['x-http-method-override', 'DELETE'], ['x-http-method', 'PUT'], ['x-method-override', 'DELETE'],
    ['x-forwarded-for', "127.0.0.1, ' OR 1=1 --"], ['x-forwarded-host', 'evil.example'], ['x-forwarded-proto', 'gopher'],
    ['accept', 'text/html'], ['accept', 'application/xml;q=1, */*;q=0'], ['accept-charset', 'utf-16'], ['accept-encoding', 'gzip, br'],
    ['cookie', '__proto__=1; constructor=2'], ['x-admin-token', 'not-the-token'], ['origin', 'null'],
    ['x-request-id', "'; DROP TABLE projects; --"], ['if-none-match', '*'], ['range', 'bytes=0-1'], ['expect', '100-continue']
  ] as const).map((pairs) => Object.fromEntries(pairs))
}

// ---------------------------------------------------------------------------------------------
// Path parameters and query strings

/**
 * A path parameter as it is written in the URL, with the stage that refuses it: `routing` when the
 * router itself cannot take it (bad percent-encoding, over 500 characters, a raw `/`), `value`
 * when it reaches validation or the handler (then it names nothing, or is the wrong type).
 */
export interface PathValue {
  text: string
  stage: 'routing' | 'value'
}

/** Percent-encodings that do not decode: truncated, not hex, bytes that are not UTF-8. */
export const BAD_PERCENT_ENCODINGS = ['%', '%2', '%zz', '%G0', 'a%', '%%', '%ED%A0%80', '%C0%AF', '%FF', '%E2%82', '%F4%90%80%80', '%C3'] as const

/** Percent-encodings that decode to something odd but valid: NUL, a slash, dots, spaces, unicode. */
export const ODD_PERCENT_ENCODINGS = ['%00', '%2F', '%2f', '..%2F..%2F', '%20', '+', '%2B', '%3F', '%23', '%26', '%3D', '%25', '%C3%A9', '%F0%9F%98%80', '%EF%BB%BF', '%E2%80%AE'] as const

/** A hostile path parameter for a string id: it never names anything, so the answer is a 4xx. */
export function hostileIdSegment (): fc.Arbitrary<PathValue> {
  return fc.oneof(
    fc.constantFrom(...BAD_PERCENT_ENCODINGS).map((text) => ({ text, stage: 'routing' as const })),
    fc.constantFrom(...ODD_PERCENT_ENCODINGS).map((text) => ({ text, stage: 'value' as const })),
    oddNonEmpty(30).map((s) => ({ text: encodeURIComponent(s), stage: 'value' as const })),
    fc.constantFrom(...SQL_FRAGMENTS).map((s) => ({ text: encodeURIComponent(s), stage: 'value' as const })),
    // find-my-way measures the parameter as written; over 500 characters is the router's 400.
    fc.integer({ min: 501, max: 5000 }).map((n) => ({ text: 'x'.repeat(n), stage: 'routing' as const })),
    fc.integer({ min: 65, max: 500 }).map((n) => ({ text: 'c'.repeat(n), stage: 'value' as const })),
    // A raw slash or a dot segment may take the request to another route (or none): the router's business.
    // (So may an encoded dot segment: a URL parser, light-my-request's included, resolves "%2E%2E" as "..".)
    fc.constantFrom('a/b', 'x/invitations', '..', '.', '%2E%2E', '%2e.', '.%2E').map((text) => ({ text, stage: 'routing' as const })),
    fc.constantFrom('0', '-1', '1.5', '1e3', '0x1f', 'NaN', 'Infinity', '99999999999999999999', '١', '１', 'true', 'null').map((text) => ({ text, stage: 'value' as const }))
  )
}

/**
 * A hostile path parameter for an integer id (invitations, faults). Some of these still coerce to a
 * positive integer ("1.0", " 1", "1e0"): the caller decides with `coercesToId`.
 */
export function hostileIntegerSegment (): fc.Arbitrary<PathValue> {
  return fc.oneof(
    hostileIdSegment(),
    fc.constantFrom('0', '-0', '-1', '1.5', '1.0', '01', '+1', '%201', '1%20', '1e0', '1e3', '0x1', '0b1', '0o1', '1_000',
      '9007199254740991', '9007199254740992', '1e21', '99999999999999999999999', 'Infinity', '-Infinity', 'NaN', '%00', 'true', '[]', '{}')
      .map((text) => ({ text, stage: 'value' as const })),
    // An empty last segment may match another route, or none.
    fc.constant({ text: '', stage: 'routing' as const })
  )
}

/**
 * Whether a path parameter as written reaches the handler as a positive safe integer (Ajv's
 * coercion: a non-empty string equal to its own Number).
 */
export function coercesToId (text: string): boolean {
  let decoded: string
  try {
    decoded = decodeURIComponent(text)
  } catch {
    return false
  }
  if (decoded === '') return false
  const n = Number(decoded)
  // eslint-disable-next-line eqeqeq -- the loose comparison is Ajv's own coercion rule
  return decoded == (n as unknown as string) && Number.isSafeInteger(n) && n >= 1
}

/** One part of a query string, with whether the route's schema accepts it. */
export interface QueryPart {
  text: string
  /** True when the schema accepts the part; an unknown key is accepted where extra keys are allowed. */
  valid: boolean
  /** The key the part sets (decoded), to tell a key given twice; '' when it sets none. */
  key: string
}

/**
 * Query parts for integer parameters `keys`, each in [min, max]: valid values, wrong types, out
 * of range, and odd spellings (whether Ajv's coercion takes them is worked out per value).
 */
export function integerQueryPart (key: string, min: number, max: number): fc.Arbitrary<QueryPart> {
  const valid = (value: string) => {
    let decoded: string
    try {
      decoded = decodeURIComponent(value.replaceAll('+', ' '))
    } catch {
      return false
    }
    const n = Number(decoded)
    // eslint-disable-next-line eqeqeq -- Ajv's coercion rule
    return decoded !== '' && decoded == (n as unknown as string) && Number.isInteger(n) && n >= min && n <= max
  }
  return fc.oneof(
    fc.integer({ min, max: Math.min(max, min + 1000) }).map(String),
    fc.constantFrom(String(min - 1), String(max + 1), '0', '-1', '1.5', '1.0', '1e1', '1e309', 'abc', '', '%zz', '%', '%ED%A0%80', '%00',
      '1%00', '+1', '%2B1', ' 1', '1,2', '[1]', 'null', 'true', '0x10', '99999999999999999999999', encodeURIComponent("1' OR '1'='1")),
    oddString(10).map(encodeURIComponent)
  ).map((value) => ({ text: `${key}=${value}`, valid: valid(value), key }))
}

/** Query parts with keys the route does not declare: pollution keys, brackets, odd separators, a thousand of them. */
export function unknownQueryPart (): fc.Arbitrary<QueryPart> {
  return fc.oneof(
    fc.constantFrom('__proto__=1', '__proto__[polluted]=1', 'constructor[prototype][polluted]=1', 'prototype=1', 'constructor=x',
      'hasOwnProperty=1', 'toString=1', 'a[]=1', 'a[0]=1', 'a.b=1', '=1', '=', ';', '%zz=1', 'x=%zz', 'x=%ED%A0%80', 'x', '%00=%00')
      .map((text) => ({ text, valid: false, key: text.split('=')[0]! })),
    // An empty part sets nothing.
    fc.constantFrom('', '&').map((text) => ({ text, valid: true, key: '' })),
    fc.tuple(oddString(8), oddString(8)).map(([k, v]) => ({ text: `${encodeURIComponent(k)}=${encodeURIComponent(v)}`, valid: false, key: k })),
    fc.integer({ min: 100, max: 2000 }).map((n) => ({ text: Array.from({ length: n }, (_, i) => `k${i}=${i}`).join('&'), valid: false, key: 'k*' }))
  )
}

/** Joins parts into `?a=1&b=2` (or nothing). */
export function queryText (parts: readonly QueryPart[]): string {
  return parts.length === 0 ? '' : `?${parts.map((p) => p.text).join('&')}`
}

// ---------------------------------------------------------------------------------------------
// Credentials in headers

/** A way of sending (or failing to send) a credential, with the status it must get (null: accepted). */
export interface CredentialVariant {
  description: string
  headers: Record<string, string | string[]>
  status: 401 | 403 | null
}

/**
 * Organization-key variants for /v1: the header spelled differently (still accepted: header names
 * are case-insensitive), and every way of sending a wrong one.
 */
export function apiKeyVariants (keys: { key: string, projectKey: string, invalidKey: string }): fc.Arbitrary<CredentialVariant> {
  const { key, projectKey, invalidKey } = keys
  const ok = (description: string, headers: Record<string, string>): CredentialVariant => ({ description, headers, status: null })
  const bad = (description: string, headers: Record<string, string | string[]>, status: 401 | 403 = 401): CredentialVariant => ({ description, headers, status })
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(ok('CONFIDENT_API_KEY', { CONFIDENT_API_KEY: key }), ok('lower case name', { confident_api_key: key }), ok('mixed case name', { Confident_Api_Key: key })) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom(
          bad('no key', {}),
          bad('empty key', { CONFIDENT_API_KEY: '' }),
          bad('hyphenated header name', { 'confident-api-key': key }),
          bad('as a bearer token', { authorization: `Bearer ${key}` }),
          bad('x-api-key header', { 'x-api-key': key }),
          bad('Bearer prefix in the header', { CONFIDENT_API_KEY: `Bearer ${key}` }),
          bad('upper-cased key', { CONFIDENT_API_KEY: key.toUpperCase() }),
          bad('one character more', { CONFIDENT_API_KEY: `${key}0` }),
          bad('one character less', { CONFIDENT_API_KEY: key.slice(0, -1) }),
          bad('sent twice', { CONFIDENT_API_KEY: [key, key] }),
          bad('the key and another', { CONFIDENT_API_KEY: [key, invalidKey] }),
          bad('a key marked invalid', { CONFIDENT_API_KEY: invalidKey }),
          bad('an unknown key', { CONFIDENT_API_KEY: 'confident_org_00000000000000000000000000000000' }),
          bad('a project key', { CONFIDENT_API_KEY: projectKey }, 403),
          bad('a 64 KiB key', { CONFIDENT_API_KEY: 'k'.repeat(65536) })
        ),
        fc.constantFrom(...SQL_FRAGMENTS, ...ODD_STRINGS.filter((s) => s.length > 0 && isHeaderSafe(s)))
          .map((value) => bad(`key ${JSON.stringify(value)}`, { CONFIDENT_API_KEY: value }))
      )
    }
  )
}

/** Admin-token variants for a server that has `token` set. */
export function adminTokenVariants (token: string): fc.Arbitrary<CredentialVariant> {
  const ok = (description: string, headers: Record<string, string>): CredentialVariant => ({ description, headers, status: null })
  const bad = (description: string, headers: Record<string, string | string[]>): CredentialVariant => ({ description, headers, status: 401 })
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(ok('X-Admin-Token', { 'x-admin-token': token }), ok('Authorization: Bearer', { authorization: `Bearer ${token}` }), ok('bearer, lower case', { authorization: `bearer ${token}` })) },
    {
      weight: 5,
      arbitrary: fc.oneof(
        fc.constantFrom(
          bad('no token', {}),
          bad('empty X-Admin-Token', { 'x-admin-token': '' }),
          bad('Bearer without a token', { authorization: 'Bearer ' }),
          bad('Basic credentials', { authorization: `Basic ${Buffer.from(`admin:${token}`).toString('base64')}` }),
          bad('the token without a scheme', { authorization: token }),
          bad('a prefix of the token', { 'x-admin-token': token.slice(0, -1) }),
          bad('the token and more', { 'x-admin-token': `${token}x` }),
          bad('upper-cased token', { 'x-admin-token': token.toUpperCase() }),
          bad('sent twice', { 'x-admin-token': [token, token] }),
          bad('in the wrong header', { CONFIDENT_API_KEY: token }),
          bad('in a hyphen-less header', { xadmintoken: token }),
          bad('a wrong token, a right bearer', { 'x-admin-token': 'wrong-token', authorization: `Bearer ${token}` }),
          bad('a 64 KiB token', { 'x-admin-token': 't'.repeat(65536) })
        ),
        fc.constantFrom(...SQL_FRAGMENTS, ...ODD_STRINGS.filter((s) => s.length > 0 && isHeaderSafe(s)))
          .map((value) => bad(`token ${JSON.stringify(value)}`, { 'x-admin-token': value }))
      )
    }
  )
}

/** Whether a value could travel in an HTTP header (visible Latin-1, spaces and tabs; no leading or trailing blank). */
export function isHeaderSafe (value: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value) && value.trim() === value
}
