/**
 * C for loop kernels (elementwise work and fused reductions), prefix sums and scatters.
 *
 * Threads: the outer (row) loops run as an OpenMP `parallel for` when the kernel is big enough
 * (PARALLEL_MIN element-steps). A reduction with a single row (a full `sum()`) is instead split into fixed
 * chunks whose partial results are combined in order, so the result does not depend on the thread count.
 * Vectorization: innermost reduction loops carry `omp simd reduction(...)` (a float sum may then be
 * reassociated across lanes); elementwise loops are unit-stride after loop merging and vectorized by the C
 * compiler.
 */
import type { LoopKernel, LoopVar, ScanKernel, ScatterKernel, KParam } from '../../lower/kernel.js';
import type { ReduceSpec } from '../../lower/val.js';
import { accCode } from './accumulators.js';
import { Emitter, Scope } from './emit.js';
import { CTYPE } from './spellings.js';

export interface RenderOptions {
  /** OpenMP threads (GRAFT_NUM_THREADS). */
  readonly threads: number;
}

/** Element-steps below which a kernel runs on one thread (a fork/join costs a few microseconds). */
export const PARALLEL_MIN = 1 << 16;
/** Reduction length from which a single-row reduction is computed in chunks (in parallel). */
export const SPLIT_MIN = 1 << 15;
/** Elements per chunk of a split reduction (about). */
const CHUNK = 1 << 14;

const prod = (ls: readonly LoopVar[]): number => ls.reduce((a, l) => a * l.extent, 1);

export function paramDecls(params: readonly KParam[]): string[] {
  return params.map((p, i) => `${p.write ? '' : 'const '}${CTYPE[p.dtype]} *restrict p${i} = (${p.write ? '' : 'const '}${CTYPE[p.dtype]} *)bufs[${i}];`);
}

export function kernelText(name: string, params: readonly KParam[], body: readonly string[]): string {
  return [`int ${name}(void **restrict bufs) {`, ...indent([...paramDecls(params), 'int err = 0;', ...body, 'return GRAFT_STATUS(err);']), '}', ''].join('\n');
}

export const indent = (lines: readonly string[], n = 1): string[] => lines.map((l) => '  '.repeat(n) + l);

export interface Group {
  readonly loops: readonly LoopVar[];
  readonly pragma?: string;
  /** C bounds of the first loop of the group (default 0 .. extent). */
  readonly from?: string;
  readonly to?: string;
  /** A loop over blocks of the next group's first loop, with no variable of its own: `for (b = from; b < to; b += step)`. */
  readonly block?: { readonly name: string; readonly step: number };
  /** Lines at the start and at the end of the group's body. */
  readonly open?: readonly string[];
  readonly close?: readonly string[];
}

/** Loop nest: each group is a perfectly nested run of loops (collapsible) with its own scope. */
export function nest(parent: Scope, groups: readonly Group[], body: (s: Scope) => void): void {
  const scopes: Scope[] = [];
  let s = parent;
  for (const g of groups) {
    s = s.child(g.loops.map((l) => l.name));
    s.lines.push(...(g.open ?? []));
    scopes.push(s);
  }
  body(s);
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i]!;
    const into = i === 0 ? parent : scopes[i - 1]!;
    const text: string[] = [];
    if (g.pragma) text.push(g.pragma);
    if (g.block) {
      text.push(`for (long ${g.block.name} = ${g.from ?? '0'}; ${g.block.name} < (${g.to}); ${g.block.name} += ${g.block.step}) {`);
    }
    g.loops.forEach((l, j) => {
      const from = j === 0 && g.from !== undefined ? g.from : '0';
      const to = j === 0 && g.to !== undefined ? g.to : String(l.extent);
      text.push(`for (long ${l.name} = ${from}; ${l.name} < (${to}); ${l.name}++)${j === g.loops.length - 1 ? ' {' : ''}`);
    });
    text.push(...indent([...scopes[i]!.lines, ...(g.close ?? [])]), '}');
    into.lines.push(...text);
  }
}

const omp = (o: RenderOptions, what: string, clauses: readonly string[]): string =>
  `#pragma omp ${what}${what.startsWith('parallel') ? ` num_threads(${o.threads}) schedule(static)` : ''}${clauses.length ? ' ' + clauses.join(' ') : ''}`;

function hasErrors(k: { errors: { index: readonly string[]; zerodiv: boolean; negpow: boolean } }): boolean {
  return k.errors.index.length > 0 || k.errors.zerodiv || k.errors.negpow;
}

/** Groups for row loops: collapsed under one parallel pragma when parallel, else one loop per group. */
function rowGroups(loops: readonly LoopVar[], par: boolean, o: RenderOptions, clauses: string[], simdSingle: boolean): Group[] {
  if (loops.length === 0) return [];
  if (!par) return loops.map((l) => ({ loops: [l] }));
  if (simdSingle && loops.length === 1) return [{ loops, pragma: omp(o, 'parallel for simd', clauses) }];
  const n = simdSingle ? loops.length - 1 : loops.length;
  const head: Group = { loops: loops.slice(0, n), pragma: omp(o, 'parallel for', [...(n > 1 ? [`collapse(${n})`] : []), ...clauses]) };
  return simdSingle ? [head, { loops: loops.slice(n) }] : [head];
}

