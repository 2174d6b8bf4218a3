// STUB (filled in by the projects/policies work): projects policies.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

const routes: FastifyPluginAsyncTypebox = async () => {}

export default routes
