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
import { isMovement, OPS } from '../../ir/ops.js';
import { CHEAP, inputsToCut, MAX_FUSED, opCost, shouldMaterialize } from './cost.js';

const ALWAYS_OWN_KERNEL = new Set(['contiguous', 'cumsum', 'argsort', 'scatterAdd']);

/**
 * The nodes written to buffers by kernels (the roots' values and the materialized intermediates), in an
 * order where every kernel comes after the kernels it reads. `forced` are nodes the lowering could not fuse.
 * `order` is the graph of `values` inputs first, stopping at inputs, when the caller has it. `alone` are
 * roots whose kernels never share loops with others (values written into `assign` targets).
 */
export function chooseMaterialized(
  values: readonly Node[],
  isInput: (n: Node) => boolean,
  forced: ReadonlySet<Node>,
  order: readonly Node[] = toposort(values, isInput),
  alone: (n: Node) => boolean = () => false,
): Node[] {
  const g = indexGraph(order, isInput, alone);
  const base = new Uint8Array(g.order.length);
  for (const v of values) if (!isInput(v)) base[g.pos.get(v)!] = 1;
  g.order.forEach((n, i) => {
    if (!g.input[i] && (forced.has(n) || ALWAYS_OWN_KERNEL.has(n.op))) base[i] = 1;
  });

  // Which kernels read a value depends on what is materialized above it, its cost on what is materialized
  // below it. The decisions are made top-down (a value's readers are decided before it: a reduction read by
  // one materialized elementwise value fuses into it) with the fused costs of the previous decision, a few
  // times; then one bottom-up pass settles what that left too costly to recompute (where the previous costs
  // were wrong: a recurrence c_t = f(c_{t-1}) flips between all and none materialized) and applies the cut.
  let chosen = topDown(g, base, base);
  for (let round = 0; round < 3; round++) {
    const next = topDown(g, base, chosen);
    const same = next.every((x, i) => x === chosen[i]);
    chosen = next;
    if (same) break;
  }
  chosen = bottomUp(g, chosen);
  return g.order.filter((_, i) => chosen[i] === 1);
}

/**
 * A graph in topological order with its edges as positions in flat arrays (compressed rows): the passes
 * below index arrays, not maps, and a graph of a million nodes is a handful of allocations.
 */
interface IndexedGraph {
  readonly order: readonly Node[];
  readonly pos: ReadonlyMap<Node, number>;
  readonly input: Uint8Array;
  /** The inputs of node i are srcIdx[srcAt[i] .. srcAt[i + 1]); its users likewise in userIdx. */
  readonly srcAt: Int32Array;
  readonly srcIdx: Int32Array;
  readonly userAt: Int32Array;
  readonly userIdx: Int32Array;
  readonly movement: Uint8Array;
  readonly opCost: Int32Array;
  /** Nodes whose kernels never share loops (see chooseMaterialized). */
  readonly alone: Uint8Array;
}

function indexGraph(order: readonly Node[], isInput: (n: Node) => boolean, isAlone: (n: Node) => boolean): IndexedGraph {
  const N = order.length;
  const pos = new Map<Node, number>();
  for (let i = 0; i < N; i++) pos.set(order[i]!, i);
  const input = new Uint8Array(N);
  const alone = new Uint8Array(N);
  const movement = new Uint8Array(N);
  const cost = new Int32Array(N);
  const srcAt = new Int32Array(N + 1);
  for (let i = 0; i < N; i++) {
    const n = order[i]!;
    if (isInput(n)) input[i] = 1;
    else if (isAlone(n)) alone[i] = 1;
    srcAt[i + 1] = srcAt[i]! + (input[i] ? 0 : n.srcs.length);
  }
  const srcIdx = new Int32Array(srcAt[N]!);
  const userCount = new Int32Array(N + 1);
  for (let i = 0; i < N; i++) {
    if (input[i]) continue;
    const n = order[i]!;
    movement[i] = isMovement(n.op) ? 1 : 0;
    cost[i] = opCost(n);
    for (let k = 0; k < n.srcs.length; k++) {
      const s = pos.get(n.srcs[k]!)!;
      srcIdx[srcAt[i]! + k] = s;
      userCount[s + 1]!++;
    }
  }
  const userAt = new Int32Array(N + 1);
  for (let i = 0; i < N; i++) userAt[i + 1] = userAt[i]! + userCount[i + 1]!;
  const fill = userAt.slice(0, N);
  const userIdx = new Int32Array(userAt[N]!);
  for (let i = 0; i < N; i++) for (let k = srcAt[i]!; k < srcAt[i + 1]!; k++) userIdx[fill[srcIdx[k]!]!++] = i;
  return { order, pos, input, srcAt, srcIdx, userAt, userIdx, movement, opCost: cost, alone };
}

