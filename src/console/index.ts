// The console: server-rendered pages over the services (organizations, mailbox, requests, controls) and the invitee's page.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import staticFiles from '@fastify/static'
import view from '@fastify/view'
import { Eta } from 'eta'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Type } from 'typebox'
import { consoleAuth, type ConsoleAuth } from './auth.js'
import { PUBLIC_FOLDER, VIEWS_FOLDER } from './files.js'
import { redirectTo, rootOf } from './links.js'
import { LiveHub } from './live.js'
import type { ServedRoute } from '../app.js'
import { isCrossSite } from '../http/cross-site.js'
import { securityHeaders } from './security.js'
import invitee from './routes/invitee.js'
import mail from './routes/mail.js'
import organizations from './routes/organizations.js'
import overview from './routes/overview.js'
import signIn from './routes/sign-in.js'
import requests from './routes/requests.js'
import faults from './routes/faults.js'
import clock from './routes/clock.js'
import state from './routes/state.js'

export interface ConsoleOptions {
  /** The admin token: when set, every console page but the invitee's needs a signed-in session. */
  token?: string | undefined
}

/** What every page's template gets besides its own data. */
export interface PageContext {
  /** The way back to the console's root, for <base href>. */
  root: string
  /** The request's path relative to the root, for the navigation's current item. */
  here: string
  /** The request's path and query relative to the root: a link to this very page. */
  self: string
  /** Whether the console asks for the admin token (false: it is open, and says so). */
  authRequired: boolean
  /** The assets' version, in their URLs: a browser's cached copy is not used past an upgrade. */
  assetVersion: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The console's live-update streams (src/console/live.ts). */
    consoleLive: LiveHub
    /** The console's own routes: the part of `app.servedRoutes` its pages added. */
    consoleRoutes: readonly ServedRoute[]
  }
  interface FastifyReply {
    /** Renders a console page (src/console/views/<name>.eta) with the page context. */
    page: (name: string, data?: Record<string, unknown>) => FastifyReply
  }
}

// The assets change only with the server: an hour of caching, revalidated after.
const ASSET_MAX_AGE_MS = 60 * 60 * 1000

/** Pages that need no session: signing in, the invitee's link, the assets the sign-in page uses. */
function isPublic (path: string): boolean {
  return path === '/sign-in' || path.startsWith('/invite/') || path.startsWith('/assets/')
}

export interface PagesOptions {
  auth: ConsoleAuth
}

async function pages (app: FastifyInstance, { auth }: PagesOptions) {
  await app.register(cookie)
  // Form posts, in this scope only: /v1 and /__admin keep answering 415 to anything but JSON. No
  // limit of the parser's own: the server's 1 MiB holds, but for the snapshot upload's route,
  // which sets its own (a parser's limit would override the server's on every route).
  await app.register(formbody)
  await app.register(view, {
    // Eta escapes every <%= %> (autoEscape); <%~ %>, which does not, only ever takes another template's output.
    engine: { eta: new Eta({ autoEscape: true, cache: true }) },
    root: VIEWS_FOLDER,
    viewExt: 'eta',
    // Templates compiled once and kept: they ship with the server and do not change while it runs.
    production: true
  })
  // @see https://github.com/fastify/fastify-static
  // Served by one route of a parameter rather than the plugin's wildcard: the assets are three flat
  // files, and a wildcard route shows in Fastify's route tree as a catch-all at the root.
  await app.register(staticFiles, { root: PUBLIC_FOLDER, serve: false })
  app.get('/assets/:file', { schema: { hide: true, params: Type.Object({ file: Type.String({ maxLength: 100 }) }) } },
    (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => reply.sendFile(request.params.file, { maxAge: ASSET_MAX_AGE_MS, index: false }))

  const assetVersion = createHash('sha256')
    .update(readFileSync(join(PUBLIC_FOLDER, 'console.css'))).update(readFileSync(join(PUBLIC_FOLDER, 'console.js')))
    .digest('hex').slice(0, 10)
  app.decorateReply('page', function (this: FastifyReply, name: string, data: Record<string, unknown> = {}) {
    const request = this.request
    const context: PageContext = { root: rootOf(request), here: request.url.split('?')[0]!.slice(1), self: request.url.slice(1), authRequired: auth.required, assetVersion }
    return this.type('text/html; charset=utf-8').view(name, { ...context, ...data })
  })

  // The invitee's page and the sign-in page, and anyone not signed in, see nothing of the console
  // (its navigation, its notice), their error pages included.
  const bare = (request: FastifyRequest) => isPublic(request.url.split('?')[0]!) || !auth.signedIn(request)

  app.addHook('onRequest', securityHeaders)
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (isCrossSite(request)) {
      return reply.code(403).page('error', { title: 'Refused', status: 403, bare: bare(request), message: 'A state-changing request sent from another site is refused: use the console\'s own pages.' })
    }
    const path = request.url.split('?')[0]!
    if (auth.signedIn(request) || isPublic(path)) return
    if (request.method === 'GET' && path !== '/events') {
      return reply.redirect(redirectTo(request, `sign-in?next=${encodeURIComponent(request.url.slice(1))}`), 303)
    }
    return reply.code(401).page('error', { title: 'Sign in', status: 401, bare: true, message: 'Sign in with the admin token first.' })
  })

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
    if (status >= 500) request.log.error({ err: error }, 'console page failed')
    const message = status >= 500 ? 'Something went wrong on the server; its log has the details.' : error.message
    return reply.code(status).page('error', { title: `Error ${status}`, status, message, bare: bare(request) })
  })

  // No HEAD: the stream takes over the connection and would never answer one.
  app.get('/events', { schema: { hide: true }, exposeHeadRoute: false }, (request, reply) => app.consoleLive.open(request, reply))
  await app.register(signIn, { auth })
  await app.register(invitee)
  await app.register(overview)
  await app.register(organizations)
  await app.register(mail)
  await app.register(requests)
  await app.register(faults)
  await app.register(clock)
  await app.register(state)
}

export default fp<ConsoleOptions>(async (app, opts) => {
  const live = new LiveHub()
  app.decorate('consoleLive', live)
  // Every finished request, /v1 and /__admin included, may change what a page shows.
  app.addHook('onResponse', (request, _reply, done) => {
    live.observe(request.method, request.url)
    done()
  })
  // Open streams would hold the server's close: end them first.
  app.addHook('preClose', (done) => {
    live.close()
    done()
  })
  // The app lists its routes as they are added, and a scope is loaded whole when awaited: the
  // routes listed while the pages register are the console's.
  const first = app.servedRoutes.length
  await app.register(pages, { auth: consoleAuth({ token: opts.token, https: () => app.publicUrl().startsWith('https:') }) })
  app.decorate('consoleRoutes', app.servedRoutes.slice(first))
}, { name: 'console', dependencies: ['services'] })
