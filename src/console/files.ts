// Where the console's templates and static assets are: beside this module in src/ (tsx), copied to dist/console by the build.
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../paths.js'

// Run from source (tsx, tests) this module is a .ts file; built, it is in dist/ (tsc's output or
// the bundle, whose import.meta.url is dist/server.js): both find the files under the package root.
const HOME = join(PACKAGE_ROOT, import.meta.url.endsWith('.ts') ? 'src' : 'dist', 'console')

export const VIEWS_FOLDER = join(HOME, 'views')
export const PUBLIC_FOLDER = join(HOME, 'public')
