/**
 * From scheduled, lowered and grouped kernels to a program plan: slots and their roles, the order the kernels
 * run in, allocations and frees, copies into fresh outputs and assign targets, and the distinct C functions
 * the kernels call (kernels of the same structure call the same function with other buffers).
 */
import { DTYPE_INFO } from '../ir/dtype.js';
import type { Node } from '../ir/node.js';
import type { Group } from './group.js';
import { renderBound } from './kernel-cache.js';
import type { Kernel } from './lower/kernel.js';
import { inPlacePairs } from './lower/in-place.js';
import { scratchFor, type Target } from './target.js';
import type { PlanFunction, PlanKernel, ProgramPlan, SlotInfo, SlotRole, Step } from './plan.js';
import type { InputView } from './views.js';

export interface Entry {
  readonly value: Node;
  /** The input slot an `assign` root writes, else null. */
  readonly target: number | null;
}

const bytes = (dtype: keyof typeof DTYPE_INFO, n: number): number => DTYPE_INFO[dtype].bytes * n;

const canFail = (k: Kernel | undefined): boolean => k !== undefined && (k.errors.index.length > 0 || k.errors.zerodiv || k.errors.negpow);

/**
 * Groups in dependency order (Kahn's algorithm, iterative: a group runs after every group whose output it
 * reads), the ready group with the lowest first member first, so the order follows the schedule's.
 */
function orderGroups(groups: readonly Group[], groupOfSlot: (slot: number) => Group | undefined): Group[] {
  const readers = new Map<Group, Group[]>(groups.map((g) => [g, []]));
  const waiting = new Map<Group, number>();
  for (const g of groups) {
    const ds = new Set<Group>();
    if (g.kernel) for (const s of g.kernel.slots) {
      const h = groupOfSlot(s);
      if (h && h !== g) ds.add(h);
    }
    for (const h of ds) readers.get(h)!.push(g);
    waiting.set(g, ds.size);
  }
  const sorted: Group[] = [];
  // Ready groups in a binary heap, lowest first member first.
  const heap: Group[] = [];
  const first = (g: Group): number => g.members[0]!;
  const push = (g: Group): void => {
    let i = heap.push(g) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (first(heap[p]!) <= first(g)) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = g;
  };
  const pop = (): Group => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const c = l + 1 < heap.length && first(heap[l + 1]!) < first(heap[l]!) ? l + 1 : l;
        if (first(heap[c]!) >= first(last)) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  for (const g of groups) if (waiting.get(g) === 0) push(g);
  while (heap.length) {
    const g = pop();
    sorted.push(g);
    for (const r of readers.get(g)!) {
      const w = waiting.get(r)! - 1;
      waiting.set(r, w);
      if (w === 0) push(r);
    }
  }
  if (sorted.length !== groups.length) throw new Error('internal: kernel groups depend on each other in a cycle');
  return sorted;
}

