/**
 * Scalar values and their conversions between dtypes. A value of dtype int64 is a JS bigint (exact over the
 * whole range); a value of any other dtype is a JS number (bool as 0/1). IR constants, the reference
 * interpreter and constant folding all hold values in this form.
 *
 * Two conversions: `castScalar` is what a kernel's cast does (float to int truncates and wraps modulo 2^n,
 * NaN and infinities give 0; the reference every device follows), and `checkedScalar` is what creation
 * from user values does (PyTorch: a Python number that does not fit an integer dtype raises).
 */
import { type DType } from './dtype.js';
import { ValueError } from './errors.js';
import { roundBFloat16, roundFloat16 } from './half.js';

/** One element's value: bigint for int64, number otherwise. */
export type Scalar = number | bigint;

const TWO_53 = 2 ** 53;

/**
 * The float32 nearest to an integer (ties to even), as C's `(float)` of an int64_t rounds: converting to a
 * double first would round twice.
 */
export function bigintToFloat32(x: bigint): number {
  const mag = x < 0n ? -x : x;
  if (mag < BigInt(TWO_53)) return Math.fround(Number(x));
  const shift = BigInt(mag.toString(2).length - 24);
  let m = mag >> shift;
  const rest = mag - (m << shift);
  const half = 1n << (shift - 1n);
  if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
  const r = Number(m << shift);
  return x < 0n ? -r : r;
}

/** Truncate a double toward zero and wrap it into `bits` two's complement bits; NaN and infinities give 0. */
function wrapFloat(x: number, bits: 32 | 64): bigint {
  if (!Number.isFinite(x)) return 0n;
  return BigInt.asIntN(bits, BigInt(Math.trunc(x)));
}

const NARROW_BITS = { uint8: 8, int8: 8, int16: 16 } as const;

/**
 * A value as an integer narrower than int32, as PyTorch's CPU casts it on x86: floats truncate to int32 (NaN,
 * infinities and values outside int32's range give 0: the low bits of x86's "integer indefinite"
 * 0x80000000), then wrap to the width; integers wrap. `torch.tensor([300.]).to(torch.int8)` is 44,
 * `1e10` gives 0 (through int64 it would be -7168 for int16).
 */
function castNarrow(x: number | bigint, dtype: 'uint8' | 'int8' | 'int16'): number {
  const bits = NARROW_BITS[dtype];
  if (typeof x === 'bigint') return Number(dtype === 'uint8' ? BigInt.asUintN(bits, x) : BigInt.asIntN(bits, x));
  const t = Math.trunc(x);
  if (!(t >= -2147483648 && t <= 2147483647)) return 0;
  // |t| < 2^31: exact modular arithmetic in doubles (no bigint per element: the interpreter casts arrays).
  const m = 2 ** bits;
  const u = ((t % m) + m) % m;
  return dtype !== 'uint8' && u >= m / 2 ? u - m : u;
}

/**
 * Convert a value to what a dtype holds, as the kernels' casts do (the reference semantics): to bool, nonzero
 * is 1; to an integer, floats truncate and wrap modulo 2^n (NaN and infinities give 0) and integers wrap; to
 * a float, the nearest value. A bigint is an integer of any size; a boolean is 0 or 1.
 */
export function castScalar(x: Scalar | boolean, dtype: DType): Scalar {
  if (typeof x === 'boolean') x = x ? 1 : 0;
  switch (dtype) {
    case 'bool':
      return x !== 0 && x !== 0n ? 1 : 0;
    case 'int32':
      if (typeof x === 'bigint') return Number(BigInt.asIntN(32, x));
      return Number.isInteger(x) && x >= -2147483648 && x <= 2147483647 ? x | 0 : Number(wrapFloat(x, 32));
    case 'int64':
      return typeof x === 'bigint' ? BigInt.asIntN(64, x) : wrapFloat(x, 64);
    case 'float32':
      return typeof x === 'bigint' ? bigintToFloat32(x) : Math.fround(x);
    case 'float64':
      return Number(x);
    case 'float16':
      return roundFloat16(typeof x === 'bigint' ? bigintToFloat32(x) : x);
    case 'bfloat16':
      return roundBFloat16(typeof x === 'bigint' ? bigintToFloat32(x) : x);
    case 'uint8':
    case 'int8':
    case 'int16':
      if (typeof x === 'number' && Number.isInteger(x) && x >= -128 && x <= 127 && dtype !== 'uint8') return x;
      return castNarrow(x, dtype);
  }
}

const INT_RANGE: Partial<Record<DType, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  int8: [-128n, 127n],
  // PyTorch's check for unsigned types lets negative values down to -255 through (they wrap: -1 is 255).
  uint8: [-255n, 255n],
};

/**
 * A user's value as an element of `dtype` (torch.tensor, torch.full, scalars of integer arithmetic), with
 * PyTorch's rules: a value that does not fit an integer dtype (out of range, NaN, infinite) is a ValueError,
 * a fraction truncates toward zero; floats round to the nearest value (overflowing to ±inf, as IEEE);
 * anything nonzero is true.
 */
export function checkedScalar(x: Scalar | boolean, dtype: DType, op: string): Scalar {
  const range = INT_RANGE[dtype];
  if (range === undefined || typeof x === 'boolean') return castScalar(x, dtype);
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new ValueError(`${op}: value ${x} cannot be converted to type ${dtype} without overflow`);
    // Fast paths (no bigint on the way) for numbers plainly inside the range.
    const t = Math.trunc(x);
    if (dtype === 'int32' && t >= -2147483648 && t <= 2147483647) return t | 0;
    if (dtype === 'int64' && Math.abs(t) <= Number.MAX_SAFE_INTEGER) return BigInt(t);
  }
  const v = typeof x === 'bigint' ? x : BigInt(Math.trunc(x));
  if (v < range[0] || v > range[1]) {
    throw new ValueError(`${op}: value ${typeof x === 'bigint' ? `${x}n` : x} cannot be converted to type ${dtype} without overflow`);
  }
  return castScalar(v, dtype);
}

/** Whether an IR constant's value equals a small number (0, 1, -0, ...): bigints compare by integer value. */
export function scalarIs(x: Scalar, v: number): boolean {
  if (typeof x === 'bigint') return Number.isInteger(v) && x === BigInt(v);
  return Object.is(x, v);
}

/** A JS value for users: int64 values as numbers when exactly representable, else as bigints. */
export function scalarToJS(x: Scalar): number | bigint {
  if (typeof x === 'bigint') return x >= -BigInt(Number.MAX_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
  return x;
}

/** Text of a scalar for hashing keys and messages: keeps -0 and marks bigints. */
export function scalarKey(x: Scalar): string {
  if (typeof x === 'bigint') return `${x}n`;
  return Object.is(x, -0) ? '-0' : String(x);
}
