/**
 * Loop merging: two adjacent loops (both outer or both inner) become one when every index expression of the
 * kernel stays as simple (no new division or remainder). A contiguous elementwise kernel over [A, B, C]
 * becomes one loop of A*B*C iterations with unit-stride accesses — the form the C compiler vectorizes best.
 *
 * Loop splitting is the converse: a short innermost loop whose variable is read as (i / d, i % d) — the
 * columns of a pooling gradient, read through the pooled grid — becomes two loops when that removes
 * divisions and remainders.
 */
import type { LoopKernel, LoopVar } from './kernel.js';
import { kernelDivMods, Rebuilder } from './rebuild.js';
import * as S from './sym.js';
import { ownIndexExprs, valArgs, walkVals, type Val } from './val.js';

/** The values a kernel stores or reduces. */
const kernelRoots = (k: LoopKernel): Val[] => [...k.outs.map((o) => o.value), ...k.phases.flat().map((r) => r.value)];

function cost(k: LoopKernel): number {
  return kernelDivMods(kernelRoots(k), k.outs.map((o) => o.index));
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
  return replaceLoops(k, group, i, 2, [merged], env);
}

/**
 * The kernel with `count` loops of `group` from `i` on replaced by `loops`, every index expression rewritten
 * through `env` (old loop variable -> expression of the new ones).
 */
function replaceLoops(k: LoopKernel, group: 'outer' | 'inner', i: number, count: number, loops: LoopVar[], env: Map<string, S.Sym>): LoopKernel {
  const rb = new Rebuilder(k.vals, env);
  const phases = k.phases.map((p) => p.map((r) => rb.spec(r)));
  const outs = k.outs.map((o) => ({ ...o, value: rb.val(o.value), index: rb.sym(o.index) }));
  const old = k[group];
  const newLoops = [...old.slice(0, i), ...loops, ...old.slice(i + count)];
  return {
    ...k,
    vals: rb.vt,
    phases,
    outs,
    outer: group === 'outer' ? newLoops : k.outer,
    inner: group === 'inner' ? newLoops : k.inner,
  };
}

/** The divisors d such that some index expression reads `(name) / d` or `(name) % d` and d divides the extent. */
function splitCandidates(k: LoopKernel, v: LoopVar): number[] {
  const ds = new Set<number>();
  const visit = (x: S.Sym): void => {
    for (const [a] of x.terms) {
      if (a.t === 'div' || a.t === 'mod') {
        const inner = a.a;
        if (inner.c === 0 && inner.terms.length === 1 && inner.terms[0]![1] === 1 && inner.terms[0]![0].t === 'var' && inner.terms[0]![0].name === v.name) {
          if (a.d > 1 && a.d < v.extent && v.extent % a.d === 0) ds.add(a.d);
        } else visit(inner);
      }
    }
  };
  forEachSym(k, visit);
  return [...ds].sort((a, b) => a - b);
}

/** Calls f on every index expression of the kernel (loads, guards, iotas, counters, outputs). */
function forEachSym(k: LoopKernel, f: (x: S.Sym) => void): void {
  for (const o of k.outs) f(o.index);
  walkVals(kernelRoots(k), valArgs, (v) => ownIndexExprs(v).forEach(f));
}

function splitLoop(k: LoopKernel, group: 'outer' | 'inner', i: number, d: number): LoopKernel {
  const loops = k[group];
  const v = loops[i]!;
  const hi: LoopVar = { name: `${v.name}h${d}`, extent: v.extent / d };
  const lo: LoopVar = { name: `${v.name}l${d}`, extent: d };
  const env = new Map([[v.name, S.add(S.mul(S.symVar(hi.name, hi.extent), d), S.symVar(lo.name, lo.extent))]]);
  return replaceLoops(k, group, i, 1, [hi, lo], env);
}

/**
 * Loops longer than this, innermost, are vectorized by the renderer (`omp simd`; render/c/nest.ts keeps
 * shorter ones rolled), and divisions by constants cost little in vector code. Only a short innermost loop
 * is split: its divisions run at every element, while those of outer loops are hoisted by the C compiler
 * anyway (splitting an outer loop measured slower: one more collapsed loop, nothing saved).
 */
const VECTOR_LOOP = 16;

/** Split the innermost loop when it is short and read through divisions (see the file comment) and that removes divisions. */
export function splitLoops(k: LoopKernel): LoopKernel {
  const group = k.inner.length ? 'inner' : 'outer';
  const i = k[group].length - 1;
  const v = k[group][i];
  if (v === undefined || v.extent > VECTOR_LOOP) return k;
  let best = k;
  let c = cost(k);
  for (const d of splitCandidates(k, v)) {
    const cand = splitLoop(k, group, i, d);
    const cc = cost(cand);
    if (cc < c) {
      best = cand;
      c = cc;
    }
  }
  return best;
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
