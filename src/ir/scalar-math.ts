/**
 * Scalar semantics of the elementwise primitives, in JS doubles: the reference every backend is tested
 * against. One table, keyed by op name. Integer ops wrap to int32 (as C's int does on the hardware).
 */
import type { DType } from './dtype.js';
import { ZeroDivisionError } from './errors.js';

/** Round half to even (torch.round). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** erf(x) to about 1e-15 relative: a series near 0, a continued fraction for erfc in the tails. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1 : 1;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + ...))))), evaluated bottom-up.
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

export type Unary = (x: number, dtype: DType) => number;
export type Binary = (a: number, b: number, dtype: DType) => number;

const isIntType = (d: DType): boolean => d === 'int32' || d === 'bool';

export const UNARY: Record<string, Unary> = {
  neg: (x, d) => (d === 'int32' ? -x | 0 : -x),
  abs: (x, d) => (d === 'int32' ? Math.abs(x) | 0 : Math.abs(x)),
  sign: (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0),
  not: (x) => (x === 0 ? 1 : 0),
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  erf,
  sqrt: Math.sqrt,
  recip: (x) => 1 / x,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  trunc: Math.trunc,
};

/**
 * C's pow (IEEE 754 pow, which PyTorch and the compiled kernels use) where JS's Math.pow differs:
 * pow(1, y) = 1 and pow(-1, ±inf) = 1, also for y = NaN.
 */
function cPow(a: number, b: number): number {
  if (a === 1 || (a === -1 && (b === Infinity || b === -Infinity))) return 1;
  return Math.pow(a, b);
}

function intPow(a: number, b: number): number {
  if (b < 0) {
    if (a === 1) return 1;
    if (a === -1) return b % 2 === 0 ? 1 : -1;
    throw new ZeroDivisionError('pow: Integers to negative integer powers are not allowed.');
  }
  let r = 1;
  let base = a | 0;
  let e = b;
  while (e > 0) {
    if (e & 1) r = Math.imul(r, base);
    base = Math.imul(base, base);
    e = Math.floor(e / 2);
  }
  return r;
}

export const BINARY: Record<string, Binary> = {
  add: (a, b, d) => (d === 'int32' ? (a + b) | 0 : a + b),
  sub: (a, b, d) => (d === 'int32' ? (a - b) | 0 : a - b),
  mul: (a, b, d) => (d === 'int32' ? Math.imul(a, b) : a * b),
  div: (a, b) => a / b,
  idiv: (a, b, d) => {
    if (isIntType(d)) {
      if (b === 0) throw new ZeroDivisionError('floor_divide: ZeroDivisionError (integer division by zero)');
      return Math.floor(a / b) | 0;
    }
    return Math.floor(a / b);
  },
  mod: (a, b, d) => {
    if (isIntType(d)) {
      if (b === 0) throw new ZeroDivisionError('remainder: ZeroDivisionError (integer division by zero)');
      const r = a % b;
      return r !== 0 && r < 0 !== b < 0 ? r + b : r;
    }
    if (b === 0) return NaN;
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r;
  },
  pow: (a, b, d) => (d === 'int32' ? intPow(a, b) : cPow(a, b)),
  max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  and: (a, b, d) => (d === 'bool' ? (a && b ? 1 : 0) : a & b),
  or: (a, b, d) => (d === 'bool' ? (a || b ? 1 : 0) : a | b),
  xor: (a, b, d) => (d === 'bool' ? ((a ? 1 : 0) ^ (b ? 1 : 0)) : a ^ b),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
};
