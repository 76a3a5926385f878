/**
 * The compiler pipeline for one pending graph: simplify -> schedule -> lower -> render, producing a program
 * plan (plan.ts) with the whole C source. Compiling the source and running the plan is the runtime's job.
 *
 * Scheduling and lowering meet in a small loop: the schedule proposes which values get buffers, the lowering
 * builds each kernel and, where a reduction cannot be computed per row of the kernel reading it, names it;
 * that reduction is then materialized and the schedule recomputed.
 */
import { DTYPE_INFO } from '../ir/dtype.js';
import { numel } from '../ir/shape.js';
import type { Node } from '../ir/node.js';
import { scratchElements, type Kernel } from './lower/kernel.js';
import { FuseError, lowerKernel, MergeError } from './lower/lower.js';
import type { PlanKernel, ProgramPlan, SlotInfo, SlotRole, Step } from './plan.js';
import { renderKernel, renderSource } from './render/c/index.js';
import { chooseMaterialized } from './schedule/schedule.js';
import { toposort } from '../ir/graph.js';
import { simplify } from './simplify/index.js';

export interface PlanRequest {
  /** The nodes to compute (as given to the device: `assign` roots allowed). */
  readonly roots: readonly Node[];
  /** The program inputs, in parameter order (`structuralKey(roots).inputs`). */
  readonly inputs: readonly Node[];
  /** OpenMP threads to generate code for. */
  readonly threads: number;
}

export interface PlannedProgram {
  readonly plan: ProgramPlan;
  /** A readable account of the schedule (GRAFT_DEBUG=3). */
  readonly schedule: string;
  /** The lowered kernels (for tests and inspection). */
  readonly kernels: readonly (Kernel | null)[];
  /** Which nodes the plan's slots hold (in memory only: for inspection, src/inspect/kernel-map.ts). */
  readonly trace: PlanTrace;
}

export interface PlanTrace {
  /** The simplified node of every node of the request's graph. */
  readonly images: ReadonlyMap<Node, Node>;
  /** The slot of each simplified node held in a buffer: the inputs and every kernel value. */
  readonly slots: ReadonlyMap<Node, number>;
}

const bytes = (dtype: keyof typeof DTYPE_INFO, n: number): number => DTYPE_INFO[dtype].bytes * n;

export function planProgram(req: PlanRequest): PlannedProgram {
  const inputSlot = new Map<Node, number>(req.inputs.map((n, i) => [n, i]));
  const isInput = (n: Node): boolean => inputSlot.has(n);
  const images = new Map<Node, Node>();
  const simplified = simplify(req.roots, images);
  const entries = simplified.map((r) =>
    r.op === 'assign' ? { value: r.srcs[1]!, target: inputSlot.get(r.srcs[0]!)! } : { value: r, target: null as number | null },
  );
  const values = entries.map((e) => e.value);

  const forced = new Set<Node>();
  for (;;) {
    const K = chooseMaterialized(values, isInput, forced);
    const slotOf = new Map(inputSlot);
    K.forEach((n, j) => slotOf.set(n, req.inputs.length + j));
    // Lower every kernel, collecting all the reductions that could not be fused, then schedule again.
    const failed: Node[] = [];
    const kernels = K.map((n, j) => {
      // A value with no elements needs no kernel, only its (empty) buffer.
      if (n.numel === 0) return null;
      try {
        return lowerKernel({
          name: `k${j}`,
          outputs: [{ node: n, slot: slotOf.get(n)! }],
          read: (m) => (m !== n ? (slotOf.get(m) ?? null) : null),
        });
      } catch (e) {
        if (!(e instanceof FuseError) || forced.has(e.node)) throw e;
        failed.push(e.node);
        return null;
      }
    });
    if (failed.length === 0) {
      const groups = groupKernels(K, kernels, slotOf, isInput, entries);
      return { ...assemble(req, entries, K, groups, slotOf, isInput), trace: { images, slots: slotOf } };
    }
    for (const n of failed) forced.add(n);
  }
}

/** Kernels sharing loops, computed by one kernel: members are indices into K, in order. */
interface Group {
  readonly members: number[];
  kernel: Kernel | null;
}

/** What a kernel loops over: elementwise over a shape, or a reduction of F over the axes R. */
type LoopSig = { readonly kind: 'E'; readonly numel: number } | { readonly kind: 'R'; readonly F: string; readonly R: string; readonly rows: number; readonly all: number };

