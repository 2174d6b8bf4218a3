// The string formats every Ajv instance here knows: ajv-formats', with a stricter "date-time".
import type { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { EARLIEST_ISO_MS, LATEST_ISO_MS } from '../schemas/common.js'

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

/**
 * ajv-formats' formats, with "date-time" as the format allows it and also a time Date reads (not a
 * leap second) that stays within years 0000-9999 once in UTC: "9999-12-31T23:59:59-01:00" is year
 * 10000, which toISOString writes as "+010000-...", a string no date-time schema accepts (the
 * answer would fail). Used by the request validators and the fixtures validator alike.
 */
export function withFormats (ajv: Ajv): Ajv {
  addFormats(ajv)
  const format = ajv.formats['date-time'] as { validate: (text: string) => boolean }
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (text: string) => {
      if (!format.validate(text)) return false
      const ms = Date.parse(text)
      return ms >= EARLIEST_ISO_MS && ms <= LATEST_ISO_MS
    }
  })
  return ajv
}
