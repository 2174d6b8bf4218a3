// Jest recipe: one confident-mock server for the whole run (global-setup.mjs), its URL handed to the
// tests in CONFIDENT_BASE_URL. Jest runs ES modules only with Node's VM modules enabled:
//   NODE_OPTIONS=--experimental-vm-modules npx jest --config examples/jest/jest.config.mjs
export default {
  // Paths are relative to this file's folder (Jest's rootDir).
  globalSetup: '<rootDir>/global-setup.mjs',
  globalTeardown: '<rootDir>/global-teardown.mjs',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.test.mjs'],
  // Plain ES modules: nothing to transform.
  transform: {}
}
