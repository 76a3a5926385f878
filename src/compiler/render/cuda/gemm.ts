/**
 * CUDA contractions: out[batch, m, n] = epilogue(sum_k A[batch, m, k] * B[batch, k, n]). A, B and the epilogue
 * (bias, activation, ...) are any fused values (loads through views, a convolution's im2col indexing),
 * printed by the C renderer's emitter; m, n and k are groups of loop variables, decoded from linear indices.
 *
 * Float contractions big enough are tiled (renderTiled): a block of 16x16 threads computes a 64x64 tile of
 * the output, each thread a 4x4 register block; A and B come through shared memory 16 steps of k at a time
 * (loads guarded at the edges, so any M, N, K work). Sums accumulate in the accumulator type in the order
 * of k (float32 in float, as cuBLAS does without TF32). Others (integers, tiny products) are one thread per
 * output element with the sum serial over k (renderGemm's generic form).
 */
import type { GemmKernel } from '../../lower/kernel.js';
import { prod } from '../../lower/kernel.js';
import type { CudaTarget } from '../../target.js';
import { Emitter, Scope } from '../c/emit.js';
import { nest } from '../c/nest.js';
import { CTYPE } from '../c/spellings.js';
import { decode, gridStride, indent, signature, type CudaFunctionText } from './kernel-text.js';

/** Tile of the output per block, threads per block side, register block per thread, k per shared tile. */
const TILE = 64;
const SIDE = 16;
const REG = TILE / SIDE;
const KT = 16;
/** Products (M*N*K) from which a float contraction is tiled. */
export const TILED_MIN = 1 << 15;

