/**
 * The counter-based random generator behind the `rand` op. Element i of rand(seed=[s0, s1], salt) is
 * a pure function of (s0, s1, salt, i), so every device computes the same numbers and a kernel can
 * compute them anywhere in a fused loop. The C and CUDA renderers emit this same arithmetic.
 *
 * mix32 is a 32-bit integer finalizer (xorshift-multiply, constants from the "hash prospector" search).
 */
export const MIX_M1 = 0x7feb352d;
export const MIX_M2 = 0x846ca68b;
export const GOLDEN = 0x9e3779b9;

export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, MIX_M1);
  x ^= x >>> 15;
  x = Math.imul(x, MIX_M2);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The per-call key: depends on the seed words and the salt only, computed once per kernel. */
export function randKey(s0: number, s1: number, salt: number): number {
  return mix32((mix32((s0 ^ Math.imul(salt + 1, GOLDEN)) >>> 0) + (s1 >>> 0)) >>> 0);
}

/** Uniform float in [0, 1) with 24 random bits (exact in float32). */
export function randAt(key: number, i: number): number {
  const h = mix32((mix32((i ^ key) >>> 0) + key) >>> 0);
  return (h >>> 8) * (1 / 16777216);
}
