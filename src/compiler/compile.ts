/**
 * The compiler pipeline for one pending graph: simplify -> schedule -> lower -> render, producing a program
 * plan (plan.ts) with the whole C source. Compiling the source and running the plan is the runtime's job.
 *
 * Scheduling and lowering meet in a small loop: the schedule proposes which values get buffers, the lowering
 * builds each kernel and, where a reduction cannot be computed per row of the kernel reading it, names it;
 * that reduction is then materialized and the schedule recomputed.
 */
import { DTYPE_INFO } from '../ir/dtype.js';
import type { Node } from '../ir/node.js';
import { scratchElements, type Kernel } from './lower/kernel.js';
import { FuseError, lowerKernel } from './lower/lower.js';
import type { PlanKernel, ProgramPlan, SlotInfo, SlotRole, Step } from './plan.js';
import { renderKernel, renderSource } from './render/c/index.js';
import { chooseMaterialized, topoOrder } from './schedule/schedule.js';
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
}

const bytes = (dtype: keyof typeof DTYPE_INFO, n: number): number => DTYPE_INFO[dtype].bytes * n;

export function planProgram(req: PlanRequest): PlannedProgram {
  const inputSlot = new Map<Node, number>(req.inputs.map((n, i) => [n, i]));
  const isInput = (n: Node): boolean => inputSlot.has(n);
  const simplified = simplify(req.roots);
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
          value: n,
          read: (m) => (m !== n ? (slotOf.get(m) ?? null) : null),
          outSlot: slotOf.get(n)!,
        });
      } catch (e) {
        if (!(e instanceof FuseError) || forced.has(e.node)) throw e;
        failed.push(e.node);
        return null;
      }
    });
    if (failed.length === 0) return assemble(req, entries, K, kernels, slotOf, isInput);
    for (const n of failed) forced.add(n);
  }
}

function assemble(
  req: PlanRequest,
  entries: readonly { value: Node; target: number | null }[],
  K: readonly Node[],
  kernels: readonly (Kernel | null)[],
  slotOf: ReadonlyMap<Node, number>,
  isInput: (n: Node) => boolean,
): PlannedProgram {
  const nIn = req.inputs.length;
  const Kset = new Set(K);
  const order = topoOrder(
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

  const planIndex = new Map<number, number>();
  const planKernels: PlanKernel[] = [];
  kernels.forEach((k, j) => {
    const n = K[j]!;
    if (k === null) return;
    planIndex.set(j, planKernels.length);
    const region = topoOrder([n], (m) => m !== n && (isInput(m) || Kset.has(m))).filter((m) => m === n || !(isInput(m) || Kset.has(m)));
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
  });

  // Steps: plain kernels in dependency order, copies into fresh outputs, then the assign kernels (those that
  // can fail first, into temporaries), then copies into assign targets.
  const plain = K.map((_, j) => j).filter((j) => !assignOf.has(K[j]!));
  const assigning = K.map((_, j) => j)
    .filter((j) => assignOf.has(K[j]!))
    .sort((a, b) => Number(canFail(kernels[b]!)) - Number(canFail(kernels[a]!)) || a - b);
  const steps: Step[] = [];
  const run = (j: number): Step[] => [{ op: 'alloc', slot: nIn + j }, ...(planIndex.has(j) ? [{ op: 'run', kernel: planIndex.get(j)! } as Step] : [])];
  for (const j of plain) steps.push(...run(j));
  steps.push(...outputCopies.flatMap((c) => [{ op: 'alloc', slot: (c as { to: number }).to } as Step, c]));
  const assignStart = steps.length;
  for (const j of assigning) steps.push(...run(j));
  steps.push(...targetCopies);

  // Inputs read from each step on (an assign may write its target directly only if none of them is it).
  const readsOf = (st: Step): number[] => (st.op === 'run' ? [...planKernels[st.kernel]!.args] : st.op === 'copy' ? [st.from] : []);

  for (const j of assigning) {
    const at = steps.findIndex((st) => st.op === 'alloc' && st.slot === nIn + j);
    const target = assignOf.get(K[j]!)!;
    const later = [...new Set(steps.slice(at).flatMap(readsOf).filter((s) => s < nIn))];
    const viaTemp = later.includes(target) || canFail(kernels[j]!) || targetCopies.some((c) => (c as { to: number }).to === target);
    roles[j] = { kind: 'assign', target, viaTemp, readLater: later };
  }
  void assignStart;

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
  const plan: ProgramPlan = {
    source: renderSource(
      kernels.filter((k): k is Kernel => k !== null),
      planKernels.map((k) => k.source),
    ),
    slots,
    nInputs: nIn,
    kernels: planKernels,
    steps: withFrees,
    outputs,
    threads: req.threads,
  };
  return { plan, schedule: describe(plan), kernels };
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
