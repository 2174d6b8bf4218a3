// Playwright recipe: Playwright starts the server before the tests (webServer) and stops it after;
// the tests use only the `request` fixture (HTTP, no browser). Run:
//   npx playwright test --config examples/playwright/playwright.config.ts
import { defineConfig } from '@playwright/test'

// A server started elsewhere (a CI service container): CONFIDENT_BASE_URL, and Playwright starts none.
const given = process.env.CONFIDENT_BASE_URL
// 4010 is also what a plain `npx confident-mock serve` listens on, so a server you keep running
// there is reused outside CI; set CONFIDENT_MOCK_PLAYWRIGHT_PORT to run beside one (or another run) instead.
const port = Number(process.env.CONFIDENT_MOCK_PLAYWRIGHT_PORT ?? 4010)
const baseURL = given ?? `http://127.0.0.1:${port}`

export default defineConfig({
  testDir: '.',
  // request.get('/v1/...') and request.post('/__admin/...') go to the server.
  use: { baseURL },
  // Playwright starts this before the first test and stops it after the last (none with CONFIDENT_BASE_URL).
  webServer: given
    ? undefined
    : {
        // In your project: command: `npx confident-mock serve --port ${port} --database :memory:`,
        command: `node --import tsx ../../src/server.ts --port ${port} --database :memory:`,
        // Playwright waits until this answers 2xx: 200 once migrations and fixtures are done.
        url: `${baseURL}/health`,
        reuseExistingServer: !process.env.CI,
        timeout: 30_000
      }
})
