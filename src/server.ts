// The server entry (`npm start`, the container): `node dist/server.js [flags]` is `confident-mock serve [flags]`.
import { serve } from './serve.js'

await serve(process.argv.slice(2))
