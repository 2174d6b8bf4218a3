// API keys: their formats, the digest they are stored as, and their redacted form.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export const ORG_KEY_PREFIX = 'confident_org_'
export const PROJECT_KEY_PREFIX = 'confident_proj_'

/** SHA-256, hex: keys are long random strings, so a slow password hash would only cap throughput. */
export function keyDigest (key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** What is stored of a key, never the key itself: its digest, to find it by, and its last 6 characters, to show it redacted. */
export function storedKey (key: string): { digest: string, last6: string } {
  return { digest: keyDigest(key), last6: key.slice(-6) }
}

export function digestsEqual (a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
}

/** The vendor shows a stored key as 15 asterisks and its last 6 characters. */
export function redactKey (last6: string): string {
  return '*'.repeat(15) + last6
}

export function newKey (scope: 'organization' | 'project'): string {
  return (scope === 'organization' ? ORG_KEY_PREFIX : PROJECT_KEY_PREFIX) + randomBytes(16).toString('hex')
}
