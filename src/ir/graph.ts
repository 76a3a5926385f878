import type { Node } from './node.js';
import { nextWalkMark } from './hash.js';

/**
 * Nodes reachable from `roots` in topological order (inputs before users), each once.
 * A node whose value is already realized is a leaf of the walk when `stop` is true; a function `stop` names
 * the nodes whose inputs are not walked.
 */
export function toposort(roots: readonly Node[], stop: boolean | ((n: Node) => boolean) = false): Node[] {
  const isLeaf = typeof stop === 'function' ? stop : stop ? (n: Node) => !!n.realized : () => false;
  const order: Node[] = [];
  // Iterative DFS: graphs of training steps are deep enough to overflow the JS stack. Nodes seen are marked
  // through their scratch field (no Set: a graph of a million nodes is walked without one).
  const mark = nextWalkMark();
  const stack: Node[] = [];
  const next: number[] = [];
  for (const r of roots) {
    if (r._mark === mark) continue;
    r._mark = mark;
    stack.push(r);
    next.push(0);
    while (stack.length) {
      const top = stack.length - 1;
      const n = stack[top]!;
      const i = next[top]!;
      const srcs = i === 0 && isLeaf(n) ? null : n.srcs;
      if (srcs !== null && i < srcs.length) {
        next[top] = i + 1;
        const s = srcs[i]!;
        if (s._mark !== mark) {
          s._mark = mark;
          stack.push(s);
          next.push(0);
        }
      } else {
        stack.pop();
        next.pop();
        order.push(n);
      }
    }
  }
  return order;
}

/**
 * Visits each node reachable from `roots` once, in no particular order. `visit` returns 'leaf' to not walk a
 * node's inputs, or false to end the walk; the result is false when the walk was ended.
 */
export function walkNodes(roots: readonly Node[], visit: (n: Node) => boolean | 'leaf' | void): boolean {
  const seen = new Set<Node>();
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const r = visit(n);
    if (r === false) return false;
    if (r !== 'leaf') for (const s of n.srcs) if (!seen.has(s)) stack.push(s);
  }
  return true;
}

/** For each node, the nodes that read it (within the graph of `order`). */
export function consumers(order: readonly Node[], stopAtRealized = false): Map<Node, Node[]> {
  const out = new Map<Node, Node[]>();
  for (const n of order) out.set(n, []);
  for (const n of order) {
    if (stopAtRealized && n.realized) continue;
    for (const s of n.srcs) out.get(s)?.push(n);
  }
  return out;
}
