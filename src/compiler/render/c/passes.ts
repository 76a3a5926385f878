/**
 * Passes over the reduced (inner) loops of a reduction kernel, shared by its loop orders (reduce.ts, rows.ts):
 * a reduction pass folds values into accumulators, the full pass writes the outputs over the inner loops.
 *
 * Long float32 sums are blocked: a float partial per BLOCK elements (vectorized) added to a double. Blocking
 * is decided per accumulator, so a sum is accumulated the same way whatever else its pass computes.
 */
import type { KOut, LoopVar } from '../../lower/kernel.js';
import type { ReduceSpec } from '../../lower/val.js';
import { accCode, scalarAt, type AccCode, type At } from './accumulators.js';
import type { Emitter, Scope } from './emit.js';
import { minEnd, nest, simd, type Group, type RenderOptions } from './nest.js';
import { CTYPE } from './spellings.js';
import type { Stash } from './stash.js';

/** Elements per float partial sum of a blocked float32 sum. */
export const BLOCK = 1024;

/** An accumulator as a pass uses it: its reduction, its C code, the names of its state, the emitter of its value. */
export interface AccUse {
  readonly r: ReduceSpec;
  readonly code: AccCode;
  readonly at: At;
  readonly em: Emitter;
}

/** The accumulators of a phase, their state named `<prefix><acc>` (a0, a0n, ...). */
export const uses = (phase: readonly ReduceSpec[], em: Emitter, prefix = 'a'): AccUse[] =>
  phase.map((r) => ({ r, code: accCode(r), at: scalarAt(`${prefix}${r.acc}`), em }));
export const decls = (c: AccUse): string[] => c.code.states.map((st) => `${st.ctype} ${c.at(st.suffix)} = ${st.init};`);
/** `const T acc<i> = <result>;`: the finished accumulator as later phases and outputs read it. */
export const finish = (c: AccUse): string => `const ${CTYPE[c.r.dtype]} acc${c.r.acc} = ${c.code.result(c.at)};`;

/** Statements storing the outputs written per row, and those written per element of the inner loops. */
export interface Stores {
  readonly row: (s: Scope) => void;
  readonly full: (s: Scope) => void;
}

export const hasFull = (outs: readonly KOut[]): boolean => outs.some((x) => x.full);

/** Whether an accumulator is kept as float partials per block (long float32 sums). */
const isBlocked = (c: AccUse, innermost: LoopVar): boolean => c.r.op === 'sum' && c.r.dtype === 'float32' && innermost.extent >= 2 * BLOCK;

/** What a pass stores besides folding its accumulators: stashes of the pass (stash.ts), by the kernel's emitter. */
export interface Keep {
  readonly stashes: readonly Stash[];
  readonly em: Emitter;
}

/**
 * One reduction pass over `loops` (the first possibly restricted to [from, to)), folding each value into its
 * accumulator and storing `keep`'s stashes. `extra` are the kernel's error clauses.
 */
export function reductionPass(
  parent: Scope,
  o: RenderOptions,
  loops: readonly LoopVar[],
  codes: readonly AccUse[],
  extra: readonly string[],
  keep: Keep,
  range?: { from: string; to: string },
): void {
  const last = loops.length - 1;
  const l = loops[last]!;
  const blocked = codes.filter((c) => isBlocked(c, l));
  const plain = codes.filter((c) => !isBlocked(c, l));
  const bounds = (j: number): { from?: string; to?: string } => (j === 0 && range ? { ...range } : {});
  const groups: Group[] = loops.slice(0, last).map((lp, j) => ({ loops: [lp], ...bounds(j) }));
  const mayFail = extra.length > 0;
  const part = (c: AccUse): string => `${c.at('')}_f`;
  const clauses = [...plain.flatMap((c) => c.code.clauses(c.at)), ...blocked.map((c) => `reduction(+:${part(c)})`)];
  if (blocked.length === 0) groups.push({ loops: [l], ...bounds(last), pragma: simd(o, clauses, mayFail) });
  else {
    const b = bounds(last);
    const end = b.to ?? String(l.extent);
    groups.push(
      {
        loops: [],
        block: { name: `${l.name}_b`, step: BLOCK },
        from: b.from,
        to: end,
        open: blocked.map((c) => `float ${part(c)} = 0.0f;`),
        close: blocked.map((c) => `${c.at('')} += (double)${part(c)};`),
      },
      { loops: [l], from: `${l.name}_b`, to: minEnd(`${l.name}_b`, BLOCK, end), pragma: simd(o, clauses, mayFail) },
    );
  }
  nest(parent, groups, (s) => {
    for (const c of codes) {
      const v = c.em.ref(c.r.value, s);
      s.lines.push(...(blocked.includes(c) ? [`${part(c)} += ${v};`] : c.code.update(c.at, v)));
    }
    for (const st of keep.stashes) s.lines.push(`p${st.out.param}[${keep.em.sym(st.out.index, s)}] = ${keep.em.ref(st.v, s)};`);
  });
}

/** The pass writing the outputs over the inner loops; stashed values are read back rather than recomputed. */
export function fullPass(parent: Scope, groups: readonly Group[], em: Emitter, kept: readonly Stash[], store: (s: Scope) => void): void {
  nest(parent, groups, (s) => {
    // Read back before any output is overwritten (a stash lives in an output).
    kept.forEach((st, i) => {
      s.lines.push(`const ${CTYPE[st.v.dtype]} kept${i} = p${st.out.param}[${em.sym(st.out.index, s)}];`);
      em.bind(st.v, `kept${i}`, s);
    });
    store(s);
  });
}
