// The routes the app serves (its own list, app.servedRoutes) as the tests that must cover each route read them.
import type { Test } from 'tap'
import type { App, ServedRoute } from '../../src/app.js'
import { routeKey } from '../../scripts/vendor-coverage.js'

export { routeKey }

/** The routes served under a prefix (`/v1`, `/__admin`). */
export function servedUnder (app: App, prefix: string): ServedRoute[] {
  return app.servedRoutes.filter((route) => route.url.startsWith(`${prefix}/`))
}

/** The same, as `routeKey`s: `GET /v1/projects/{}`. */
export function servedKeys (app: App, prefix: string): string[] {
  return servedUnder(app, prefix).map((route) => routeKey(route.method, route.path))
}

/**
 * Fails when a served route has no case, or a case names a route that is not served (both as
 * `routeKey`s); each failure lists the routes. `what` names a case: 'request generator'.
 */
export function assertEachRouteCovered (t: Test, served: readonly string[], cases: Iterable<string>, what: string): void {
  const covered = new Set(cases)
  t.same(served.filter((route) => !covered.has(route)), [], `every served route has its ${what}`)
  t.same([...covered].filter((route) => !served.includes(route)), [], `every ${what} is for a served route`)
}
