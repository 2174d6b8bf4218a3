// One page of a list the vendor pages: an organization's or a project's members, a governance policy's projects.

/**
 * The rows of page `page` (from 1) of a list of `total`, read with `read(limit, offset)`. Past the
 * end there is nothing to read; skipping the query also keeps huge offsets out of SQL.
 */
export function readPage<T> (total: number, page: number, pageSize: number, read: (limit: number, offset: number) => T[]): T[] {
  const offset = (page - 1) * pageSize
  return offset < total ? read(pageSize, offset) : []
}

/** One page of a list as a page shows it: its rows, which page it is (from 1), how many pages and rows there are. */
export interface Page<T> {
  items: T[]
  page: number
  pages: number
  total: number
}

/**
 * Page `page` of a list of `total`, `pageSize` rows a page, the page number kept within the pages
 * there are (past the last shows the last); an empty list has one empty page.
 */
export function pageOf<R, T> (total: number, page: number | undefined, pageSize: number, read: (limit: number, offset: number) => R[], present: (row: R) => T): Page<T> {
  const pages = Math.max(1, Math.ceil(total / pageSize))
  const at = Math.min(Math.max(1, Math.trunc(page ?? 1)), pages)
  return { items: readPage(total, at, pageSize, read).map(present), page: at, pages, total }
}
