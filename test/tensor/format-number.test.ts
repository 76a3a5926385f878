/** Python's float formatting, checked on values where JavaScript's toFixed/toExponential differ from it. */
import { describe, expect, it } from 'vitest';
import { formatExponential, formatFixed } from '../../src/tensor/format-number.js';

describe("Python's '{:.Nf}' and '{:.Ne}'", () => {
  it('rounds exact ties to even (JavaScript rounds them away from zero)', () => {
    expect((1.03125).toFixed(4)).toBe('1.0313');
    expect(formatFixed(1.03125, 4)).toBe('1.0312');
    expect(formatFixed(1.09375, 4)).toBe('1.0938');
    expect(formatFixed(-2.5, 0)).toBe('-2');
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatExponential(103125, 4)).toBe('1.0312e+05');
  });
  it('rounds from the exact binary value (0.1 + 0.2 is above .30000000000000000)', () => {
    expect(formatFixed(0.1 + 0.2, 17)).toBe('0.30000000000000004');
    expect(formatFixed(2.675, 2)).toBe('2.67'); // 2.675 is 2.67499999... in binary
  });
  it('keeps the sign of negative zero and of values that round to zero', () => {
    expect(formatFixed(-0, 4)).toBe('-0.0000');
    expect(formatFixed(-0.00001, 4)).toBe('-0.0000');
    expect(formatExponential(-0, 2)).toBe('-0.00e+00');
  });
  it('writes exponents with at least two digits and carries into the next power of ten', () => {
    expect(formatExponential(1e-5, 4)).toBe('1.0000e-05');
    expect(formatExponential(9.99996, 4)).toBe('1.0000e+01');
    expect(formatExponential(1e300, 1)).toBe('1.0e+300');
    expect(formatExponential(5e-324, 3)).toBe('4.941e-324');
    expect(formatExponential(12345, 0)).toBe('1e+04');
  });
  it('spells non-finite values as Python does', () => {
    expect([formatFixed(NaN, 4), formatFixed(Infinity, 4), formatExponential(-Infinity, 4)]).toEqual(['nan', 'inf', '-inf']);
  });
  it('prints large values in full', () => {
    expect(formatFixed(1e22, 1)).toBe('10000000000000000000000.0');
    expect(formatFixed(2 ** 70, 0)).toBe('1180591620717411303424');
  });
});
