#!/usr/bin/env bash
# npm run db:generate: drizzle-kit writes the migration for a change to src/db/schema.ts (any
# arguments go to `drizzle-kit generate`, e.g. -- --name why). drizzle-kit is not a dependency: it is
# installed here, at its pinned version, into a folder of its own beside drizzle-orm at the version
# the lock file holds (drizzle-kit imports drizzle-orm from its own folder; `npx -p drizzle-orm`
# would not install it there, the project having it already).
set -euo pipefail
cd "$(dirname "$0")/.."
orm=$(node -p "require('./package-lock.json').packages['node_modules/drizzle-orm'].version")
tools="${TMPDIR:-/tmp}/confident-mock-drizzle-kit-0.31.11-orm-$orm"
if [[ ! -x "$tools/node_modules/.bin/drizzle-kit" ]]; then
  mkdir -p "$tools"
  echo '{ "private": true }' > "$tools/package.json"
  npm install --prefix "$tools" --no-audit --no-fund --no-save "drizzle-kit@0.31.11" "drizzle-orm@$orm"
fi
exec "$tools/node_modules/.bin/drizzle-kit" generate "$@"
