/**
 * CUDA contractions: out[batch, m, n] = epilogue(sum_k A[batch, m, k] * B[batch, k, n]). One thread per output
 * element, the sum serial over k in the accumulator type (float32 sums in float, as cuBLAS does), the
 * epilogue (bias, activation, ...) applied before the store. A, B and the epilogue are any fused values,
 * printed by the C renderer's emitter.
 */
import type { GemmKernel } from '../../lower/kernel.js';
import { prod } from '../../lower/kernel.js';
import type { CudaTarget } from '../../target.js';
import { Emitter, Scope } from '../c/emit.js';
import { nest } from '../c/nest.js';
import { CTYPE } from '../c/spellings.js';
import { decode, gridStride, indent, signature, type CudaFunctionText } from './kernel-text.js';

export function renderGemm(g: GemmKernel, t: CudaTarget): CudaFunctionText {
  const rowsVars = [...g.batch, ...g.m, ...g.n];
  const em = new Emitter(g.vals, (i) => `p${i}`, (i) => `acc${i}`);
  const top = new Scope(null, new Set(rowsVars.map((l) => l.name)), new Set());
  const accT = CTYPE[g.accType];
  top.lines.push(`${accT} s_ = 0;`);
  nest(top, g.k.map((l) => ({ loops: [l] })), (s) => {
    s.lines.push(`s_ += (${accT})${em.ref(g.a, s)} * (${accT})${em.ref(g.b, s)};`);
  });
  top.lines.push(`const ${accT} acc${g.acc} = s_;`);
  top.accs.add(g.acc);
  for (const o of g.outs) {
    const v = em.ref(o.value, top);
    top.lines.push(`p${o.param}[${em.sym(o.index, top)}] = ${v};`);
  }
  const body = ['int err = 0;', ...top.lines.map((l) => l.replace(/_Pragma\("GCC unroll 1"\) /g, '')), 'if (err) atomicOr(graft_err, err);'];
  const grid = gridStride(prod(rowsVars), t, [...decode(rowsVars, 'r_'), ...body]);
  return { text: [`${signature(g.name, g.params)} {`, ...indent(grid.lines), '}', ''].join('\n'), launch: grid.launch };
}