function loopSig(n: Node, read: (m: Node) => number | null): LoopSig {
  const seen = new Set<Node>([n]);
  const queue = [n];
  while (queue.length) {
    const m = queue.shift()!;
    if (m !== n && read(m) !== null) continue;
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
 * Multi-output fusion: kernels that share their loops become one kernel computing several values — Adam's
 * two moments and the parameter of one weight, a loss's row reductions with the gradient of its logits, a
 * weight gradient with its update. A kernel joins the group of a kernel it reads, or of a recent sibling,
 * when their loop signatures agree, no other kernel sits between them (that would be a cycle), the grouped
 * lowering succeeds (each value read at the index where it is computed), and a contraction stays one.
 * Members read by no kernel outside their group and not results are not stored at all.
 */
function groupKernels(
  K: readonly Node[],
  kernels: readonly (Kernel | null)[],
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
  const single = (j: number): boolean => kernels[j] === null || kernels[j]!.kind === 'scan' || kernels[j]!.kind === 'scatter' || assigned.has(K[j]!);
  const sigs = K.map((n) => loopSig(n, (m) => (m !== n ? (slotOf.get(m) ?? null) : null)));

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
  const lowerGroup = (members: readonly number[], stored: (j: number) => boolean): Kernel => {
    const set = new Set(members.map((j) => K[j]!));
    return lowerKernel({
      name: `k${members[0]}`,
      outputs: members.map((j) => ({ node: K[j]!, slot: stored(j) ? slotOf.get(K[j]!)! : null })),
      read: (m) => (set.has(m) ? null : (slotOf.get(m) ?? null)),
    });
  };

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
        let k: Kernel;
        try {
          k = lowerGroup(members, () => true);
        } catch (e) {
          if (e instanceof MergeError || e instanceof FuseError) continue;
          throw e;
        }
        // Never give up a contraction for a plain loop kernel.
        if (members.some((m) => kernels[m]!.kind === 'gemm') && k.kind !== 'gemm') continue;
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

function assemble(
  req: PlanRequest,
  entries: readonly { value: Node; target: number | null }[],
  K: readonly Node[],
  groups: readonly Group[],
  slotOf: ReadonlyMap<Node, number>,
  isInput: (n: Node) => boolean,
): Omit<PlannedProgram, 'trace'> {
  const nIn = req.inputs.length;
  const Kset = new Set(K);
  const order = toposort(
    entries.map((e) => e.value),
    isInput,
  );
  const hasUsers = new Set<Node>();
  for (const n of order) if (!isInput(n)) for (const s of n.srcs) hasUsers.add(s);

  const roles: SlotRole[] = K.map(() => ({ kind: 'temp' }));
  const outputs = new Array<number>(entries.length);
  const extraSlots: SlotInfo[] = [];
  const outputCopies: Step[] = [];
  const targetCopies: Step[] = [];
  const newSlot = (info: SlotInfo): number => nIn + K.length + extraSlots.push(info) - 1;
  const owned = new Set<number>();

  // Which kernel writes straight into an assign target: the value of exactly one assign root, read by nothing else.
  const assignOf = new Map<Node, number>();
  K.forEach((n) => {
    const rs = entries.filter((e) => e.value === n);
    if (rs.length === 1 && rs[0]!.target !== null && !hasUsers.has(n)) assignOf.set(n, rs[0]!.target);
  });

  entries.forEach((e, i) => {
    const s = slotOf.get(e.value)!;
    const j = s - nIn;
    if (e.target !== null) {
      outputs[i] = e.target;
      if (!assignOf.has(e.value)) targetCopies.push({ op: 'copy', from: s, to: e.target });
      return;
    }
    if (j >= 0 && !owned.has(s)) {
      owned.add(s);
      roles[j] = { kind: 'output' };
      outputs[i] = s;
      return;
    }
    // The value is an input, or another root already owns it: every root gets a buffer of its own.
    const o = newSlot({ dtype: e.value.dtype, numel: e.value.numel, role: { kind: 'output' } });
    outputs[i] = o;
    outputCopies.push({ op: 'copy', from: s, to: o });
  });

  // Groups in dependency order (a group runs after every group it reads).
  const groupOfNode = new Map<Node, Group>();
  for (const g of groups) for (const j of g.members) groupOfNode.set(K[j]!, g);
  const gdeps = new Map<Group, Set<Group>>();
  for (const g of groups) {
    const ds = new Set<Group>();
    for (const j of g.members) {
      const n = K[j]!;
      for (const m of toposort([n], (x) => x !== n && (isInput(x) || Kset.has(x)))) {
        const h = m !== n ? groupOfNode.get(m) : undefined;
        if (h && h !== g) ds.add(h);
      }
    }
    gdeps.set(g, ds);
  }
  const sorted: Group[] = [];
  const done = new Set<Group>();
  const visit = (g: Group): void => {
    if (done.has(g)) return;
    done.add(g);
    for (const d of gdeps.get(g)!) visit(d);
    sorted.push(g);
  };
  groups.forEach(visit);

  // The slots each group writes (members written by its kernel; an empty value has a buffer, no kernel).
  const written = (g: Group): number[] => {
    if (g.kernel === null) return g.members.map((j) => nIn + j);
    const params = new Set(g.kernel.params.filter((p) => p.write).map((p) => p.slot));
    return g.members.map((j) => nIn + j).filter((s) => params.has(s));
  };

  const planIndex = new Map<Group, number>();
  const planKernels: PlanKernel[] = [];
  for (const g of sorted) {
    const k = g.kernel;
    if (k === null) continue;
    planIndex.set(g, planKernels.length);
    const mset = new Set(g.members.map((j) => K[j]!));
    const region = toposort(
      g.members.map((j) => K[j]!),
      (m) => !mset.has(m) && (isInput(m) || Kset.has(m)),
    ).filter((m) => mset.has(m) || !(isInput(m) || Kset.has(m)));
    const args = k.params.map((p) => p.slot);
    const minBytes = k.params.map((p) => bytes(p.dtype, p.numel));
    const scratch = scratchElements(k, req.threads);
    if (scratch > 0) {
      const dtype = k.kind === 'gemm' ? k.accType : k.dtype;
      args.push(newSlot({ dtype, numel: scratch, role: { kind: 'scratch' } }));
      minBytes.push(bytes(dtype, scratch));
    }
    planKernels.push({
      name: k.name,
      kind: k.kind,
      source: renderKernel(k, { threads: req.threads }),
      args,
      minBytes,
      shape: k.shape,
      dtype: k.dtype,
      flops: k.flops,
      bytes: k.bytes,
      errors: k.errors,
      ops: region.filter((m) => m.op !== 'const').map((m) => m.op),
    });
  }

  // Steps: plain kernels in dependency order, copies into fresh outputs, then the assign kernels (those that
  // can fail first, into temporaries), then copies into assign targets. A group writing an assign target is
  // always a single value (groupKernels never merges one).
  const isAssigning = (g: Group): boolean => g.members.length === 1 && assignOf.has(K[g.members[0]!]!);
  const plain = sorted.filter((g) => !isAssigning(g));
  const assigning = sorted.filter(isAssigning).sort((a, b) => Number(canFail(b.kernel)) - Number(canFail(a.kernel)) || a.members[0]! - b.members[0]!);
  const steps: Step[] = [];
  const run = (g: Group): Step[] => [
    ...written(g).map((slot) => ({ op: 'alloc', slot }) as Step),
    ...(planIndex.has(g) ? [{ op: 'run', kernel: planIndex.get(g)! } as Step] : []),
  ];
  for (const g of plain) steps.push(...run(g));
  steps.push(...outputCopies.flatMap((c) => [{ op: 'alloc', slot: (c as { to: number }).to } as Step, c]));
  for (const g of assigning) steps.push(...run(g));
  steps.push(...targetCopies);

  // Inputs read from each step on (an assign may write its target directly only if none of them is it).
  const readsOf = (st: Step): number[] => (st.op === 'run' ? [...planKernels[st.kernel]!.args] : st.op === 'copy' ? [st.from] : []);

  for (const g of assigning) {
    const j = g.members[0]!;
    const at = steps.findIndex((st) => st.op === 'alloc' && st.slot === nIn + j);
    const target = assignOf.get(K[j]!)!;
    const later = [...new Set(steps.slice(at).flatMap(readsOf).filter((s) => s < nIn))];
    const viaTemp = later.includes(target) || canFail(g.kernel) || targetCopies.some((c) => (c as { to: number }).to === target);
    roles[j] = { kind: 'assign', target, viaTemp, readLater: later };
  }

  // Free each temporary after its last reader.
  const lastUse = new Map<number, number>();
  steps.forEach((st, i) => {
    for (const s of readsOf(st)) lastUse.set(s, i);
  });
  const withFrees: Step[] = [];
  steps.forEach((st, i) => {
    withFrees.push(st);
    for (const [s, last] of lastUse) {
      if (last === i && s >= nIn && s < nIn + K.length && roles[s - nIn]!.kind === 'temp') withFrees.push({ op: 'free', slot: s });
    }
  });

  const slots: SlotInfo[] = [
    ...req.inputs.map((n) => ({ dtype: n.dtype, numel: n.numel, role: { kind: 'input' } as SlotRole })),
    ...K.map((n, j) => ({ dtype: n.dtype, numel: n.numel, role: roles[j]! })),
    ...extraSlots,
  ];
  const kernelsInOrder = sorted.map((g) => g.kernel).filter((k): k is Kernel => k !== null);
  const plan: ProgramPlan = {
    source: renderSource(
      kernelsInOrder,
      planKernels.map((k) => k.source),
    ),
    slots,
    nInputs: nIn,
    kernels: planKernels,
    steps: withFrees,
    outputs,
    threads: req.threads,
  };
  return { plan, schedule: describe(plan), kernels: kernelsInOrder };
}

const canFail = (k: Kernel | null): boolean => k !== null && (k.errors.index.length > 0 || k.errors.zerodiv || k.errors.negpow);

function describe(p: ProgramPlan): string {
  const slotName = (s: number): string => (s < p.nInputs ? `in${s}` : `b${s}`);
  const lines = p.kernels.map(
    (k) =>
      `${k.name} ${k.kind} ${k.dtype}[${k.shape.join(',')}] <- ${k.args.map(slotName).join(' ')} fuses ${k.ops.join(' ')}`,
  );
  const n = p.kernels.length;
  return [`program: ${n} kernel${n === 1 ? '' : 's'}, ${p.slots.length - p.nInputs} buffers`, ...lines.map((l) => '  ' + l)].join('\n');
}
