#!/usr/bin/env bash
# npm run test:container: builds and smoke-tests the Dockerfile with the shared container-check tool
# (rootful podman), then checks over HTTP that invitations survive `podman stop` (SIGTERM) and a new
# container on the same named volume, that the server runs as a non-root user, and that the
# image's HEALTHCHECK reports healthy.
#
# Usage: scripts/test-container.sh [--skip-if-unavailable]
#   --skip-if-unavailable   when podman, the tool or root is missing, print "skipped: <why>" and
#                           exit 0 (for CI); without it that case exits 2. Also CONTAINER_TEST_SKIP_IF_UNAVAILABLE=1.
# Environment: CONTAINER_CHECK  the tool (default ../shared/tools/container-check.sh, relative to
#                               the repository root); its own settings (CTR_CHECK_HOME...) pass through.
# Exit status: 0 PASS (or skipped as above), 1 FAIL, 2 cannot run.
# Only the containers and the volume this script creates are removed, by name.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SKIP_IF_UNAVAILABLE=${CONTAINER_TEST_SKIP_IF_UNAVAILABLE:-0}
for arg in "$@"; do
  case "$arg" in
    --skip-if-unavailable) SKIP_IF_UNAVAILABLE=1;;
    -h|--help) sed -n '2,/^set -E/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) echo "test-container: unknown argument $arg (see --help)" >&2; exit 2;;
  esac
done

