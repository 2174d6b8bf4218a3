// The baseline: a bare Fastify 5 app with one JSON GET route, run by the bench as its own process.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/', async () => ({ hello: 'world' }))

// The bench passes a free port; on SIGTERM the server stops accepting and exits once idle.
const port = Number(process.env.PORT ?? '0')
await app.listen({ port, host: process.env.HOST ?? '127.0.0.1' })
process.once('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
