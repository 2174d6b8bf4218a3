// Two requests Node would answer itself, with an empty body outside the envelope, are answered by the app in it: an Expect it cannot meet (417), an HTTP/1.1 request without Host (400).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { envelope } from '../domain/errors.js'

/** Marks a request Node handed to `checkExpectation`: its Expect header is not one Node meets itself. */
const unmetExpectation = Symbol('unmetExpectation')

type Marked = IncomingMessage & { [unmetExpectation]?: true }

/**
 * The answer to a request Node would refuse on its own, or null. Node answers `Expect:` with
 * anything but `100-continue` with an empty 417, and an HTTP/1.1 request with no `Host` with an empty
 * 400, before the app sees either: this server is built with `requireHostHeader: false` and a
 * `checkExpectation` listener (src/app.ts, below), which pass them to the app, and here they get
 * the status Node would give and the envelope the README promises for every error. The connection
 * is closed after either: the client may be sending a body it was told to wait with, or not know
 * which host it asked.
 */
function refusal (request: FastifyRequest): [number, string] | null {
  const raw = request.raw as Marked
  // The header's value is not repeated: it is the client's own text, and could hold anything.
  if (raw[unmetExpectation] === true) return [417, 'Expectation Failed: the only Expect header this server meets is "Expect: 100-continue"']
  // RFC 9112, section 3.2: a server must answer 400 to an HTTP/1.1 request without a Host header.
  if (raw.httpVersionMajor === 1 && raw.httpVersionMinor === 1 && raw.headers.host === undefined) {
    return [400, 'Bad Request: an HTTP/1.1 request must have a Host header']
  }
  return null
}

function answerRefusals (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const refused = refusal(request)
  if (refused === null) return done()
  reply.code(refused[0]).header('connection', 'close').send(envelope(refused[1]))
}

export default fp(async (app) => {
  // Instead of Node's empty 417: the request goes through the app (logged, journaled when it is a /v1 call).
  app.server.on('checkExpectation', (req: Marked, res: ServerResponse) => {
    req[unmetExpectation] = true
    app.routing(req, res)
  })
  app.addHook('onRequest', answerRefusals)
}, { name: 'http-rules' })
