// STUB (filled in by the projects/api-keys work): projects api-keys.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

const routes: FastifyPluginAsyncTypebox = async () => {}

export default routes
