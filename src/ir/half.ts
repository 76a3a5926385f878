/**
 * The 16-bit floats, as PyTorch's CPU converts them: a value becomes float32 first (PyTorch converts a double
 * to float, then to half: two roundings, matched here), then rounds to nearest, ties to even.
 *
 * - float16 (IEEE binary16): overflow gives ±inf (65520 and above), subnormals down to 2^-24, NaN keeps its
 *   sign and becomes the quiet NaN 0x7e00 (c10's `fp16_ieee_from_fp32_value`).
 * - bfloat16 (the upper half of a float32): NaN becomes 0xffff, as PyTorch's vectorized CPU conversion
 *   writes it (its scalar path writes 0x7fc0; both are NaN).
 *
 * Values are stored as their bits (a Uint16Array); `*ToNumber` decode them exactly.
 */
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The float16 bits of x (rounded to float32 first, then to half: round to nearest even). */
export function float16Bits(x: number): number {
  F32[0] = x;
  const b = U32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return mant ? sign | 0x7e00 : sign | 0x7c00;
  const e = exp - 112; // the half's biased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A subnormal half (or zero): the 24-bit significand shifted right by 14 - e.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the significand raises the exponent: 65520 rounds to 0x7c00 (inf), as IEEE.
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
  return sign | h;
}

/** The value of float16 bits. */
export function float16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** The bfloat16 bits of x (rounded to float32 first, then to the upper 16 bits: round to nearest even). */
export function bfloat16Bits(x: number): number {
  F32[0] = x;
  const b = U32[0]!;
  if ((b & 0x7fffffff) > 0x7f800000) return 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The value of bfloat16 bits. */
export function bfloat16ToNumber(h: number): number {
  U32[0] = (h & 0xffff) << 16;
  return F32[0]!;
}

/** x rounded to the nearest float16 (as a number). */
export const roundFloat16 = (x: number): number => float16ToNumber(float16Bits(x));
/** x rounded to the nearest bfloat16 (as a number). */
export const roundBFloat16 = (x: number): number => bfloat16ToNumber(bfloat16Bits(x));

/** Decode a Uint16Array of half bits into float32 values (the compute form). */
export function decodeHalf(bits: Uint16Array, dtype: 'float16' | 'bfloat16', out: Float32Array | Float64Array = new Float32Array(bits.length)): Float32Array | Float64Array {
  const f = dtype === 'float16' ? float16ToNumber : bfloat16ToNumber;
  for (let i = 0; i < bits.length; i++) out[i] = f(bits[i]!);
  return out;
}

/** Encode values into half bits (each rounded as a cast to the dtype rounds). */
export function encodeHalf(values: ArrayLike<number>, dtype: 'float16' | 'bfloat16', out: Uint16Array = new Uint16Array(values.length)): Uint16Array {
  const f = dtype === 'float16' ? float16Bits : bfloat16Bits;
  for (let i = 0; i < values.length; i++) out[i] = f(values[i]!);
  return out;
}
