// One page of a list the vendor pages: an organization's or a project's members, a governance policy's projects.

/**
 * The rows of page `page` (from 1) of a list of `total`, read with `read(limit, offset)`. Past the
 * end there is nothing to read; skipping the query also keeps huge offsets out of SQL.
 */
export function readPage<T> (total: number, page: number, pageSize: number, read: (limit: number, offset: number) => T[]): T[] {
  const offset = (page - 1) * pageSize
  return offset < total ? read(pageSize, offset) : []
}
