/**
 * Scalar semantics of the elementwise primitives: the reference every backend is tested against. Values
 * are JS numbers (floats, int32, bool) or, for int64, bigints (exact: doubles would lose bits beyond 2^53);
 * one table per representation, keyed by op name. Integer ops wrap to their width (two's complement, as
 * the compiled kernels compute them in unsigned arithmetic).
 */
import { DTYPE_INFO, type DType } from './dtype.js';
import { ZeroDivisionError } from './errors.js';
import type { Scalar } from './scalar.js';

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

/**
 * Integer dtypes (bool included). uint8/int8/int16 compute here as exact doubles (or int32 wrapping where a
 * product could pass 2^53: pow) and wrap to their width when stored, as the kernels compute them in int32
 * and cast back; float16/bfloat16 compute as doubles and are rounded to half by their caller.
 */
const isIntType = (d: DType): boolean => DTYPE_INFO[d].category !== 'float';

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
  pow: (a, b, d) => (isIntType(d) && d !== 'bool' ? intPow(a, b) : cPow(a, b)),
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

// ---------------------------------------------------------------------------------------------------------
// int64, on bigints

const wrap64 = (x: bigint): bigint => BigInt.asIntN(64, x);

export const INT64_UNARY: Record<string, (x: bigint) => Scalar> = {
  neg: (x) => wrap64(-x),
  abs: (x) => wrap64(x < 0n ? -x : x),
  sign: (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n),
  not: (x) => (x === 0n ? 1 : 0),
  floor: (x) => x,
  ceil: (x) => x,
  round: (x) => x,
  trunc: (x) => x,
};

function int64Pow(a: bigint, b: bigint): bigint {
  if (b < 0n) {
    if (a === 1n) return 1n;
    if (a === -1n) return b % 2n === 0n ? 1n : -1n;
    throw new ZeroDivisionError('pow: Integers to negative integer powers are not allowed.');
  }
  let r = 1n;
  let base = a;
  let e = b;
  while (e > 0n) {
    if (e & 1n) r = wrap64(r * base);
    base = wrap64(base * base);
    e >>= 1n;
  }
  return r;
}

/** Python's floor division and remainder (the remainder takes the divisor's sign). */
function floorDivMod(a: bigint, b: bigint, op: string): [bigint, bigint] {
  if (b === 0n) throw new ZeroDivisionError(`${op}: ZeroDivisionError (integer division by zero)`);
  let q = a / b;
  let r = a % b;
  if (r !== 0n && r < 0n !== b < 0n) {
    q -= 1n;
    r += b;
  }
  return [wrap64(q), r];
}

export const INT64_BINARY: Record<string, (a: bigint, b: bigint) => Scalar> = {
  add: (a, b) => wrap64(a + b),
  sub: (a, b) => wrap64(a - b),
  mul: (a, b) => wrap64(a * b),
  idiv: (a, b) => floorDivMod(a, b, 'floor_divide')[0],
  mod: (a, b) => floorDivMod(a, b, 'remainder')[1],
  pow: int64Pow,
  max: (a, b) => (a > b ? a : b),
  min: (a, b) => (a < b ? a : b),
  and: (a, b) => a & b,
  or: (a, b) => a | b,
  xor: (a, b) => a ^ b,
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
};

/** The reference of unary op `op` on values of dtype `src`, or undefined when the op has no scalar rule. */
export function unaryFn(op: string, src: DType): ((x: Scalar) => Scalar) | undefined {
  if (src === 'int64') return INT64_UNARY[op] as ((x: Scalar) => Scalar) | undefined;
  const f = UNARY[op];
  return f && ((x) => f(x as number, src));
}

/** The reference of binary op `op` on two values of dtype `src`, or undefined when the op has no scalar rule. */
export function binaryFn(op: string, src: DType): ((a: Scalar, b: Scalar) => Scalar) | undefined {
  if (src === 'int64') return INT64_BINARY[op] as ((a: Scalar, b: Scalar) => Scalar) | undefined;
  const f = BINARY[op];
  return f && ((a, b) => f(a as number, b as number, src));
}
