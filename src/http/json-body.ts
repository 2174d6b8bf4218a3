// The JSON body parser: UTF-8 only, Fastify's own parse, then what JSON.parse lets through (a lone surrogate, a key twice).
import { isUtf8 } from 'node:buffer'
import type { FastifyRequest } from 'fastify'
import { InvalidBodyError } from '../domain/errors.js'

/** A JSON text's own problems JSON.parse lets through: an unpaired surrogate, a key twice in one object. */
export function jsonTextProblem (text: string, value: unknown): string | null {
  // Only a \uD800-\uDFFF escape can put a lone surrogate in a string of valid UTF-8 text.
  if (/\\u[dD][89a-fA-F]/.test(text) && holdsLoneSurrogate(value)) {
    return 'Request body is not valid JSON: a string holds an unpaired UTF-16 surrogate (\\uD800-\\uDFFF)'
  }
  const key = keysCollapsed(text, value) ? duplicateKey(text) : null
  if (key === null) return null
  // A long key is not quoted at all: cut short, a secret used as a key (a client's mistake) could no
  // longer be found and scrubbed whole, and no field of this API has a name that long.
  const which = key.length > MAX_QUOTED_KEY ? `a key of ${key.length} characters` : `the key ${JSON.stringify(key)}`
  return `Request body is not valid JSON: ${which} appears twice in one object`
}

/** The longest duplicated key a 400 message quotes; the API's own field names are far shorter. */
const MAX_QUOTED_KEY = 40

/** Under the u flag a pair is one code point: only an unpaired surrogate matches. */
const LONE_SURROGATE = /[\ud800-\udfff]/u

/** Walks the value without recursion: JSON.parse accepts nesting deeper than the call stack. */
function holdsLoneSurrogate (value: unknown): boolean {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const item = stack.pop()
    if (typeof item === 'string') {
      if (LONE_SURROGATE.test(item)) return true
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        if (LONE_SURROGATE.test(key)) return true
        stack.push(child)
      }
    }
  }
  return false
}

/** A colon written as an escape: its string holds a colon the text does not show. */
const ESCAPED_COLON = /\\u003[aA]/

/** How many colons `text` holds. */
function colonsIn (text: string): number {
  let colons = 0
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) colons++
  return colons
}

/**
 * Whether the text may hold a key twice. Its colons are one after each key, and those inside its
 * strings; the parsed value holds the same, counted as its keys and the colons of its keys and
 * strings, unless a key was given twice (the value keeps one of them, and one value) or removed.
 * When the counts agree, no key was lost and the text need not be tokenized: the whole check of a
 * 1,000-member tenant's body takes 0.2 ms instead of 0.5, with URLs and times in its strings too. A
 * colon written as an escape appears in a string but not in the text: then the text is read.
 */
function keysCollapsed (text: string, value: unknown): boolean {
  if (ESCAPED_COLON.test(text)) return true
  let counted = 0
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const item = stack.pop()
    if (typeof item === 'string') {
      counted += colonsIn(item)
    } else if (Array.isArray(item)) {
      for (const child of item) stack.push(child)
    } else if (typeof item === 'object' && item !== null) {
      // for-in: half the time of Object.keys here. An enumerable property inherited from a
      // tampered-with prototype only adds to the count, which sends the text to be read.
      for (const key in item) {
        counted += 1 + colonsIn(key)
        stack.push((item as Record<string, unknown>)[key])
      }
    }
  }
  return colonsIn(text) !== counted
}

/**
 * Strings and the punctuation that gives them a role; numbers and literals never hold these
 * characters. The string pattern is the unrolled form, which crosses a long string in one step
 * rather than one alternation per character (90 ms for 1 MiB).
 */
const JSON_TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|[{}[\],]/g

/**
 * The first key an object of this (valid) JSON text holds twice, compared decoded (`"a"` and
 * `"\u0061"` are one key), or null. JSON.parse would keep the last silently: a client and any
 * proxy reading the first would disagree on what was sent.
 */
function duplicateKey (text: string): string | null {
  // One frame per open object (its keys so far) or array (null); a string right after { or , of an object is a key.
  const frames: Array<Set<string> | null> = []
  let expectKey = false
  JSON_TOKEN.lastIndex = 0
  for (let match = JSON_TOKEN.exec(text); match !== null; match = JSON_TOKEN.exec(text)) {
    const token = match[0]
    if (token === '{') {
      frames.push(new Set())
      expectKey = true
    } else if (token === '[') {
      frames.push(null)
      expectKey = false
    } else if (token === '}' || token === ']') {
      frames.pop()
      expectKey = false
    } else if (token === ',') {
      expectKey = frames.at(-1) instanceof Set
    } else if (expectKey) {
      const keys = frames.at(-1) as Set<string>
      const key = token.includes('\\') ? JSON.parse(token) as string : token.slice(1, -1)
      if (keys.has(key)) return key
      keys.add(key)
      expectKey = false
    }
  }
  return null
}

type JsonTextParser = (request: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => void

/**
 * The JSON body parser: the body must be UTF-8 (the default parser would turn bad bytes into
 * U+FFFD and store them), then Fastify's own parser (`__proto__` and `constructor` keys removed),
 * then no lone surrogate (SQLite would store it as bytes that are not UTF-8) and no duplicate key.
 * With `emptyIsNone`, an empty or blank body reads as no body. Register it with `parseAs: 'buffer'`.
 * @see https://fastify.dev/docs/latest/Reference/ContentTypeParser/
 */
export function strictJsonParser (parse: JsonTextParser, opts: { emptyIsNone?: boolean } = {}) {
  return (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    if (!isUtf8(body)) return done(new InvalidBodyError('Request body is not valid UTF-8'))
    const text = body.toString('utf8')
    if (opts.emptyIsNone === true && text.trim() === '') return done(null, undefined)
    parse(request, text, (err, value) => {
      if (err !== null) return done(err)
      const problem = jsonTextProblem(text, value)
      if (problem !== null) return done(new InvalidBodyError(problem))
      done(null, value)
    })
  }
}
