/**
 * Row reductions as block trees: one block per row (a grid-stride loop over rows by block), its threads
 * striding over the row's flattened inner index. Each phase folds a thread's share into its accumulator
 * state (the C path's accumulator code: float32 sums in double, NaN-propagating max/min, wrapping integer
 * sums), then combines the threads' states: a shuffle tree within each warp (`__shfl_down_sync`), the warps'
 * results through shared memory, a last shuffle tree in the first warp, and the row's result broadcast
 * through shared memory to every thread. Outputs over the inner loops are written strided by all threads,
 * outputs per row by thread 0. Used for rows long enough to give a block work (ROW_MIN elements); shorter
 * rows are one thread each (index.ts).
 *
 * Few rows much longer than a block's share (a whole-tensor `sum()`) are split: each row's inner index is cut
 * into `slices` fixed ranges, a block each; a block writes its range's state to scratch and counts itself
 * done on the row's counter, and the row's last block combines the slices' states in slice order (so the
 * result does not depend on which block finishes last), writes the row's outputs and resets the counter.
 * Single-phase kernels without outputs over the inner loops only (a second phase would need every slice's
 * result: a grid-wide barrier).
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

/** Elements per slice of a split row (about), and the most slices per row. */
const SLICE = 1 << 14;
const MAX_SLICES = 256;

/** Slices per row of a split reduction, or 1 (not split). */
export function slicesOf(k: LoopKernel): number {
  if (!blockRowsFit(k) || k.phases.length !== 1 || k.outs.some((o) => o.full)) return 1;
  const rows = prod(k.outer);
  const len = prod(k.inner);
  if (rows > 16 || len < 4 * SLICE) return 1;
  return Math.min(MAX_SLICES, Math.ceil(len / SLICE));
}

/** Bytes of scratch a split reduction needs: a counter per row, then 8 bytes per state per slice per row. */
export function splitScratchBytes(k: LoopKernel): number {
  const slices = slicesOf(k);
  if (slices === 1) return 0;
  const rows = prod(k.outer);
  const states = k.phases[0]!.reduce((a, r) => a + accCode(r).states.length, 0);
  return 8 * rows + 8 * rows * slices * states;
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
  const slices = slicesOf(k);
  const per = Math.ceil(len / slices);
  const [from, to] = slices === 1 ? ['0L', `${len}L`] : ['q_ * ' + per + 'L', `(q_ + 1) * ${per}L < ${len}L ? (q_ + 1) * ${per}L : ${len}L`];
  /** A strided pass over the row's inner index (its slice's range): `body` fills the scope of one element. */
  const pass = (body: (s: Scope) => void): void => {
    const s = row.child(innerNames);
    s.lines.push(...decode(k.inner, 'j_'));
    body(s);
    row.lines.push(`for (long j_ = ${from} + threadIdx.x; j_ < (${to}); j_ += blockDim.x) {`, ...indent(s.lines), '}');
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
    for (const c of codes) for (const st of c.code.states) row.lines.push(`${c.a(st.suffix)} = ${c.sh(st.suffix)}[0];`);
    if (slices > 1) row.lines.push(...combineSlices(codes, slices, rows));
    for (const c of codes) {
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
    row.lines.push(`if (threadIdx.x == 0${slices > 1 ? ' && last_' : ''}) {`, ...indent(s.lines), '}');
  }
  const rowLoop =
    slices === 1
      ? [`for (long r_ = blockIdx.x; r_ < ${rows}L; r_ += gridDim.x) {`, ...indent([...decode(k.outer, 'r_'), ...row.lines]), '}']
      : [
          `for (long b_ = blockIdx.x; b_ < ${rows * slices}L; b_ += gridDim.x) {`,
          ...indent([`const long r_ = b_ / ${slices}L, q_ = b_ % ${slices}L;`, ...decode(k.outer, 'r_'), ...row.lines]),
          '}',
        ];
  const body = [
    ...shared,
    ...(slices > 1 ? ['__shared__ int last_sh_;'] : []),
    'int err = 0;',
    'const int lane_ = threadIdx.x & 31, warp_ = threadIdx.x >> 5, nwarps_ = blockDim.x >> 5;',
    ...top.lines,
    ...rowLoop,
    'if (err) atomicOr(graft_err, err);',
  ].map((l) => l.replace(/_Pragma\("GCC unroll 1"\) /g, ''));
  const grid = Math.max(1, Math.min(t.maxBlocks, rows * slices));
  return {
    text: [`${signature(k.name, k.params, slices > 1)} {`, ...indent(body), '}', ''].join('\n'),
    launch: { grid: [grid, 1, 1], block: [threads, 1, 1] },
  };
}

/**
 * The end of a split row's block: thread 0 stores the slice's states (8 bytes each, in scratch after the
 * rows' counters) and counts the slice done; the row's last block reads every slice's states in order and
 * combines them into `a` (the states every thread then finishes from), and resets the row's counter.
 */
function combineSlices(codes: readonly { code: AccCode; a: At; b: At }[], slices: number, rows: number): string[] {
  const states = codes.flatMap((c) => c.code.states.map((st) => ({ c, st })));
  const n = states.length;
  const at = (slice: string, i: number): string => `(volatile unsigned long long *)scratch_ + ${rows}L + (r_ * ${slices}L + ${slice}) * ${n}L + ${i}`;
  const lines = ['if (threadIdx.x == 0) {'];
  states.forEach(({ c, st }, i) => {
    lines.push(`  { unsigned long long w_ = 0; memcpy(&w_, &${c.a(st.suffix)}, sizeof(${c.a(st.suffix)})); *(${at('q_', i)}) = w_; }`);
  });
  lines.push(
    '  __threadfence();',
    `  last_sh_ = atomicAdd((unsigned int *)((unsigned long long *)scratch_ + r_), 1u) == ${slices - 1}u;`,
    '}',
    '__syncthreads();',
    'const int last_ = last_sh_;',
    'if (last_) {',
    '  __threadfence();',
  );
  for (const { c, st } of states) lines.push(`  ${c.a(st.suffix)} = ${st.init};`);
  lines.push(`  for (long s_ = 0; s_ < ${slices}L; s_++) {`);
  states.forEach(({ c, st }, i) => {
    lines.push(`    ${st.ctype} ${c.b(st.suffix)}; { const unsigned long long w_ = *(${at('s_', i)}); memcpy(&${c.b(st.suffix)}, &w_, sizeof(${c.b(st.suffix)})); }`);
  });
  for (const c of codes) lines.push(...indent(c.code.combine(c.a, c.b), 2));
  lines.push('  }', '  if (threadIdx.x == 0) *((unsigned int *)((unsigned long long *)scratch_ + r_)) = 0u;', '}');
  return lines;
}

