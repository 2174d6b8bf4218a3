#!/usr/bin/env bash
# npm run test:pytest: the pytest recipe (examples/pytest), run as a Python user runs it: the built
# CLI started by its conftest.py, pytest and requests from the machine's Python. PyPI is not
# reachable here: the machine's python3 is used when it has pytest and requests, else Debian's
# (apt-get install python3-pytest python3-requests, as root). With --skip-if-unavailable (what
# .ci/run passes), no way to get them prints "pytest recipe: skipped: <why>" and exits 0.
# Exit status: pytest's (5, no test collected, is a failure), or 2 when unavailable without the flag.
set -euo pipefail
cd "$(dirname "$0")/.."
skip_ok=false
[[ "${1:-}" == "--skip-if-unavailable" ]] && skip_ok=true
unavailable () {
  if $skip_ok; then echo "pytest recipe: skipped: $1"; exit 0; fi
  echo "pytest recipe: unavailable: $1" >&2
  exit 2
}
has_modules () { "$1" -c 'import pytest, requests' >/dev/null 2>&1; }

python=""
if command -v python3 >/dev/null && has_modules python3; then
  python=python3
elif [[ -x /usr/bin/python3 ]] && has_modules /usr/bin/python3; then
  python=/usr/bin/python3
elif [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  echo "== installing Debian's python3-pytest and python3-requests"
  (apt-get install -y --no-install-recommends python3-pytest python3-requests >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends python3-pytest python3-requests >/dev/null; }) ||
    unavailable "apt-get could not install python3-pytest and python3-requests"
  has_modules /usr/bin/python3 || unavailable "Debian's python3 still lacks pytest or requests"
  python=/usr/bin/python3
else
  unavailable "no python3 with pytest and requests, and no root apt-get to install them"
fi

# The CLI the conftest starts: built now when missing or older than the sources.
node scripts/ensure-build.mjs
cd examples/pytest
set +e
"$python" -m pytest -q -p no:cacheprovider
status=$?
set -e
if [[ $status == 5 ]]; then echo "pytest recipe: no test was collected" >&2; exit 1; fi
exit $status
