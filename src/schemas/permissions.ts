// Permission schemas: the catalogue entries policies are built from, as the vendor publishes them.
import { Type } from 'typebox'
import { Success } from './common.js'

export const PermissionSchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The permission id' }),
  name: Type.String({ description: 'The permission name, resource:action (e.g. traces:read)' }),
  description: Type.Union([Type.String(), Type.Null()], { description: 'What the permission allows, or null' })
})

export const PermissionListResponse = Success(Type.Object({ permissions: Type.Array(PermissionSchema) }))