CHECK=${CONTAINER_CHECK:-../shared/tools/container-check.sh}
[[ $CHECK == /* ]] || CHECK=$ROOT/$CHECK
# From docker/fixtures.example.yaml: Acme Corp's organization key and its "Website" project.
FIXTURES=$ROOT/docker/fixtures.example.yaml
API_KEY=confident_org_acacacacacacacacacacacacacacacac
PROJECT=cacmewebsiteproject000000
HEALTH_TIMEOUT=60   # seconds for a container to become healthy; boot takes about 1 s, the build is done by then
STOP_TIMEOUT=10     # docker stop's default grace; the server needs at most 5 s (src/serve.ts)

unavailable() {
  if [ "$SKIP_IF_UNAVAILABLE" = 1 ]; then
    echo "container test: skipped: $1"
    exit 0
  fi
  echo "container test: cannot run: $1 (pass --skip-if-unavailable to skip instead)" >&2
  exit 2
}
[ -f "$CHECK" ] || unavailable "no container-check tool at $CHECK (set CONTAINER_CHECK)"
command -v podman >/dev/null || unavailable "podman is not installed"
[ "$(id -u)" = 0 ] || unavailable "rootful podman needs root"
command -v curl >/dev/null || unavailable "curl is not installed"

PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
# A failure the later checks depend on: report it and stop (cleanup runs on exit).
fatal() { fail "$*"; finish; }
finish() {
  if [ "$FAILED" = 0 ]; then echo "container test: PASS ($PASSED checks)"; exit 0; fi
  echo "container test: FAIL ($FAILED failed, $PASSED passed)"; exit 1
}

# ---------------------------------------------------------------- 1. build and smoke test
echo "== container-check: build and smoke-test $ROOT/Dockerfile (several minutes when dependencies changed)"
t=$SECONDS
set +e
bash "$CHECK" "$ROOT"
rc=$?
set -e
if [ $rc = 0 ]; then pass "container-check built and smoke-tested the image in $((SECONDS - t))s"
else fatal "container-check exited $rc after $((SECONDS - t))s (its log folder is named above)"; fi

# The same podman configuration and storage as the tool, and the image it built (named as it names it).
eval "$(bash "$CHECK" --print-env)"
NAME=$(basename "$ROOT" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_.\n-' '-')
IMAGE=localhost/ctr-check/$NAME:test
podman image exists "$IMAGE" || fatal "container-check left no image $IMAGE"

RUN=confident-mock-test-$$
VOLUME=$RUN-data
CONTAINERS=()
COMPOSE_DOWN=()
COMPOSE_LOG=
# podman's own stderr (here: complaints that there is no systemd to time health checks) goes to a
# file, shown when something fails.
PODMAN_ERR=$(mktemp)
cleanup() {
  local rc=$? c
  for c in "${CONTAINERS[@]}"; do podman container exists "$c" || continue; podman rm -f -t 0 "$c" >/dev/null 2>>"$PODMAN_ERR" || echo "could not remove container $c" >&2; done
  podman volume rm -f "$VOLUME" >/dev/null 2>>"$PODMAN_ERR" || true
  if [ "${#COMPOSE_DOWN[@]}" -gt 0 ]; then "${COMPOSE_DOWN[@]}" down -v >/dev/null 2>&1 || echo "podman-compose down -v failed" >&2; fi
  if [ -n "$COMPOSE_LOG" ] && [ "$FAILED" != 0 ] && [ -s "$COMPOSE_LOG" ]; then echo "podman-compose's output:"; tail -n 40 "$COMPOSE_LOG" | sed 's/^/  | /'; fi
  rm -f "$COMPOSE_LOG"
  if [ "$FAILED" != 0 ] && [ -s "$PODMAN_ERR" ]; then echo "podman's stderr:"; sed 's/^/  | /' "$PODMAN_ERR"; fi
  rm -f "$PODMAN_ERR"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers
# start NAME: a container on the named volume with the fixtures mounted read-only; prints its base URL.
# Runs in $( ): the caller records NAME in CONTAINERS first, for cleanup.
start() {
  podman run -d --name "$1" -p 127.0.0.1::4010 -v "$VOLUME:/data" \
    -v "$FIXTURES:/fixtures/fixtures.yaml:ro" -e CONFIDENT_MOCK_FIXTURES=/fixtures/fixtures.yaml \
    "$IMAGE" >/dev/null 2>>"$PODMAN_ERR" || return 1
  echo "http://$(podman port "$1" 4010/tcp)"
}
logs() { podman logs --tail 15 "$1" 2>&1 | sed 's/^/  | /'; }
health_status() { podman inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null || podman inspect -f '{{.State.Healthcheck.Status}}' "$1" 2>/dev/null || echo '?'; }
# wait_healthy NAME: runs the image's HEALTHCHECK (podman has no systemd timer here to run it) until it passes.
wait_healthy() {
  local deadline=$((SECONDS + HEALTH_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(podman inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] || { logs "$1"; return 1; }
    podman healthcheck run "$1" >/dev/null 2>&1 && return 0
    sleep 1
  done
  logs "$1"; return 1
}
# api METHOD URL [BODY]: prints the body, then the status on the last line.
api() {
  curl -sS --max-time 10 -X "$1" "$2" -H "CONFIDENT_API_KEY: $API_KEY" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} -w '\n%{http_code}'
}
# invitations JSON: the list as "id email status" lines, sorted by id.
invitations() {
  node -e 'const d = JSON.parse(require("fs").readFileSync(0, "utf8")).data.invitations
    for (const i of d.sort((a, b) => a.id - b.id)) console.log(i.id, i.email, i.status)'
}

URL_PATH=/v1/projects/$PROJECT/invitations
EMAILS='{"emails": ["erin@example.com", "Frank@Example.com"]}'

# ---------------------------------------------------------------- 2. first container
podman volume create "$VOLUME" >/dev/null
A=$RUN-a
CONTAINERS+=("$A")
BASE=$(start "$A") || fatal "podman run $A failed"
wait_healthy "$A" || fatal "first container never became healthy within ${HEALTH_TIMEOUT}s"
pass "HEALTHCHECK (node dist/cli.js healthcheck) reports $(health_status "$A") on a fresh volume"

user=$(podman image inspect -f '{{.Config.User}}' "$IMAGE")
uid=$(podman exec "$A" id -u || echo '?')
pid1=$(podman exec "$A" cat /proc/1/cmdline | tr '\0' ' ' | sed 's/ $//' || true)
owner=$(podman exec "$A" stat -c '%U %a' /data /data/confident-mock.sqlite | tr '\n' ' ' || true)
if [[ $user != "" && $user != root && $user != 0* && $uid =~ ^[1-9][0-9]*$ ]]; then pass "runs as non-root user '$user' (uid $uid)"
else fail "runs as root (image USER '$user', uid $uid)"; fi
if [[ $pid1 == "node dist/server.js" ]]; then pass "PID 1 is the server itself: $pid1"
else fail "PID 1 is not node dist/server.js: $pid1"; fi
if [[ $owner == "node "*" node "* ]]; then pass "/data and the database belong to node ($owner)"
else fail "/data or the database not owned by node: $owner"; fi

out=$(api POST "$BASE$URL_PATH" "$EMAILS") || fatal "POST $URL_PATH: curl failed"
status=${out##*$'\n'} body=${out%$'\n'*}
created=$(invitations <<<"$body" 2>/dev/null || true)
if [ "$status" = 200 ] && [ "$(wc -l <<<"$created")" = 2 ] && grep -q ' erin@example.com PENDING$' <<<"$created" \
   && grep -q ' frank@example.com PENDING$' <<<"$created"; then
  pass "POST $URL_PATH created $(tr '\n' ',' <<<"$created" | sed 's/,$//')"
else fatal "POST $URL_PATH answered $status: ${body:0:300}"; fi

out=$(api GET "$BASE$URL_PATH") || fatal "GET $URL_PATH: curl failed"
status=${out##*$'\n'} body=${out%$'\n'*}
[ "$status" = 200 ] || fatal "GET $URL_PATH answered $status: ${body:0:300}"
before=$(invitations <<<"$body")
echo "   before stop: $(tr '\n' ',' <<<"$before" | sed 's/,$//')"

# ---------------------------------------------------------------- 3. stop with SIGTERM
t=$SECONDS
podman stop -t "$STOP_TIMEOUT" "$A" >/dev/null 2>>"$PODMAN_ERR" || true
took=$((SECONDS - t))
code=$(podman inspect -f '{{.State.ExitCode}}' "$A")
if [ "$code" = 0 ] && [ "$took" -lt "$STOP_TIMEOUT" ]; then pass "podman stop (SIGTERM): exit code 0 after ${took}s"
else fail "podman stop (SIGTERM): exit code $code after ${took}s (137 = killed after the ${STOP_TIMEOUT}s grace)"; logs "$A"; fi
podman logs "$A" 2>&1 | grep -q '"msg":"closing"' && pass "the server logged its graceful close" \
  || fail "no graceful close in the log"

# ---------------------------------------------------------------- 4. a new container on the same volume
B=$RUN-b
CONTAINERS+=("$B")
BASE=$(start "$B") || fatal "podman run $B failed"
wait_healthy "$B" || fatal "second container never became healthy within ${HEALTH_TIMEOUT}s"
pass "a new container on the same volume is $(health_status "$B")"

out=$(api GET "$BASE$URL_PATH") || fatal "GET $URL_PATH: curl failed"
status=${out##*$'\n'} body=${out%$'\n'*}
after=$(invitations <<<"$body" 2>/dev/null || true)
if [ "$status" = 200 ] && [ "$after" = "$before" ]; then
  pass "GET $URL_PATH on the new container lists the same invitations (ids, addresses, statuses)"
else
  fail "GET $URL_PATH on the new container answered $status, lists differ"
  diff <(echo "$before") <(echo "$after") | sed 's/^/  | /' || true
fi

out=$(api POST "$BASE$URL_PATH" "$EMAILS") || fatal "POST $URL_PATH: curl failed"
status=${out##*$'\n'} body=${out%$'\n'*}
if [ "$status" = 200 ] && [ -z "$(invitations <<<"$body" 2>/dev/null || echo x)" ]; then
  pass "POST of the same addresses again skips both (already PENDING): the database, not just a listing, survived"
else fail "POST again answered $status: ${body:0:300}"; fi

# ---------------------------------------------------------------- 5. docker/compose.yaml under podman-compose
# docs/docker.md's compose example as a new user runs it with Debian's podman-compose (1.0.3), which
# ignores depends_on's condition (the example client waits for /health itself) and the top-level
# name (the project is named here, as docs/docker.md says to, so nothing of the user's is touched):
# up --build, the client's exit code and answers, then down and up again on the same volume.
compose_check() {
  local project=confident-mock-compose-test-$$ client out code first
  local compose=(podman-compose -p "$project" -f "$ROOT/docker/compose.yaml")
  client=${project}_client_1
  COMPOSE_DOWN=("${compose[@]}")
  CONFIDENT_MOCK_HOST_PORT=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })')
  export CONFIDENT_MOCK_HOST_PORT
  # waits for the example client to exit (bounded); prints its exit code, then its output.
  client_run() {
    timeout 180 podman wait "$client" >/dev/null 2>>"$PODMAN_ERR" || { echo timeout; return; }
    podman inspect -f '{{.State.ExitCode}}' "$client"
    podman logs "$client" 2>&1
  }
  t=$SECONDS
  "${compose[@]}" up -d --build >"$COMPOSE_LOG" 2>&1 || { tail -n 20 "$COMPOSE_LOG" | sed 's/^/  | /'; fatal "podman-compose up -d --build failed"; }
  out=$(client_run); code=${out%%$'\n'*}
  if [ "$code" = 0 ] && grep -q -- '-> 200$' <<<"$out" && grep -q 'erin@example.com' <<<"$out"; then
    pass "podman-compose up --build: the example client waited for /health, invited and listed (exit 0, $((SECONDS - t))s)"
  else
    fail "podman-compose up: the example client exited '$code'"; sed 's/^/  | /' <<<"$out" | tail -n 20
  fi
  # Its id and creation time: the same after a restart only if the volume kept the database.
  first=$(grep -o '"id":[0-9]*,"email":"erin@example.com","status":"PENDING","created_at":"[^"]*"' <<<"$out" | head -n 1 || true)
  if podman volume exists "${project}_confident-mock-data" 2>>"$PODMAN_ERR"; then
    pass "podman-compose named the volume ${project}_confident-mock-data: after -p, not the file's top-level name"
  else fail "no volume ${project}_confident-mock-data: $(podman volume ls -q 2>/dev/null | grep "$project" | tr '\n' ' ')"; fi
  "${compose[@]}" down >>"$COMPOSE_LOG" 2>&1 || fail "podman-compose down failed"
  "${compose[@]}" up -d >>"$COMPOSE_LOG" 2>&1 || { tail -n 20 "$COMPOSE_LOG" | sed 's/^/  | /'; fatal "podman-compose up -d (again) failed"; }
  out=$(client_run); code=${out%%$'\n'*}
  if [ "$code" = 0 ] && [ -n "$first" ] && grep -qF "$first" <<<"$out" && grep -qF '"invitations":[]' <<<"$out"; then
    pass "podman-compose down, then up: the POST skips both (already PENDING) and the list has the invitation made before (${first//\"/}): the volume kept the database"
  else
    fail "podman-compose up again: the client exited '$code' or lost the invitation ${first:-(none seen)}"; sed 's/^/  | /' <<<"$out" | tail -n 20
  fi
}
if command -v podman-compose >/dev/null; then
  COMPOSE_LOG=$(mktemp)
  compose_check
else
  echo "   compose: not checked: podman-compose is not installed (apt-get install podman-compose)"
fi

finish
