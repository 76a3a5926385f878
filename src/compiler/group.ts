/**
 * Multi-output fusion: kernels that share their loops become one kernel computing several values — Adam's
 * two moments and the parameter of one weight, a loss's row reductions with the gradient of its logits, a
 * weight gradient with its update. A kernel joins the group of a kernel it reads, or of a recent sibling,
 * when their loop signatures agree, no other kernel sits between them (that would be a cycle), the grouped
 * lowering succeeds (each value read at the index where it is computed), and a contraction stays one.
 * Members read by no kernel outside their group and not results are not stored at all.
 */
import type { Node } from '../ir/node.js';
import { numel } from '../ir/shape.js';
import { toposort } from '../ir/graph.js';
import { lowerBound, type BoundKernel } from './kernel-cache.js';
import { FuseError, MergeError } from './lower/lower.js';

/** Kernels sharing loops, computed by one kernel: members are indices into K, in order. */
export interface Group {
  readonly members: number[];
  kernel: BoundKernel | null;
}

/** What a kernel loops over: elementwise over a shape, or a reduction of F over the axes R. */
type LoopSig = { readonly kind: 'E'; readonly numel: number } | { readonly kind: 'R'; readonly F: string; readonly R: string; readonly rows: number; readonly all: number };

function loopSig(n: Node, read: (m: Node) => boolean): LoopSig {
  const seen = new Set<Node>([n]);
  const queue = [n];
  for (let q = 0; q < queue.length; q++) {
    const m = queue[q]!;
    if (m !== n && read(m)) continue;
    if (m.op === 'reduce') {
      const F = m.srcs[0]!.shape;
      return { kind: 'R', F: F.join(','), R: (m.arg as { axes: number[] }).axes.join(','), rows: m.numel, all: numel(F) };
    }
    for (const s of m.srcs) if (!seen.has(s)) (seen.add(s), queue.push(s));
  }
  return { kind: 'E', numel: n.numel };
}

/** Whether two loop signatures can share one kernel's loops (the lowering has the last word). */
function compatible(a: LoopSig, b: LoopSig): boolean {
  if (a.kind === 'E' && b.kind === 'E') return a.numel === b.numel;
  if (a.kind === 'R' && b.kind === 'R') return a.F === b.F && a.R === b.R;
  const [e, r] = (a.kind === 'E' ? [a, b] : [b, a]) as [{ numel: number }, { rows: number; all: number }];
  return e.numel === r.rows || e.numel === r.all;
}

/** Groups of the last few kernels a new kernel may join as a sibling (besides the kernels it reads). */
const SIBLINGS = 6;

export function groupKernels(
  K: readonly Node[],
  kernels: readonly (BoundKernel | null)[],
  slotOf: ReadonlyMap<Node, number>,
  isInput: (n: Node) => boolean,
  entries: readonly { value: Node; target: number | null }[],
): Group[] {
  const index = new Map(K.map((n, j) => [n, j]));
  const deps = K.map((n) => {
    const out = new Set<number>();
    for (const m of toposort([n], (x) => x !== n && (isInput(x) || index.has(x)))) if (m !== n && index.has(m)) out.add(index.get(m)!);
    return out;
  });
  const users = K.map(() => [] as number[]);
  deps.forEach((ds, j) => ds.forEach((d) => users[d]!.push(j)));
  const roots = new Set(entries.map((e) => e.value));
  const assigned = new Set(entries.filter((e) => e.target !== null).map((e) => e.value));
  const single = (j: number): boolean =>
    kernels[j] === null || kernels[j]!.kernel.kind === 'scan' || kernels[j]!.kernel.kind === 'scatter' || assigned.has(K[j]!);
  const sigs = K.map((n) => loopSig(n, (m) => slotOf.has(m)));

  const groups: Group[] = [];
  const groupOf: Group[] = [];
  /** Whether group `from` reads (through any chain of groups) group `target`. */
  const reaches = (from: Group, target: Group): boolean => {
    const stack = [from];
    const seen = new Set<Group>();
    while (stack.length) {
      const h = stack.pop()!;
      if (h === target) return true;
      if (seen.has(h)) continue;
      seen.add(h);
      for (const m of h.members) for (const d of deps[m]!) if (groupOf[d] !== h) stack.push(groupOf[d]!);
    }
    return false;
  };
  const lowerGroup = (members: readonly number[], stored: (j: number) => boolean): BoundKernel =>
    lowerBound(
      members.map((j) => ({ node: K[j]!, stored: stored(j) })),
      slotOf,
      (n) => slotOf.get(n)!,
    );

  K.forEach((_, j) => {
    let joined: Group | null = null;
    if (!single(j)) {
      const cands: Group[] = [];
      for (const d of [...deps[j]!].sort((a, b) => b - a)) if (!cands.includes(groupOf[d]!)) cands.push(groupOf[d]!);
      for (const g of groups.slice(-SIBLINGS).reverse()) if (!cands.includes(g)) cands.push(g);
      for (const g of cands) {
        if (g.members.some(single)) continue;
        // The group's loops: those of a reduction in it, else its elementwise extent.
        const gsig = g.members.map((m) => sigs[m]!).find((x) => x.kind === 'R') ?? sigs[g.members[0]!]!;
        if (!compatible(gsig, sigs[j]!)) continue;
        // Another kernel between the group and j would make the merged kernel depend on itself.
        if ([...deps[j]!].some((d) => groupOf[d] !== g && reaches(groupOf[d]!, g))) continue;
        const members = [...g.members, j];
        let k: BoundKernel;
        try {
          k = lowerGroup(members, () => true);
        } catch (e) {
          if (e instanceof MergeError || e instanceof FuseError) continue;
          throw e;
        }
        // Never give up a contraction for a plain loop kernel.
        if (members.some((m) => kernels[m]!.kernel.kind === 'gemm') && k.kernel.kind !== 'gemm') continue;
        g.members.push(j);
        g.kernel = k;
        joined = g;
        break;
      }
    }
    if (joined === null) {
      joined = { members: [j], kernel: kernels[j]! };
      groups.push(joined);
    }
    groupOf[j] = joined;
  });
  // Lower each merged group again, writing only what is read outside it.
  for (const g of groups) {
    if (g.members.length === 1) continue;
    g.kernel = lowerGroup(g.members, (j) => roots.has(K[j]!) || users[j]!.some((u) => groupOf[u] !== g));
  }
  return groups;
}
