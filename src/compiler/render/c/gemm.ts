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
import { GEMM, gemmDirect, gemmScratchLayout, gemmSplit, prod, type GemmKernel, type LoopVar } from '../../lower/kernel.js';
import * as S from '../../lower/sym.js';
import { valDeps, walkVals, type Val, type ValTable } from '../../lower/val.js';
import { Emitter, renderSym, Scope } from './emit.js';
import { planTables, type TablePlan } from './gemm-pack.js';
import { indent, kernelText, NO_UNROLL, PARALLEL_MIN, type RenderOptions } from './nest.js';
import { CTYPE } from './spellings.js';

const { KC, MC, NC } = GEMM;

/**
 * The packed buffer never overlaps the operands, but GCC cannot prove it for pointers declared inside the
 * kernel, and does not vectorize a gather next to a possibly aliasing store without this.
 */
const IVDEP = '_Pragma("GCC ivdep") ';

const noData = (): string => {
  throw new Error('internal: a data-dependent index in a packing table');
};

const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;

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
  let unit = true;
  // the first load found decides
  walkVals([v], (x) => valDeps(x, vt), (x) => {
    if (x.k !== 'load') return true;
    unit = S.coefOf(x.index, last) === 1;
    return false;
  });
  return unit;
}

/** How one operand is packed: into panels of `R` rows of its group (m for A, n for B) by kc. */
interface Operand {
  readonly tag: 'a' | 'b';
  readonly value: Val;
  readonly group: readonly LoopVar[];
  /** Micro-panel width (C macro) and the packed buffer. */
  readonly R: string;
  readonly buf: string;
  /** Block start, size and absolute end of the group's rows. */
  readonly start: string;
  readonly size: string;
  readonly end: string;
  /** Upper bound of the block size (table length). */
  readonly maxBlock: number;
}

/**
 * The code packing one operand block (kc x size) into panels. With offset tables (gemm-pack.ts): `groupTables`
 * (once per block of the group) and `kTables` (once per k block) fill the tables, `pack` reads through them;
 * rows past the end of the group repeat the last one (never stored). Without: per-element index arithmetic.
 */
function packOperand(
  op: Operand,
  g: GemmKernel,
  em: Emitter,
  item: Scope,
  ): { groupTables: string[]; kTables: string[]; pack: string[] } {
  const plan: TablePlan | null = planTables(op.value, g.vals, op.group, g.k);
  const dst = `${op.buf}[${op.tag}p_ * kc_ + kk_ * ${op.R} + ${op.tag}i_]`;
  if (plan === null) {
    const sc = item.child([...op.group, ...g.k].map((v) => v.name));
    sc.lines.push(...decode(op.group, `${op.start} + ${op.tag}p_ + ${op.tag}i_`), ...decode(g.k, 'pc_ + kk_'));
    sc.lines.push(`${dst} = ${em.ref(op.value, sc)};`);
    const loops = kContiguous(op.value, g.vals, g.k)
      ? [`${NO_UNROLL}for (long ${op.tag}i_ = 0; ${op.tag}i_ < ${op.R}; ${op.tag}i_++)`, `${NO_UNROLL}for (long kk_ = 0; kk_ < kc_; kk_++)`]
      : [`${NO_UNROLL}for (long kk_ = 0; kk_ < kc_; kk_++)`, `${NO_UNROLL}for (long ${op.tag}i_ = 0; ${op.tag}i_ < ${op.R}; ${op.tag}i_++)`];
    const pack = [
      `for (long ${op.tag}p_ = 0; ${op.tag}p_ < ${op.size}; ${op.tag}p_ += ${op.R}) {`,
      ...indent([
        ...loops,
        `{`,
        ...indent([`if (${op.start} + ${op.tag}p_ + ${op.tag}i_ >= ${op.end}) { ${dst} = 0; continue; }`, ...sc.lines]),
        `}`,
      ]),
      `}`,
    ];
    return { groupTables: [], kTables: [], pack };
  }
  const gT = (i: number): string => `${op.tag}gT${i}`;
  const kT = (i: number): string => `${op.tag}kT${i}`;
  const texts = new Map<string, string>();
  plan.entries.forEach((e, i) => {
    const cast = e.ctype === 'int' ? '' : '(long)';
    const parts = [...(e.inner ? [`${cast}${kT(i)}[kk_]`] : []), ...(e.outer ? [`${cast}${gT(i)}[${op.tag}j_]`] : [])];
    texts.set(e.key, `(${parts.join(' + ')})`);
  });
  const kScope = item.child(g.k.map((v) => v.name));
  const eScope = kScope.child(op.group.map((v) => v.name));
  eScope.lines.push(`const long ${op.tag}j_ = ${op.tag}p_ + ${op.tag}i_;`);
  em.symText = (x) => texts.get(x.key) ?? null;
  em.selectGuardedLoads = true;
  const v = em.ref(op.value, eScope);
  em.symText = () => null;
  em.selectGuardedLoads = false;
  eScope.lines.push(`${dst} = ${v};`);
  const padded = `((${op.size} + ${op.R} - 1) / ${op.R} * ${op.R})`;
  const groupTables = [
    ...plan.entries.flatMap((e, i) => (e.outer ? [`${e.ctype} ${gT(i)}[${op.maxBlock}];`] : [])),
    `${NO_UNROLL}for (long ${op.tag}j_ = 0; ${op.tag}j_ < ${padded}; ${op.tag}j_++) {`,
    ...indent([
      `const long ${op.tag}f_ = ${op.start} + (${op.tag}j_ < ${op.size} ? ${op.tag}j_ : ${op.size} - 1);`,
      ...decode(op.group, `${op.tag}f_`),
      ...plan.entries.flatMap((e, i) => (e.outer ? [`${gT(i)}[${op.tag}j_] = (${e.ctype})(${renderSym(e.outer, noData)});`] : [])),
    ]),
    `}`,
  ];
  const kTables = [
    ...plan.entries.flatMap((e, i) => (e.inner ? [`${e.ctype} ${kT(i)}[${KC}];`] : [])),
    `${NO_UNROLL}for (long kk_ = 0; kk_ < kc_; kk_++) {`,
    ...indent([...decode(g.k, 'pc_ + kk_'), ...plan.entries.flatMap((e, i) => (e.inner ? [`${kT(i)}[kk_] = (${e.ctype})(${renderSym(e.inner, noData)});`] : []))]),
    `}`,
  ];
  const pack = [
    `for (long ${op.tag}p_ = 0; ${op.tag}p_ < ${op.size}; ${op.tag}p_ += ${op.R}) {`,
    ...indent([
      `${NO_UNROLL}for (long kk_ = 0; kk_ < kc_; kk_++) {`,
      ...indent([...kScope.lines, `${IVDEP}${NO_UNROLL}for (long ${op.tag}i_ = 0; ${op.tag}i_ < ${op.R}; ${op.tag}i_++) {`, ...indent(eScope.lines), '}']),
      '}',
    ]),
    `}`,
  ];
  return { groupTables, kTables, pack };
}

