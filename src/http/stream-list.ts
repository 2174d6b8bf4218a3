// A long list answered as a stream, page by page, giving the event loop back between pages: the same bytes as the whole answer, without building it.
import { Readable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { FastifyReply } from 'fastify'
import type { TSchema } from 'typebox'

/**
 * Rows read and written per step. A step of 500 invitations takes about 3 ms (read, serialize), so
 * a request that arrives while eight long lists are being answered waits for a few steps, not for
 * whole lists; and a list holds at most one step's rows in memory, not the whole answer (12 MiB
 * for 100,000 invitations, 1.7 s to build in one go before).
 */
export const LIST_PAGE = 500

/** A list, read in pages: the first one read, and how to read the one after a row. */
export interface Pages<Row> {
  first: Row[]
  after: (last: Row) => Row[]
}

/**
 * Answers `{"success":true,"data":{"<key>":[...]}}`, the shape of every list answer here: when the
 * list fits in its first page, as any answer (the route's serializer); else as a stream of the
 * same bytes. Each item goes through the serializer compiled for `itemSchema` (the one the route's
 * own serializer uses for an item), so the bytes are those the whole answer would have had. Pages
 * after the first are read while the answer is sent, each after the turn of the event loop the one
 * before ended: rows added meanwhile after the last one read are in the list, as if it had been
 * read a moment later; ids still ascend and every row is whole. A client that goes away stops the
 * reading (the stream is destroyed, the generator returns).
 */
export function sendList<Row, Item, Key extends string> (reply: FastifyReply, key: Key, pages: Pages<Row>, present: (row: Row) => Item, itemSchema: TSchema):
{ success: true, data: Record<Key, Item[]> } | FastifyReply {
  if (pages.first.length < LIST_PAGE) return { success: true, data: { [key]: pages.first.map(present) } as Record<Key, Item[]> }
  const serialize = reply.compileSerializationSchema(itemSchema as unknown as Record<string, unknown>) as (item: Item) => string
  async function * chunks (): AsyncGenerator<string> {
    yield `{"success":true,"data":{${JSON.stringify(key)}:[`
    let page = pages.first
    let separator = ''
    for (;;) {
      let text = ''
      for (const row of page) {
        text += separator + serialize(present(row))
        separator = ','
      }
      yield text
      if (page.length < LIST_PAGE) break
      await nextTurn()
      page = pages.after(page[page.length - 1]!)
    }
    yield ']}}'
  }
  return reply.type('application/json; charset=utf-8').send(Readable.from(chunks(), { objectMode: false }))
}
