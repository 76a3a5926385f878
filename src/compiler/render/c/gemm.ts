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
import type { GemmKernel, LoopVar } from '../../lower/kernel.js';
import * as S from '../../lower/sym.js';
import type { Val, ValTable } from '../../lower/val.js';
import { valDeps } from '../../lower/val.js';
import { Emitter, Scope } from './emit.js';
import { indent, kernelText, PARALLEL_MIN, type RenderOptions } from './loops.js';
import { CTYPE } from './spellings.js';

const KC = 256;
const MC = 96;
const NC = 4096;

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

function linear(vars: readonly LoopVar[]): S.Sym {
  const parts: S.Sym[] = [];
  let stride = 1;
  for (let i = vars.length - 1; i >= 0; i--) {
    parts.push(S.mul(S.symVar(vars[i]!.name, vars[i]!.extent), stride));
    stride *= vars[i]!.extent;
  }
  return S.add(...parts);
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

export function renderGemmKernel(g: GemmKernel, o: RenderOptions): string {
  const T = CTYPE[g.accType];
  const sfx = g.accType === 'float32' ? 'F' : 'D';
  const NR = `GRAFT_NR_${sfx}`;
  const MR = 'GRAFT_MR';
  const M = prod(g.m);
  const N = prod(g.n);
  const K = prod(g.k);
  const B = prod(g.batch);
  const top = new Scope(null, new Set(), new Set());
  const em = new Emitter(g.vals, (i) => `p${i}`, () => 'cv_');
  const par = (work: string): string => (o.threads > 1 ? `#pragma omp parallel for num_threads(${o.threads}) schedule(static) if(${work} >= ${PARALLEL_MIN}L)` : '');
  const expected = S.add(S.mul(linear(g.batch), M * N), S.mul(linear(g.m), N), linear(g.n));
  const direct = g.out.value.k === 'acc' && g.out.index.key === expected.key;
  const out = `p${g.out.param}`;

  top.lines.push(
    `${T} *restrict Bp = (${T} *)aligned_alloc(64, sizeof(${T}) * ${KC}L * ((${Math.min(N, NC)}L + ${NR} - 1) / ${NR} * ${NR}));`,
    `${T} *restrict Ap = (${T} *)aligned_alloc(64, sizeof(${T}) * ${KC}L * ${MC}L);`,
    direct ? `${T} *restrict Ct = 0;` : `${T} *restrict Ct = (${T} *)malloc(sizeof(${T}) * ${M * N}L);`,
    `if (!Bp || !Ap || ${direct ? '0' : '!Ct'}) { free(Bp); free(Ap); free(Ct); return GRAFT_OUT_OF_MEMORY; }`,
  );
  const batch = top.child(g.batch.map((v) => v.name));
  batch.lines.push(...decode(g.batch, 'bt_'));
  batch.lines.push(`${T} *restrict C = ${direct ? `${out} + bt_ * ${M * N}L` : 'Ct'};`);

  // Pack B: panel jp (NR columns) of the block, element (kk, jj) at Bp[jp*kc + kk*NR + jj].
  const packB = batch.child([...g.n, ...g.k].map((v) => v.name));
  packB.lines.push(...decode(g.n, 'jc_ + jp_ + jj_'), ...decode(g.k, 'pc_ + kk_'));
  const bv = em.ref(g.b, packB);
  packB.lines.push(`Bp[jp_ * kc_ + kk_ * ${NR} + jj_] = ${bv};`);
  const bKInner = kContiguous(g.b, g.vals, g.k);
  const bLoops = bKInner
    ? [`for (long jj_ = 0; jj_ < ${NR}; jj_++)`, `for (long kk_ = 0; kk_ < kc_; kk_++)`]
    : [`for (long kk_ = 0; kk_ < kc_; kk_++)`, `for (long jj_ = 0; jj_ < ${NR}; jj_++)`];
  const packBText = [
    par(`nc_ * kc_`),
    `for (long jp_ = 0; jp_ < nc_; jp_ += ${NR}) {`,
    ...indent([
      ...bLoops,
      `{`,
      ...indent([`if (jp_ + jj_ >= nc_) { Bp[jp_ * kc_ + kk_ * ${NR} + jj_] = 0; continue; }`, ...packB.lines]),
      `}`,
    ]),
    `}`,
  ].filter((l) => l !== '');

  // Pack A: panel ip (MR rows), element (ii, kk) at Ap[ip*kc + kk*MR + ii].
  const packA = batch.child([...g.m, ...g.k].map((v) => v.name));
  packA.lines.push(...decode(g.m, 'ic_ + ip_ + ii_'), ...decode(g.k, 'pc_ + kk_'));
  const av = em.ref(g.a, packA);
  packA.lines.push(`Ap[ip_ * kc_ + kk_ * ${MR} + ii_] = ${av};`);
  const aKInner = kContiguous(g.a, g.vals, g.k);
  const aLoops = aKInner
    ? [`for (long ii_ = 0; ii_ < ${MR}; ii_++)`, `for (long kk_ = 0; kk_ < kc_; kk_++)`]
    : [`for (long kk_ = 0; kk_ < kc_; kk_++)`, `for (long ii_ = 0; ii_ < ${MR}; ii_++)`];
  const packAText = [
    par(`mc_ * kc_`),
    `for (long ip_ = 0; ip_ < mc_; ip_ += ${MR}) {`,
    ...indent([
      ...aLoops,
      `{`,
      ...indent([`if (ip_ + ii_ >= mc_) { Ap[ip_ * kc_ + kk_ * ${MR} + ii_] = 0; continue; }`, ...packA.lines]),
      `}`,
    ]),
    `}`,
  ].filter((l) => l !== '');

  const compute = [
    par(`mc_ * nc_ * kc_`),
    `for (long jr_ = 0; jr_ < nc_; jr_ += ${NR}) {`,
    `  for (long ir_ = 0; ir_ < mc_; ir_ += ${MR}) {`,
    `    graft_ukernel_${sfx.toLowerCase()}(kc_, Ap + ir_ * kc_, Bp + jr_ * kc_, C + (ic_ + ir_) * ${N}L + jc_ + jr_, ${N}L,`,
    `      mc_ - ir_ < ${MR} ? mc_ - ir_ : ${MR}, nc_ - jr_ < ${NR} ? nc_ - jr_ : ${NR}, pc_ > 0);`,
    `  }`,
    `}`,
  ].filter((l) => l !== '');

  const blocks = [
    `for (long jc_ = 0; jc_ < ${N}L; jc_ += ${NC}) {`,
    ...indent([
      `const long nc_ = ${N}L - jc_ < ${NC} ? ${N}L - jc_ : ${NC};`,
      `for (long pc_ = 0; pc_ < ${K}L; pc_ += ${KC}) {`,
      ...indent([
        `const long kc_ = ${K}L - pc_ < ${KC} ? ${K}L - pc_ : ${KC};`,
        ...packBText,
        `for (long ic_ = 0; ic_ < ${M}L; ic_ += ${MC}) {`,
        ...indent([`const long mc_ = ${M}L - ic_ < ${MC} ? ${M}L - ic_ : ${MC};`, ...packAText, ...compute]),
        `}`,
      ]),
      `}`,
    ]),
    `}`,
  ];
  batch.lines.push(...blocks);

  if (!direct) {
    const epi = batch.child([...g.m, ...g.n].map((v) => v.name));
    epi.accs.add(g.acc);
    epi.lines.push(...decode(g.m, 'mf_'), ...decode(g.n, 'nf_'), `const ${T} cv_ = C[mf_ * ${N}L + nf_];`);
    const v = em.ref(g.out.value, epi);
    epi.lines.push(`${out}[${em.sym(g.out.index, epi)}] = ${v};`);
    batch.lines.push(par(`${M * N}L`), `for (long mf_ = 0; mf_ < ${M}L; mf_++) {`, `  for (long nf_ = 0; nf_ < ${N}L; nf_++) {`, ...indent(epi.lines, 2), '  }', '}');
  }

  top.lines.push(`for (long bt_ = 0; bt_ < ${B}L; bt_++) {`, ...indent(batch.lines), '}', 'free(Bp); free(Ap); free(Ct);');
  return kernelText(g.name, g.params, top.lines.filter((l) => l !== ''));
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
#define GRAFT_UKERNEL(NAME, T, V, VW, NR) \\
static void NAME(long kc, const T *restrict a, const T *restrict b, T *restrict c, long ldc, long mr, long nr, int acc) { \\
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
