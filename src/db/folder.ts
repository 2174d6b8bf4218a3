// Creates the database file's folder one level at a time, so that a path it cannot make fails at once.
import { mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseFileError } from './integrity.js'

/** Why a folder cannot be made, in words, from a Node file system error (with its code, for searching). */
function reason (err: unknown): string {
  const error = err as NodeJS.ErrnoException
  const words: Record<string, string> = {
    ENOENT: 'no such file or directory: the file system will not create a folder there',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device'
  }
  const text = words[error.code ?? ''] ?? error.message
  return error.code === undefined || text === error.message ? text : `${text} (${error.code})`
}

/**
 * Makes sure the folder of the database file exists, creating each missing level with a
 * non-recursive mkdir from the deepest existing ancestor down; the first failure throws, naming the
 * folder, the database path and the reason. Node's recursive mkdirSync never returns on
 * `/proc/nonexistent/x.sqlite`: it retries the ENOENT that procfs answers for a folder it will not
 * make, as if the parent were missing.
 */
export function ensureDatabaseFolder (database: string): void {
  const wanted = dirname(database)
  const cannot = (folder: string, why: string) => new DatabaseFileError(`cannot create the folder ${folder} for the database ${database}: ${why}`)
  // Walk up to the deepest ancestor that exists; ENOTDIR means a file is somewhere above.
  const missing: string[] = []
  let folder = wanted
  let found: ReturnType<typeof statSync>
  for (;;) {
    try {
      found = statSync(folder)
      break
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      const parent = dirname(folder)
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === folder) throw cannot(wanted, reason(err))
      missing.push(folder)
      folder = parent
    }
  }
  if (!found.isDirectory()) throw cannot(wanted, folder === wanted ? 'a file of that name is in the way' : `${folder} is a file, not a folder`)
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level)
    } catch (err) {
      // Another process made it meanwhile: fine, if it is a folder.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(level, { throwIfNoEntry: false })?.isDirectory() === true) continue
      throw cannot(level, reason(err))
    }
  }
}
