/**
 * Bounds on what aliases expand to. A YAML alias shares one node in several places: a "billion
 * laughs" file uses a handful of aliases, passes the alias limit, and expands to billions of nodes
 * (JSON.stringify of it never finishes); aliases can also nest a value far deeper than the parser's
 * depth limit. Both are measured on the constructed value, memoised by identity, so the cost is
 * linear in the distinct nodes, never in the expansion.
 */
export const MAX_EXPANDED_NODES = 1_000_000
export const MAX_EXPANDED_DEPTH = 64

export interface Expansion {
  nodes: number
  depth: number
}

/** The expanded node count and depth of a constructed YAML value (shared nodes counted each time). */
export function measureExpansion(value: unknown): Expansion {
  const memo = new Map<object, Expansion>()
  const visit = (node: unknown, onPath: Set<object>): Expansion => {
    if (typeof node !== 'object' || node === null) return { nodes: 1, depth: 0 }
    const known = memo.get(node)
    if (known) return known
    if (onPath.has(node)) return { nodes: Infinity, depth: Infinity }
    onPath.add(node)
    let nodes = 1
    let depth = 0
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      const inner = visit(child, onPath)
      nodes = Math.min(nodes + inner.nodes, Number.MAX_SAFE_INTEGER)
      depth = Math.max(depth, inner.depth)
    }
    onPath.delete(node)
    const measured = { nodes, depth: depth + 1 }
    memo.set(node, measured)
    return measured
  }
  return visit(value, new Set())
}

/** Why a value is too large once its aliases are expanded, or undefined when it is fine. */
export function expansionProblem(value: unknown): string | undefined {
  const { nodes, depth } = measureExpansion(value)
  if (nodes > MAX_EXPANDED_NODES)
    return `the document expands to more than ${MAX_EXPANDED_NODES} nodes through aliases (an alias bomb?)`
  if (depth > MAX_EXPANDED_DEPTH)
    return `the document nests deeper than ${MAX_EXPANDED_DEPTH} levels through aliases`
  return undefined
}
