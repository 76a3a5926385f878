/**
 * Loop merging: two adjacent loops (both outer or both inner) become one when every index expression of the
 * kernel stays as simple (no new division or remainder). A contiguous elementwise kernel over [A, B, C]
 * becomes one loop of A*B*C iterations with unit-stride accesses — the form the C compiler vectorizes best.
 */
import type { LoopKernel, LoopVar } from './kernel.js';
import { kernelDivMods, Rebuilder } from './rebuild.js';
import * as S from './sym.js';

function cost(k: LoopKernel): number {
  return kernelDivMods([...k.outs.map((o) => o.value), ...k.phases.flat().map((r) => r.value)], k.outs.map((o) => o.index));
}

function mergePair(k: LoopKernel, group: 'outer' | 'inner', i: number): LoopKernel {
  const loops = k[group];
  const a = loops[i]!;
  const b = loops[i + 1]!;
  const merged: LoopVar = { name: `${a.name}_${b.name.replace(/^[a-z]/, '')}`, extent: a.extent * b.extent };
  const w = S.symVar(merged.name, merged.extent);
  const env = new Map([
    [a.name, S.div(w, b.extent)],
    [b.name, S.mod(w, b.extent)],
  ]);
  const rb = new Rebuilder(k.vals, env);
  const phases = k.phases.map((p) => p.map((r) => rb.spec(r)));
  const outs = k.outs.map((o) => ({ ...o, value: rb.val(o.value), index: rb.sym(o.index) }));
  const newLoops = [...loops.slice(0, i), merged, ...loops.slice(i + 2)];
  return {
    ...k,
    vals: rb.vt,
    phases,
    outs,
    outer: group === 'outer' ? newLoops : k.outer,
    inner: group === 'inner' ? newLoops : k.inner,
  };
}

export function mergeLoops(k: LoopKernel): LoopKernel {
  let cur = k;
  let c = cost(cur);
  for (const group of ['outer', 'inner'] as const) {
    for (let i = cur[group].length - 2; i >= 0; i--) {
      const cand = mergePair(cur, group, i);
      const cc = cost(cand);
      if (cc <= c) {
        cur = cand;
        c = cc;
      }
      i = Math.min(i, cur[group].length - 1);
    }
  }
  return cur;
}
