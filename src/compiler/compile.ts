/**
 * The compiler pipeline for one pending graph: simplify -> schedule -> lower -> group -> render, producing a
 * program plan (plan.ts): steps over buffer slots, and the distinct C functions its kernels call. Compiling
 * the functions and running the plan is the runtime's job.
 *
 * Scheduling and lowering meet in a small loop: the schedule proposes which values get buffers, the lowering
 * builds each kernel and, where a reduction cannot be computed per row of the kernel reading it, names it;
 * that reduction is then materialized and the schedule recomputed. Lowering and rendering go through the
 * kernel cache (kernel-cache.ts): a kernel whose structure was seen before is a lookup.
 */
import type { Node } from '../ir/node.js';
import { assemble, type Entry } from './assemble.js';
import { groupKernels } from './group.js';
import { lowerBound, type BoundKernel } from './kernel-cache.js';
import { FuseError } from './lower/lower.js';
import type { ProgramPlan } from './plan.js';
import { chooseMaterialized } from './schedule/schedule.js';
import { simplify } from './simplify/index.js';
import { inputViews } from './views.js';
import { toposort } from '../ir/graph.js';
import { cTarget, type Target } from './target.js';

export interface PlanRequest {
  /** The nodes to compute (as given to the device: `assign` roots allowed). */
  readonly roots: readonly Node[];
  /** The program inputs, in parameter order (`structuralKey(roots).inputs`). */
  readonly inputs: readonly Node[];
  /** OpenMP threads to generate code for. */
  readonly threads: number;
  /** What to generate code for (target.ts): C for `threads` OpenMP threads when absent. */
  readonly target?: Target;
}

/** Where planning spent its time, and on how much (GRAFT_DEBUG=1 reports it for large graphs). */
export interface PlanningReport {
  /** Nodes of the simplified graph (inputs included). */
  readonly nodes: number;
  /** Values written to buffers by kernels, before grouping. */
  readonly materialized: number;
  /** Milliseconds per phase: simplify, schedule (with the lowering of single kernels), group, assemble (render). */
  readonly ms: { readonly simplify: number; readonly schedule: number; readonly group: number; readonly assemble: number };
}

export interface PlannedProgram {
  readonly plan: ProgramPlan;
  readonly report: PlanningReport;
  /** Which nodes the plan's slots hold (in memory only: for inspection, src/inspect/kernel-map.ts). */
  readonly trace: PlanTrace;
}

export interface PlanTrace {
  /** The simplified node of every node of the request's graph. */
  readonly images: ReadonlyMap<Node, Node>;
  /** The slot of each simplified node held in a buffer: the inputs, their views and every kernel value. */
  readonly slots: ReadonlyMap<Node, number>;
}

export function planProgram(req: PlanRequest): PlannedProgram {
  const t0 = performance.now();
  const inputSlot = new Map<Node, number>(req.inputs.map((n, i) => [n, i]));
  const isInput = (n: Node): boolean => inputSlot.has(n);
  const images = new Map<Node, Node>();
  const simplified = simplify(req.roots, images);
  const entries: Entry[] = simplified.map((r) =>
    r.op === 'assign' ? { value: r.srcs[1]!, target: inputSlot.get(r.srcs[0]!)! } : { value: r, target: null },
  );
  const values = entries.map((e) => e.value);
  // The largest values' graphs first: kernels are numbered in this order and multi-output grouping visits
  // them in it, so the big kernels form their groups before small ones can tie them to others (a loss
  // realized first would otherwise take its gradient's per-row scale into its own kernel).
  const largestFirst = [...values].sort((a, b) => b.numel - a.numel);
  const assigned = new Set(entries.filter((e) => e.target !== null).map((e) => e.value));
  // Blocks of inputs (xs[t]) are read as buffers of their own: their offsets stay out of kernel structures.
  const all = toposort(largestFirst, isInput);
  const views = inputViews(all, isInput);
  const t1 = performance.now();
  const fixed = new Map(inputSlot);
  views.forEach((v, i) => fixed.set(v.node, req.inputs.length + i));
  const isRead = (n: Node): boolean => fixed.has(n);
  // The graph the schedule sees: views are its inputs.
  const order = views.length ? toposort(largestFirst, isRead) : all;

  const forced = new Set<Node>();
  for (;;) {
    const K = chooseMaterialized(values, isRead, forced, order, (n) => assigned.has(n));
    const slotOf = new Map(fixed);
    K.forEach((n, j) => slotOf.set(n, fixed.size + j));
    // Lower every kernel, collecting all the reductions that could not be fused, then schedule again.
    const failed: Node[] = [];
    const kernels = K.map((n): BoundKernel | null => {
      // A value with no elements needs no kernel, only its (empty) buffer.
      if (n.numel === 0) return null;
      try {
        return lowerBound([{ node: n, stored: true }], slotOf, (m) => slotOf.get(m)!);
      } catch (e) {
        if (!(e instanceof FuseError) || forced.has(e.node)) throw e;
        failed.push(e.node);
        return null;
      }
    });
    if (failed.length === 0) {
      const t2 = performance.now();
      const groups = groupKernels(K, kernels, slotOf, entries);
      const t3 = performance.now();
      const plan = assemble(req.inputs, views, req.target ?? cTarget(req.threads), entries, K, groups, slotOf);
      const t4 = performance.now();
      const ms = { simplify: t1 - t0, schedule: t2 - t1, group: t3 - t2, assemble: t4 - t3 };
      return { plan, report: { nodes: order.length, materialized: K.length, ms }, trace: { images, slots: slotOf } };
    }
    for (const n of failed) forced.add(n);
  }
}
