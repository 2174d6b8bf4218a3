// Checks that the committed vendor extract is usable and, when the vendor file is at hand, up to date (else that check reports a skip).
import { readFileSync } from 'node:fs'
import t from 'tap'
import { DEFAULT_VENDOR_PATH, EXTRACT_PATH, extractFromFile, renderExtract } from '../../scripts/extract-vendor-schemas.js'
import { assertVendorResponse, validateVendorResponse, vendorExtract, vendorFileSkip, vendorOperation } from '../helpers/vendor.js'

const OP = 'createProjectInvitations'

function validBody () {
  return {
    success: true,
    data: {
      invitations: [
        { id: 1, email: 'a@b.co', status: 'PENDING', created_at: '2026-01-01T00:00:00.000Z', projectRoleId: null as string | null }
      ]
    }
  }
}

t.test('createProjectInvitations is in the extract', async (t) => {
  const op = vendorOperation(OP)
  t.equal(op.method, 'POST')
  t.equal(op.path, '/v1/projects/{projectId}/invitations')
  t.same(op.tags, ['Project Invitations'])
  t.ok(op.requestBody, 'documents a request body')
  t.ok(Array.isArray(op.requestBody?.required) && op.requestBody.required.includes('emails'), 'request body requires emails')
  t.match(op.parameters, [{ name: 'projectId', in: 'path', required: true }])
  t.match(op.parameters, [{}, { name: 'CONFIDENT_API_KEY', in: 'header', required: true }])
})

t.test('an unknown operationId is a clear error', async (t) => {
  t.throws(() => vendorOperation('noSuchOperation'), /unknown vendor operationId "noSuchOperation"/)
  t.throws(() => validateVendorResponse('noSuchOperation', {}), /unknown vendor operationId/)
})

t.test('a well-formed response validates', async (t) => {
  t.same(validateVendorResponse(OP, validBody()), [])
  const withRole = validBody()
  withRole.data.invitations[0]!.projectRoleId = '0b5e3a3e-6a4e-4c0e-9d55-8f0a8f9f6b11'
  assertVendorResponse(t, OP, withRole)
  assertVendorResponse(t, OP, { success: true, data: { invitations: [] } })
})

t.test('malformed responses fail', async (t) => {
  const cases: Array<[string, (body: ReturnType<typeof validBody>) => unknown, RegExp]> = [
    ['string id', (body) => ({ ...body, data: { invitations: [{ ...body.data.invitations[0], id: '1' }] } }), /invitations\/0\/id must be integer/],
    ['bad status', (body) => ({ ...body, data: { invitations: [{ ...body.data.invitations[0], status: 'SENT' }] } }), /status must be one of/],
    ['extra key', (body) => ({ ...body, data: { invitations: [{ ...body.data.invitations[0], token: 'x' }] } }), /undeclared property "token"/],
    ['extra top-level key', (body) => ({ ...body, deprecated: false }), /^body has undeclared property "deprecated"$/],
    ['missing created_at', (body) => {
      const { created_at: _omitted, ...rest } = body.data.invitations[0]!
      return { ...body, data: { invitations: [rest] } }
    }, /missing required property "created_at"/],
    ['bad date-time', (body) => ({ ...body, data: { invitations: [{ ...body.data.invitations[0], created_at: 'yesterday' }] } }), /created_at must match format "date-time"/]
  ]
  for (const [name, mutate, expected] of cases) {
    const errors = validateVendorResponse(OP, mutate(validBody()))
    t.equal(errors.length, 1, `${name}: one error`)
    t.match(errors[0], expected, name)
  }
})

t.test('the committed extract is written as the extractor writes it, and names its source', async (t) => {
  const committed = readFileSync(EXTRACT_PATH, 'utf8')
  t.equal(renderExtract(JSON.parse(committed)), committed, 'not edited by hand: run `npm run vendor:extract` instead')
  t.match(vendorExtract().source, { file: 'confident-openapi.yaml', sha256: /^[0-9a-f]{64}$/, overrides: { file: 'confident-openapi-overrides.yaml', sha256: /^[0-9a-f]{64}$/ } })
})

t.test('the committed extract matches the vendor file', { skip: vendorFileSkip() }, async (t) => {
  const fresh = extractFromFile(DEFAULT_VENDOR_PATH)
  t.same(vendorExtract().source, fresh.source, 'extracted from the vendor files as they are now (else they changed since)')
  t.equal(renderExtract(fresh), readFileSync(EXTRACT_PATH, 'utf8'), 'run `npm run vendor:extract` to refresh test/vendor/operations.json')
})