export function assemble(
  inputs: readonly Node[],
  views: readonly InputView[],
  target: Target,
  entries: readonly Entry[],
  K: readonly Node[],
  groups: readonly Group[],
  slotOf: ReadonlyMap<Node, number>,
): ProgramPlan {
  const nIn = inputs.length;
  // Slots: the inputs, the views of inputs, one per kernel output (K), then outputs and scratch added here.
  const kBase = nIn + views.length;
  const isK = (s: number): boolean => s >= kBase && s < kBase + K.length;
  const inputOf = (s: number): number => (s < nIn ? s : s < kBase ? slotOf.get(views[s - nIn]!.base)! : -1);
  const groupOfK: Group[] = [];
  for (const g of groups) for (const j of g.members) groupOfK[j] = g;
  const groupOfSlot = (s: number): Group | undefined => (isK(s) ? groupOfK[s - kBase] : undefined);

  // Values read by a kernel (an assign may write its target directly only if nothing else reads its value;
  // such a value is never grouped, so another kernel reading it reads its buffer).
  const hasUsers = new Set<number>();
  for (const g of groups) if (g.kernel) for (const p of g.kernel.kernel.params) if (!p.write) hasUsers.add(g.kernel.slots[p.slot]!);

  const roles: SlotRole[] = K.map(() => ({ kind: 'temp' }));
  const outputs = new Array<number>(entries.length);
  const extraSlots: SlotInfo[] = [];
  const outputCopies: Step[] = [];
  const targetCopies: Step[] = [];
  const newSlot = (info: SlotInfo): number => kBase + K.length + extraSlots.push(info) - 1;
  const owned = new Set<number>();

  // Which kernel writes straight into an assign target: the value of exactly one assign root, read by nothing else.
  const rootsOf = new Map<Node, Entry[]>();
  for (const e of entries) rootsOf.set(e.value, [...(rootsOf.get(e.value) ?? []), e]);
  const assignOf = new Map<Node, number>();
  K.forEach((n, j) => {
    const rs = rootsOf.get(n) ?? [];
    if (rs.length === 1 && rs[0]!.target !== null && !hasUsers.has(kBase + j)) assignOf.set(n, rs[0]!.target);
  });

  entries.forEach((e, i) => {
    const s = slotOf.get(e.value)!;
    const j = s - kBase;
    if (e.target !== null) {
      outputs[i] = e.target;
      if (!assignOf.has(e.value)) targetCopies.push({ op: 'copy', from: s, to: e.target });
      return;
    }
    if (j >= 0 && j < K.length && !owned.has(s)) {
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

  const sorted = orderGroups(groups, groupOfSlot);

  // The slots each group writes (members written by its kernel; an empty value has a buffer, no kernel).
  const written = (g: Group): number[] => {
    if (g.kernel === null) return g.members.map((j) => kBase + j);
    const b = g.kernel;
    const params = new Set(b.kernel.params.filter((p) => p.write).map((p) => b.slots[p.slot]!));
    return g.members.map((j) => kBase + j).filter((s) => params.has(s));
  };

  const planIndex = new Map<Group, number>();
  const planKernels: PlanKernel[] = [];
  const functions: PlanFunction[] = [];
  const fnIndex = new Map<string, number>();
  for (const g of sorted) {
    const b = g.kernel;
    if (b === null) continue;
    const k = b.kernel;
    planIndex.set(g, planKernels.length);
    const args = k.params.map((p) => b.slots[p.slot]!);
    const minBytes = k.params.map((p) => bytes(p.dtype, p.numel));
    const scratch = scratchFor(k, target);
    if (scratch > 0) {
      const dtype = k.kind === 'gemm' ? k.accType : k.dtype;
      args.push(newSlot({ dtype, numel: scratch, role: { kind: 'scratch' } }));
      minBytes.push(bytes(dtype, scratch));
    }
    const fn = renderBound(b, target);
    let f = fnIndex.get(fn.name);
    if (f === undefined) {
      f = functions.push({ name: fn.name, source: fn.text, gemm: fn.gemm, ...(fn.launch ? { launch: fn.launch } : {}) }) - 1;
      fnIndex.set(fn.name, f);
    }
    planKernels.push({
      name: `k${g.members[0]}`,
      kind: k.kind,
      fn: f,
      args,
      minBytes,
      shape: k.shape,
      dtype: k.dtype,
      flops: k.flops,
      bytes: k.bytes,
      errors: k.errors,
      ops: b.ops,
      ...(target.kind === 'c' ? inPlaceOf(k) : {}),
    });
  }

  // Steps: plain kernels in dependency order, copies into fresh outputs, then the assign kernels (those that
  // can fail first, into temporaries), then copies into assign targets. A group writing an assign target is
  // always a single value (groupKernels never merges one).
  const isAssigning = (g: Group): boolean => g.members.length === 1 && assignOf.has(K[g.members[0]!]!);
  const plain = sorted.filter((g) => !isAssigning(g));
  const assigning = sorted
    .filter(isAssigning)
    .sort((a, b) => Number(canFail(b.kernel?.kernel)) - Number(canFail(a.kernel?.kernel)) || a.members[0]! - b.members[0]!);
  const steps: Step[] = [];
  const run = (g: Group): Step[] => [
    ...written(g).map((slot) => ({ op: 'alloc', slot }) as Step),
    ...(planIndex.has(g) ? [{ op: 'run', kernel: planIndex.get(g)! } as Step] : []),
  ];
  for (const g of plain) steps.push(...run(g));
  steps.push(...outputCopies.flatMap((c) => [{ op: 'alloc', slot: (c as { to: number }).to } as Step, c]));
  const assignAt = new Map<Group, number>();
  for (const g of assigning) {
    assignAt.set(g, steps.length);
    steps.push(...run(g));
  }
  steps.push(...targetCopies);

  // Inputs read from each step on, directly or through a view (an assign may write its target directly only
  // if none of them is it).
  const readsOf = (st: Step): readonly number[] => (st.op === 'run' ? planKernels[st.kernel]!.args : st.op === 'copy' ? [st.from] : []);
  // Suffix sets are built once, from the end (each assign asks about the steps from its own on).
  const inputsFrom: Set<number>[] = new Array(steps.length + 1);
  inputsFrom[steps.length] = new Set();
  const firstAssign = assigning.length ? assignAt.get(assigning[0]!)! : steps.length;
  for (let i = steps.length - 1; i >= firstAssign; i--) {
    const s = new Set(inputsFrom[i + 1]);
    for (const x of readsOf(steps[i]!)) if (x < kBase) s.add(inputOf(x));
    inputsFrom[i] = s;
  }
  const copiedTo = new Set(targetCopies.map((c) => (c as { to: number }).to));
  for (const g of assigning) {
    const j = g.members[0]!;
    const target = assignOf.get(K[j]!)!;
    const later = [...inputsFrom[assignAt.get(g)!]!];
    const viaTemp = later.includes(target) || canFail(g.kernel?.kernel) || copiedTo.has(target);
    roles[j] = { kind: 'assign', target, viaTemp, readLater: later };
  }

  // Free each temporary after its last reader.
  const lastUse = new Map<number, number>();
  steps.forEach((st, i) => {
    for (const s of readsOf(st)) lastUse.set(s, i);
  });
  const freesAt = new Map<number, number[]>();
  for (const [s, last] of lastUse) {
    if (isK(s) && roles[s - kBase]!.kind === 'temp') freesAt.set(last, [...(freesAt.get(last) ?? []), s]);
  }
  const withFrees: Step[] = [];
  steps.forEach((st, i) => {
    withFrees.push(st);
    for (const s of freesAt.get(i) ?? []) withFrees.push({ op: 'free', slot: s });
  });

  const slots: SlotInfo[] = [
    ...inputs.map((n) => ({ dtype: n.dtype, numel: n.numel, role: { kind: 'input' } as SlotRole })),
    ...views.map((v) => ({ dtype: v.node.dtype, numel: v.node.numel, role: { kind: 'view', of: slotOf.get(v.base)!, offset: v.offset } as SlotRole })),
    ...K.map((n, j) => ({ dtype: n.dtype, numel: n.numel, role: roles[j]! })),
    ...extraSlots,
  ];
  const threads = target.kind === 'c' ? target.threads : 1;
  return { functions, slots, nInputs: nIn, kernels: planKernels, steps: withFrees, outputs, threads, ...(target.kind === 'cuda' ? { target: 'cuda' as const } : {}) };
}

/** A readable account of a plan's schedule (GRAFT_DEBUG=3). */
export function describePlan(p: ProgramPlan): string {
  // A view of an input (a block of it read as a buffer of its own: views.ts) is named by the input and offset.
  const slotName = (s: number): string => {
    if (s < p.nInputs) return `in${s}`;
    const role = p.slots[s]!.role;
    return role.kind === 'view' ? `in${role.of}+${role.offset}` : `b${s}`;
  };
  const lines = p.kernels.map(
    (k) => `${k.name} ${k.kind} ${k.dtype}[${k.shape.join(',')}] <- ${k.args.map(slotName).join(' ')} fuses ${k.ops.join(' ')}`,
  );
  const n = p.kernels.length;
  const distinct = p.functions.length;
  return [
    `program: ${n} kernel${n === 1 ? '' : 's'} (${distinct} distinct), ${p.slots.length - p.nInputs} buffers`,
    ...lines.map((l) => '  ' + l),
  ].join('\n');
}

/** A kernel's `inPlace` pairs (argument positions), when it has any. */
function inPlaceOf(k: Kernel): { inPlace?: readonly (readonly [number, number])[] } {
  const pairs = inPlacePairs(k);
  return pairs.length ? { inPlace: pairs } : {};
}