export function renderGemm(g: GemmKernel, t: CudaTarget): CudaFunctionText {
  const isFloat = g.accType === 'float32' || g.accType === 'float64';
  if (isFloat && prod(g.m) * prod(g.n) * prod(g.k) >= TILED_MIN) return renderTiled(g);
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

function renderTiled(g: GemmKernel): CudaFunctionText {
  const [B, M, N, K] = [prod(g.batch), prod(g.m), prod(g.n), prod(g.k)];
  const T = CTYPE[g.accType];
  const em = new Emitter(g.vals, (i) => `p${i}`, (i) => `acc${i}`);
  const names = (ls: readonly { name: string }[]): string[] => ls.map((l) => l.name);
  const top = new Scope(null, new Set(), new Set());
  const batch = top.child(names(g.batch));
  /** Lines of `value` at the element of a guarded scope (`vars` decoded there), stored by `store`. */
  const guarded = (cond: string, vars: string[], decl: string[], value: (s: Scope) => string, store: (v: string) => string, otherwise: string): string[] => {
    const s = batch.child(vars);
    s.lines.push(...decl);
    const v = value(s);
    s.lines.push(store(v));
    return [`if (${cond}) {`, ...indent(s.lines), `} else ${otherwise}`];
  };
  const loadA = guarded(
    `mi_ < ${M}L && ki_ < ${K}L`,
    ['mi_', 'ki_', ...names(g.m), ...names(g.k)],
    [...decode(g.m, 'mi_'), ...decode(g.k, 'ki_')],
    (s) => em.ref(g.a, s),
    (v) => `As_[kk_][mm_] = (${T})${v};`,
    `As_[kk_][mm_] = (${T})0;`,
  );
  const loadB = guarded(
    `ki_ < ${K}L && ni_ < ${N}L`,
    ['ki_', 'ni_', ...names(g.k), ...names(g.n)],
    [...decode(g.k, 'ki_'), ...decode(g.n, 'ni_')],
    (s) => em.ref(g.b, s),
    (v) => `Bs_[kk_][nn_] = (${T})${v};`,
    `Bs_[kk_][nn_] = (${T})0;`,
  );
  // The epilogue of one output element: the accumulator as acc<g.acc>, then every output.
  const ep = batch.child(['mi_', 'ni_', ...names(g.m), ...names(g.n)]);
  ep.lines.push(...decode(g.m, 'mi_'), ...decode(g.n, 'ni_'), `const ${T} acc${g.acc} = c_[i_][j_];`);
  ep.accs.add(g.acc);
  for (const o of g.outs) {
    const v = em.ref(o.value, ep);
    ep.lines.push(`p${o.param}[${em.sym(o.index, ep)}] = ${v};`);
  }
  const tileLoop = [
    `${T} c_[${REG}][${REG}];`,
    `for (int i_ = 0; i_ < ${REG}; i_++) for (int j_ = 0; j_ < ${REG}; j_++) c_[i_][j_] = (${T})0;`,
    `for (long k0_ = 0; k0_ < ${K}L; k0_ += ${KT}) {`,
    ...indent([
      `for (int e_ = tid_; e_ < ${TILE * KT}; e_ += ${SIDE * SIDE}) {`,
      ...indent([`const int mm_ = e_ / ${KT}, kk_ = e_ % ${KT};`, 'const long mi_ = m0_ + mm_, ki_ = k0_ + kk_;', ...loadA]),
      '}',
      `for (int e_ = tid_; e_ < ${KT * TILE}; e_ += ${SIDE * SIDE}) {`,
      ...indent([`const int kk_ = e_ / ${TILE}, nn_ = e_ % ${TILE};`, 'const long ki_ = k0_ + kk_, ni_ = n0_ + nn_;', ...loadB]),
      '}',
      '__syncthreads();',
      `for (int kk_ = 0; kk_ < ${KT}; kk_++) {`,
      `  ${T} a_[${REG}], b_[${REG}];`,
      `  for (int i_ = 0; i_ < ${REG}; i_++) a_[i_] = As_[kk_][threadIdx.y * ${REG} + i_];`,
      `  for (int j_ = 0; j_ < ${REG}; j_++) b_[j_] = Bs_[kk_][threadIdx.x * ${REG} + j_];`,
      `  for (int i_ = 0; i_ < ${REG}; i_++) for (int j_ = 0; j_ < ${REG}; j_++) c_[i_][j_] += a_[i_] * b_[j_];`,
      '}',
      '__syncthreads();',
    ]),
    '}',
    `for (int i_ = 0; i_ < ${REG}; i_++) for (int j_ = 0; j_ < ${REG}; j_++) {`,
    ...indent([
      `const long mi_ = m0_ + threadIdx.y * ${REG} + i_, ni_ = n0_ + threadIdx.x * ${REG} + j_;`,
      `if (mi_ < ${M}L && ni_ < ${N}L) {`,
      ...indent(ep.lines),
      '}',
    ]),
    '}',
  ];
  const [MT, NT] = [Math.ceil(M / TILE), Math.ceil(N / TILE)];
  const body = [
    `__shared__ ${T} As_[${KT}][${TILE}];`,
    `__shared__ ${T} Bs_[${KT}][${TILE}];`,
    'int err = 0;',
    'const int tid_ = threadIdx.y * blockDim.x + threadIdx.x;',
    ...top.lines,
    `for (long bz_ = blockIdx.z; bz_ < ${B}L; bz_ += gridDim.z) {`,
    ...indent([
      ...decode(g.batch, 'bz_'),
      ...batch.lines,
      `for (long by_ = blockIdx.y; by_ < ${MT}L; by_ += gridDim.y) {`,
      `  for (long bx_ = blockIdx.x; bx_ < ${NT}L; bx_ += gridDim.x) {`,
      ...indent([`const long m0_ = by_ * ${TILE}L, n0_ = bx_ * ${TILE}L;`, ...tileLoop], 2),
      '  }',
      '}',
    ]),
    '}',
    'if (err) atomicOr(graft_err, err);',
  ].map((l) => l.replace(/_Pragma\("GCC unroll 1"\) /g, ''));
  const launch = {
    grid: [Math.min(NT, 1 << 20), Math.min(MT, 65535), Math.min(B, 65535)] as [number, number, number],
    block: [SIDE, SIDE, 1] as [number, number, number],
  };
  return { text: [`${signature(g.name, g.params)} {`, ...indent(body), '}', ''].join('\n'), launch };
}
