#!/usr/bin/env bash
# npm run test:recipes: the test-runner recipes of examples/ (Vitest, Jest, Playwright, the GitHub
# Actions workflow), each run as a user runs it. Installs the runners, which are examples/'s own
# dependencies (examples/package.json and its lock: not in the root install), then runs
# examples/recipes.test.ts with the root's tap. .ci/run runs it as its own step.
# Exit status: 0 every recipe passed, otherwise the failing step's.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --prefix examples --no-audit --no-fund
npx tap examples/recipes.test.ts --disable-coverage --allow-incomplete-coverage
