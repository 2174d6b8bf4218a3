# confident-mock container image: a build stage with the native toolchain, a slim runtime stage.
#   docker build -t confident-mock .
#   docker run --rm -p 127.0.0.1:4010:4010 -v confident-mock-data:/data confident-mock
# See docker/compose.yaml for a ready-made setup (named volume, fixtures, an example client) and
# scripts/test-container.sh (npm run test:container) for the test of this file.

# ---------------------------------------------------------------- build
FROM node:20-bookworm-slim AS build

# better-sqlite3 falls back to compiling from source (node-gyp) when no prebuilt binary can be
# downloaded; the toolchain stays in this stage only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, from the lock file, so editing sources does not invalidate the npm ci layer.
# better-sqlite3's install script (prebuilt binary, else node-gyp) must run: package.json's
# allowScripts lists it (npm 11 reads that field; npm 10, in the official image, runs every script).
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build bundles the server and CLI entry points (scripts/bundle.ts), and begins and ends by
# noting what it was built from (scripts/ensure-build.mjs, which `npm start` reads).
COPY scripts/bundle.ts scripts/ensure-build.mjs ./scripts/
# Compile, then drop the dev dependencies: `npm prune --omit=dev` leaves the tree that
# `npm ci --omit=dev` would install from the same lock file, without installing (and compiling
# better-sqlite3) a second time. Then drop better-sqlite3's compile leftovers (SQLite sources,
# object files: ~25 MB when built from source; absent when a prebuilt binary was downloaded),
# keeping only the addon, and load it: the build fails here, not at run time, if it is missing or broken.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && (cd node_modules/better-sqlite3 \
     && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/.deps \
               build/Release/sqlite3.a build/Release/test_extension.node) \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select sqlite_version()').get()"

# ---------------------------------------------------------------- runtime
FROM node:20-bookworm-slim AS runtime

# HOST: listen on every interface, or nothing outside the container reaches the server.
# The database lives on the /data volume (created with its -wal/-shm companions at first start).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4010 \
    CONFIDENT_MOCK_DATABASE=/data/confident-mock.sqlite

WORKDIR /app

# Owned by the unprivileged user before VOLUME: a new named volume copies this ownership.
RUN mkdir -p /data && chown node:node /data

# Compiled output only, owned by root: the node user can read it but not change it.
# package.json stays for "type": "module" and the version the CLI prints.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# src/paths.ts finds /app (package.json and migrations/ side by side); migrations are applied at boot.
COPY migrations ./migrations

USER node
VOLUME ["/data"]
EXPOSE 4010

# No curl in the image: the project's own command asks http://127.0.0.1:$PORT/health (HOST
# 0.0.0.0 reads as loopback), so it follows a PORT overridden at run time. Its 2 s timeout fits in 5 s.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "dist/cli.js", "healthcheck"]

# Exec form, and the base image's entrypoint execs it: node is PID 1 and gets SIGTERM itself. The
# server's close-with-grace handler finishes in-flight requests and closes the database within 5 s
# (inside `docker stop`'s 10 s), then exits 0. No init (--init/tini): the server starts no child
# processes, so there are no zombies to reap, and it handles SIGTERM and SIGINT itself.
CMD ["node", "dist/server.js"]
