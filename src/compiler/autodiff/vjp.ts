/**
 * Reverse-mode autodiff as a graph transform: (outputs, their cotangents, inputs) -> the inputs' cotangents,
 * as new IR nodes. Nothing is computed here; the result is an ordinary lazy graph (printing it shows the
 * backward program), and because it is graph -> graph it composes: the vjp of a vjp's result is a second
 * derivative.
 *
 * The walk: nodes reachable from the roots in reverse topological order; a node is visited only when it
 * depends on one of `wrt` through float nodes and not through a `detach` (pruning: no gradient work for
 * parts of the graph that cannot reach an input). Each visited node's cotangent, the sum of what its users
 * sent it (fan-out), is handed to the node's VJP rule.
 */
import { AutogradError, isFloat, shapeEq, toposort, type Node } from '../../ir/index.js';
import * as A from './algebra.js';
import { VJP_RULES, type VjpRule } from './rules.js';

function assert(cond: boolean, msg: () => string): asserts cond {
  if (!cond) throw new Error(`internal autodiff error: ${msg()}`);
}

/** The nodes of `order` that depend on a node of `wrt` through float nodes, not through a detach. */
export function dependents(order: readonly Node[], wrt: ReadonlySet<Node>): Set<Node> {
  const dep = new Set<Node>();
  for (const n of order) {
    if (!isFloat(n.dtype)) continue;
    if (wrt.has(n) || (n.op !== 'detach' && n.srcs.some((s) => dep.has(s)))) dep.add(n);
  }
  return dep;
}

/**
 * Cotangents of `wrt` given cotangents of `roots` (each shaped and typed like its root). An input that no
 * root depends on gets `null`; one reached only through ops with zero gradient (floor, sign, ...) gets a
 * zero constant.
 */
export function vjp(roots: readonly Node[], cotangents: readonly Node[], wrt: readonly Node[]): (Node | null)[] {
  if (roots.length !== cotangents.length) {
    throw new AutogradError(`vjp: got ${roots.length} outputs but ${cotangents.length} cotangents`);
  }
  roots.forEach((r, i) => {
    const ct = cotangents[i]!;
    if (!shapeEq(r.shape, ct.shape) || r.dtype !== ct.dtype) {
      throw new AutogradError(
        `vjp: cotangent ${i} is ${ct.dtype}[${ct.shape.join(', ')}] but output ${i} is ${r.dtype}[${r.shape.join(', ')}]`,
      );
    }
  });
  const wrtSet = new Set(wrt);
  const order = toposort(roots);
  const dep = dependents(order, wrtSet);
  const ct = new Map<Node, Node>();
  const send = (n: Node, g: Node): void => {
    assert(shapeEq(n.shape, g.shape) && n.dtype === g.dtype, () => `cotangent ${g.dtype}[${g.shape}] for ${n}`);
    const prev = ct.get(n);
    ct.set(n, prev === undefined ? g : A.add(prev, g));
  };
  roots.forEach((r, i) => {
    if (dep.has(r)) send(r, cotangents[i]!);
  });
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    const g = ct.get(n);
    if (g === undefined || !dep.has(n)) continue;
    // Intermediate cotangents are dropped once used, so only the results' graphs stay referenced.
    if (!wrtSet.has(n)) ct.delete(n);
    if (n.srcs.length === 0 || !n.srcs.some((s) => dep.has(s))) continue;
    const rule: VjpRule = VJP_RULES[n.op];
    const grads = A.isConstOf(g, 0)
      ? n.srcs.map((s) => () => A.zerosLike(s)) // a zero cotangent sends zeros on (the inputs were used)
      : rule({ node: n, srcs: n.srcs, g });
    n.srcs.forEach((s, k) => {
      const thunk = grads[k];
      if (!dep.has(s) || !thunk) return;
      send(s, thunk());
    });
  }
  return wrt.map((w) => ct.get(w) ?? null);
}
