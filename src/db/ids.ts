// Deterministic identifiers: the same seed and the same sequence of calls give the same ids.
import { createHash } from 'node:crypto'
import type { Database } from 'better-sqlite3'

export interface IdGenerator {
  /** A cuid-like id (25 characters, starts with "c"), as the vendor shows for projects and users. */
  cuid (): string
  /** A UUID (version 4 layout), as the vendor uses for roles. */
  uuid (): string
  /**
   * `count` cuids, the same as `count` calls of cuid() in a row (an id `skip` names is passed over
   * like a stored one), with one counter update and one lookup for all of them: a fixtures
   * document's members.
   */
  cuids (count: number, skip?: (id: string) => boolean): string[]
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/** A UUID derived from a name: stable whatever the seed (used for the system roles). */
export function nameUuid (name: string): string {
  return formatUuid(digest(`confident-mock:${name}`))
}

function formatUuid (bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const hex = b.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * Ids come from sha256(seed, n) where n is a counter kept in the database's meta table, so they
 * continue across restarts and never repeat within one database.
 */
export function createIdGenerator (sqlite: Database, seed: string): IdGenerator {
  sqlite.prepare("insert or ignore into meta (key, value) values ('id_counter', '0')").run()
  const next = sqlite.prepare<[], { value: string }>(
    "update meta set value = cast(value as integer) + 1 where key = 'id_counter' returning value"
  )
  // A counter moved back (a snapshot imported with a lower id_counter) would hand out ids that rows
  // already hold, and every insert with one would fail: such ids are skipped instead.
  const taken = sqlite.prepare<{ id: string }, { taken: number }>(
    `select ${TEXT_ID_TABLES.map((table) => `exists (select 1 from ${table} where id = @id)`).join(' or ')} as taken`
  )
  function fresh (format: (material: Buffer) => string): string {
    for (;;) {
      const id = format(digest(`${seed}:${next.get()!.value}`))
      if (taken.get({ id })!.taken === 0) return id
    }
  }
  const advance = sqlite.prepare<[number], { value: string }>(
    "update meta set value = cast(value as integer) + cast(? as integer) where key = 'id_counter' returning value"
  )
  const takenOf = sqlite.prepare<[string], { id: string }>(
    `select value as id from json_each(?) where ${TEXT_ID_TABLES.map((table) => `exists (select 1 from ${table} where id = value)`).join(' or ')}`
  )
  const cuid = (material: Buffer) => 'c' + BigInt('0x' + material.toString('hex')).toString(36).padStart(24, '0').slice(0, 24)
  return {
    cuid: () => fresh(cuid),
    uuid: () => fresh(formatUuid),
    cuids (count, skip = () => false) {
      const ids: string[] = []
      // The counter's next values, as many as ids are still wanted; each one passed over calls for one more.
      while (ids.length < count) {
        const wanted = count - ids.length
        const last = Number(advance.get(wanted)!.value)
        const candidates = Array.from({ length: wanted }, (_, i) => cuid(digest(`${seed}:${last - wanted + 1 + i}`)))
        const stored = new Set(takenOf.all(JSON.stringify(candidates)).map((r) => r.id))
        for (const id of candidates) if (!stored.has(id) && !skip(id)) ids.push(id)
      }
      return ids
    }
  }
}

/** The tables whose primary key is a text id made here. */
const TEXT_ID_TABLES = ['organizations', 'users', 'projects', 'roles', 'permissions', 'policies', 'governance_policies', 'governance_controls'] as const