/**
 * The row reductions (input shape and axes) through which value `n` is read, given one more user `c`: null
 * when some path from `n` to a kernel reads it at another element (a movement other than a reshape, a
 * gather, a scan) or the kernel is `alone`: then its readers cannot share loops. `below` is what is known of
 * `c` when `c` is fused. Readers that all read a value at its own element, from one row reduction over it and
 * values over its shape (a cross entropy's exp: its sum and the gradient), share one kernel's loops once
 * grouped (compile.ts): the kernel computes it once per element and keeps it for the output
 * (render/c/stash.ts), so they count as one reader.
 */
function joinRows(acc: Set<string> | null, n: Node, c: Node, cIsKernel: boolean, cAlone: boolean, below: Set<string> | null): Set<string> | null {
  if (acc === null) return null;
  if (cIsKernel && cAlone) return null;
  if (c.op === 'reduce') return acc.add(`${n.shape.join(',')}|${(c.arg as { axes: number[] }).axes.join(',')}`);
  const cat = OPS[c.op].cat;
  if (!(cat === 'unary' || cat === 'binary' || cat === 'compare' || cat === 'ternary' || c.op === 'reshape')) return null;
  if (cIsKernel) return acc;
  if (below === null) return null;
  for (const x of below) acc.add(x);
  return acc;
}

/** The kernels that would evaluate a value if it were fused: none, one (that kernel's output), or several. */
const NONE = -1;
const MANY = -2;
const union = (a: number, b: number): number => (a === NONE ? b : b === NONE || a === b ? a : MANY);
const count = (r: number): number => (r === NONE ? 0 : r === MANY ? 2 : 1);

/**
 * One top-down decision pass: the materialized nodes (1s) given `base` (always materialized), with fused costs
 * computed as if the nodes of `costK` were materialized. Movement ops are never materialized by the cost rule:
 * their readers count as readers of their source, which is materialized instead (a broadcast or a window view
 * is never stored in its expanded form).
 */
function topDown(g: IndexedGraph, base: Uint8Array, costK: Uint8Array): Uint8Array {
  const { order, input, srcAt, srcIdx, userAt, userIdx, movement } = g;
  const N = order.length;
  // Fused cost and dependence on a reduction, bottom-up.
  const cost = new Int32Array(N);
  const perRow = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    if (input[i]) continue;
    const n = order[i]!;
    let c = n.op === 'reduce' ? CHEAP + 1 : g.opCost[i]!;
    let r = n.op === 'reduce' ? 1 : 0;
    for (let k = srcAt[i]!; k < srcAt[i + 1]!; k++) {
      const s = srcIdx[k]!;
      if (costK[s]) continue;
      c += cost[s]!;
      r |= perRow[s]!;
    }
    cost[i] = Math.min(c, CHEAP + 1);
    perRow[i] = r;
  }
  // Readers and broadcast factors, top-down (every user is decided before the value it reads).
  const K = base.slice();
  const readers = new Int32Array(N).fill(NONE);
  const broadcast = new Float64Array(N).fill(1);
  const rows: (Set<string> | null)[] = new Array(N).fill(null);
  for (let i = N - 1; i >= 0; i--) {
    if (input[i]) continue;
    const n = order[i]!;
    if (!K[i] && n.numel > 0) {
      let R = NONE;
      let b = 1;
      let sigs: Set<string> | null = new Set();
      for (let k = userAt[i]!; k < userAt[i + 1]!; k++) {
        const c = userIdx[k]!;
        R = union(R, K[c] ? c : readers[c]!);
        const u = order[c]!;
        const through = K[c] || u.op === 'reduce' ? 1 : broadcast[c]!;
        b = Math.max(b, through * (u.op === 'expand' || u.op === 'unfold' ? u.numel / n.numel : 1));
        sigs = joinRows(sigs, n, u, K[c] === 1, g.alone[c] === 1, rows[c]!);
      }
      rows[i] = sigs;
      const shared = sigs !== null && sigs.size === 1;
      const info = { readers: shared ? 1 : count(R), broadcast: b, cost: cost[i]!, perRow: perRow[i] === 1 && count(R) === 1 };
      if (!movement[i] && shouldMaterialize(n, info)) K[i] = 1;
      else {
        readers[i] = R;
        broadcast[i] = b;
      }
    }
    if (K[i]) readers[i] = i;
  }
  return K;
}

