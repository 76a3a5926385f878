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
 *  7. Kernels run in dependency order; a kernel never writes a buffer another kernel of the program still
 *     reads: intermediates are fresh buffers, and `assign` writes happen after every kernel that could
 *     fail and into a temporary when the target is read by the same or a later assign (see plan.ts).
 */
import type { Node } from '../../ir/node.js';
import { toposort } from '../../ir/graph.js';
import { isMovement, OPS } from '../../ir/ops.js';
import { CHEAP, opCost, shouldMaterialize } from './cost.js';

const ALWAYS_OWN_KERNEL = new Set(['contiguous', 'cumsum', 'scatterAdd']);

/**
 * The nodes written to buffers by kernels (the roots' values and the materialized intermediates), in an
 * order where every kernel comes after the kernels it reads. `forced` are nodes the lowering could not fuse;
 * `alone` are roots whose kernels never share loops with others (values written into `assign` targets).
 */
export function chooseMaterialized(
  values: readonly Node[],
  isInput: (n: Node) => boolean,
  forced: ReadonlySet<Node>,
  alone: (n: Node) => boolean = () => false,
): Node[] {
  // The largest values' graphs first: kernels are numbered in this order and multi-output grouping
  // (compile.ts) visits them in it, so the big kernels form their groups before small ones can tie them to
  // others (a loss read first would otherwise take its gradient's per-row scale into its own kernel, and the
  // gradient could no longer join the kernel reading the logits).
  const order = toposort(
    [...values].sort((a, b) => b.numel - a.numel),
    isInput,
  );
  const K = new Set<Node>();
  for (const v of values) if (!isInput(v)) K.add(v);
  for (const n of order) if (!isInput(n) && (forced.has(n) || ALWAYS_OWN_KERNEL.has(n.op))) K.add(n);

  const users = new Map<Node, Node[]>();
  for (const n of order) users.set(n, []);
  for (const n of order) if (!isInput(n)) for (const s of n.srcs) users.get(s)!.push(n);

  // The costs depend on what is materialized below a value, which is decided after it (top-down): start
  // from the roots and forced nodes, then decide again with the costs of the previous decision, a few times
  // (a reduction below a mask that turns out to be materialized anyway makes the mask cheap to recompute).
  const base = new Set(K);
  let chosen = decide(order, isInput, users, base, base, alone);
  for (let round = 0; round < 3; round++) {
    const next = decide(order, isInput, users, base, chosen, alone);
    if (next.size === chosen.size && [...next].every((n) => chosen.has(n))) break;
    chosen = next;
  }
  return order.filter((n) => chosen.has(n));
}

/**
 * One decision pass: the materialized nodes given `base` (always materialized) with fused costs computed as
 * if the nodes of `costK` were materialized. Movement ops are never materialized by the cost rule: their
 * readers count as readers of their source, which is materialized instead (a broadcast or a window view is
 * never stored in its expanded form).
 */
function decide(
  order: readonly Node[],
  isInput: (n: Node) => boolean,
  users: ReadonlyMap<Node, Node[]>,
  base: ReadonlySet<Node>,
  costK: ReadonlySet<Node>,
  alone: (n: Node) => boolean,
): Set<Node> {
  const K = new Set(base);
  // Fused cost and dependence on a reduction, bottom-up.
  const cost = new Map<Node, number>();
  const perRow = new Map<Node, boolean>();
  for (const n of order) {
    if (isInput(n)) {
      cost.set(n, 0);
      perRow.set(n, false);
      continue;
    }
    let c = n.op === 'reduce' ? CHEAP + 1 : opCost(n);
    let r = n.op === 'reduce';
    for (const s of n.srcs) {
      if (costK.has(s)) continue;
      c += cost.get(s)!;
      r ||= perRow.get(s)!;
    }
    cost.set(n, Math.min(c, CHEAP + 1));
    perRow.set(n, r);
  }

  // Readers and broadcast factors, top-down (every user is decided before the value it reads).
  const readers = new Map<Node, Set<Node>>();
  const broadcast = new Map<Node, number>();
  const rows = new Map<Node, Set<string> | null>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (isInput(n)) continue;
    if (!K.has(n) && n.numel === 0) {
      readers.set(n, new Set());
      broadcast.set(n, 1);
    } else if (!K.has(n)) {
      const R = new Set<Node>();
      let b = 1;
      let sigs: Set<string> | null = new Set();
      for (const c of users.get(n)!) {
        if (K.has(c)) R.add(c);
        else for (const r of readers.get(c)!) R.add(r);
        const through = K.has(c) || c.op === 'reduce' ? 1 : broadcast.get(c)!;
        b = Math.max(b, through * (c.op === 'expand' || c.op === 'unfold' ? c.numel / n.numel : 1));
        sigs = K.has(c) && alone(c) ? null : joinRows(sigs, n, c, K.has(c), rows.get(c) ?? null);
      }
      rows.set(n, sigs);
      // Readers that all read the value at its own element, from one row reduction over it and values over
      // its shape (a cross entropy's exp: its sum and the gradient), share one kernel's loops once grouped
      // (compile.ts): the kernel computes it once per element and keeps it for the output (render/c/stash.ts).
      const shared = sigs !== null && sigs.size === 1;
      const info = { readers: shared ? 1 : R.size, broadcast: b, cost: cost.get(n)!, perRow: perRow.get(n)! && R.size === 1 };
      if (!isMovement(n.op) && shouldMaterialize(n, info)) K.add(n);
      else {
        readers.set(n, R);
        broadcast.set(n, b);
      }
    }
    if (K.has(n)) {
      readers.set(n, new Set([n]));
      broadcast.set(n, 1);
    }
  }
  return K;
}

/**
 * The row reductions (input shape and axes) through which value `n` is read, given one more user `c`: null
 * when some path from `n` to a kernel reads it at another element (a movement other than a reshape, a
 * gather, a scan): then its readers cannot share loops. `below` is what is known of `c` when `c` is fused.
 */
function joinRows(acc: Set<string> | null, n: Node, c: Node, cIsKernel: boolean, below: Set<string> | null): Set<string> | null {
  if (acc === null) return null;
  if (c.op === 'reduce') return acc.add(`${n.shape.join(',')}|${(c.arg as { axes: number[] }).axes.join(',')}`);
  const cat = OPS[c.op].cat;
  if (!(cat === 'unary' || cat === 'binary' || cat === 'compare' || cat === 'ternary' || c.op === 'reshape')) return null;
  if (cIsKernel) return acc;
  if (below === null) return null;
  for (const x of below) acc.add(x);
  return acc;
}
