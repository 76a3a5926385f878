/**
 * Shared pieces of the C loop renderers: kernel function text, OpenMP pragmas, and `nest`, which prints a
 * loop nest around values emitted into per-loop scopes (emit.ts).
 */
import { prod, type KParam, type LoopVar } from '../../lower/kernel.js';

export { prod };
import type { Scope } from './emit.js';
import { CTYPE } from './spellings.js';

export interface RenderOptions {
  /** OpenMP threads (GRAFT_NUM_THREADS). */
  readonly threads: number;
}

/** Element-steps below which a kernel runs on one thread (a fork/join costs a few microseconds). */
export const PARALLEL_MIN = 1 << 16;


export const indent = (lines: readonly string[], n = 1): string[] => lines.map((l) => '  '.repeat(n) + l);

export function paramDecls(params: readonly KParam[]): string[] {
  return params.map((p, i) => `${p.write ? '' : 'const '}${CTYPE[p.dtype]} *restrict p${i} = (${p.write ? '' : 'const '}${CTYPE[p.dtype]} *)bufs[${i}];`);
}

/** The C function of a kernel; `attrs` precede it (a macro of the prelude: GRAFT_ROWS). */
export function kernelText(name: string, params: readonly KParam[], body: readonly string[], attrs = ''): string {
  return [`${attrs}int ${name}(void **restrict bufs) {`, ...indent([...paramDecls(params), 'int err = 0;', ...body, 'return GRAFT_STATUS(err);']), '}', ''].join('\n');
}

/**
 * The error flag is never a reduction of an `omp simd` loop: GCC 12 (AVX-512) can place its per-lane copy
 * misaligned next to a masked gather and fault. Loops that can raise errors are left to the compiler's own
 * vectorizer (which handles `err |= ...` by itself); `parallel` reductions of the flag are fine.
 */
export const ERR_CLAUSE = 'reduction(|:err)';

/** `#pragma omp <what>`; parallel constructs get the thread count and a static schedule unless given one. */
export function omp(o: RenderOptions, what: string, clauses: readonly string[]): string {
  const par = what.startsWith('parallel');
  const sched = par && !clauses.some((c) => c.startsWith('schedule')) ? ' schedule(static)' : '';
  return `#pragma omp ${what}${par ? ` num_threads(${o.threads})` : ''}${sched}${clauses.length ? ' ' + clauses.join(' ') : ''}`;
}

export interface Group {
  readonly loops: readonly LoopVar[];
  readonly pragma?: string;
  /** C bounds of the first loop of the group (default 0 .. extent). */
  readonly from?: string;
  readonly to?: string;
  /** A loop over blocks, with no variable of its own: `for (name = from; name < to; name += step)`. */
  readonly block?: { readonly name: string; readonly step: number };
  /** Lines at the start and at the end of the group's body. */
  readonly open?: readonly string[];
  readonly close?: readonly string[];
}

/**
 * Loops without an OpenMP pragma are marked "do not unroll". GCC 12 at -O3 on AVX2/AVX-512 miscompiles some
 * loop nests whose inner loop has a small constant trip count: it unrolls the inner loop completely, then
 * if-converts and vectorizes the outer one wrongly (selects between two comparisons pick the wrong side;
 * reproduced in isolation, test/compiler/gcc-workarounds.test.ts). Keeping loops rolled avoids it; loops
 * longer than SHORT_LOOP are never completely unrolled anyway.
 */
export const NO_UNROLL = '_Pragma("GCC unroll 1") ';
export const SHORT_LOOP = 16;

/** `lo + step < hi ? lo + step : hi` */
export const minEnd = (lo: string, step: number, hi: string): string => `${lo} + ${step}L < (${hi}) ? ${lo} + ${step}L : (${hi})`;

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
    // A short simd loop gains nothing from the pragma and must not be unrolled (see NO_UNROLL).
    const short = g.loops.length === 1 && !g.block && g.from === undefined && g.loops[0]!.extent <= SHORT_LOOP;
    const pragma = g.pragma?.startsWith('#pragma omp simd') && short ? undefined : g.pragma;
    const head = pragma ? '' : NO_UNROLL;
    if (pragma) text.push(pragma);
    if (g.block) text.push(`${head}for (long ${g.block.name} = ${g.from ?? '0'}; ${g.block.name} < (${g.to}); ${g.block.name} += ${g.block.step}) {`);
    g.loops.forEach((l, j) => {
      const from = j === 0 && g.from !== undefined ? g.from : '0';
      const to = j === 0 && g.to !== undefined ? g.to : String(l.extent);
      text.push(`${j === 0 || !pragma ? head : ''}for (long ${l.name} = ${from}; ${l.name} < (${to}); ${l.name}++)${j === g.loops.length - 1 ? ' {' : ''}`);
    });
    text.push(...indent([...scopes[i]!.lines, ...(g.close ?? [])]), '}');
    into.lines.push(...text);
  }
}

/** An `omp simd` pragma, or none for loops that may set the error flag (see ERR_CLAUSE). */
export function simd(o: RenderOptions, clauses: readonly string[], mayFail: boolean): string | undefined {
  return mayFail ? undefined : omp(o, 'simd', clauses);
}

/** Groups for row loops: collapsed under one parallel pragma when parallel, else one loop per group. */
export function rowGroups(loops: readonly LoopVar[], par: boolean, o: RenderOptions, clauses: readonly string[], simdLast: boolean): Group[] {
  if (loops.length === 0) return [];
  // The innermost loop of an elementwise nest is a simd loop (GCC's own vectorizer gives up on reads through
  // divisions, which pooling gradients and other views have), unless it may set the error flag (ERR_CLAUSE).
  const mayFail = clauses.includes(ERR_CLAUSE);
  const last = (l: LoopVar): Group => ({ loops: [l], pragma: simdLast ? simd(o, [], mayFail) : undefined });
  if (!par) return loops.map((l, i) => (i === loops.length - 1 ? last(l) : { loops: [l] }));
  if (simdLast && loops.length === 1) return [{ loops, pragma: omp(o, mayFail ? 'parallel for' : 'parallel for simd', clauses) }];
  const n = simdLast ? loops.length - 1 : loops.length;
  const head: Group = { loops: loops.slice(0, n), pragma: omp(o, 'parallel for', [...(n > 1 ? [`collapse(${n})`] : []), ...clauses]) };
  return simdLast ? [head, last(loops[n]!)] : [head];
}
