#!/usr/bin/env bash
# npm run test:browser: the console in a real browser. Installs Debian's Chromium when it is missing,
# the suite's own packages (test/browser: playwright-core, axe-core; not in the root install),
# type-checks the suite, builds dist/, then runs test/browser/run.ts against `node dist/server.js`.
#
# Usage: scripts/test-browser.sh [--skip-if-unavailable] [--screenshots]
#   --skip-if-unavailable  when Chromium is missing and cannot be installed (no apt-get, not root,
#                          apt-get fails), print "browser test: skipped: <why>" and exit 0 (for CI);
#                          without it that case exits 2. Also BROWSER_TEST_SKIP_IF_UNAVAILABLE=1.
#   --screenshots          only write the console's screenshots to docs/images (npm run screenshots)
# Environment: CHROMIUM_PATH  the browser to drive (default /usr/bin/chromium; never installed for you
#                             when set).
# Exit status: 0 every step passed (or skipped as above), 1 a step or the set-up failed, 2 cannot run.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
SKIP_IF_UNAVAILABLE=${BROWSER_TEST_SKIP_IF_UNAVAILABLE:-0}
RUN_ARGS=()
for arg in "$@"; do
  case "$arg" in
    --skip-if-unavailable) SKIP_IF_UNAVAILABLE=1 ;;
    --screenshots) RUN_ARGS+=("$arg") ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-browser: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

unavailable() {
  if [ "$SKIP_IF_UNAVAILABLE" = 1 ]; then
    echo "browser test: skipped: $1"
    exit 0
  fi
  echo "browser test: cannot run: $1 (pass --skip-if-unavailable to skip instead)" >&2
  exit 2
}
failed() {
  echo "browser test: FAILED: $1" >&2
  exit 1
}
# quiet LOG CMD...: runs CMD with its output in LOG, shown (the end of it) only when it fails.
quiet() {
  local log=$1 status=0; shift
  "$@" >"$log" 2>&1 || status=$?
  if [ "$status" != 0 ]; then tail -n 40 "$log" | sed 's/^/    | /'; fi
  return "$status"
}
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

# ---------------------------------------------------------------- 1. Chromium
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
export CHROMIUM_PATH=$CHROMIUM
if [ ! -x "$CHROMIUM" ]; then
  [ "$CHROMIUM" = /usr/bin/chromium ] || unavailable "CHROMIUM_PATH=$CHROMIUM is not an executable file"
  command -v apt-get >/dev/null || unavailable "no Chromium at $CHROMIUM and no apt-get to install it"
  [ "$(id -u)" = 0 ] || unavailable "no Chromium at $CHROMIUM and not root to apt-get install it"
  echo "== apt-get install chromium (about a minute; Debian's package, no browser download)"
  t=$SECONDS
  # No standard input in CI: no debconf question may wait for an answer.
  export DEBIAN_FRONTEND=noninteractive
  quiet "$LOG" apt-get update || unavailable "apt-get update failed"
  quiet "$LOG" apt-get install -y chromium || unavailable "apt-get install chromium failed"
  [ -x "$CHROMIUM" ] || unavailable "apt-get installed chromium but there is no $CHROMIUM"
  echo "   installed in $((SECONDS - t))s"
fi
# Debian's launcher is a shell script; its own /dev/shm check may print a harmless "[: ...: unexpected
# operator" on stderr, so only the version line is shown.
version=$("$CHROMIUM" --version 2>/dev/null) || unavailable "$CHROMIUM --version fails (a missing library?)"
echo "== $version"

# ---------------------------------------------------------------- 2. the suite's packages
# npm writes node_modules/.package-lock.json at each install: older than the lock file (or absent)
# means the lock changed since, so install again from it.
if [ ! -d test/browser/node_modules ] || [ test/browser/package-lock.json -nt test/browser/node_modules/.package-lock.json ]; then
  echo "== npm ci --prefix test/browser"
  t=$SECONDS
  quiet "$LOG" npm ci --prefix test/browser --no-audit --no-fund || failed "npm ci --prefix test/browser"
  echo "   installed in $((SECONDS - t))s"
fi

# ---------------------------------------------------------------- 3. type check, build
echo "== tsc -p test/browser/tsconfig.json --noEmit"
npx tsc -p test/browser/tsconfig.json --noEmit || failed "the suite does not type-check"
echo "== npm run build"
t=$SECONDS
quiet "$LOG" npm run build || failed "npm run build"
echo "   built in $((SECONDS - t))s"

# ---------------------------------------------------------------- 4. the suite
echo "== node --import tsx test/browser/run.ts ${RUN_ARGS[*]}"
rm -f "$LOG"
exec node --import tsx test/browser/run.ts "${RUN_ARGS[@]}"
