/**
 * Which IR nodes each kernel of a program computes, derived from the planner's output: the plan (steps over
 * buffer slots) and its trace (which simplified node each slot holds). This is the one place that reads the
 * plan's layout for inspection; when the plan changes shape, this file is what to re-point.
 *
 * Kernels are read by step (the order they run), not by their position in the plan's kernel list. A kernel
 * writes the value slots it is the first step to touch (a value is written before it is read) and reads the
 * others; its region is every node between the nodes it writes and the nodes it reads. A node recomputed by
 * several kernels (the cost rule recomputes cheap values rather than storing them) lies in each region.
 */
import { toposort, type Node } from '../ir/index.js';
import type { PlanTrace } from '../compiler/compile.js';
import type { PlanKernel, ProgramPlan } from '../compiler/plan.js';

export interface KernelRegion {
  /** Index into `plan.kernels`. */
  readonly index: number;
  readonly kernel: PlanKernel;
  /** The simplified nodes it stores. */
  readonly writes: readonly Node[];
  /** The simplified nodes it reads from buffers (inputs, values of earlier kernels). */
  readonly reads: readonly Node[];
  /** The nodes it computes, inputs before users (the written ones included; constants too). */
  readonly nodes: readonly Node[];
}

export interface ProgramRegions {
  /** One per kernel call, in the order the program runs them. */
  readonly kernels: readonly KernelRegion[];
  /** The simplified node in each slot (undefined: scratch and copies). */
  readonly slotNode: readonly (Node | undefined)[];
  /** The simplified value of each root, in order. */
  readonly roots: readonly Node[];
}

const isValueSlot = (plan: ProgramPlan, s: number): boolean => {
  const k = plan.slots[s]?.role.kind;
  return k === 'temp' || k === 'output' || k === 'assign';
};

/** The regions of a program's kernels, from its plan and the trace planning left. */
export function programRegions(plan: ProgramPlan, trace: PlanTrace, roots: readonly Node[]): ProgramRegions {
  const slotNode: (Node | undefined)[] = new Array(plan.slots.length);
  for (const [n, s] of trace.slots) slotNode[s] = n;
  const written = new Set<number>();
  const kernels: KernelRegion[] = [];
  for (const st of plan.steps) {
    if (st.op !== 'run') continue;
    const kernel = plan.kernels[st.kernel]!;
    const writes: Node[] = [];
    const reads: Node[] = [];
    for (const s of kernel.args) {
      const n = slotNode[s];
      if (n === undefined) continue; // scratch
      if (isValueSlot(plan, s) && !written.has(s)) {
        written.add(s);
        writes.push(n);
      } else if (!reads.includes(n)) reads.push(n);
    }
    const readSet = new Set(reads);
    // A computed value the kernel reads without a slot of its own in the plan (none should) stops the walk too.
    const stop = (m: Node): boolean => readSet.has(m) || (!writes.includes(m) && (m.op === 'buffer' || m.realized !== null));
    const nodes = toposort(writes, stop).filter((m) => {
      if (!stop(m)) return true;
      if (!readSet.has(m)) (readSet.add(m), reads.push(m));
      return false;
    });
    kernels.push({ index: st.kernel, kernel, writes, reads, nodes });
  }
  const simplifiedRoots = roots.map((r) => trace.images.get(r) ?? r);
  return { kernels, slotNode, roots: simplifiedRoots };
}
