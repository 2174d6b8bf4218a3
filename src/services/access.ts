// STUB: custom policies and roles of an organization or a project (create, update, delete).
export interface AccessServiceDeps {}

export function accessService (_deps: AccessServiceDeps) {
  return {}
}

export type AccessService = ReturnType<typeof accessService>
