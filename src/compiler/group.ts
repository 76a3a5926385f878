/**
 * Multi-output fusion: kernels that share their loops become one kernel computing several values — Adam's
 * two moments and the parameter of one weight, a loss's row reductions with the gradient of its logits, a
 * weight gradient with its update. A kernel joins the group of a kernel it reads, or of a recent sibling,
 * when their loop signatures agree, no other kernel sits between them (that would be a cycle), the grouped
 * lowering succeeds (each value read at the index where it is computed), and a contraction stays one.
 * Members read by no kernel outside their group and not results are not stored at all. A group computes at most
 * MAX_GROUP values and counts at most MAX_FUSED nodes, like any kernel (the cut of cost.ts).
 */
import type { Node } from '../ir/node.js';
import { numel } from '../ir/shape.js';
import { lowerBound, type BoundKernel } from './kernel-cache.js';
import { FuseError, MergeError } from './lower/lower.js';
import { MAX_FUSED } from './schedule/cost.js';

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
/**
 * Values one kernel may compute. Beyond a few, grouping saves little (a call of a few microseconds per
 * kernel) and each grouping attempt lowers the grown group again; groups of one structure repeat (an
 * unrolled loop's input projections, sixteen time steps a kernel) and are lowered once.
 */
const MAX_GROUP = 16;

/** Kernels a new kernel may try to join by lowering the grown group (the cheap checks come first). */
const MAX_TRIES = 4;

export function groupKernels(
  K: readonly Node[],
  kernels: readonly (BoundKernel | null)[],
  slotOf: ReadonlyMap<Node, number>,
  entries: readonly { value: Node; target: number | null }[],
): Group[] {
  const kBase = K.length ? slotOf.get(K[0]!)! : 0;
  // The kernels each kernel reads (a kernel's slot is kBase + its index in K).
  const deps = kernels.map((b) => {
    const out = new Set<number>();
    if (b) for (const s of b.reads) if (s >= kBase && s < kBase + K.length) out.add(s - kBase);
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
  // A topological rank of the groups (a group's rank is above those of the groups it reads), and whether a
  // group is read by another group yet. They make the cycle check O(reads): see `acyclic`.
  const rank = new Map<Group, number>();
  const read = new Set<Group>();
  let nextRank = 0;
  /**
   * Whether `g` may take kernel j without making a group depend on itself: a cycle needs a group j reads that
   * reads g. None can when every group j reads ranks below g; nor when no group reads g yet (g then moves
   * to the top rank). Otherwise the merge is not tried (a conservative answer; such merges are rare).
   */
  const acyclic = (g: Group, j: number): 'keep' | 'raise' | null => {
    let above = false;
    for (const d of deps[j]!) {
      const h = groupOf[d]!;
      if (h !== g && rank.get(h)! > rank.get(g)!) above = true;
    }
    if (!above) return 'keep';
    return read.has(g) ? null : 'raise';
  };
  const lowerGroup = (members: readonly number[], stored: (j: number) => boolean): BoundKernel =>
    lowerBound(
      members.map((j) => ({ node: K[j]!, stored: stored(j) })),
      slotOf,
      (n) => slotOf.get(n)!,
      MAX_FUSED,
    );

  K.forEach((_, j) => {
    let joined: Group | null = null;
    if (!single(j)) {
      // Candidates: the groups j reads, newest first, then the last few groups (siblings).
      const cands = new Set<Group>();
      for (const d of [...deps[j]!].sort((a, b) => b - a)) cands.add(groupOf[d]!);
      for (let i = groups.length - 1; i >= 0 && i >= groups.length - SIBLINGS; i--) cands.add(groups[i]!);
      let tries = 0;
      for (const g of cands) {
        if (g.members.length >= MAX_GROUP || g.members.some(single)) continue;
        // The grown group's region is at most the members' together: too large is known without it.
        if (g.kernel!.size + kernels[j]!.size > MAX_FUSED) continue;
        // The group's loops: those of a reduction in it, else its elementwise extent.
        const gsig = g.members.map((m) => sigs[m]!).find((x) => x.kind === 'R') ?? sigs[g.members[0]!]!;
        if (!compatible(gsig, sigs[j]!)) continue;
        const how = acyclic(g, j);
        if (how === null) continue;
        if (tries++ >= MAX_TRIES) break;
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
        if (how === 'raise') rank.set(g, nextRank++);
        joined = g;
        break;
      }
    }
    if (joined === null) {
      joined = { members: [j], kernel: kernels[j]! };
      groups.push(joined);
      rank.set(joined, nextRank++);
    }
    groupOf[j] = joined;
    for (const d of deps[j]!) if (groupOf[d] !== joined) read.add(groupOf[d]!);
  });
  // Lower each merged group again, writing only what is read outside it.
  for (const g of groups) {
    if (g.members.length === 1) continue;
    g.kernel = lowerGroup(g.members, (j) => roots.has(K[j]!) || users[j]!.some((u) => groupOf[u] !== g));
  }
  return groups;
}