/** Elements per float partial sum of a blocked float32 sum (each SIMD lane then adds BLOCK/width floats). */
const BLOCK = 1024;

type AccUse = { r: ReduceSpec; code: ReturnType<typeof accCode>; a: string };

/**
 * One reduction pass: the loops over `loops` (the first possibly restricted to [from, to)), folding each
 * value into its accumulator. Float32 sums over a long innermost loop are blocked: a float partial per block
 * of BLOCK elements (vectorized), added to the double accumulator after each block — the accuracy of a
 * double sum at the speed of a float one.
 */
function reductionPass(parent: Scope, em: Emitter, o: RenderOptions, loops: readonly LoopVar[], codes: readonly AccUse[], extra: readonly string[], range?: { from: string; to: string }): void {
  const last = loops.length - 1;
  const innerExtent = loops[last]!.extent;
  const blocked = codes.length > 0 && codes.every((c) => c.r.op === 'sum' && c.r.dtype === 'float32') && innerExtent >= 2 * BLOCK;
  const bounds = (j: number): { from?: string; to?: string } => (j === 0 && range ? { from: range.from, to: range.to } : {});
  const groups: Group[] = loops.map((l, j) => {
    if (j !== last) return { loops: [l], ...bounds(j) };
    if (!blocked) return { loops: [l], ...bounds(j), pragma: omp(o, 'simd', [...codes.flatMap((c) => c.code.clauses(c.a)), ...extra]) };
    const b = bounds(j);
    const end = b.to ?? String(l.extent);
    return {
      loops: [l],
      block: { name: `${l.name}_b`, step: BLOCK },
      from: b.from,
      to: end,
      open: codes.map((c) => `float ${c.a}_f = 0.0f;`),
      close: codes.map((c) => `${c.a} += (double)${c.a}_f;`),
    };
  });
  if (blocked) {
    // The blocked loop itself: from the block start to the block end (or the loop's end).
    const l = loops[last]!;
    const g = groups[last]!;
    const end = g.to!;
    groups[last] = { ...g, loops: [] };
    groups.push({
      loops: [l],
      from: `${l.name}_b`,
      to: `${l.name}_b + ${BLOCK}L < (${end}) ? ${l.name}_b + ${BLOCK}L : (${end})`,
      pragma: omp(o, 'simd', [...codes.map((c) => `reduction(+:${c.a}_f)`), ...extra]),
    });
  }
  nest(parent, groups, (s) => {
    for (const c of codes) {
      const v = em.ref(c.r.value, s);
      s.lines.push(...(blocked ? [`${c.a}_f += ${v};`] : c.code.update(c.a, v)));
    }
  });
}

export function renderLoopKernel(k: LoopKernel, o: RenderOptions): string {
  const top = new Scope(null, new Set(), new Set());
  const em = new Emitter(k.vals, (i) => `p${i}`, (i) => `acc${i}`);
  const rows = prod(k.outer);
  const innerN = prod(k.inner);
  const errClause = hasErrors(k) ? ['reduction(|:err)'] : [];
  const store = (s: Scope): void => {
    const v = em.ref(k.out.value, s);
    s.lines.push(`p${k.out.param}[${em.sym(k.out.index, s)}] = ${v};`);
  };

  if (k.inner.length === 0) {
    const par = o.threads > 1 && rows >= PARALLEL_MIN;
    nest(top, rowGroups(k.outer, par, o, errClause, true), store);
    return kernelText(k.name, k.params, top.lines);
  }

  if (k.outer.length === 0 && innerN >= SPLIT_MIN) {
    renderSplit(k, o, top, em, errClause);
    return kernelText(k.name, k.params, top.lines);
  }

  const par = o.threads > 1 && rows * innerN * (k.phases.length + (k.out.full ? 1 : 0)) >= PARALLEL_MIN && rows > 1;
  nest(top, rowGroups(k.outer, par, o, errClause, false), (row) => {
    k.phases.forEach((phase, pi) => {
      const codes = phase.map((r) => ({ r, code: accCode(r), a: `a${r.acc}` }));
      for (const c of codes) row.lines.push(...c.code.decl(c.a));
      reductionPass(row, em, o, k.inner, codes, errClause);
      for (const c of codes) row.lines.push(`const ${CTYPE[c.r.dtype]} acc${c.r.acc} = ${c.code.result(c.a)};`);
      for (const c of codes) row.accs.add(c.r.acc);
      void pi;
    });
    if (k.out.full) nest(row, k.inner.map((l) => ({ loops: [l] })), store);
    else store(row);
  });
  return kernelText(k.name, k.params, top.lines);
}