/**
 * The settling pass, bottom-up: every node of `chosen` stays materialized; each other node's fused cost and
 * size are exact (the decisions below it are made), with its readers as `chosen` makes them. The cut
 * (cost.ts) materializes inputs of a node that would grow too large, then the cost rule may materialize the
 * node itself.
 */
function bottomUp(g: IndexedGraph, chosen: Uint8Array): Uint8Array {
  const base = chosen;
  const prev = chosen;
  const { order, input, srcAt, srcIdx, userAt, userIdx, movement } = g;
  const N = order.length;
  // Readers and broadcast factors, top-down (every user comes after the value it reads).
  const readers = new Int32Array(N).fill(NONE);
  const broadcast = new Float64Array(N).fill(1);
  const rows: (Set<string> | null)[] = new Array(N).fill(null);
  const shared = new Uint8Array(N);
  for (let i = N - 1; i >= 0; i--) {
    if (input[i]) continue;
    const n = order[i]!;
    if (n.numel === 0) continue;
    let R = NONE;
    let b = 1;
    let sigs: Set<string> | null = new Set();
    for (let k = userAt[i]!; k < userAt[i + 1]!; k++) {
      const c = userIdx[k]!;
      const own = prev[c] === 1;
      R = union(R, own ? c : readers[c]!);
      const u = order[c]!;
      const through = own || u.op === 'reduce' ? 1 : broadcast[c]!;
      b = Math.max(b, through * (u.op === 'expand' || u.op === 'unfold' ? u.numel / n.numel : 1));
      sigs = joinRows(sigs, n, u, own, g.alone[c] === 1, rows[c]!);
    }
    readers[i] = R;
    broadcast[i] = b;
    rows[i] = sigs;
    shared[i] = sigs !== null && sigs.size === 1 ? 1 : 0;
  }

  // Decisions, bottom-up.
  const K = new Uint8Array(N);
  const cost = new Int32Array(N);
  const perRow = new Uint8Array(N);
  const size = new Int32Array(N);
  const sizeOf = (s: number): number => (input[s] || K[s] ? 1 : size[s]!);
  for (let i = 0; i < N; i++) {
    if (input[i]) continue;
    const n = order[i]!;
    const s0 = srcAt[i]!;
    const s1 = srcAt[i + 1]!;
    // The cut: materialize the largest inputs while the fused expression would be too large. A view is cut
    // below its chain of views, where the data is not yet expanded.
    let z = 1;
    for (let k = s0; k < s1; k++) z += sizeOf(srcIdx[k]!);
    while (z > MAX_FUSED) {
      const cut = inputsToCut(Array.from(srcIdx.subarray(s0, s1), sizeOf));
      if (cut.length === 0) break;
      const s = srcIdx[s0 + cut[0]!]!;
      let p = s;
      while (movement[p] && sizeOf(srcIdx[srcAt[p]!]!) > 1) p = srcIdx[srcAt[p]!]!;
      const saved = sizeOf(p) - 1;
      K[p] = 1;
      for (let v = s; v !== p; v = srcIdx[srcAt[v]!]!) size[v] = size[v]! - saved;
      z -= saved;
    }
    let c = n.op === 'reduce' ? CHEAP + 1 : g.opCost[i]!;
    let r = n.op === 'reduce' ? 1 : 0;
    for (let k = s0; k < s1; k++) {
      const s = srcIdx[k]!;
      if (input[s] || K[s]) continue;
      c += cost[s]!;
      r |= perRow[s]!;
    }
    cost[i] = Math.min(c, CHEAP + 1);
    perRow[i] = r;
    size[i] = z;
    if (base[i]) {
      K[i] = 1;
      continue;
    }
    const R = shared[i] ? 1 : count(readers[i]!);
    if (!movement[i] && shouldMaterialize(n, { readers: R, broadcast: broadcast[i]!, cost: cost[i]!, perRow: r === 1 && R === 1 })) K[i] = 1;
  }
  return K;
}
