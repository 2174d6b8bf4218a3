// scripts/vendor-coverage.ts: the table it prints from the app's routes (app.servedRoutes), and that README.md shows that table.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import t from 'tap'
import { coverage, coverageReport, renderCoverage, routeKey } from '../../scripts/vendor-coverage.js'
import { vendorExtract } from '../helpers/vendor.js'

const run = promisify(execFile)
const ROOT = new URL('../..', import.meta.url)

t.test('routeKey leaves parameter names out', async (t) => {
  t.equal(routeKey('get', '/v1/projects/{projectId}'), routeKey('GET', '/v1/projects/{id}'), 'parameter names do not matter')
})

t.test('coverage splits the touched tags\' operations and names the untouched tags', async (t) => {
  const result = coverage(vendorExtract(), [{ method: 'GET', path: '/v1/organization' }])
  t.same(result.tags.map((entry) => entry.tag), ['Organization'])
  t.same(result.tags[0]!.operations.map((op) => [op.operationId, op.implemented]), [['getOrganization', true], ['updateOrganization', false]])
  t.ok(result.untouched.includes('Projects'))
  const table = renderCoverage(result)
  t.match(table, /\| Organization \| `GET \/v1\/organization` \| `getOrganization` \| yes \|/)
  t.match(table, /\| Organization \| `PUT \/v1\/organization` \| `updateOrganization` \| \*\*no\*\* \|/)
  t.match(table, /1 of 2 operations in these tags are implemented\./)
  t.match(renderCoverage({ tags: [], untouched: [] }), /no operation here: none\./)
})

const report = await coverageReport()

t.test('the report of this server', async (t) => {
  t.match(report, /\| Project Invitations \| `POST \/v1\/projects\/\{projectId\}\/invitations` \| `createProjectInvitations` \| yes \|/)
  t.match(report, /\| Organization API Keys \| `PUT \/v1\/organization\/api-keys\/\{apiKeyId\}` \| `updateOrganizationApiKey` \| yes \|/)
  t.notMatch(report, /\*\*no\*\*/, 'no vendor operation of these tags is left out')
  t.match(report, /53 of 53 operations in these tags are implemented\. Vendor tags with no operation here: none\./)
})

t.test('npm run vendor:coverage prints the same report', async (t) => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/vendor-coverage.ts'], { cwd: ROOT })
  t.equal(stdout, report)
})

t.test('README.md shows the current table (regenerate: npm run vendor:coverage)', async (t) => {
  const readme = readFileSync(new URL('README.md', ROOT), 'utf8')
  t.ok(readme.includes(report.trim()), 'README.md contains the output of npm run vendor:coverage')
})