/** A single-row reduction: each phase in fixed chunks of the first inner loop, partials combined in order. */
function renderSplit(k: LoopKernel, o: RenderOptions, top: Scope, em: Emitter, errClause: string[]): void {
  const [first, ...rest] = k.inner as [LoopVar, ...LoopVar[]];
  const restN = prod(rest);
  const per = Math.max(1, Math.ceil(CHUNK / restN));
  const nch = Math.ceil(first.extent / per);
  for (const phase of k.phases) {
    const codes = phase.map((r: ReduceSpec) => ({ r, code: accCode(r), a: `a${r.acc}` }));
    const states = codes.flatMap((c) => c.code.state(c.a));
    for (const st of states) top.lines.push(`${st.ctype} ${st.name}_part[${nch}];`);
    const chunk = top.child(['c_']);
    for (const c of codes) chunk.lines.push(...c.code.decl(c.a));
    reductionPass(chunk, em, o, [first, ...rest], codes, errClause, {
      from: `c_ * ${per}L`,
      to: `(c_ + 1) * ${per}L < ${first.extent}L ? (c_ + 1) * ${per}L : ${first.extent}L`,
    });
    for (const st of states) chunk.lines.push(`${st.name}_part[c_] = ${st.name};`);
    if (o.threads > 1) top.lines.push(omp(o, 'parallel for', errClause));
    top.lines.push(`for (long c_ = 0; c_ < ${nch}; c_++) {`, ...indent(chunk.lines), '}');
    for (const c of codes) top.lines.push(...c.code.decl(c.a));
    const combine: string[] = [];
    for (const c of codes) {
      const b = `b${c.r.acc}`;
      const bs = c.code.state(b);
      const as = c.code.state(c.a);
      combine.push('{', ...indent([...bs.map((st, i) => `${st.ctype} ${st.name} = ${as[i]!.name}_part[c_];`), ...c.code.combine(c.a, b)]), '}');
    }
    top.lines.push(`for (long c_ = 0; c_ < ${nch}; c_++) {`, ...indent(combine), '}');
    for (const c of codes) {
      top.lines.push(`const ${CTYPE[c.r.dtype]} acc${c.r.acc} = ${c.code.result(c.a)};`);
      top.accs.add(c.r.acc);
    }
  }
  const store = (s: Scope): void => {
    const v = em.ref(k.out.value, s);
    s.lines.push(`p${k.out.param}[${em.sym(k.out.index, s)}] = ${v};`);
  };
  if (k.out.full) {
    const par = o.threads > 1 && prod(k.inner) >= PARALLEL_MIN;
    nest(top, k.inner.map((l, j) => ({ loops: [l], pragma: j === 0 && par ? omp(o, 'parallel for', errClause) : undefined })), store);
  } else store(top);
}

export function renderScanKernel(k: ScanKernel, o: RenderOptions): string {
  const top = new Scope(null, new Set(), new Set());
  const em = new Emitter(k.vals, (i) => `p${i}`, (i) => `acc${i}`);
  const rows = prod(k.outer);
  const par = o.threads > 1 && rows > 1 && rows * k.axis.extent >= PARALLEL_MIN;
  const isF = k.dtype === 'float32' || k.dtype === 'float64';
  const accT = isF ? 'double' : k.dtype === 'int32' ? 'unsigned' : 'int';
  nest(top, rowGroups(k.outer, par, o, ['reduction(|:err)'], false), (row) => {
    row.lines.push(`${accT} run = 0;`);
    nest(row, [{ loops: [k.axis] }], (s) => {
      const v = em.ref(k.value, s);
      s.lines.push(`run += (${accT})${v};`);
      s.lines.push(`p${k.out.param}[${em.sym(k.out.index, s)}] = (${CTYPE[k.dtype]})run;`);
    });
  });
  return kernelText(k.name, k.params, top.lines);
}

export function renderScatterKernel(k: ScatterKernel, o: RenderOptions): string {
  const top = new Scope(null, new Set(), new Set());
  const em = new Emitter(k.vals, (i) => `p${i}`, (i) => `acc${i}`);
  const out = `p${k.outParam}`;
  const copyN = prod(k.copy.vars);
  nest(top, rowGroups(k.copy.vars, o.threads > 1 && copyN >= PARALLEL_MIN, o, ['reduction(|:err)'], true), (s) => {
    s.lines.push(`${out}[${em.sym(k.copy.index, s)}] = ${em.ref(k.copy.value, s)};`);
  });
  const rows = prod(k.outer);
  const par = o.threads > 1 && rows > 1 && rows * k.axis.extent >= PARALLEL_MIN;
  nest(top, [...rowGroups(k.outer, par, o, ['reduction(|:err)'], false), { loops: [k.axis] }], (s) => {
    em.ref(k.check, s);
    const v = em.ref(k.value, s);
    const at = `${out}[${em.sym(k.target, s)}]`;
    if (k.dtype === 'int32') s.lines.push(`${at} = (int)((unsigned)${at} + (unsigned)${v});`);
    else if (k.dtype === 'bool') s.lines.push(`${at} = (unsigned char)(${at} | ${v});`);
    else s.lines.push(`${at} += ${v};`);
  });
  return kernelText(k.name, k.params, top.lines);
}
