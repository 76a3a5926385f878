/**
 * Constants whose value is data are program inputs (src/compiler/lift-constants.ts): a loop of `x.mul(i + 2)`
 * is one program, not one compile per value, and the values are exact.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { build, isLiftedConstant } from '../../src/ir/index.js';
import { getDevice, type CpuDevice } from '../../src/runtime/index.js';

const cpu = (): CpuDevice => getDevice('cpu') as CpuDevice;

describe('lifted constants', () => {
  it('which constants are data: finite floats other than 0, ±1, ±2, ±0.5; never ints or bools', () => {
    const c = (v: number, dtype: torch.DType = 'float32') => build.constant(v, dtype, [2]);
    expect([3, 0.1, -7.5, 1e30, 2.5].map((v) => isLiftedConstant(c(v)))).toEqual([true, true, true, true, true]);
    expect([0, -0, 1, -1, 2, -2, 0.5, -0.5, Infinity, -Infinity, NaN].map((v) => isLiftedConstant(c(v)))).toEqual(Array(11).fill(false));
    expect(isLiftedConstant(c(3, 'int32'))).toBe(false);
    expect(isLiftedConstant(c(3, 'float64'))).toBe(true);
    expect(isLiftedConstant(c(3, 'float16'))).toBe(true);
    expect(isLiftedConstant(c(3, 'int8'))).toBe(false);
  });

  it('float16 x.mul(i + 0.1) for 20 values of i: one program, each value rounded to half as a float16 op rounds', () => {
    const x = torch.tensor([1.5, -3, 1000], { dtype: torch.float16 }).realize();
    x.mul(1.25).realize();
    const before = cpu().stats.programBuilds;
    for (let i = 0; i < 20; i++) {
      const k = i + 0.1;
      const want = torch.tensor([1.5, -3, 1000], { dtype: torch.float16, device: 'interp' }).mul(k).tolist();
      expect(x.mul(k).tolist()).toEqual(want);
    }
    expect(cpu().stats.programBuilds - before).toBe(0);
  });

  it('x.mul(i + 2) for 40 values of i: one program, exact values', () => {
    const x = torch.rand(1000).realize();
    const xs = x.tolist() as number[];
    x.mul(1.25).realize();
    const before = cpu().stats.programBuilds;
    for (let i = 0; i < 40; i++) {
      const k = i + 2.5;
      const y = x.mul(k).tolist() as number[];
      expect(y[7]).toBe(Math.fround(xs[7]! * Math.fround(k)));
      expect(y[999]).toBe(Math.fround(xs[999]! * Math.fround(k)));
    }
    expect(cpu().stats.programBuilds - before).toBe(0);
  });

  it('the generated code holds no lifted value; values that carry structure stay in the code', () => {
    const x = torch.rand(16);
    const src = torch.ir.kernels(x.mul(3.75).add(1)).map((k) => k.source).join('\n');
    expect(src).not.toMatch(/0x1\.ep\+1f|3\.75/); // 3.75 as C writes it
    expect(src).toContain('0x1p+0f'); // the 1 of add(1) is code
  });

  it('float64 constants keep every bit', () => {
    const x = torch.tensor(Float64Array.of(1, 2, 3));
    const k = 0.1 + 0.2; // 0.30000000000000004
    expect(x.mul(k).tolist()).toEqual([1 * k, 2 * k, 3 * k]);
  });
});
