/**
 * How each reduction accumulates in C. Float32 sums and products accumulate in double (a float32 sum of 2^24
 * elements then agrees with a float64 reference to ~1e-7, at no cost in memory-bound loops); max/min carry
 * a NaN flag so that NaN propagates while the loop stays a plain (vectorizable) max; int32 wraps; bool
 * sum/max are "any", prod/min "all".
 */
import type { DType } from '../../../ir/dtype.js';
import type { ReduceSpec } from '../../lower/val.js';
import { CTYPE } from './spellings.js';

export interface AccCode {
  /** Declarations of the running state (at the given name prefix). */
  decl(a: string): string[];
  /** Statements folding value expression `v` into the state. */
  update(a: string, v: string): string[];
  /** OpenMP reduction clauses for the state. */
  clauses(a: string): string[];
  /** Statements folding state `b` into state `a` (same shape). */
  combine(a: string, b: string): string[];
  /** Names of the state variables (for partial arrays). */
  state(a: string): { name: string; ctype: string }[];
  /** The C expression of the result (of the reduction's dtype). */
  result(a: string): string;
}

export function accCode(spec: ReduceSpec): AccCode {
  const d: DType = spec.dtype;
  const T = CTYPE[d];
  const simple = (ctype: string, init: string, op: string, clause: string, result: (a: string) => string, conv = ''): AccCode => ({
    decl: (a) => [`${ctype} ${a} = ${init};`],
    update: (a, v) => [`${a} ${op}= ${conv}(${v});`],
    clauses: (a) => [`reduction(${clause}:${a})`],
    combine: (a, b) => [`${a} ${op}= ${b};`],
    state: (a) => [{ name: a, ctype }],
    result,
  });
  const isFloat = d === 'float32' || d === 'float64';
  switch (spec.op) {
    case 'sum':
      if (isFloat) return simple('double', '0.0', '+', '+', (a) => `(${T})${a}`, '(double)');
      if (d === 'int32') return simple('unsigned', '0u', '+', '+', (a) => `(int)${a}`, '(unsigned)');
      return simple('int', '0', '|', '|', (a) => `(unsigned char)(${a} != 0)`, '(int)');
    case 'prod':
      if (isFloat) return simple('double', '1.0', '*', '*', (a) => `(${T})${a}`, '(double)');
      if (d === 'int32') return simple('unsigned', '1u', '*', '*', (a) => `(int)${a}`, '(unsigned)');
      return simple('int', '1', '&', '&', (a) => `(unsigned char)(${a} != 0)`, '(int)');
    case 'max':
    case 'min': {
      const gt = spec.op === 'max' ? '>' : '<';
      if (d === 'bool') return spec.op === 'max' ? simple('int', '0', '|', '|', (a) => `(unsigned char)(${a} != 0)`, '(int)') : simple('int', '1', '&', '&', (a) => `(unsigned char)(${a} != 0)`, '(int)');
      if (d === 'int32') {
        const init = spec.op === 'max' ? '(-2147483647-1)' : '2147483647';
        return {
          decl: (a) => [`int ${a} = ${init};`],
          update: (a, v) => [`{ const int u_ = ${v}; ${a} = u_ ${gt} ${a} ? u_ : ${a}; }`],
          clauses: (a) => [`reduction(${spec.op}:${a})`],
          combine: (a, b) => [`${a} = ${b} ${gt} ${a} ? ${b} : ${a};`],
          state: (a) => [{ name: a, ctype: 'int' }],
          result: (a) => a,
        };
      }
      const inf = d === 'float32' ? '__builtin_inff()' : '__builtin_inf()';
      const init = spec.op === 'max' ? `-${inf}` : inf;
      const nan = d === 'float32' ? '__builtin_nanf("")' : '__builtin_nan("")';
      return {
        decl: (a) => [`${T} ${a} = ${init};`, `int ${a}n = 0;`],
        update: (a, v) => [`{ const ${T} u_ = ${v}; ${a} = u_ ${gt} ${a} ? u_ : ${a}; ${a}n |= u_ != u_; }`],
        clauses: (a) => [`reduction(${spec.op}:${a})`, `reduction(|:${a}n)`],
        combine: (a, b) => [`${a} = ${b} ${gt} ${a} ? ${b} : ${a};`, `${a}n |= ${b}n;`],
        state: (a) => [
          { name: a, ctype: T },
          { name: `${a}n`, ctype: 'int' },
        ],
        result: (a) => `(${a}n ? ${nan} : ${a})`,
      };
    }
  }
  throw new Error(`internal: reduce op ${spec.op}`);
}
