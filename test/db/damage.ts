// Damages a SQLite file the way a failing disk or a stray write would: whole pages overwritten, the header (page 1) intact.
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs'
import Sqlite from 'better-sqlite3'

/** Not a b-tree page type (2, 5, 10, 13): SQLite refuses such a page as soon as it reads it. */
const GARBAGE = 0xa5

/** Overwrites each page given (1-based, as SQLite numbers them) with garbage; by default every page after the first. */
export function overwritePages (path: string, pages?: number[], pageSize = 4096): number[] {
  const fd = openSync(path, 'r+')
  try {
    const count = fstatSync(fd).size / pageSize
    const targets = pages ?? Array.from({ length: count - 1 }, (_, i) => i + 2)
    const junk = Buffer.alloc(pageSize, GARBAGE)
    for (const page of targets) writeSync(fd, junk, 0, pageSize, (page - 1) * pageSize)
    return targets
  } finally {
    closeSync(fd)
  }
}

/** A page of a b-tree and where it sits in it, from SQLite's dbstat table. */
export interface TreePage {
  pageno: number
  /** '/' for the root, '/000/' for its first child, and so on. */
  path: string
  pagetype: 'internal' | 'leaf' | 'overflow'
}

/**
 * A second connection to a database another process (or the app) has open, as a backup tool or a
 * stray writer would have, for damaging the file under it.
 */
export class SecondConnection {
  readonly sqlite: Sqlite.Database

  constructor (path: string) {
    this.sqlite = new Sqlite(path)
    this.sqlite.pragma('busy_timeout = 10000')
  }

  /**
   * Copies every page in the WAL into the main file and empties the WAL, so that the file holds the
   * current version of each page (a page still in the WAL would be read from there, whatever the
   * main file holds). Fails when a reader kept it from finishing.
   */
  checkpoint (): void {
    const [result] = this.sqlite.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number, log: number, checkpointed: number }>
    if (result!.busy !== 0) throw new Error(`the checkpoint could not finish: ${JSON.stringify(result)}`)
  }

  /** The pages of a table or an index, root first. */
  pagesOf (name: string): TreePage[] {
    return this.sqlite.prepare<[string], TreePage>('select pageno, path, pagetype from dbstat where name = ? order by path').all(name)
  }

  /**
   * Commits a change to page 1 only (the user_version field of the header). Every other connection
   * to the file then finds the WAL changed at its next read and drops its page cache: its next
   * reads come from the file, damage included.
   */
  touchHeader (): void {
    const version = this.sqlite.pragma('user_version', { simple: true }) as number
    this.sqlite.pragma(`user_version = ${version + 1}`)
  }

  close (): void {
    this.sqlite.close()
  }
}
