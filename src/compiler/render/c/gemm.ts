/**
 * C for contractions: the classic packed GEMM (Goto/BLIS loop order). For each block of B (KC x NC) packed
 * into panels of NR columns, and each block of A (MC x KC) packed into panels of MR rows, a register-tiled
 * micro-kernel computes MR x NR outputs with vector accumulators. Packing evaluates the operands' fused values
 * (any view, any prologue elementwise work) once per block, so the micro-kernel only ever sees contiguous,
 * aligned memory. The epilogue (bias, activation, any post-reduction work) runs over the finished sums,
 * unless the output is the plain sum stored row-major, which is then accumulated in place.
 *
 * The micro-kernels (MICROKERNELS_C) use GCC vector extensions; their width follows the target ISA (AVX-512,
 * AVX2, or SSE) through the preprocessor.
 */
import { GEMM, gemmSplit, gemmThreadScratch, type GemmKernel, type LoopVar } from '../../lower/kernel.js';
import * as S from '../../lower/sym.js';
import type { Val, ValTable } from '../../lower/val.js';
import { valDeps } from '../../lower/val.js';
import { Emitter, Scope } from './emit.js';
import { indent, kernelText, NO_UNROLL, PARALLEL_MIN, type RenderOptions } from './nest.js';
import { CTYPE } from './spellings.js';

const { KC, MC, NC } = GEMM;

const prod = (ls: readonly LoopVar[]): number => ls.reduce((a, l) => a * l.extent, 1);

/** Lines declaring a group of loop variables from their row-major flat index `flat`. */
function decode(vars: readonly LoopVar[], flat: string): string[] {
  const out: string[] = [];
  let stride = 1;
  for (let i = vars.length - 1; i >= 0; i--) {
    const v = vars[i]!;
    const q = stride === 1 ? flat : `(${flat}) / ${stride}`;
    out.unshift(`const long ${v.name} = ${i === 0 ? q : `(${q}) % ${v.extent}`};`);
    stride *= v.extent;
  }
  return out;
}

/** Whether the operand's loads are unit-stride along the last k loop (then pack with k innermost). */
function kContiguous(v: Val, vt: ValTable, k: readonly LoopVar[]): boolean {
  const last = k[k.length - 1]!.name;
  const stack = [v];
  const seen = new Set<number>();
  while (stack.length) {
    const x = stack.pop()!;
    if (seen.has(x.id)) continue;
    seen.add(x.id);
    if (x.k === 'load') return S.coefOf(x.index, last) === 1;
    stack.push(...valDeps(x, vt));
  }
  return true;
}

/**
 * The work is split into (batch element, part) items, a part being a contiguous range of output columns
 * (or rows, when there are more rows than columns). Items run in one parallel loop and never wait for one
 * another: each thread packs the blocks it needs into its own slice of the scratch buffer.
 */
