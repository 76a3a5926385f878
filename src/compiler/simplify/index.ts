/**
 * The simplifier: constant folding (rounded as each dtype stores values), algebraic identities, the
 * removal of `detach` (a marker for autodiff only) and the widening of narrow dtypes (widen.ts). CSE needs no pass: nodes are hash-consed, so rebuilding
 * a graph bottom-up merges equal subgraphs by construction.
 */
import type { Node } from '../../ir/node.js';
import { toposort } from '../../ir/graph.js';
import { rebuild } from './rebuild.js';
import { foldConstants, identities } from './rules.js';
import { widen } from './widen.js';

/** A node whose value is already in a buffer: a leaf of every pass. */
export const isLeaf = (n: Node): boolean => n.op === 'buffer' || n.realized !== null;

/**
 * Simplify the graph of `roots`; returns the simplified roots (in the same order). `images`, when given,
 * receives the simplified node of every node of the graph (inspection draws what was compiled).
 */
export function simplify(roots: readonly Node[], images?: Map<Node, Node>): Node[] {
  const order = toposort(roots, true);
  const map = images ?? new Map<Node, Node>();
  for (const n of order) {
    if (isLeaf(n) || n.srcs.length === 0) {
      map.set(n, isLeaf(n) ? n : widen(n));
      continue;
    }
    let m = rebuild(n, n.srcs.map((s) => map.get(s)!));
    // Rules may expose more rules (pow(x, 2) -> x*x): apply to a fixpoint (each step shrinks or stops).
    for (let i = 0; i < 8; i++) {
      const next = identities(foldConstants(m));
      if (next === m) break;
      m = next;
    }
    map.set(n, widen(m));
  }
  return roots.map((r) => map.get(r)!);
}
