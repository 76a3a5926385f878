/**
 * The narrow dtypes' rules in src/ir: PyTorch 1.13's promotion table (torch.promote_types over every pair,
 * pasted from PyTorch), torch.result_type with 0-d tensors and scalars, and the conversions of src/ir/half.ts
 * and castScalar against values worked out by hand from the IEEE formats and PyTorch's outputs.
 */
import { describe, expect, it } from 'vitest';
import {
  bfloat16Bits,
  bfloat16ToNumber,
  castScalar,
  checkedScalar,
  DTYPES,
  float16Bits,
  float16ToNumber,
  promoteTypes,
  resultType,
  ValueError,
  type DType,
} from '../../src/ir/index.js';

const ORDER: DType[] = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64'];
// torch.promote_types(row, column) in PyTorch 1.13, columns in ORDER.
const TABLE: Record<string, string[]> = {
  bool: ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64'],
  uint8: ['uint8', 'uint8', 'int16', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64'],
  int8: ['int8', 'int16', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64'],
  int16: ['int16', 'int16', 'int16', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64'],
  int32: ['int32', 'int32', 'int32', 'int32', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64'],
  int64: ['int64', 'int64', 'int64', 'int64', 'int64', 'int64', 'float16', 'bfloat16', 'float32', 'float64'],
  float16: ['float16', 'float16', 'float16', 'float16', 'float16', 'float16', 'float16', 'float32', 'float32', 'float64'],
  bfloat16: ['bfloat16', 'bfloat16', 'bfloat16', 'bfloat16', 'bfloat16', 'bfloat16', 'float32', 'bfloat16', 'float32', 'float64'],
  float32: ['float32', 'float32', 'float32', 'float32', 'float32', 'float32', 'float32', 'float32', 'float32', 'float64'],
  float64: ['float64', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64'],
};

describe('promotion', () => {
  it('torch.promote_types over every pair of dtypes is PyTorch 1.13 table', () => {
    expect([...DTYPES].sort()).toEqual([...ORDER].sort());
    for (const a of ORDER) for (const [j, b] of ORDER.entries()) expect(promoteTypes(a, b), `${a} + ${b}`).toBe(TABLE[a]![j]);
  });
  it('torch.result_type: 0-d tensors and scalars raise the category only', () => {
    const t = (dtype: DType, dim = 1) => ({ dtype, dim });
    expect(resultType(t('int8'), 2.5)).toBe('float32');
    expect(resultType(t('int8'), 3)).toBe('int8');
    expect(resultType(t('float16'), t('float64', 0))).toBe('float16');
    expect(resultType(t('int16', 0), t('uint8'))).toBe('uint8');
    expect(resultType(t('bfloat16', 0), t('int8'))).toBe('bfloat16');
    expect(resultType(t('bfloat16', 0), t('float16'))).toBe('float16');
    expect(resultType(t('uint8'), t('int8'))).toBe('int16');
  });
});

describe('float16 and bfloat16 conversions', () => {
  it('float16: round to nearest even, overflow to inf at 65520, subnormals, NaN', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(65519.99)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(float16Bits(-1e6)).toBe(0xfc00);
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1); 1 + 3 * 2^-11 ties up to 1 + 2^-9.
    expect(float16ToNumber(float16Bits(1 + 2 ** -11))).toBe(1);
    expect(float16ToNumber(float16Bits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    // Subnormals: the smallest is 2^-24; half of it ties to 0 (even), a little more rounds up.
    expect(float16Bits(2 ** -24)).toBe(1);
    expect(float16Bits(2 ** -25)).toBe(0);
    expect(float16Bits(2 ** -25 * 1.0001)).toBe(1);
    expect(float16Bits(3 * 2 ** -26)).toBe(1);
    expect(float16Bits(6.097555160522461e-5)).toBe(0x3ff); // the largest subnormal
    expect(float16ToNumber(0x3ff)).toBe(1023 * 2 ** -24);
    expect(float16Bits(-0)).toBe(0x8000);
    expect(float16Bits(NaN)).toBe(0x7e00);
    expect(Number.isNaN(float16ToNumber(0x7e00))).toBe(true);
    expect(float16ToNumber(0xfc00)).toBe(-Infinity);
  });
  it('a double rounds to float32 first, as PyTorch converts: 1 + 2^-11 + 2^-40 gives 1, not 1 + 2^-10', () => {
    expect(float16ToNumber(float16Bits(1 + 2 ** -11 + 2 ** -40))).toBe(1);
    expect(bfloat16ToNumber(bfloat16Bits(1 + 2 ** -8 + 2 ** -40))).toBe(1);
  });
  it('bfloat16: the upper half of a float32, rounded to nearest even; NaN is 0xffff as PyTorch writes it', () => {
    expect(bfloat16Bits(1)).toBe(0x3f80);
    expect(bfloat16Bits(-3)).toBe(0xc040);
    expect(bfloat16ToNumber(bfloat16Bits(0.1))).toBe(0.10009765625);
    expect(bfloat16ToNumber(bfloat16Bits(1 + 2 ** -8))).toBe(1); // tie to even
    expect(bfloat16ToNumber(bfloat16Bits(1 + 3 * 2 ** -8))).toBe(1 + 2 ** -6);
    expect(bfloat16Bits(3.4e38)).toBe(0x7f80); // rounds past the largest finite value
    expect(bfloat16Bits(NaN)).toBe(0xffff);
  });
});

describe('castScalar and checkedScalar for the narrow dtypes', () => {
  it('float to uint8/int8/int16 as PyTorch on x86: truncate through int32 (0 outside it), then wrap', () => {
    // PyTorch 1.13: torch.tensor([300., -1., -129., 1e10, nan, inf, 255.9, -0.5, 3e9]).to(torch.int8)
    const xs = [300, -1, -129, 1e10, NaN, Infinity, 255.9, -0.5, 3e9];
    expect(xs.map((x) => castScalar(x, 'int8'))).toEqual([44, -1, 127, 0, 0, 0, -1, 0, 0]);
    expect(xs.map((x) => castScalar(x, 'uint8'))).toEqual([44, 255, 127, 0, 0, 0, 255, 0, 0]);
    expect(xs.map((x) => castScalar(x, 'int16'))).toEqual([300, -1, -129, 0, 0, 0, 255, 0, 0]);
    expect(castScalar(2n ** 40n + 5n, 'int8')).toBe(5);
    expect(castScalar(-1n, 'uint8')).toBe(255);
  });
  it('float16/bfloat16 values round (int64 through float32, as a C cast)', () => {
    expect(castScalar(0.1, 'float16')).toBe(0.0999755859375);
    expect(castScalar(2n ** 24n + 2n ** 13n + 1n, 'bfloat16')).toBe(2 ** 24);
    expect(castScalar(70000, 'float16')).toBe(Infinity);
  });
  it("user values must fit (PyTorch's check; uint8 lets -255..-1 through, wrapping, as PyTorch)", () => {
    expect(checkedScalar(127, 'int8', 'tensor')).toBe(127);
    expect(() => checkedScalar(300, 'int8', 'tensor')).toThrow(ValueError);
    expect(() => checkedScalar(300, 'int8', 'tensor')).toThrow('value 300 cannot be converted to type int8 without overflow');
    expect(checkedScalar(-1, 'uint8', 'tensor')).toBe(255);
    expect(() => checkedScalar(-256, 'uint8', 'tensor')).toThrow(ValueError);
    expect(() => checkedScalar(32768, 'int16', 'tensor')).toThrow(ValueError);
    expect(checkedScalar(1e6, 'float16', 'tensor')).toBe(Infinity);
  });
});