/**
 * The work is split into (batch element, part, sum part) items, a part being a contiguous range of output
 * columns (or rows, when there are more rows than columns) and a sum part a range of k (gemmSplit). Items run
 * in one parallel loop and never wait for one another: each thread packs the blocks it needs into its own
 * slice of the scratch buffer. Partial sums of a split k are added in order after that loop.
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
  const { parts, byColumns, per, kParts, kPer } = gemmSplit(g, o.threads);
  const sc = gemmScratchLayout(g, o.threads);
  const direct = gemmDirect(g, o.threads);
  const split = kParts > 1;
  const top = new Scope(null, new Set(), new Set());
  const em = new Emitter(g.vals, (i) => `p${i}`, () => 'cv_');
  em.paramNumel = (i) => g.params[i]!.numel;
  const out = `p${g.outs[0]!.param}`;
  const perItem = parts * kParts;

  const item = top.child(g.batch.map((v) => v.name));
  item.lines.push(
    `const long bt_ = it_ / ${perItem}, part_ = (it_ % ${perItem}) / ${kParts}, kp_ = it_ % ${kParts};`,
    byColumns
      ? `const long m0_ = 0, m1_ = ${M}L, n0_ = part_ * ${per}L, n1_ = n0_ + ${per}L < ${N}L ? n0_ + ${per}L : ${N}L;`
      : `const long n0_ = 0, n1_ = ${N}L, m0_ = part_ * ${per}L, m1_ = m0_ + ${per}L < ${M}L ? m0_ + ${per}L : ${M}L;`,
    `const long k0_ = kp_ * ${kPer}L, k1_ = k0_ + ${kPer}L < ${K}L ? k0_ + ${kPer}L : ${K}L;`,
    `if (m0_ >= m1_ || n0_ >= n1_ || k0_ >= k1_) continue;`,
    `${T} *restrict Bp = scratch + (long)omp_get_thread_num() * ${sc.perThread}L;`,
    `${T} *restrict Ap = Bp + ${sc.b}L;`,
    direct
      ? `${T} *restrict C = ${out} + bt_ * ${M * N}L + m0_ * ${N}L + n0_;`
      : split
        ? `${T} *restrict C = scratch + ${o.threads * sc.perThread}L + kp_ * ${M * N}L + m0_ * ${N}L + n0_;`
        : `${T} *restrict C = Ap + ${sc.a}L;`,
    `const long ldc_ = ${direct || split ? `${N}L` : 'n1_ - n0_'};`,
    ...decode(g.batch, 'bt_'),
  );

  const opB: Operand = { tag: 'b', value: g.b, group: g.n, R: NR, buf: 'Bp', start: 'jc_', size: 'nc_', end: 'n1_', maxBlock: roundUp(Math.min(NC, byColumns ? per : N), GEMM.NR_MAX) };
  const opA: Operand = { tag: 'a', value: g.a, group: g.m, R: MR, buf: 'Ap', start: 'ic_', size: 'mc_', end: 'm1_', maxBlock: roundUp(Math.min(MC, byColumns ? M : per), GEMM.MR_ALL) };
  const pb = packOperand(opB, g, em, item);
  const pa = packOperand(opA, g, em, item);

  const compute = [
    `for (long jr_ = 0; jr_ < nc_; jr_ += ${NR}) {`,
    `  for (long ir_ = 0; ir_ < mc_; ir_ += ${MR}) {`,
    `    graft_ukernel_${sfx.toLowerCase()}(kc_, Ap + ir_ * kc_, Bp + jr_ * kc_, C + (ic_ - m0_ + ir_) * ldc_ + jc_ - n0_ + jr_, ldc_,`,
    `      mc_ - ir_ < ${MR} ? mc_ - ir_ : ${MR}, nc_ - jr_ < ${NR} ? nc_ - jr_ : ${NR}, pc_ > k0_);`,
    `  }`,
    `}`,
  ];

  item.lines.push(
    `for (long jc_ = n0_; jc_ < n1_; jc_ += ${NC}) {`,
    ...indent([
      `const long nc_ = n1_ - jc_ < ${NC} ? n1_ - jc_ : ${NC};`,
      ...pb.groupTables,
      `for (long pc_ = k0_; pc_ < k1_; pc_ += ${KC}) {`,
      ...indent([
        `const long kc_ = k1_ - pc_ < ${KC} ? k1_ - pc_ : ${KC};`,
        ...pb.kTables,
        ...pb.pack,
        ...pa.kTables,
        `for (long ic_ = m0_; ic_ < m1_; ic_ += ${MC}) {`,
        ...indent([`const long mc_ = m1_ - ic_ < ${MC} ? m1_ - ic_ : ${MC};`, ...pa.groupTables, ...pa.pack, ...compute]),
        `}`,
      ]),
      `}`,
    ]),
    `}`,
  );

  const epilogue = (sc0: Scope, cv: string, from: { m: string; n: string }): void => {
    const epi = sc0.child([...g.m, ...g.n].map((v) => v.name));
    epi.accs.add(g.acc);
    epi.lines.push(...decode(g.m, 'mf_'), ...decode(g.n, 'nf_'), `const ${T} cv_ = ${cv};`);
    for (const o of g.outs) {
      const v = em.ref(o.value, epi);
      epi.lines.push(`p${o.param}[${em.sym(o.index, epi)}] = ${v};`);
    }
    // Each (mf_, nf_) writes its own output elements. Without IVDEP, GCC gives up on the alias checks
    // between the tile and every operand (more pairs than it versions a loop for) and runs the epilogue
    // scalar: an Adam update fused after a weight gradient ran 3x slower.
    sc0.lines.push(`${NO_UNROLL}for (long mf_ = ${from.m}; mf_++) {`, `  ${IVDEP}${NO_UNROLL}for (long nf_ = ${from.n}; nf_++) {`, ...indent(epi.lines, 2), '  }', '}');
  };
  if (!direct && !split) epilogue(item, `C[(mf_ - m0_) * ldc_ + nf_ - n0_]`, { m: 'm0_; mf_ < m1_', n: 'n0_; nf_ < n1_' });

  const nItems = B * perItem;
  top.lines.push(`${T} *restrict scratch = (${T} *)bufs[${g.params.length}];`);
  if (o.threads > 1 && nItems > 1 && g.flops >= 2 * PARALLEL_MIN) {
    top.lines.push(`#pragma omp parallel for num_threads(${o.threads}) schedule(dynamic, 1) reduction(|:err)`);
  }
  top.lines.push(`for (long it_ = 0; it_ < ${nItems}L; it_++) {`, ...indent(item.lines), '}');
  if (split) {
    // The partial sums, added in order (the result does not depend on the number of threads).
    const sum = top.child([]);
    const parts0 = `scratch + ${o.threads * sc.perThread}L`;
    sum.lines.push(`const ${T} *restrict Cs = ${parts0};`);
    const body = sum.child([]);
    epilogue(
      body,
      `Cs[mf_ * ${N}L + nf_]${Array.from({ length: kParts - 1 }, (_, i) => ` + Cs[${(i + 1) * M * N}L + mf_ * ${N}L + nf_]`).join('')}`,
      { m: `0; mf_ < ${M}L`, n: `0; nf_ < ${N}L` },
    );
    top.lines.push('{', ...indent([...sum.lines, ...body.lines]), '}');
  }
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
  } else if (nr == NR) { \\
    for (long i = 0; i < mr; i++) { \\
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
