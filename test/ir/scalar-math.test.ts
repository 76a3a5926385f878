/**
 * The reference scalar semantics (interp, constant folding) follow C99 Annex F / IEEE 754, which the compiled
 * kernels and PyTorch use, where JS's Math differs. Expected values are the standard's special cases.
 */
import { describe, expect, it } from 'vitest';
import { BINARY } from '../../src/ir/scalar-math.js';

describe('reference pow', () => {
  const pow = (a: number, b: number): number => BINARY.pow!(a, b, 'float64');
  it.each([
    [1, NaN, 1], // pow(+1, y) = 1 for any y, even NaN (JS: NaN)
    [1, Infinity, 1],
    [-1, Infinity, 1], // pow(-1, ±inf) = 1 (JS: NaN)
    [-1, -Infinity, 1],
    [NaN, 0, 1], // pow(x, ±0) = 1 for any x, even NaN
    [NaN, -0, 1],
    [0, -1, Infinity],
    [-0, -1, -Infinity],
    [-8, 1 / 3, NaN], // a negative base to a non-integer power
    [2, NaN, NaN],
    [0.5, Infinity, 0],
    [2, -Infinity, 0],
  ])('pow(%s, %s) = %s', (a, b, want) => {
    expect(Object.is(pow(a, b), want) || (Number.isNaN(want) && Number.isNaN(pow(a, b)))).toBe(true);
  });
});
