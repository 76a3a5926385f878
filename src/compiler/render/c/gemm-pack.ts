/**
 * Packing GEMM operands through precomputed offset tables. An operand of a contraction is any fused value
 * over its row group (m or n loops) and the summed loops (k): a convolution's windows read the input at
 * `b*CHW + c*HW + (oh+kh)*W + (ow+kw)`, with (b, oh, ow) decoded from the flat column number and (c, kh, kw)
 * from the flat k — divisions and remainders per element, which would cost more than the multiply-adds.
 *
 * But such an index is a sum of a part that depends only on the row group and a part that depends only on
 * k (and the batch): `[c*HW + kh*W + kw] + [b*CHW + oh*W + ow]`. So is each bound of a padding guard
 * (`0 <= oh+kh-2 <= 27`). Packing then precomputes, per block, one table of the row-group parts (one entry
 * per packed row or column) and one of the k parts (one entry per k of the block); every packed element is
 * loads at `kT[kk] + nT[j]` — no division in the inner loop, which the C compiler vectorizes with gathers.
 * Packing IS the im2col: no window buffer exists anywhere else.
 */
import type { LoopVar } from '../../lower/kernel.js';
import * as S from '../../lower/sym.js';
import { ownIndexExprs, valDeps, walkVals, type Val, type ValTable } from '../../lower/val.js';

/** One index expression split into its row-group part and its k (plus batch and constant) part. */
export interface TableEntry {
  readonly key: string;
  readonly outer: S.Sym | null;
  readonly inner: S.Sym | null;
  /** C type of the table entries (int when every value fits). */
  readonly ctype: 'int' | 'long';
}

export interface TablePlan {
  readonly entries: readonly TableEntry[];
}

/** At most this many index expressions get tables (each costs a table per block). */
const MAX_TABLES = 12;
const INT_MAX = 2 ** 31 - 1;

/** Every index expression an operand evaluates (loads, guards, iota, random counters); null if data-dependent. */
function operandSyms(v: Val, vt: ValTable): S.Sym[] | null {
  const out = new Map<string, S.Sym>();
  const whole = walkVals(
    [v],
    (x) => valDeps(x, vt),
    (x) => {
      if (x.k === 'checkidx' || x.k === 'acc') return false;
      for (const s of ownIndexExprs(x)) out.set(s.key, s);
    },
  );
  return whole ? [...out.values()] : null;
}

const hasDivMod = (x: S.Sym): boolean => x.terms.some(([a]) => a.t === 'div' || a.t === 'mod');

/**
 * The tables for packing operand `v` whose packed rows are the loops `outer` (m for A, n for B) and whose
 * packed columns are the loops `k`, or null when plain per-element index arithmetic is as cheap (single
 * loops, no division) or the index is not separable (a division mixing both groups, data-dependent loads).
 */
export function planTables(v: Val, vt: ValTable, outer: readonly LoopVar[], k: readonly LoopVar[]): TablePlan | null {
  const syms = operandSyms(v, vt);
  if (syms === null) return null;
  const outerNames = new Set(outer.map((l) => l.name));
  const kNames = new Set(k.map((l) => l.name));
  const worth = outer.length > 1 || k.length > 1 || syms.some(hasDivMod);
  if (!worth) return null;
  const entries: TableEntry[] = [];
  for (const x of syms) {
    const o: (readonly [S.Atom, number])[] = [];
    const i: (readonly [S.Atom, number])[] = [];
    for (const term of x.terms) {
      const vars = S.varsOf({ terms: [term], c: 0, key: '' });
      if (S.dataOf({ terms: [term], c: 0, key: '' }).size > 0) return null;
      const inOuter = [...vars].filter((n) => outerNames.has(n)).length;
      if (inOuter === 0) i.push(term);
      else if (inOuter === vars.size) o.push(term);
      else return null; // mixes the row group with k or the batch inside one division
    }
    const touchesK = i.some((t) => [...S.varsOf({ terms: [t], c: 0, key: '' })].some((n) => kNames.has(n)));
    if (o.length === 0 && !touchesK) continue; // constant over the block: printed as it is
    const outerSym = o.length ? S.add(...o.map(([a, c]) => S.mul({ terms: [[a, 1]], c: 0, key: a.key }, c))) : null;
    const innerSym = i.length || x.c !== 0 ? S.add(S.cnst(x.c), ...i.map(([a, c]) => S.mul({ terms: [[a, 1]], c: 0, key: a.key }, c))) : null;
    const fits = [outerSym, innerSym].every((p) => p === null || (S.range(p)[0] >= -INT_MAX && S.range(p)[1] <= INT_MAX)) && Math.abs(S.range(x)[0]) <= INT_MAX && Math.abs(S.range(x)[1]) <= INT_MAX;
    entries.push({ key: x.key, outer: outerSym, inner: innerSym, ctype: fits ? 'int' : 'long' });
  }
  if (entries.length === 0 || entries.length > MAX_TABLES) return null;
  return { entries };
}
