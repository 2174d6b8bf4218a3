# confident-mock container image: a build stage with the native toolchain, a slim runtime stage.
#   docker build -t confident-mock .
#   docker run --rm -p 4010:4010 -v confident-mock-data:/data confident-mock
# See docker/compose.yaml for a ready-made setup with a named volume.

# ---------------------------------------------------------------- build
FROM node:20-bookworm-slim AS build

# better-sqlite3 falls back to compiling from source (node-gyp) when no prebuilt binary can be
# downloaded; the toolchain stays in this stage only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so editing sources does not invalidate the npm ci layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# After pruning, drop better-sqlite3's compile leftovers (SQLite sources, object files: ~25 MB when
# built from source; absent when a prebuilt binary was downloaded) and keep only the addon, then
# load it: the build fails here, not at run time, if the native addon is missing or broken.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && (cd node_modules/better-sqlite3 \
     && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/.deps \
               build/Release/sqlite3.a build/Release/test_extension.node) \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select sqlite_version()').get()"

# ---------------------------------------------------------------- runtime
FROM node:20-bookworm-slim AS runtime

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4010 \
    CONFIDENT_MOCK_DATABASE=/data/confident-mock.sqlite

WORKDIR /app

# The SQLite file (and its -wal/-shm companions) live on a volume the unprivileged user owns.
RUN mkdir -p /data && chown node:node /data

# Application files stay owned by root: the node user can read them but not change them.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# dist/db/index.js resolves ../../migrations, i.e. /app/migrations; applied at boot.
COPY migrations ./migrations

USER node
VOLUME ["/data"]
EXPOSE 4010

# No curl in the image: the image's own Node asks the server (PORT may be overridden at run time).
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "dist/cli.js", "healthcheck"]

# Exec form: node is PID 1 (the base entrypoint execs it) and gets SIGTERM directly; the server's
# close-with-grace handler closes Fastify and the database within 5 s, inside docker stop's 10 s.
CMD ["node", "dist/server.js"]
