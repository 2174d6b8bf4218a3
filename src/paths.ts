// Where the package's own files are (package.json, migrations/), wherever this module ended up.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The nearest folder above this module holding package.json and migrations/: the clone when run
 * from src/ (tsx) or dist/ (tsc's output, or the bundle and its chunks one level further down), the
 * package folder when installed, /app in the container. Found by looking rather than by a fixed
 * number of '..', which differs between those layouts.
 */
function packageRoot (): string {
  const here = fileURLToPath(import.meta.url)
  for (let dir = dirname(here); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir
    if (dirname(dir) === dir) throw new Error(`confident-mock: no folder with package.json and migrations/ above ${here}`)
  }
}

export const PACKAGE_ROOT = packageRoot()
export const PACKAGE_JSON = join(PACKAGE_ROOT, 'package.json')
export const MIGRATIONS_FOLDER = join(PACKAGE_ROOT, 'migrations')
