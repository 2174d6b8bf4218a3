// Path patterns for faults and journal filters: `*` is one (non-empty) path segment, `**` any run of them.

/**
 * Compiles "/v1/projects/*\/invitations" to a regular expression over the path (query excluded).
 * Everything but `*` is literal; a pattern without a leading slash matches nothing but itself.
 */
export function globToRegExp (pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*'
      i++
    } else if (c === '*') {
      source += '[^/]+'
    } else {
      source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    }
  }
  return new RegExp(`^${source}$`)
}

/** The path of a request URL, without its query string. */
export function pathOf (url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}
