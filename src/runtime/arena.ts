/**
 * A program's working memory as one arena: intermediates (temp slots), GEMM scratch and the temporaries of
 * `assign`s get byte ranges of one block by liveness, so values that are never alive together share memory
 * (a training step's activations and gradients reuse what earlier kernels freed; every GEMM's packing
 * buffers are one region, since kernels run one after another).
 *
 * Lifetimes come from the plan's steps (time = step index): a temp lives from its `alloc` to its `free` (or
 * the end), an assign temporary to the end (it is copied into its target after every kernel), scratch during
 * the kernels that use it. Ranges are handed out in step order, best fit among freed ranges (neighbours
 * merged), else at the top; 64-byte aligned, as the allocator's blocks are.
 */
import type { ProgramPlan } from '../compiler/plan.js';
import { DTYPE_INFO } from '../ir/index.js';

const ALIGN = 64;
const up = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

export interface ArenaLayout {
  /** Byte offset of each slot placed in the arena (undefined: not in it). */
  readonly offsets: readonly (number | undefined)[];
  /** The arena's size in bytes. */
  readonly bytes: number;
  /** The most bytes of arena slots alive at one time (a lower bound for `bytes`). */
  readonly peakLive: number;
  /** Bytes the slots would take each in memory of its own (what the arena saves). */
  readonly separate: number;
}

export function arenaLayout(plan: ProgramPlan): ArenaLayout {
  const n = plan.slots.length;
  const start = new Array<number>(n).fill(-1);
  const end = new Array<number>(n).fill(-1);
  const last = plan.steps.length;
  const inArena = (s: number): boolean => {
    const k = plan.slots[s]!.role.kind;
    return k === 'temp' || k === 'scratch' || k === 'assign';
  };
  plan.steps.forEach((st, i) => {
    if (st.op === 'alloc' && inArena(st.slot)) {
      start[st.slot] = i;
      end[st.slot] = last;
    } else if (st.op === 'free' && inArena(st.slot) && plan.slots[st.slot]!.role.kind === 'temp') end[st.slot] = i;
    else if (st.op === 'run') {
      for (const s of plan.kernels[st.kernel]!.args) {
        if (plan.slots[s]!.role.kind !== 'scratch') continue;
        if (start[s] < 0) start[s] = i;
        end[s] = i;
      }
    }
  });
  const size = (s: number): number => up(plan.slots[s]!.numel * DTYPE_INFO[plan.slots[s]!.dtype].bytes);
  // Events in time order: at each step, ends before starts of later steps (a range freed at step i is free
  // for a slot starting at i + 1, not at i).
  const starts: number[][] = Array.from({ length: last + 1 }, () => []);
  const ends: number[][] = Array.from({ length: last + 2 }, () => []);
  let separate = 0;
  for (let s = 0; s < n; s++) {
    if (start[s]! < 0) continue;
    starts[start[s]!]!.push(s);
    ends[end[s]! + 1]!.push(s);
    separate += size(s);
  }
  const offsets: (number | undefined)[] = new Array(n).fill(undefined);
  let free: [number, number][] = []; // [offset, bytes], sorted by offset
  let top = 0;
  let live = 0;
  let peakLive = 0;
  const release = (s: number): void => {
    const at = offsets[s]!;
    free.push([at, size(s)]);
    free.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const r of free) {
      const prev = merged[merged.length - 1];
      if (prev && prev[0] + prev[1] === r[0]) prev[1] += r[1];
      else merged.push([r[0], r[1]]);
    }
    free = merged;
    live -= size(s);
  };
  for (let t = 0; t <= last; t++) {
    for (const s of ends[t]!) release(s);
    for (const s of starts[t]!) {
      const want = size(s);
      let best = -1;
      for (let i = 0; i < free.length; i++) if (free[i]![1] >= want && (best < 0 || free[i]![1] < free[best]![1])) best = i;
      if (best >= 0) {
        const r = free[best]!;
        offsets[s] = r[0];
        if (r[1] === want) free.splice(best, 1);
        else free[best] = [r[0] + want, r[1] - want];
      } else {
        // The top free range, if it touches the top, grows instead of leaving a hole.
        const topRange = free[free.length - 1];
        if (topRange && topRange[0] + topRange[1] === top) {
          offsets[s] = topRange[0];
          top = topRange[0] + want;
          free.pop();
        } else {
          offsets[s] = top;
          top += want;
        }
      }
      live += want;
      peakLive = Math.max(peakLive, live);
    }
  }
  return { offsets, bytes: top, peakLive, separate };
}
