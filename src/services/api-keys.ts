// STUB: organization and project API keys (list, mint, read, validity, delete).
export interface ApiKeyServiceDeps {}

export function apiKeyService (_deps: ApiKeyServiceDeps) {
  return {}
}

export type ApiKeyService = ReturnType<typeof apiKeyService>