export function renderGemmKernel(g: GemmKernel, o: RenderOptions): string {
  const T = CTYPE[g.accType];
  const sfx = g.accType === 'float32' ? 'F' : 'D';
  const NR = `GRAFT_NR_${sfx}`;
  const MR = 'GRAFT_MR';
  const M = prod(g.m);
  const N = prod(g.n);
  const K = prod(g.k);
  const B = prod(g.batch);
  const { parts, byColumns, per } = gemmSplit(g, o.threads);
  const sc = gemmThreadScratch(g, o.threads, g.direct);
  const top = new Scope(null, new Set(), new Set());
  const em = new Emitter(g.vals, (i) => `p${i}`, () => 'cv_');
  const out = `p${g.out.param}`;

  const item = top.child(g.batch.map((v) => v.name));
  item.lines.push(
    `const long bt_ = it_ / ${parts}, part_ = it_ % ${parts};`,
    byColumns
      ? `const long m0_ = 0, m1_ = ${M}L, n0_ = part_ * ${per}L, n1_ = n0_ + ${per}L < ${N}L ? n0_ + ${per}L : ${N}L;`
      : `const long n0_ = 0, n1_ = ${N}L, m0_ = part_ * ${per}L, m1_ = m0_ + ${per}L < ${M}L ? m0_ + ${per}L : ${M}L;`,
    `if (m0_ >= m1_ || n0_ >= n1_) continue;`,
    `${T} *restrict Bp = scratch + (long)omp_get_thread_num() * ${sc.a + sc.b + sc.c}L;`,
    `${T} *restrict Ap = Bp + ${sc.b}L;`,
    g.direct ? `${T} *restrict C = ${out} + bt_ * ${M * N}L + m0_ * ${N}L + n0_;` : `${T} *restrict C = Ap + ${sc.a}L;`,
    `const long ldc_ = ${g.direct ? `${N}L` : 'n1_ - n0_'};`,
    ...decode(g.batch, 'bt_'),
  );

  // Pack B: panel jp (NR columns) of the block, element (kk, jj) at Bp[jp*kc + kk*NR + jj].
  const packB = item.child([...g.n, ...g.k].map((v) => v.name));
  packB.lines.push(...decode(g.n, 'jc_ + jp_ + jj_'), ...decode(g.k, 'pc_ + kk_'));
  packB.lines.push(`Bp[jp_ * kc_ + kk_ * ${NR} + jj_] = ${em.ref(g.b, packB)};`);
  const bLoops = kContiguous(g.b, g.vals, g.k)
    ? [`${NO_UNROLL}for (long jj_ = 0; jj_ < ${NR}; jj_++)`, `${NO_UNROLL}for (long kk_ = 0; kk_ < kc_; kk_++)`]
    : [`${NO_UNROLL}for (long kk_ = 0; kk_ < kc_; kk_++)`, `${NO_UNROLL}for (long jj_ = 0; jj_ < ${NR}; jj_++)`];
  const packBText = [
    `for (long jp_ = 0; jp_ < nc_; jp_ += ${NR}) {`,
    ...indent([...bLoops, `{`, ...indent([`if (jc_ + jp_ + jj_ >= n1_) { Bp[jp_ * kc_ + kk_ * ${NR} + jj_] = 0; continue; }`, ...packB.lines]), `}`]),
    `}`,
  ];

  // Pack A: panel ip (MR rows), element (ii, kk) at Ap[ip*kc + kk*MR + ii].
  const packA = item.child([...g.m, ...g.k].map((v) => v.name));
  packA.lines.push(...decode(g.m, 'ic_ + ip_ + ii_'), ...decode(g.k, 'pc_ + kk_'));
  packA.lines.push(`Ap[ip_ * kc_ + kk_ * ${MR} + ii_] = ${em.ref(g.a, packA)};`);
  const aLoops = kContiguous(g.a, g.vals, g.k)
    ? [`${NO_UNROLL}for (long ii_ = 0; ii_ < ${MR}; ii_++)`, `${NO_UNROLL}for (long kk_ = 0; kk_ < kc_; kk_++)`]
    : [`${NO_UNROLL}for (long kk_ = 0; kk_ < kc_; kk_++)`, `${NO_UNROLL}for (long ii_ = 0; ii_ < ${MR}; ii_++)`];
  const packAText = [
    `for (long ip_ = 0; ip_ < mc_; ip_ += ${MR}) {`,
    ...indent([...aLoops, `{`, ...indent([`if (ic_ + ip_ + ii_ >= m1_) { Ap[ip_ * kc_ + kk_ * ${MR} + ii_] = 0; continue; }`, ...packA.lines]), `}`]),
    `}`,
  ];

  const compute = [
    `for (long jr_ = 0; jr_ < nc_; jr_ += ${NR}) {`,
    `  for (long ir_ = 0; ir_ < mc_; ir_ += ${MR}) {`,
    `    graft_ukernel_${sfx.toLowerCase()}(kc_, Ap + ir_ * kc_, Bp + jr_ * kc_, C + (ic_ - m0_ + ir_) * ldc_ + jc_ - n0_ + jr_, ldc_,`,
    `      mc_ - ir_ < ${MR} ? mc_ - ir_ : ${MR}, nc_ - jr_ < ${NR} ? nc_ - jr_ : ${NR}, pc_ > 0);`,
    `  }`,
    `}`,
  ];

  item.lines.push(
    `for (long jc_ = n0_; jc_ < n1_; jc_ += ${NC}) {`,
    ...indent([
      `const long nc_ = n1_ - jc_ < ${NC} ? n1_ - jc_ : ${NC};`,
      `for (long pc_ = 0; pc_ < ${K}L; pc_ += ${KC}) {`,
      ...indent([
        `const long kc_ = ${K}L - pc_ < ${KC} ? ${K}L - pc_ : ${KC};`,
        ...packBText,
        `for (long ic_ = m0_; ic_ < m1_; ic_ += ${MC}) {`,
        ...indent([`const long mc_ = m1_ - ic_ < ${MC} ? m1_ - ic_ : ${MC};`, ...packAText, ...compute]),
        `}`,
      ]),
      `}`,
    ]),
    `}`,
  );

  if (!g.direct) {
    const epi = item.child([...g.m, ...g.n].map((v) => v.name));
    epi.accs.add(g.acc);
    epi.lines.push(...decode(g.m, 'mf_'), ...decode(g.n, 'nf_'), `const ${T} cv_ = C[(mf_ - m0_) * ldc_ + nf_ - n0_];`);
    const v = em.ref(g.out.value, epi);
    epi.lines.push(`${out}[${em.sym(g.out.index, epi)}] = ${v};`);
    item.lines.push(`${NO_UNROLL}for (long mf_ = m0_; mf_ < m1_; mf_++) {`, `  ${NO_UNROLL}for (long nf_ = n0_; nf_ < n1_; nf_++) {`, ...indent(epi.lines, 2), '  }', '}');
  }

  const nItems = B * parts;
  top.lines.push(`${T} *restrict scratch = (${T} *)bufs[${g.params.length}];`);
  if (o.threads > 1 && nItems > 1 && g.flops >= 2 * PARALLEL_MIN) {
    top.lines.push(`#pragma omp parallel for num_threads(${o.threads}) schedule(dynamic, 1) reduction(|:err)`);
  }
  top.lines.push(`for (long it_ = 0; it_ < ${nItems}L; it_++) {`, ...indent(item.lines), '}');
  return kernelText(g.name, g.params, top.lines);
}

