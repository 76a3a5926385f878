/**
 * C for loop kernels: elementwise work (elementwise.ts) and fused reductions (reduce.ts). Vectorization is
 * left to the C compiler (unit-stride innermost loops, `omp simd` on reduction loops); threads are OpenMP
 * `parallel for` over the outer loops once a kernel is big enough (PARALLEL_MIN element-steps).
 */
import type { KOut, LoopKernel } from '../../lower/kernel.js';
import { renderElementwise } from './elementwise.js';
import { Emitter, Scope } from './emit.js';
import { ERR_CLAUSE, kernelText, type RenderOptions } from './nest.js';
import { renderReduce } from './reduce.js';

export function renderLoopKernel(k: LoopKernel, o: RenderOptions): string {
  const top = new Scope(null, new Set(), new Set());
  const em = new Emitter(k.vals, (i) => `p${i}`, (i) => `acc${i}`);
  const canFail = k.errors.index.length > 0 || k.errors.zerodiv || k.errors.negpow;
  const errClause = canFail ? [ERR_CLAUSE] : [];
  const storer =
    (outs: readonly KOut[]) =>
    (s: Scope): void => {
      for (const out of outs) {
        const v = em.ref(out.value, s);
        s.lines.push(`p${out.param}[${em.sym(out.index, s)}] = ${v};`);
      }
    };
  if (k.inner.length === 0) renderElementwise(k, o, top, em, storer(k.outs), errClause);
  else renderReduce(k, o, top, em, { row: storer(k.outs.filter((x) => !x.full)), full: storer(k.outs.filter((x) => x.full)) }, errClause);
  return kernelText(k.name, k.params, top.lines, k.inner.length > 0 ? 'GRAFT_ROWS ' : '');
}
