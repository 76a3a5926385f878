/**
 * Memory access analysis for the renderers' loop-order choices: which loop variables the loads of some
 * values walk with unit stride.
 */
import * as S from '../../lower/sym.js';
import { valDeps, walkVals, type Val, type ValTable } from '../../lower/val.js';

/** The index expressions of every load reachable from `roots`. */
export function loadIndices(roots: readonly Val[], vt: ValTable): S.Sym[] {
  const out: S.Sym[] = [];
  walkVals(roots, (v) => valDeps(v, vt), (v) => {
    if (v.k === 'load') out.push(v.index);
  });
  return out;
}

/** Whether some load walks `name` with unit stride. */
export const unitStride = (loads: readonly S.Sym[], name: string): boolean => loads.some((x) => S.coefOf(x, name) === 1);

/** Whether some load walks `name` with a stride other than 0 and 1 (a transposed or strided read). */
export const strided = (loads: readonly S.Sym[], name: string): boolean =>
  loads.some((x) => {
    const c = S.coefOf(x, name);
    return c !== 0 && c !== 1;
  });
