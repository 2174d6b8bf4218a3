// Vitest recipe: one confident-mock server for the whole run (global-setup.ts), its URL and admin
// token handed to the tests with provide/inject. Run: npx vitest run --config examples/vitest/vitest.config.ts
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // This repository only (its dist/ is not built during its tests): delete this line in your project.
  resolve: { alias: { 'confident-mock': fileURLToPath(new URL('../../src/index.ts', import.meta.url)) } },
  test: {
    // Paths below, and the test files found, are relative to this folder.
    root: fileURLToPath(new URL('.', import.meta.url)),
    globalSetup: ['./global-setup.ts'],
    include: ['**/*.test.ts']
  }
})
