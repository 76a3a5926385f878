/**
 * Graph substitution: rebuild the graphs of `roots` with some nodes replaced by others (same shape and
 * dtype). `torch.func` uses it the way JAX uses jaxpr variables: a function is traced on fresh, unique
 * placeholder inputs (so they cannot be confused with equal nodes elsewhere, hash-consing being what it is),
 * differentiated with respect to them, and the placeholders are then replaced by the real arguments, which
 * keeps the result differentiable with respect to those arguments (grad of grad).
 */
import { makeNode, shapeEq, toposort, type Node } from '../../ir/index.js';

export function substitute(roots: readonly Node[], map: ReadonlyMap<Node, Node>): Node[] {
  for (const [from, to] of map) {
    if (!shapeEq(from.shape, to.shape) || from.dtype !== to.dtype) {
      throw new Error(`internal: substitute ${from} by ${to} of another shape or dtype`);
    }
  }
  if (map.size === 0) return [...roots];
  const out = new Map<Node, Node>(map);
  for (const n of toposort(roots)) {
    if (out.has(n)) continue;
    const srcs = n.srcs.map((s) => out.get(s)!);
    out.set(n, srcs.every((s, i) => s === n.srcs[i]) ? n : makeNode(n.op, n.dtype, n.shape, srcs, n.arg));
  }
  return roots.map((r) => out.get(r)!);
}
