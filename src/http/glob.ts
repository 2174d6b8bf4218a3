// Path patterns for faults and journal filters: `*` is within one (non-empty) path segment, a `**` segment any run of segments.

/** A compiled pattern: tells whether a path (query excluded) matches. */
export type PathMatcher = (path: string) => boolean

/**
 * Whether one segment matches a segment pattern where `*` stands for one or more characters. The
 * classic two-pointer glob match: it backtracks only to the last star, so it takes at most
 * O(segment × pattern) steps, never exponential time (a regular expression here could).
 */
function segmentMatches (pattern: string, text: string): boolean {
  if (!pattern.includes('*')) return pattern === text
  if (text === '') return false
  let p = 0
  let s = 0
  let star = -1
  let mark = 0
  while (s < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++
      // The star takes at least one character.
      mark = ++s
    } else if (p < pattern.length && pattern[p] === text[s]) {
      p++
      s++
    } else if (star !== -1) {
      p = star + 1
      s = ++mark
    } else {
      return false
    }
  }
  // Pattern left over (a trailing star included, which would need a character) is no match.
  return p === pattern.length
}

/**
 * Compiles "/v1/projects/*\/invitations" or "/v1/**": a `**` segment matches any run of segments
 * (none included); a `*` inside a segment one or more characters of it; everything else is
 * literal. Matching walks the segments with a table of (pattern, path) positions, so its cost is
 * bounded by their product whatever the pattern.
 */
export function compileGlob (pattern: string): PathMatcher {
  // Consecutive "**" segments mean the same as one.
  const parts = pattern.split('/').filter((part, i, all) => !(part === '**' && all[i - 1] === '**'))
  return (path) => {
    const segments = path.split('/')
    // reach[j]: the first i pattern parts can match the first j segments.
    let reach = new Array<boolean>(segments.length + 1).fill(false)
    reach[0] = true
    for (const part of parts) {
      const next = new Array<boolean>(segments.length + 1).fill(false)
      if (part === '**') {
        let any = false
        for (let j = 0; j <= segments.length; j++) {
          any ||= reach[j]!
          next[j] = any
        }
      } else {
        for (let j = 0; j < segments.length; j++) {
          if (reach[j] === true && segmentMatches(part, segments[j]!)) next[j + 1] = true
        }
      }
      reach = next
    }
    return reach[segments.length] === true
  }
}

/** The path of a request URL, without its query string. */
export function pathOf (url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}
