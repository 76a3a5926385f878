/**
 * The rule for JS values, int64 as a real dtype, and values that do not fit. Expected values are PyTorch's
 * (worked out by hand: 0 + 1 + ... + 69999 = 69999 * 70000 / 2 = 2449965000) or exact bigint arithmetic;
 * every computation runs on the compiled cpu device and on the interp reference, which must agree exactly.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectThrowsUnchanged } from './unchanged.js';

const DEVICES = ['cpu', 'interp'];

describe('the rule for JS values in tensor data', () => {
  it('numbers are floats (as Python floats), bigints int64 (as Python ints), booleans bool', () => {
    expect(torch.tensor([1.0, 2, 3]).dtype).toBe('float32');
    expect(torch.tensor([1, 2, 3]).dtype).toBe('float32');
    expect(torch.tensor(5).dtype).toBe('float32');
    expect(torch.tensor([1n, 2n]).dtype).toBe('int64');
    expect(torch.tensor([[1n], [true]]).dtype).toBe('int64'); // bools with ints: ints
    expect(torch.tensor([1n, 2.5]).dtype).toBe('float32'); // any number: float
    expect(torch.tensor([true, false]).dtype).toBe('bool');
    expect(torch.full([2], 3).dtype).toBe('float32');
    expect(torch.full([2], 3n).dtype).toBe('int64');
    expect(torch.full([2], true).dtype).toBe('bool');
  });
  it('typed arrays keep their dtype: Int32Array int32, BigInt64Array int64', () => {
    expect(torch.tensor(Int32Array.of(1, 2)).dtype).toBe('int32');
    const t = torch.tensor(BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n));
    expect(t.dtype).toBe('int64');
    expect(t.tolist()).toEqual([-(2n ** 63n), 2n ** 63n - 1n]);
    expect(torch.fromNumpy(BigInt64Array.of(4n, 5n)).add(1).tolist()).toEqual([5, 6]);
  });
  it('large numbers stay what they are instead of wrapping', () => {
    expect(torch.tensor([1e10]).item()).toBe(1e10);
    expect(torch.tensor([1e30, -1e30]).tolist()).toEqual([Math.fround(1e30), -Math.fround(1e30)]);
    expect(torch.tensor([3e9], { dtype: torch.int64 }).item()).toBe(3e9);
    expect(torch.tensor([2.9, -2.9], { dtype: torch.int64 }).tolist()).toEqual([2, -2]); // truncation, as PyTorch
  });
  it('integer-producing ops give int64, as in PyTorch', () => {
    const x = torch.tensor([[1, 5], [7, 2]]);
    expect(x.argmax().dtype).toBe('int64');
    expect(x.max(1).indices.dtype).toBe('int64');
    expect(x.nonzero().dtype).toBe('int64');
    expect(torch.arange(3).dtype).toBe('int64');
    expect(torch.arange(0, 1, 0.5).dtype).toBe('float32');
    expect(torch.randint(0, 5, [3]).dtype).toBe('int64');
    expect(torch.randperm(3).dtype).toBe('int64');
    expect(torch.tensor([1, 2], { dtype: 'int32' }).sum().dtype).toBe('int64');
    expect(torch.tensor([true, true]).sum().dtype).toBe('int64');
    expect(torch.tensor([1, 2], { dtype: 'int32' }).prod().dtype).toBe('int64');
    expect(x.long().dtype).toBe('int64');
    expect(x.int().dtype).toBe('int32');
  });
});

describe('values that do not fit are ValueErrors at creation, never wrapped', () => {
  it('torch.tensor, torch.full, fill_, arange', () => {
    expect(() => torch.tensor([3e9], { dtype: torch.int32 })).toThrow(torch.ValueError);
    expect(() => torch.tensor([3e9], { dtype: torch.int32 })).toThrow('value 3000000000 cannot be converted to type int32 without overflow');
    expect(() => torch.tensor([1e30], { dtype: torch.int64 })).toThrow(torch.ValueError);
    expect(() => torch.tensor([2n ** 63n])).toThrow(torch.ValueError);
    expect(() => torch.tensor(Float64Array.of(NaN), { dtype: torch.int64 })).toThrow(torch.ValueError);
    expect(() => torch.full([2], 2n ** 40n, { dtype: torch.int32 })).toThrow(torch.ValueError);
    expect(() => torch.arange(0, 4e9, 1e9, { dtype: torch.int32 })).toThrow(torch.ValueError);
    const t = torch.tensor([1, 2], { dtype: 'int32' });
    expectThrowsUnchanged(() => t.fill_(2 ** 31), torch.ValueError, 'cannot be converted to type int32', [t]);
  });
  it('a scalar operand that does not fit the integer dtype of an op is a ValueError', () => {
    const t = torch.tensor([1, 2], { dtype: 'int32' });
    expectThrowsUnchanged(() => t.add(3e9), torch.ValueError, 'add: value 3000000000 cannot be converted to type int32', [t]);
    expectThrowsUnchanged(() => t.add_(3e9), torch.ValueError, 'cannot be converted to type int32', [t]);
    expect(() => torch.tensor([1n]).mul(2n ** 64n)).toThrow(torch.ValueError);
    expect(t.add(2.5).dtype).toBe('float32'); // a fraction raises the category instead
  });
  it('float16, bfloat16 and the narrow integers are dtypes everywhere a dtype is taken (issue 14); unknown names are a DTypeError', () => {
    const x = torch.ones(2);
    for (const d of [torch.float16, torch.bfloat16, torch.half, torch.uint8, torch.int8, torch.int16]) {
      expect(x.to(d).dtype).toBe(d);
      expect(torch.zeros(2, { dtype: d }).dtype).toBe(d);
      expect(torch.tensor([1], { dtype: d }).tolist()).toEqual([1]);
      expect(torch.arange(3, { dtype: d }).tolist()).toEqual([0, 1, 2]);
      expect(x.sum({ dtype: d }).item()).toBe(2);
    }
    expectThrowsUnchanged(() => x.to({ dtype: 'complex64' as never }), torch.DTypeError, 'unknown dtype', [x]);
  });
});

describe.each(DEVICES)('int64 arithmetic on %s', (device) => {
  const L = (data: torch.TensorData): torch.Tensor => torch.tensor(data, { device, dtype: 'int64' });
  it('torch.arange(70000).sum() is 2449965000, as in PyTorch', () => {
    const s = torch.arange(70000, { device }).sum();
    expect(s.dtype).toBe('int64');
    expect(s.item()).toBe(2449965000);
    expect(torch.arange(70000, { device, dtype: 'int32' }).sum().item()).toBe(2449965000);
    expect(torch.arange(70000, { device }).cumsum(0).index(-1).item()).toBe(2449965000);
  });
  it('is exact beyond 2^53: 2^62 + 1, products, sums, comparisons', () => {
    const big = L([2n ** 62n, -(2n ** 62n), 3n]);
    expect(big.add(1).tolist()).toEqual([2n ** 62n + 1n, -(2n ** 62n) + 1n, 4]);
    expect(big.add(1).sub(big).tolist()).toEqual([1, 1, 1]);
    expect(L([2n ** 31n + 1n]).mul(L([2n ** 31n - 1n])).tolist()).toEqual([2n ** 62n - 1n]);
    expect(L([2n ** 62n, 2n ** 62n - 1n, 5n]).sum().tolist()).toBe(2n ** 63n + 4n - 2n ** 64n); // wraps at 2^64
    expect(L([2n ** 62n + 1n, 2n ** 62n]).eq(L([2n ** 62n, 2n ** 62n])).tolist()).toEqual([false, true]);
    expect(L([2n ** 62n + 1n, 7n]).max().tolist()).toBe(2n ** 62n + 1n);
    expect(L([2n ** 62n + 1n, 7n]).argmax().item()).toBe(0);
  });
  it('wraps at 64 bits; floor division, remainder and powers follow Python', () => {
    expect(L([2n ** 63n - 1n]).add(1).tolist()).toEqual([-(2n ** 63n)]);
    expect(L([-7n, 7n, -(2n ** 62n)]).floorDivide(2).tolist()).toEqual([-4, 3, -(2n ** 61n)]);
    expect(L([-7n, 7n]).remainder(-2).tolist()).toEqual([-1, -1]);
    expect(L([3n]).pow(39).tolist()).toEqual([4052555153018976267n]);
    expect(L([-5n]).abs().neg().tolist()).toEqual([-5]);
    expect(() => L([1n, 2n]).floorDivide(L([1n, 0n])).tolist()).toThrow(torch.ZeroDivisionError);
  });
  it('casts: to float rounds once; from float truncates; int32 <-> int64', () => {
    expect(L([2n ** 60n + 2n ** 36n + 1n]).float().item()).toBe(2 ** 60 + 2 ** 37);
    expect(L([2n ** 53n + 1n]).double().item()).toBe(2 ** 53);
    expect(torch.tensor([2.9, -2.9, 3e9], { device }).long().tolist()).toEqual([2, -2, 3e9]);
    expect(L([2n ** 32n + 5n]).int().item()).toBe(5);
    expect(torch.tensor([-3], { device, dtype: 'int32' }).long().tolist()).toEqual([-3]);
  });
  it('promotes with int32 and floats as PyTorch does', () => {
    const i32 = torch.tensor([1, 2], { device, dtype: 'int32' });
    expect(i32.add(L([2n ** 40n, 1n])).tolist()).toEqual([2 ** 40 + 1, 3]);
    expect(i32.add(L([2n ** 40n, 1n])).dtype).toBe('int64');
    expect(L([1n, 2n]).add(torch.tensor([0.5, 0.5], { device })).dtype).toBe('float32');
    expect(L([1n, 3n]).div(2).tolist()).toEqual([0.5, 1.5]);
    expect(L([1n, 3n]).mul(1.5).tolist()).toEqual([1.5, 4.5]);
    expect(torch.where(torch.tensor([true, false], { device }), 1, 0).dtype).toBe('int64');
  });
  it('indexes: gather, advanced indexing, index writes, embedding and cross entropy take int64', () => {
    const x = torch.tensor([[10, 11, 12], [20, 21, 22]], { device });
    expect(x.gather(1, L([[2, 0], [1, 1]])).tolist()).toEqual([[12, 10], [21, 21]]);
    expect(x.index(L([1, 0])).tolist()).toEqual([[20, 21, 22], [10, 11, 12]]);
    expect(x.index(':', L([-1])).tolist()).toEqual([[12], [22]]);
    expect(x.index(L([1]).add(0), L([2]).add(0)).tolist()).toEqual([22]); // lazy int64 indices
    expect(x.indexSelect(1, torch.tensor([2, 2], { device, dtype: 'int32' })).tolist()).toEqual([[12, 12], [22, 22]]);
    const y = x.clone();
    y.indexPut_([L([0, 1]), L([1, 2])], -1);
    expect(y.tolist()).toEqual([[10, -1, 12], [20, 21, -1]]);
    // an int64 index far outside the range is caught, lazy or known, never wrapped into range
    expect(() => x.index(L([2n ** 32n]))).toThrow(torch.IndexError);
    expect(() => x.index(L([2n ** 32n]).add(0)).tolist()).toThrow(torch.IndexError);
    const w = torch.tensor([[1, 2], [3, 4], [5, 6]], { device });
    expect(torch.nn.functional.embedding(L([2, 0]), w).tolist()).toEqual([[5, 6], [1, 2]]);
    const loss = torch.nn.functional.crossEntropy(torch.zeros(2, 3, { device }), L([0, 2]));
    expect(loss.item()).toBeCloseTo(Math.log(3), 6);
    expect(torch.nn.functional.oneHot(L([1, 0]), 2).tolist()).toEqual([[0, 1], [1, 0]]);
  });
});

describe('reading values out', () => {
  it('item() is a number when exact, a ValueError pointing to tolist() beyond 2^53', () => {
    expect(torch.tensor([2n ** 53n - 1n]).item()).toBe(2 ** 53 - 1);
    const big = torch.tensor(2n ** 62n + 1n);
    expect(() => big.item()).toThrow(torch.ValueError);
    expect(() => big.item()).toThrow('read it with tolist() (a bigint)');
    expect(big.tolist()).toBe(2n ** 62n + 1n);
  });
  it('float labels are refused with a hint to write bigints', () => {
    expect(() => torch.nn.functional.crossEntropy(torch.zeros(2, 3), torch.tensor([0, 2]))).toThrow(/expected scalar type Long but found Float.*bigints/);
    expect(() => torch.zeros(3).gather(0, torch.tensor([0, 1], { dtype: 'int32' }))).toThrow('gather(): Expected dtype int64 for index, got int32');
  });
  it('defaultCollate makes integral numbers int64 (PyTorch collates Python ints so), fractions float32', () => {
    const { defaultCollate } = torch.utils.data;
    expect(defaultCollate([1, 2, 3]).dtype).toBe('int64');
    expect(defaultCollate([1n, 2n]).dtype).toBe('int64');
    expect(defaultCollate([1, 2.5]).dtype).toBe('float32');
  });
});
