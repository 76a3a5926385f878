/**
 * Values a reduction pass computes per element and the output pass needs again ("stashes"). Softmax sums
 * e = exp(x - max) over the row, then writes e / sum: recomputing e in the output pass costs as much as the
 * whole sum pass (the exp is the work). Instead the sum pass also stores e into the output itself, and the
 * output pass reads it back and overwrites it with the final value. The row is then still in cache (a
 * 4096-float row is 16 KiB), so the kernel reads its input once from memory, writes its output once, and
 * evaluates each exp once; the cross entropy gradient (softmax - onehot) is the same shape.
 *
 * A value is stashed when its own recomputation costs more than the schedule's CHEAP (the weights of
 * schedule/cost.ts: one exp is already more), and it is kept in a full output of its dtype (each stash in
 * an output of its own). Cheap values (log-softmax's x - max, layer norm's x - mean) are recomputed: a
 * reload from cache costs as much as a subtraction.
 */
import type { KOut, LoopKernel } from '../../lower/kernel.js';
import * as S from '../../lower/sym.js';
import { ownIndexExprs, valArgs, valDeps, walkVals, type Val } from '../../lower/val.js';
import { CHEAP, opWeight } from '../../schedule/cost.js';

export interface Stash {
  /** The value kept. */
  readonly v: Val;
  /** The full output it is kept in (written with its final value by the output pass). */
  readonly out: KOut;
  /** The reduction phase whose pass stores it: the first that computes it. */
  readonly phase: number;
}

/** What computing `v` costs where it is needed again (inputs' loads, constants and accumulators are free). */
function recomputeCost(v: Val): number {
  let c = 0;
  walkVals([v], valArgs, (x) => {
    if (x.k === 'op') c += opWeight(x.op);
    else if (x.k === 'rand') c += opWeight('rand');
  });
  return c;
}

/** Whether `v` varies along the inner loops (a per-row value is computed once per row anyway). */
function perElement(v: Val, k: LoopKernel): boolean {
  const inner = new Set(k.inner.map((l) => l.name));
  return !walkVals([v], (x) => valDeps(x, k.vals), (x) => !ownIndexExprs(x).some((e) => [...S.varsOf(e)].some((n) => inner.has(n))));
}

export function stashes(k: LoopKernel): Stash[] {
  const full = k.outs.filter((o) => o.full);
  if (full.length === 0 || k.phases.length === 0) return [];
  // The per-element values each phase's pass computes (accumulators have no inputs: the walk stops there).
  const phaseOf = new Map<number, number>();
  k.phases.forEach((phase, p) => {
    walkVals(
      phase.map((r) => r.value),
      (x) => valDeps(x, k.vals),
      (x) => {
        if (!phaseOf.has(x.id)) phaseOf.set(x.id, p);
      },
    );
  });
  const out: Stash[] = [];
  const holders = new Set<KOut>();
  const seen = new Set<number>();
  // The outermost values of the outputs' expressions that a pass computes and that are dear to recompute.
  const visit = (v: Val): void => {
    if (seen.has(v.id)) return;
    seen.add(v.id);
    const p = phaseOf.get(v.id);
    if (p !== undefined && v.k === 'op' && recomputeCost(v) > CHEAP && perElement(v, k)) {
      const holder = full.find((o) => !holders.has(o) && k.params[o.param]!.dtype === v.dtype);
      if (holder) {
        holders.add(holder);
        out.push({ v, out: holder, phase: p });
        return;
      }
    }
    for (const d of valDeps(v, k.vals)) visit(d);
  };
  for (const o of full) visit(o.value);
  return out;
}
