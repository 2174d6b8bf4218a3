// Grouping the rows of a join under the id they belong to (a policy's permissions, a role's policies).

/** Each key's values, in the rows' order; a key no row names has no entry. */
export function groupBy<T, V> (rows: readonly T[], keyOf: (row: T) => string, valueOf: (row: T) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>()
  for (const row of rows) {
    const key = keyOf(row)
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [valueOf(row)])
    else group.push(valueOf(row))
  }
  return groups
}
