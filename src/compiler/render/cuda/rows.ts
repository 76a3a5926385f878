/**
 * Row reductions as block trees: one block per row (a grid-stride loop over rows by block), its threads
 * striding over the row's flattened inner index. Each phase folds a thread's share into its accumulator
 * state (the C path's accumulator code: float32 sums in double, NaN-propagating max/min, wrapping integer
 * sums), then combines the threads' states: a shuffle tree within each warp (`__shfl_down_sync`), the warps'
 * results through shared memory, a last shuffle tree in the first warp, and the row's result broadcast
 * through shared memory to every thread. Outputs over the inner loops are written strided by all threads,
 * outputs per row by thread 0. Used for rows long enough to give a block work (ROW_MIN elements); shorter
 * rows are one thread each (index.ts).
 */
import type { LoopKernel } from '../../lower/kernel.js';
import { prod } from '../../lower/kernel.js';
import type { CudaTarget } from '../../target.js';
import { accCode, scalarAt, type AccCode, type At } from '../c/accumulators.js';
import { Emitter, Scope } from '../c/emit.js';
import { CTYPE } from '../c/spellings.js';
import { decode, indent, signature, type CudaFunctionText } from './kernel-text.js';

/** Row length from which a row is reduced by a block. */
export const ROW_MIN = 128;

export function blockRowsFit(k: LoopKernel): boolean {
  return k.inner.length > 0 && prod(k.inner) >= ROW_MIN;
}

/** Threads per block: about one per 8 elements of a row, a whole number of warps, at most the target's. */
export function blockThreads(len: number, t: CudaTarget): number {
  let b = 32;
  while (b < t.blockThreads && b * 8 < len) b *= 2;
  return Math.min(b, t.blockThreads);
}

const FULL = '0xffffffffu';

/** Combine every thread's state into thread 0's, by shuffles within each warp (`a` is the state, `b` a scratch). */
function warpTree(code: AccCode, a: At, b: At): string[] {
  const lines = ['for (int o_ = 16; o_ > 0; o_ >>= 1) {'];
  for (const st of code.states) lines.push(`  const ${st.ctype} ${b(st.suffix)} = __shfl_down_sync(${FULL}, ${a(st.suffix)}, o_);`);
  lines.push(...indent(code.combine(a, b)), '}');
  return lines;
}

export function renderBlockRows(k: LoopKernel, t: CudaTarget): CudaFunctionText {
  const rows = prod(k.outer);
  const len = prod(k.inner);
  const threads = blockThreads(len, t);
  const em = new Emitter(k.vals, (i) => `p${i}`, (i) => `acc${i}`);
  const top = new Scope(null, new Set(), new Set());
  const row = top.child(k.outer.map((l) => l.name));
  const innerNames = ['j_', ...k.inner.map((l) => l.name)];
  const shared: string[] = [];
  /** A strided pass over the row's inner index: `body` fills the scope of one element. */
  const pass = (body: (s: Scope) => void): void => {
    const s = row.child(innerNames);
    s.lines.push(...decode(k.inner, 'j_'));
    body(s);
    row.lines.push(`for (long j_ = threadIdx.x; j_ < ${len}L; j_ += blockDim.x) {`, ...indent(s.lines), '}');
  };
  for (const phase of k.phases) {
    const codes = phase.map((r) => ({ r, code: accCode(r), a: scalarAt(`a${r.acc}`), b: scalarAt(`b${r.acc}`), sh: scalarAt(`sh${r.acc}`) }));
    for (const c of codes) for (const st of c.code.states) row.lines.push(`${st.ctype} ${c.a(st.suffix)} = ${st.init};`);
    pass((s) => {
      for (const c of codes) s.lines.push(...c.code.update(c.a, em.ref(c.r.value, s)));
    });
    for (const c of codes) {
      for (const st of c.code.states) shared.push(`__shared__ ${st.ctype} ${c.sh(st.suffix)}[32];`);
      row.lines.push(...warpTree(c.code, c.a, c.b));
      row.lines.push(`if (lane_ == 0) { ${c.code.states.map((st) => `${c.sh(st.suffix)}[warp_] = ${c.a(st.suffix)};`).join(' ')} }`);
    }
    row.lines.push('__syncthreads();', 'if (warp_ == 0) {');
    for (const c of codes) {
      for (const st of c.code.states) row.lines.push(`  ${c.a(st.suffix)} = lane_ < nwarps_ ? ${c.sh(st.suffix)}[lane_] : ${st.init};`);
      row.lines.push(...indent(warpTree(c.code, c.a, c.b)));
      row.lines.push(`  if (lane_ == 0) { ${c.code.states.map((st) => `${c.sh(st.suffix)}[0] = ${c.a(st.suffix)};`).join(' ')} }`);
    }
    row.lines.push('}', '__syncthreads();');
    for (const c of codes) {
      for (const st of c.code.states) row.lines.push(`${c.a(st.suffix)} = ${c.sh(st.suffix)}[0];`);
      row.lines.push(`const ${CTYPE[c.r.dtype]} acc${c.r.acc} = ${c.code.result(c.a)};`);
      row.accs.add(c.r.acc);
    }
    // The shared words are read again by the next phase or row only after every thread has read them here.
    row.lines.push('__syncthreads();');
  }
  const full = k.outs.filter((o) => o.full);
  if (full.length) {
    pass((s) => {
      for (const o of full) {
        const v = em.ref(o.value, s);
        s.lines.push(`p${o.param}[${em.sym(o.index, s)}] = ${v};`);
      }
    });
  }
  const perRow = k.outs.filter((o) => !o.full);
  if (perRow.length) {
    const s = row.child([]);
    for (const o of perRow) {
      const v = em.ref(o.value, s);
      s.lines.push(`p${o.param}[${em.sym(o.index, s)}] = ${v};`);
    }
    row.lines.push('if (threadIdx.x == 0) {', ...indent(s.lines), '}');
  }
  const body = [
    ...shared,
    'int err = 0;',
    'const int lane_ = threadIdx.x & 31, warp_ = threadIdx.x >> 5, nwarps_ = blockDim.x >> 5;',
    ...top.lines,
    `for (long r_ = blockIdx.x; r_ < ${rows}L; r_ += gridDim.x) {`,
    ...indent([...decode(k.outer, 'r_'), ...row.lines]),
    '}',
    'if (err) atomicOr(graft_err, err);',
  ].map((l) => l.replace(/_Pragma\("GCC unroll 1"\) /g, ''));
  const grid = Math.max(1, Math.min(t.maxBlocks, rows));
  return { text: [`${signature(k.name, k.params)} {`, ...indent(body), '}', ''].join('\n'), launch: { grid: [grid, 1, 1], block: [threads, 1, 1] } };
}

