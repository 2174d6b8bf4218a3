#!/usr/bin/env node
// `npm start`: the build in dist/, rebuilt first only when the sources changed since it was made
// (scripts/ensure-build.mjs), then served in this same process: no second Node start-up, and the
// flags after `npm start --` reach the server as they would `node dist/server.js`.
import { fileURLToPath } from 'node:url'
import { ensureBuild } from './ensure-build.mjs'

ensureBuild(fileURLToPath(new URL('..', import.meta.url)))
await import('../dist/server.js')
