/**
 * How each reduction accumulates in C. Float32 sums and products accumulate in double (a float32 sum of 2^24
 * elements then agrees with a float64 reference to ~1e-7; loops.ts also blocks long float32 sums: a float
 * partial per block, added to the double); max/min carry a NaN flag so that NaN propagates while the loop
 * stays a plain (vectorizable) max; int32 and int64 sums and products wrap (accumulated in the unsigned type of
 * their width); bool sum/max are "any", prod/min "all".
 *
 * An accumulator's state is one or two C variables. Code is written against `at(suffix)`, which names a
 * state variable — a scalar (`a0`, `a0n`) or an element of an array of accumulators (`a0[j]`, `a0n[j]`) —
 * so the same rules serve scalar reductions and reductions vectorized across output columns.
 */
import type { ReduceSpec } from '../../lower/val.js';
import { CINT, CTYPE } from './spellings.js';
import { cLiteral } from './literals.js';

export type At = (suffix: string) => string;

export interface AccCode {
  /** The state variables: name suffix ('' for the main one), C type, initial value. */
  readonly states: readonly { readonly suffix: string; readonly ctype: string; readonly init: string }[];
  /** Statements folding value expression `v` into the state. */
  update(at: At, v: string): string[];
  /** OpenMP reduction clauses for scalar state named by `at`. */
  clauses(at: At): string[];
  /** Statements folding state `b` into state `a`. */
  combine(a: At, b: At): string[];
  /** The C expression of the result (of the reduction's dtype). */
  result(at: At): string;
}

/** Names of scalar state variables with a prefix: a0, a0n. */
export const scalarAt =
  (prefix: string): At =>
  (suffix) =>
    `${prefix}${suffix}`;

export function accCode(spec: ReduceSpec): AccCode {
  const d = spec.dtype;
  const T = CTYPE[d];
  const simple = (ctype: string, init: string, op: string, result: (a: At) => string, conv = ''): AccCode => ({
    states: [{ suffix: '', ctype, init }],
    update: (at, v) => [`${at('')} ${op}= ${conv}(${v});`],
    clauses: (at) => [`reduction(${op}:${at('')})`],
    combine: (a, b) => [`${a('')} ${op}= ${b('')};`],
    result,
  });
  const isFloat = d === 'float32' || d === 'float64';
  const int = CINT[d];
  const anyAll = (init: string, op: string): AccCode => simple('int', init, op, (a) => `(unsigned char)(${a('')} != 0)`, '(int)');
  switch (spec.op) {
    case 'sum':
      if (isFloat) return simple('double', '0.0', '+', (a) => `(${T})${a('')}`, '(double)');
      if (int) return simple(int.unsigned, `(${int.unsigned})0`, '+', (a) => `(${T})${a('')}`, `(${int.unsigned})`);
      return anyAll('0', '|');
    case 'prod':
      if (isFloat) return simple('double', '1.0', '*', (a) => `(${T})${a('')}`, '(double)');
      if (int) return simple(int.unsigned, `(${int.unsigned})1`, '*', (a) => `(${T})${a('')}`, `(${int.unsigned})`);
      return anyAll('1', '&');
    case 'max':
    case 'min': {
      const gt = spec.op === 'max' ? '>' : '<';
      if (d === 'bool') return spec.op === 'max' ? anyAll('0', '|') : anyAll('1', '&');
      if (int) {
        const [lo, hi] = d === 'int32' ? [-(2 ** 31), 2 ** 31 - 1] : [-(2n ** 63n), 2n ** 63n - 1n];
        return {
          states: [{ suffix: '', ctype: T, init: cLiteral(spec.op === 'max' ? lo : hi, d) }],
          update: (at, v) => [`{ const ${T} u_ = ${v}; ${at('')} = u_ ${gt} ${at('')} ? u_ : ${at('')}; }`],
          clauses: (at) => [`reduction(${spec.op}:${at('')})`],
          combine: (a, b) => [`${a('')} = ${b('')} ${gt} ${a('')} ? ${b('')} : ${a('')};`],
          result: (at) => at(''),
        };
      }
      const inf = d === 'float32' ? '__builtin_inff()' : '__builtin_inf()';
      const nan = d === 'float32' ? '__builtin_nanf("")' : '__builtin_nan("")';
      return {
        states: [
          { suffix: '', ctype: T, init: spec.op === 'max' ? `-${inf}` : inf },
          { suffix: 'n', ctype: 'int', init: '0' },
        ],
        update: (at, v) => [`{ const ${T} u_ = ${v}; ${at('')} = u_ ${gt} ${at('')} ? u_ : ${at('')}; ${at('n')} |= u_ != u_; }`],
        clauses: (at) => [`reduction(${spec.op}:${at('')})`, `reduction(|:${at('n')})`],
        combine: (a, b) => [`${a('')} = ${b('')} ${gt} ${a('')} ? ${b('')} : ${a('')};`, `${a('n')} |= ${b('n')};`],
        result: (at) => `(${at('n')} ? ${nan} : ${at('')})`,
      };
    }
  }
  throw new Error(`internal: reduce op ${spec.op}`);
}
