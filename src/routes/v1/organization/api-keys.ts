// STUB (filled in by the organization/api-keys work): organization api-keys.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

const routes: FastifyPluginAsyncTypebox = async () => {}

export default routes
