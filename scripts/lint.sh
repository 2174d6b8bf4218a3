#!/usr/bin/env bash
# npm run lint: ESLint with neostandard over the repository (or the files given: npm run lint -- src/app.ts).
# The linter and its rules are lint/'s own packages (lint/package.json and its lock), not the root
# install's, which every user pays for: they are installed here, and again only when the lock changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! cmp -s lint/package-lock.json lint/node_modules/.installed-from-lock.json; then
  npm ci --prefix lint --no-audit --no-fund
  cp lint/package-lock.json lint/node_modules/.installed-from-lock.json
fi
if [[ $# -eq 0 ]]; then set -- .; fi
exec node lint/node_modules/eslint/bin/eslint.js "$@"
