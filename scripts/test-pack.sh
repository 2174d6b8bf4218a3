#!/usr/bin/env bash
# npm run test:pack: builds the package the way `npm pack` does from a clean clone, installs the
# tarball into an empty project, and uses it the three ways a consumer does: the confident-mock
# command, `import { startServer } from 'confident-mock'`, and the type declarations.
#
# Usage: scripts/test-pack.sh [--skip-if-unavailable] [--cold-cache] [--keep]
#   --skip-if-unavailable  the npm registry cannot be reached: print "skipped: ..." and exit 0 (else 2)
#   --cold-cache           install with an empty npm cache (measures a first install; slower)
#   --keep                 keep the temporary folder (its path is printed) to look at afterwards
# Exit codes: 0 every check passed (or skipped), 1 a check failed, 2 the registry is unreachable.
set -uo pipefail

skip_if_unavailable=false
cold_cache=false
keep=false
for arg in "$@"; do
  case "$arg" in
    --skip-if-unavailable) skip_if_unavailable=true ;;
    --cold-cache) cold_cache=true ;;
    --keep) keep=true ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-pack: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/confident-mock-pack.XXXXXX")
server_pid=''
failures=0

cleanup () {
  # The serve check's process group (npx, sh, node), if a failure or an interrupt left it running.
  if [[ -n "$server_pid" ]] && pgrep -g "$server_pid" >/dev/null; then
    kill -KILL -- "-$server_pid" 2>/dev/null
  fi
  if $keep; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass () { echo "PASS $*"; }
fail () { echo "FAIL $*"; failures=$((failures + 1)); }
# Milliseconds since the epoch, for timings.
now_ms () { node -e 'process.stdout.write(String(Date.now()))'; }
# Runs a command quietly, keeping its output in a log that is shown when it fails.
quiet () {
  local log=$1 status=0; shift
  "$@" >"$log" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then sed 's/^/    | /' "$log" | tail -n 40; fi
  return "$status"
}
finish () {
  echo
  if [[ $failures -eq 0 ]]; then echo "test-pack: all checks passed"; exit 0; fi
  echo "test-pack: $failures check(s) failed"
  exit 1
}

# --- 0. The registry: the install needs the package's dependencies from it. --------------------
registry=$(npm config get registry)
if ! timeout 30 npm view better-sqlite3 version >/dev/null 2>&1; then
  if $skip_if_unavailable; then
    echo "skipped: the npm registry ($registry) cannot be reached; the install needs it"
    exit 0
  fi
  echo "test-pack: the npm registry ($registry) cannot be reached (use --skip-if-unavailable to skip)" >&2
  exit 2
fi

# --- 1. A clean copy of the working tree: what a clone holds (tracked and new, not ignored files,
# so no dist/), with the repository's node_modules standing in for `npm ci`. -----------------------
clone="$work/clone"
mkdir -p "$clone" "$work/out"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$repo" && git ls-files -z -co --exclude-standard --deduplicate \
    | while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done \
    | tar --null -T - -cf - | tar -xf - -C "$clone")
else
  (cd "$repo" && tar --exclude=./node_modules --exclude=./dist --exclude=./data --exclude=./.tap \
    --exclude=./coverage -cf - . | tar -xf - -C "$clone")
fi
ln -s "$repo/node_modules" "$clone/node_modules"
if [[ -e "$clone/dist" ]]; then fail "the clean copy has no dist/ before packing"; fi

# --- 2. npm pack (its prepack script builds dist/). --------------------------------------------------
echo "== npm pack"
start=$(now_ms)
if (cd "$clone" && quiet "$work/pack.log" npm pack --pack-destination "$work/out"); then
  pass "npm pack ($(( $(now_ms) - start )) ms, including the prepack build)"
else
  fail "npm pack"; finish
fi
tgz=$(ls "$work"/out/*.tgz 2>/dev/null | head -n 1)
if [[ -z "$tgz" ]]; then fail "npm pack wrote no tarball"; finish; fi
version=$(node -p "require('$clone/package.json').version")

tar -tzf "$tgz" | sed 's|^package/||' | sort >"$work/contents.txt"
packed=$(stat -c %s "$tgz")
unpacked=$(tar -tvzf "$tgz" | awk '{ s += $3 } END { print s }')
echo "  $(basename "$tgz"): $(wc -l <"$work/contents.txt") files, packed $packed bytes ($((packed / 1024)) KiB), unpacked $unpacked bytes ($((unpacked / 1024)) KiB)"

# --- 3. What the tarball holds. ----------------------------------------------------------------------
echo "== tarball contents"
for f in package.json README.md LICENSE dist/cli.js dist/index.js dist/index.d.ts dist/db/index.js \
  migrations/meta/_journal.json; do
  if grep -qxF "$f" "$work/contents.txt"; then pass "contains $f"; else fail "contains $f"; fi
done
sql_in_repo=$(cd "$clone" && ls migrations/*.sql | sort)
sql_in_tgz=$(grep -E '^migrations/[^/]+\.sql$' "$work/contents.txt" | sort)
if [[ -n "$sql_in_tgz" && "$sql_in_tgz" == "$sql_in_repo" ]]; then
  pass "contains every migration ($(echo "$sql_in_tgz" | wc -l) migrations/*.sql)"
else
  fail "contains every migration (repository: $(echo $sql_in_repo); tarball: $(echo $sql_in_tgz))"
fi
# Every module the build emits (dist/**/*.js of src/**/*.ts) is there.
missing=$(cd "$clone/src" && find . -name '*.ts' ! -name '*.d.ts' | sed 's|^\./||; s|\.ts$|.js|' \
  | while read -r js; do grep -qxF "dist/$js" "$work/contents.txt" || echo "dist/$js"; done)
if [[ -z "$missing" ]]; then pass "contains the build of every src/ module"; else fail "missing built modules: $missing"; fi
for pattern in '^src/' '^test/' '^bench/' '^scripts/' '^docker/' '^data/' '^\.' '\.map$' '\.sqlite' '\.tsbuildinfo$' \
  '^node_modules/' '^tsconfig' '^Dockerfile$' '^migrations/meta/.*_snapshot\.json$'; do
  found=$(grep -E "$pattern" "$work/contents.txt" | head -n 3)
  if [[ -z "$found" ]]; then pass "holds nothing matching $pattern"; else fail "holds $(echo $found) (matching $pattern)"; fi
done

# --- 4. An empty project installs the tarball. -------------------------------------------------------
echo "== install into an empty project"
consumer="$work/consumer"
mkdir -p "$consumer"
cache_flag=()
if $cold_cache; then cache_flag=(--cache "$work/npm-cache"); fi
(cd "$consumer" && quiet "$work/init.log" npm init -y) || { fail "npm init -y"; finish; }
# better-sqlite3's install script fetches (or compiles) the native SQLite binding. npm 11.19 still runs
# a dependency's install script that the project has not reviewed, with a warning; with
# --strict-allow-scripts (npm's announced future default) it refuses to. The project approves it in
# package.json's allowScripts (--allow-scripts on the command line is an error in a project), and
# the install below runs strict, so a missing approval fails here.
(cd "$consumer" && npm pkg set allowScripts.better-sqlite3=true --json) || { fail "npm pkg set allowScripts"; finish; }
start=$(now_ms)
if (cd "$consumer" && quiet "$work/install.log" npm install --save-dev --strict-allow-scripts "${cache_flag[@]}" --no-audit --no-fund \
  "$tgz" '@types/node@^20'); then
  install_ms=$(( $(now_ms) - start ))
  pass "npm install --save-dev <tarball> @types/node@^20 ($install_ms ms, $($cold_cache && echo 'empty npm cache' || echo 'shared npm cache'))"
else
  fail "npm install <tarball>"; finish
fi
if grep -q 'install-scripts' "$work/install.log"; then
  fail "npm install reports no unreviewed install script"; grep 'install-scripts' "$work/install.log" | sed 's/^/    | /'
fi
if grep -qE 'gyp info ok|node-gyp rebuild' "$work/install.log" || [[ -d "$consumer/node_modules/better-sqlite3/build/Release/obj.target" ]]; then
  echo "  better-sqlite3 was compiled from source (no prebuilt binary could be downloaded): most of the install time"
fi
installed_size=$(du -sk "$consumer/node_modules" | cut -f1)
echo "  node_modules: $((installed_size / 1024)) MiB, $(ls "$consumer/node_modules" | wc -l) top-level entries"
if (cd "$consumer" && node -e "new (require('better-sqlite3'))(':memory:').close()" 2>"$work/sqlite.log"); then
  pass "better-sqlite3's native binding loads"
else
  fail "better-sqlite3's native binding loads: $(head -n 3 "$work/sqlite.log")"
fi

# --- 5a. The command. ----------------------------------------------------------------------------------
echo "== npx confident-mock"
got=$(cd "$consumer" && npx --no -- confident-mock --version 2>&1)
if [[ "$got" == "$version" ]]; then pass "npx confident-mock --version prints $version"; else fail "npx confident-mock --version printed: $got"; fi

# npx runs the command through `sh -c`, so the server is npx's grandchild. It runs in a process
# group of its own (set -m) so that cleanup can end the whole tree, whatever happens.
set -m
(cd "$consumer" && exec npx --no -- confident-mock serve --port 0 --database :memory: --log-level silent) \
  >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
set +m
url=''
start=$(now_ms)
for _ in $(seq 1 600); do
  url=$(sed -nE 's/^confident-mock listening on (http:\/\/[^ ]+)$/\1/p' "$work/serve.out" | head -n 1)
  if [[ -n "$url" ]] || ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [[ -n "$url" ]]; then
  pass "npx confident-mock serve --port 0 --database :memory: printed \"listening on $url\" ($(( $(now_ms) - start )) ms)"
  key=$(sed -nE 's/^ +demo organization API key: ([^ ]+)$/\1/p' "$work/serve.out")
  project=$(sed -nE 's/^ +demo project id: +([^ ]+)$/\1/p' "$work/serve.out")
  if (cd "$consumer" && quiet "$work/health.log" npx --no -- confident-mock healthcheck --url "$url"); then
    pass "npx confident-mock healthcheck --url $url exits 0"
  else
    fail "npx confident-mock healthcheck --url $url"
  fi
  if [[ -n "$key" && -n "$project" ]]; then
    answer=$(curl -s -w '\n%{http_code}' -X POST "$url/v1/projects/$project/invitations" \
      -H "CONFIDENT_API_KEY: $key" -H 'Content-Type: application/json' -d '{"emails": ["carol@example.com"]}')
    if [[ "$(tail -n 1 <<<"$answer")" == 200 ]] && grep -q '"email":"carol@example.com","status":"PENDING"' <<<"$answer"; then
      pass "POST /v1/projects/$project/invitations with the banner's demo key answers 200 PENDING"
    else
      fail "POST an invitation with the demo key: $answer"
    fi
  else
    fail "the banner shows the demo key and project id: $(cat "$work/serve.out")"
  fi
  # The console's templates and assets are files the package must ship (dist/console).
  page=$(curl -s -w '\n%{http_code}' "$url/")
  css=$(curl -s -o /dev/null -w '%{http_code}' "$url/assets/console.css")
  if [[ "$(tail -n 1 <<<"$page")" == 200 ]] && grep -q 'Demo Organization' <<<"$page" && [[ "$css" == 200 ]]; then
    pass "the console at / lists the demo organization, its stylesheet answers 200"
  else
    fail "the console from the installed package: / answered $(tail -n 1 <<<"$page"), its stylesheet $css"
  fi
  # SIGTERM to the server process itself (the node running dist/cli.js); npx passes its exit code on.
  node_pid=$(pgrep -g "$server_pid" -x node | head -n 1)
  if [[ -z "$node_pid" ]]; then
    fail "found the server's node process under npx"
  else
    kill -TERM "$node_pid"
    status=''
    for _ in $(seq 1 100); do
      if ! kill -0 "$server_pid" 2>/dev/null; then wait "$server_pid"; status=$?; break; fi
      sleep 0.1
    done
    if [[ -z "$status" ]]; then
      fail "serve ends within 10 s of SIGTERM"
    elif [[ "$status" == 0 ]]; then
      pass "serve closes on SIGTERM and exits 0 (npx's exit code)"
    else
      fail "serve exits 0 on SIGTERM (exit $status; stderr: $(head -c 500 "$work/serve.err"))"
    fi
    if pgrep -g "$server_pid" >/dev/null; then fail "nothing of npx's process tree is left running"; fi
  fi
else
  fail "npx confident-mock serve never printed \"listening on\" (stdout: $(head -c 500 "$work/serve.out"); stderr: $(head -c 1000 "$work/serve.err"))"
fi
if pgrep -g "$server_pid" >/dev/null; then kill -KILL -- "-$server_pid" 2>/dev/null; fi
server_pid=''

# --- 5b. The embedding API, from an ES module of the consumer. -----------------------------------------
echo "== import { startServer } from 'confident-mock'"
cat >"$consumer/embed.mjs" <<'EOF'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { startServer, createAdminClient, AdminApiError } from 'confident-mock'

const entry = fileURLToPath(import.meta.resolve('confident-mock'))
assert.match(entry, /node_modules\/confident-mock\/dist\/index\.js$/, `resolved to ${entry}`)
assert.equal(typeof createAdminClient, 'function')
assert.equal(typeof AdminApiError, 'function')

const server = await startServer()
try {
  const org = await server.admin.organizations.create({ projects: [{ name: 'P' }] })
  const [project] = org.projects
  assert.equal(project.name, 'P')
  const res = await fetch(`${server.url}/v1/projects/${project.id}/invitations`, {
    method: 'POST',
    headers: { CONFIDENT_API_KEY: org.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ emails: ['Carol@Example.com'] })
  })
  const body = await res.json()
  assert.equal(res.status, 200, JSON.stringify(body))
  assert.equal(body.data.invitations[0].email, 'carol@example.com')
  const outbox = await server.admin.outbox.list({ to: 'carol@example.com' })
  assert.equal(outbox.length, 1)
  assert.equal(outbox[0].projectId, project.id)
  assert.equal(typeof outbox[0].token, 'string')
  // The email's link opens the invitee page, rendered from the installed package's templates.
  const invitee = await fetch(outbox[0].acceptUrl)
  const html = await invitee.text()
  assert.equal(invitee.status, 200, html.slice(0, 300))
  assert.match(html, /Accept/)
  console.log(`ok: ${server.url}, organization ${org.id}, invitation token ${outbox[0].token}, its page answered`)
} finally {
  await server.close()
}
EOF
if (cd "$consumer" && quiet "$work/embed.log" timeout 60 node embed.mjs); then
  pass "embed.mjs: startServer(), organizations.create(), POST an invitation, outbox.list(), close() ($(tail -n 1 "$work/embed.log"))"
