/**
 * @module plan/graph
 *
 * A small directed graph of string ids for the plan: Kahn's topological order, a cycle finder that names the
 * cycle, transitive reduction over a convex subset of nodes, node squashing and Graphviz output. Takes and gives
 * plain maps; pure, no imports from the rest of src/ but src/errors.
 */

export type Edges = Map<string, Set<string>>;

export function addEdge(edges: Edges, from: string, to: string): void {
  let set = edges.get(from);
  if (set === undefined) edges.set(from, (set = new Set()));
  set.add(to);
}

export function predecessorsOf(nodes: Iterable<string>, edges: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Set<string>> {
  const preds = new Map<string, Set<string>>();
  for (const id of nodes) preds.set(id, new Set());
  for (const [from, tos] of edges) for (const to of tos) preds.get(to)?.add(from);
  return preds;
}

/** Kahn's algorithm; nodes on or behind a cycle are missing from the result. Ties keep insertion order. */
export function topologicalOrder(nodes: readonly string[], edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const indegree = new Map<string, number>();
  for (const id of nodes) indegree.set(id, 0);
  for (const tos of edges.values()) for (const to of tos) indegree.set(to, (indegree.get(to) ?? 0) + 1);
  const queue = nodes.filter((id) => indegree.get(id) === 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] ?? "";
    for (const to of edges.get(id) ?? []) {
      const d = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, d);
      if (d === 0) queue.push(to);
    }
  }
  return queue;
}

/**
 * A cycle among the nodes Kahn's algorithm could not order, as `[a, b, ..., a]` in edge direction; undefined when
 * the graph is acyclic. Every such node has a predecessor among them, so walking predecessors must revisit one.
 */
export function findCycle(nodes: readonly string[], edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const ordered = new Set(topologicalOrder(nodes, edges));
  if (ordered.size === nodes.length) return undefined;
  const left = new Set(nodes.filter((id) => !ordered.has(id)));
  const preds = predecessorsOf(left, edges);
  const start = left.values().next().value;
  if (start === undefined) return undefined;
  const seenAt = new Map<string, number>();
  const walk: string[] = [];
  let current: string = start;
  while (!seenAt.has(current)) {
    seenAt.set(current, walk.length);
    walk.push(current);
    let next: string | undefined;
    for (const p of preds.get(current) ?? []) {
      if (left.has(p)) {
        next = p;
        break;
      }
    }
    if (next === undefined) return undefined;
    current = next;
  }
  // The walk went backwards along edges; the cycle is its tail from the repeated node, reversed.
  const cycle = walk.slice(seenAt.get(current)).reverse();
  cycle.push(cycle[0] ?? current);
  return cycle;
}

/**
 * Removes edges implied by longer paths, among `subset` only. `subset` must be convex (no path leaves it and comes
 * back) and acyclic. Successors are visited in topological order, so a successor reachable through an earlier one
 * is redundant; reachability is kept as bitsets, O(kept edges × |subset| / 32).
 */
export function reduceTransitively(subset: readonly string[], edges: Edges): void {
  const inside = new Set(subset);
  const local = new Map<string, Set<string>>();
  for (const id of subset) local.set(id, new Set([...(edges.get(id) ?? [])].filter((to) => inside.has(to))));
  const order = topologicalOrder(subset, local);
  const rank = new Map<string, number>();
  order.forEach((id, i) => rank.set(id, i));
  const words = Math.ceil(order.length / 32);
  const reach = new Map<string, Uint32Array>();
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i] ?? "";
    const bits = new Uint32Array(words);
    const successors = [...(local.get(id) ?? [])].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
    for (const to of successors) {
      const r = rank.get(to) ?? 0;
      if (((bits[r >>> 5] ?? 0) & (1 << (r & 31))) !== 0) {
        edges.get(id)?.delete(to);
        continue;
      }
      bits[r >>> 5] = (bits[r >>> 5] ?? 0) | (1 << (r & 31));
      const below = reach.get(to);
      if (below !== undefined) for (let w = 0; w < words; w++) bits[w] = (bits[w] ?? 0) | (below[w] ?? 0);
    }
    reach.set(id, bits);
  }
}

/** Removes nodes, connecting each one's predecessors to its successors (nelm's SquashOperation). */
export function squash(nodes: Map<string, unknown>, edges: Edges, drop: ReadonlySet<string>): void {
  if (drop.size === 0) return;
  const preds = predecessorsOf(nodes.keys(), edges);
  for (const id of drop) {
    const succ = [...(edges.get(id) ?? [])];
    for (const p of preds.get(id) ?? []) {
      const set = edges.get(p);
      set?.delete(id);
      for (const s of succ) {
        addEdge(edges, p, s);
        preds.get(s)?.add(p);
      }
    }
    for (const s of succ) preds.get(s)?.delete(id);
    edges.delete(id);
    nodes.delete(id);
    preds.delete(id);
  }
}

/** Every edge as `[from, to]`, sorted. */
export function sortedEdges(edges: ReadonlyMap<string, ReadonlySet<string>>): [string, string][] {
  const out: [string, string][] = [];
  for (const [from, tos] of edges) for (const to of tos) out.push([from, to]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}

export function toDot(nodes: readonly { id: string; point: boolean }[], edges: ReadonlyMap<string, ReadonlySet<string>>): string {
  const lines = ["strict digraph {", "  rankdir=\"LR\";"];
  for (const node of [...nodes].sort((a, b) => (a.id < b.id ? -1 : 1))) lines.push(`  ${JSON.stringify(node.id)} [shape=${node.point ? "point" : "box"}];`);
  for (const [from, to] of sortedEdges(edges)) lines.push(`  ${JSON.stringify(from)} -> ${JSON.stringify(to)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
