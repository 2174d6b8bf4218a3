// Jest globalTeardown: closes the server global-setup.mjs started (none when CONFIDENT_BASE_URL was given).
export default async function globalTeardown () {
  await globalThis.confidentMockServer?.close()
}