/** The register-tiled micro-kernels, once per generated file. */
export const MICROKERNELS_C = `
#if defined(__AVX512F__)
#define GRAFT_VW_F 16
#define GRAFT_MR 8
#elif defined(__AVX__)
#define GRAFT_VW_F 8
#define GRAFT_MR 6
#else
#define GRAFT_VW_F 4
#define GRAFT_MR 6
#endif
#define GRAFT_VW_D (GRAFT_VW_F / 2)
#define GRAFT_NR_F (2 * GRAFT_VW_F)
#define GRAFT_NR_D (2 * GRAFT_VW_D)
typedef float graft_vf __attribute__((vector_size(GRAFT_VW_F * 4)));
typedef double graft_vd __attribute__((vector_size(GRAFT_VW_D * 8)));
/* The micro-kernel alone may fuse multiply-adds (the tile sums are reassociated anyway). */
#define GRAFT_UKERNEL(NAME, T, V, VW, NR) \\
__attribute__((optimize("fp-contract=fast"))) static void NAME(long kc, const T *restrict a, const T *restrict b, T *restrict c, long ldc, long mr, long nr, int acc) { \\
  V c0[GRAFT_MR], c1[GRAFT_MR]; \\
  _Pragma("GCC unroll 16") for (int i = 0; i < GRAFT_MR; i++) { c0[i] = (V){0}; c1[i] = (V){0}; } \\
  for (long p = 0; p < kc; p++) { \\
    const V b0 = *(const V *)(b + p * NR); \\
    const V b1 = *(const V *)(b + p * NR + VW); \\
    _Pragma("GCC unroll 16") for (int i = 0; i < GRAFT_MR; i++) { \\
      const T ai = a[p * GRAFT_MR + i]; c0[i] += ai * b0; c1[i] += ai * b1; \\
    } \\
  } \\
  if (mr == GRAFT_MR && nr == NR) { \\
    _Pragma("GCC unroll 16") for (int i = 0; i < GRAFT_MR; i++) { \\
      T *ci = c + i * ldc; V t0, t1; \\
      if (acc) { memcpy(&t0, ci, sizeof t0); memcpy(&t1, ci + VW, sizeof t1); t0 += c0[i]; t1 += c1[i]; } \\
      else { t0 = c0[i]; t1 = c1[i]; } \\
      memcpy(ci, &t0, sizeof t0); memcpy(ci + VW, &t1, sizeof t1); \\
    } \\
  } else { \\
    T tmp[GRAFT_MR][NR]; \\
    for (int i = 0; i < GRAFT_MR; i++) { memcpy(&tmp[i][0], &c0[i], sizeof(V)); memcpy(&tmp[i][VW], &c1[i], sizeof(V)); } \\
    for (long i = 0; i < mr; i++) for (long j = 0; j < nr; j++) c[i * ldc + j] = (acc ? c[i * ldc + j] : (T)0) + tmp[i][j]; \\
  } \\
}
GRAFT_UKERNEL(graft_ukernel_f, float, graft_vf, GRAFT_VW_F, GRAFT_NR_F)
GRAFT_UKERNEL(graft_ukernel_d, double, graft_vd, GRAFT_VW_D, GRAFT_NR_D)
`;
