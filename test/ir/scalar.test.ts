/**
 * Scalar conversions: the kernels' cast semantics (castScalar) and the checked conversion of user values
 * (checkedScalar). Expected values are worked out by hand from two's complement and IEEE rounding.
 */
import { describe, expect, it } from 'vitest';
import { bigintToFloat32, castScalar, checkedScalar, scalarToJS, ValueError } from '../../src/ir/index.js';
import { binaryFn, unaryFn } from '../../src/ir/scalar-math.js';

describe('castScalar (what a cast kernel does)', () => {
  it('truncates floats toward zero and wraps them modulo 2^n; NaN and infinities give 0', () => {
    expect(castScalar(2.9, 'int32')).toBe(2);
    expect(castScalar(-2.9, 'int32')).toBe(-2);
    expect(castScalar(3e9, 'int32')).toBe(3e9 - 2 ** 32);
    expect(castScalar(-2.9, 'int64')).toBe(-2n);
    expect(castScalar(2 ** 64 + 2 ** 12, 'int64')).toBe(4096n);
    expect(castScalar(2 ** 63, 'int64')).toBe(-(2n ** 63n));
    expect(castScalar(NaN, 'int64')).toBe(0n);
    expect(castScalar(-Infinity, 'int32')).toBe(0);
  });
  it('wraps integers into the width and rounds them into floats once', () => {
    expect(castScalar(2n ** 32n + 5n, 'int32')).toBe(5);
    expect(castScalar(2n ** 63n, 'int64')).toBe(-(2n ** 63n));
    expect(castScalar(7, 'int64')).toBe(7n);
    expect(castScalar(2n ** 53n + 1n, 'float64')).toBe(2 ** 53); // ties to even
    expect(castScalar(-5n, 'bool')).toBe(1);
    expect(castScalar(0n, 'bool')).toBe(0);
    expect(castScalar(true, 'int64')).toBe(1n);
  });
});

describe('bigintToFloat32 rounds once, as C does', () => {
  it('halfway cases go to even; a double first would round twice', () => {
    // 2^60 + 2^36 + 1: above the midpoint between the float32s 2^60 and 2^60 + 2^37, so it rounds up.
    // As a double it is 2^60 + 2^36 (the +1 is lost), exactly the midpoint, which ties to even: down.
    const x = 2n ** 60n + 2n ** 36n + 1n;
    expect(bigintToFloat32(x)).toBe(2 ** 60 + 2 ** 37);
    expect(Math.fround(Number(x))).toBe(2 ** 60);
    expect(bigintToFloat32(2n ** 60n + 2n ** 36n)).toBe(2 ** 60); // the exact midpoint: to even
    expect(bigintToFloat32(2n ** 60n + 3n * 2n ** 36n)).toBe(2 ** 60 + 2 ** 38); // midpoint, to even (up)
    expect(bigintToFloat32(-x)).toBe(-(2 ** 60 + 2 ** 37));
    expect(bigintToFloat32(2n ** 63n - 1n)).toBe(2 ** 63);
    expect(bigintToFloat32(16777217n)).toBe(16777216); // small values: exact double, one rounding
  });
});

describe('checkedScalar (user values: PyTorch raises where a Python number does not fit)', () => {
  it('refuses values outside the integer range, NaN and infinities', () => {
    expect(() => checkedScalar(3e9, 'int32', 'tensor')).toThrow(ValueError);
    expect(() => checkedScalar(3e9, 'int32', 'tensor')).toThrow('tensor: value 3000000000 cannot be converted to type int32 without overflow');
    expect(() => checkedScalar(1e30, 'int64', 'tensor')).toThrow('cannot be converted to type int64 without overflow');
    expect(() => checkedScalar(2n ** 63n, 'int64', 'full')).toThrow('full: value 9223372036854775808n cannot be converted');
    expect(() => checkedScalar(NaN, 'int64', 'tensor')).toThrow(ValueError);
    expect(() => checkedScalar(-Infinity, 'int32', 'tensor')).toThrow(ValueError);
  });
  it('accepts the extremes, truncates fractions, rounds floats (overflowing to inf as IEEE)', () => {
    expect(checkedScalar(-(2 ** 31), 'int32', 't')).toBe(-(2 ** 31));
    expect(checkedScalar(2n ** 63n - 1n, 'int64', 't')).toBe(2n ** 63n - 1n);
    expect(checkedScalar(-(2 ** 63), 'int64', 't')).toBe(-(2n ** 63n));
    expect(checkedScalar(2.7, 'int64', 't')).toBe(2n);
    expect(checkedScalar(1e300, 'float32', 't')).toBe(Infinity);
    expect(checkedScalar(-3, 'bool', 't')).toBe(1);
  });
});

describe('int64 reference arithmetic is exact and wraps at 64 bits', () => {
  const add = binaryFn('add', 'int64')!;
  const mul = binaryFn('mul', 'int64')!;
  const idiv = binaryFn('idiv', 'int64')!;
  const mod = binaryFn('mod', 'int64')!;
  const pow = binaryFn('pow', 'int64')!;
  it('beyond 2^53, and at the edges', () => {
    expect(add(2n ** 62n, 1n)).toBe(2n ** 62n + 1n);
    expect(add(2n ** 63n - 1n, 1n)).toBe(-(2n ** 63n));
    expect(mul(2n ** 32n, 2n ** 32n)).toBe(0n);
    expect(unaryFn('neg', 'int64')!(-(2n ** 63n))).toBe(-(2n ** 63n));
    expect(unaryFn('abs', 'int64')!(-5n)).toBe(5n);
    expect(pow(3n, 40n)).toBe(12157665459056928801n - 2n ** 64n); // 3^40 wraps once
    expect(pow(-1n, -3n)).toBe(-1n);
  });
  it("floor division and Python's remainder", () => {
    expect(idiv(-7n, 2n)).toBe(-4n);
    expect(mod(-7n, 2n)).toBe(1n);
    expect(mod(7n, -2n)).toBe(-1n);
    expect(idiv(-(2n ** 63n), -1n)).toBe(-(2n ** 63n));
    expect(() => idiv(1n, 0n)).toThrow(/integer division by zero/);
  });
  it('comparisons give bool numbers', () => {
    expect(binaryFn('lt', 'int64')!(2n ** 62n, 2n ** 62n + 1n)).toBe(1);
    expect(binaryFn('eq', 'int64')!(2n ** 62n, 2n ** 62n + 1n)).toBe(0);
  });
});

describe('scalarToJS (tolist)', () => {
  it('numbers where exact, bigints beyond ±(2^53 - 1)', () => {
    expect(scalarToJS(5n)).toBe(5);
    expect(scalarToJS(2n ** 53n - 1n)).toBe(2 ** 53 - 1);
    expect(scalarToJS(2n ** 53n)).toBe(2n ** 53n);
    expect(scalarToJS(-(2n ** 62n))).toBe(-(2n ** 62n));
    expect(scalarToJS(1.5)).toBe(1.5);
  });
});