else
  fail "embed.mjs (startServer, invite, outbox)"
fi

# --- 5c. The type declarations, through `exports` and `types`, with the repository's TypeScript. ------
echo "== types (tsc $("$repo/node_modules/.bin/tsc" --version | cut -d' ' -f2), moduleResolution nodenext)"
cat >"$consumer/check.mts" <<'EOF'
import {
  startServer, createAdminClient, AdminApiError,
  type RunningServer, type StartServerOptions, type CreatedOrganization, type OutboxEmail, type Fixtures
} from 'confident-mock'

const fixtures: Fixtures = { organizations: [{ name: 'Acme', plan: 'TEAM', projects: [{ name: 'Web' }] }] }
const options: StartServerOptions = { database: 'memory', clock: '2030-01-01T00:00:00Z', fixtures }
const server: RunningServer = await startServer(options)
const org: CreatedOrganization = await server.admin.organizations.create({ projects: [{ name: 'P' }] })
const projectId: string = org.projects[0]!.id
const emails: OutboxEmail[] = await server.admin.outbox.list({ projectId })
const other = createAdminClient(server.url, { token: 'a-long-admin-token' })
await other.clock.advance('36h').catch((err: unknown) => err instanceof AdminApiError ? err.status : 0)
// @ts-expect-error: port is a number
await startServer({ port: 'not a number' })
export const seen: [string, number] = [projectId, emails.length]
await server.close()
EOF
write_tsconfig () { # $1: skipLibCheck
  cat >"$consumer/tsconfig.json" <<EOF
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "strict": true,
    "noEmit": true,
    "skipLibCheck": $1,
    "types": ["node"]
  },
  "files": ["check.mts"]
}
EOF
}
write_tsconfig true
if (cd "$consumer" && quiet "$work/tsc.log" "$repo/node_modules/.bin/tsc" -p tsconfig.json); then
  resolved=$(cd "$consumer" && "$repo/node_modules/.bin/tsc" -p tsconfig.json --traceResolution 2>/dev/null \
    | sed -nE "s/^======== Module name 'confident-mock' was successfully resolved to '([^']+)'.*/\1/p" | head -n 1)
  pass "tsc type-checks check.mts against the package (skipLibCheck: true), 'confident-mock' resolved to ${resolved#"$consumer/"}"
else
  fail "tsc type-checks check.mts against the package (skipLibCheck: true)"
fi
write_tsconfig false
if (cd "$consumer" && quiet "$work/tsc-strict.log" "$repo/node_modules/.bin/tsc" -p tsconfig.json); then
  pass "tsc type-checks check.mts and the package's own declarations (skipLibCheck: false)"
else
  fail "tsc type-checks the package's own declarations (skipLibCheck: false)"
fi

finish
