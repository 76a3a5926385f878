/**
 * Scheduling: which values of a graph are written to a buffer of their own by a kernel, and in what order
 * the kernels run. Everything else is fused: computed inside the kernel that reads it.
 *
 * The fusion rules, as implemented (tests in test/compiler/fusion.test.ts count kernels for each):
 *  1. Every root is a kernel output (an `assign` root: its value, written into the target buffer).
 *  2. Elementwise ops of any chain length fuse into their reader: `((x*2+y).exp()*y).sum()` is one kernel.
 *  3. Movement ops (reshape, permute, expand, slice, pad, flip) never copy by themselves: the lowering turns
 *     them into index arithmetic in the kernel that reads them. `detach` is removed by simplify.
 *  4. A reduction fuses into the kernel that reads it when that kernel can compute it per row: the
 *     elementwise work after it (`relu(x @ w.T + b)`: one kernel) and elementwise work over its input shape
 *     that reads it broadcast back over the reduced axes (`x - x.mean(1, keepdim)`, softmax: one kernel, with
 *     one pass over the row per reduction). All reductions fused into one kernel share their input shape
 *     and axes. Where the lowering cannot compute a reduction per row (another shape, a permuted read), it
 *     reports `FuseError` and the reduction is materialized (its own kernel).
 *  5. A value read by several kernels, or broadcast, is recomputed or materialized by the cost rule
 *     (cost.ts, the one place where that is decided).
 *  6. `contiguous` is materialized; `cumsum` and `scatterAdd` are kernels of their own (they fuse the
 *     elementwise work that produces their inputs). `gather` fuses (a bounds-checked data-dependent load).
 *  8. The cut (cost.ts): a kernel's fused expression counts at most MAX_FUSED nodes; larger ones are cut
 *     into kernels by materializing inputs, so any chain length compiles in time and space that follow it.
 *  7. Kernels run in dependency order; a kernel never writes a buffer another kernel of the program still
 *     reads: intermediates are fresh buffers, and `assign` writes happen after every kernel that could
 *     fail and into a temporary when the target is read by the same or a later assign (see plan.ts).
 */
import type { Node } from '../../ir/node.js';
import { toposort } from '../../ir/graph.js';
import { isMovement } from '../../ir/ops.js';
import { CHEAP, fusedSize, inputsToCut, opCost, shouldMaterialize } from './cost.js';

const ALWAYS_OWN_KERNEL = new Set(['contiguous', 'cumsum', 'scatterAdd']);

/**
 * The nodes written to buffers by kernels (the roots' values and the materialized intermediates), in an
 * order where every kernel comes after the kernels it reads. `forced` are nodes the lowering could not fuse.
 */
export function chooseMaterialized(values: readonly Node[], isInput: (n: Node) => boolean, forced: ReadonlySet<Node>): Node[] {
  const order = toposort(values, isInput);
  const K = new Set<Node>();
  for (const v of values) if (!isInput(v)) K.add(v);
  for (const n of order) if (!isInput(n) && (forced.has(n) || ALWAYS_OWN_KERNEL.has(n.op))) K.add(n);

  const users = new Map<Node, Node[]>();
  for (const n of order) users.set(n, []);
  for (const n of order) if (!isInput(n)) for (const s of n.srcs) users.get(s)!.push(n);

  // Which kernels read a value depends on what is materialized above it, its cost on what is materialized
  // below it. Each pass decides bottom-up with exact costs and the readers of the previous pass's decision;
  // a few passes settle it (the first assumes only the roots and forced nodes are materialized).
  const base = new Set(K);
  let chosen = decide(order, isInput, users, base, base);
  for (let round = 0; round < 3; round++) {
    const next = decide(order, isInput, users, base, chosen);
    if (next.size === chosen.size && [...next].every((n) => chosen.has(n))) break;
    chosen = next;
  }
  return order.filter((n) => chosen.has(n));
}

/** The kernels that would evaluate a value if it were fused: none, one (that kernel's output), or several. */
type Readers = Node | 'many' | null;

const union = (a: Readers, b: Readers): Readers => (a === null ? b : b === null || a === b ? a : 'many');
const count = (r: Readers): number => (r === null ? 0 : r === 'many' ? 2 : 1);

/**
 * One decision pass: the materialized nodes given `base` (always materialized), with the readers of each value
 * taken as if the nodes of `prev` were the materialized ones. Bottom-up, each node's fused cost and size are
 * exact (the decisions below it are made): the cut (cost.ts) materializes inputs of a node that would grow
 * too large, then the cost rule decides the node. Movement ops are never materialized by the cost rule: their
 * readers count as readers of their source, which is materialized instead (a broadcast or a window view is
 * never stored in its expanded form).
 */
function decide(
  order: readonly Node[],
  isInput: (n: Node) => boolean,
  users: ReadonlyMap<Node, Node[]>,
  base: ReadonlySet<Node>,
  prev: ReadonlySet<Node>,
): Set<Node> {
  // Readers and broadcast factors, top-down (every user comes before the value it reads).
  const readers = new Map<Node, Readers>();
  const broadcast = new Map<Node, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (isInput(n)) continue;
    let R: Readers = null;
    let b = 1;
    if (n.numel > 0) {
      for (const c of users.get(n)!) {
        const own = prev.has(c);
        R = union(R, own ? c : readers.get(c)!);
        const through = own || c.op === 'reduce' ? 1 : broadcast.get(c)!;
        b = Math.max(b, through * (c.op === 'expand' || c.op === 'unfold' ? c.numel / n.numel : 1));
      }
    }
    readers.set(n, R);
    broadcast.set(n, b);
  }

  // Decisions, bottom-up.
  const K = new Set<Node>();
  const cost = new Map<Node, number>();
  const perRow = new Map<Node, boolean>();
  const size = new Map<Node, number>();
  const fused = (s: Node): boolean => !isInput(s) && !K.has(s);
  const sizeOf = (s: Node): number => (fused(s) ? size.get(s)! : 1);
  for (const n of order) {
    if (isInput(n)) continue;
    // The cut: materialize the largest inputs while the fused expression would be too large. A view is cut
    // below its chain of views, where the data is not yet expanded.
    for (;;) {
      const cut = inputsToCut(n.srcs.map(sizeOf));
      if (cut.length === 0) break;
      const s = n.srcs[cut[0]!]!;
      let p = s;
      while (isMovement(p.op) && fused(p.srcs[0]!) && sizeOf(p.srcs[0]!) > 1) p = p.srcs[0]!;
      const saved = sizeOf(p) - 1;
      K.add(p);
      for (let v = s; v !== p; v = v.srcs[0]!) size.set(v, size.get(v)! - saved);
    }
    let c = n.op === 'reduce' ? CHEAP + 1 : opCost(n);
    let r = n.op === 'reduce';
    for (const s of n.srcs) {
      if (!fused(s)) continue;
      c += cost.get(s)!;
      r ||= perRow.get(s)!;
    }
    cost.set(n, Math.min(c, CHEAP + 1));
    perRow.set(n, r);
    size.set(n, fusedSize(n.srcs.map(sizeOf)));
    if (base.has(n)) {
      K.add(n);
      continue;
    }
    const R = readers.get(n)!;
    const info = { readers: count(R), broadcast: broadcast.get(n)!, cost: cost.get(n)!, perRow: r && count(R) === 1 };
    if (!isMovement(n.op) && shouldMaterialize(n, info)) K.add(n);
  }
  return K;
}
