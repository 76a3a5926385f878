/**
 * Kernels that fail (data-dependent index out of range, integer division by zero, integer to a negative
 * power) raise typed errors and change nothing: no tensor is rebound and no shared memory is written.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { build, IndexError, ZeroDivisionError } from '../../src/ir/index.js';
import { getDevice } from '../../src/runtime/index.js';

const cpu = getDevice('cpu');
const f32 = (xs: number[], shape = [xs.length]) => build.buffer(cpu.fromHost('float32', Float32Array.from(xs)), shape);
const i32 = (xs: number[], shape = [xs.length]) => build.buffer(cpu.fromHost('int32', Int32Array.from(xs)), shape);

describe('failing kernels', () => {
  test('gather with an index out of range is an IndexError naming gather', () => {
    const g = build.gather(f32([1, 2, 3]), i32([0, 3, 1]), 0);
    expect(() => cpu.execute([g])).toThrow(IndexError);
    // small graphs: the interpreter explains the kernel's error code in PyTorch's words
    expect(() => cpu.execute([g])).toThrow('gather: index 3 is out of bounds for dimension 0 with size 3');
    expect(() => cpu.execute([build.gather(f32([1, 2, 3]), i32([-1]), 0)])).toThrow(IndexError);
    const ok = cpu.execute([build.gather(f32([1, 2, 3]), i32([2, 0]), 0)]);
    expect(Array.from((ok[0]!.host!) as ArrayLike<number | bigint>, Number)).toEqual([3, 1]);
  });
  test('a large graph keeps the kernel message (no re-run on the interpreter)', () => {
    const n = 1 << 22;
    const idx = new Int32Array(n);
    idx[n - 1] = 3;
    const g = build.gather(f32([1, 2, 3]), build.buffer(cpu.fromHost('int32', idx), [n]), 0);
    expect(() => cpu.execute([g])).toThrow(/gather: index out of range/);
  });
  test('scatterAdd with an index out of range is an IndexError', () => {
    const s = build.scatterAdd(f32([0, 0]), i32([0, 2]), f32([1, 1]), 0);
    expect(() => cpu.execute([s])).toThrow(IndexError);
  });
  test('an index out of range only inside the padding of a pad does not count', () => {
    // pad reads its input only where it is inside; a gather there with bad indices is never evaluated
    const g = build.gather(f32([5, 6]), i32([1, 0]), 0);
    const p = build.pad(g, [[1, 1]], 9);
    expect(Array.from((cpu.execute([p])[0]!.host!) as ArrayLike<number | bigint>, Number)).toEqual([9, 6, 5, 9]);
  });
  test('integer division and remainder by zero are ZeroDivisionErrors; negative int powers too', () => {
    const a = torch.tensor([7n, 8n, 9n]);
    const b = torch.tensor([1n, 0n, 2n]);
    expect(() => a.floorDivide(b).tolist()).toThrow(ZeroDivisionError);
    expect(() => a.remainder(b).tolist()).toThrow(ZeroDivisionError);
    expect(a.floorDivide(torch.tensor([2n, -3n, 4n])).tolist()).toEqual([3, -3, 2]);
    const p = build.binary('pow', i32([2, 3]), i32([1, -1]));
    expect(() => cpu.execute([p])).toThrow(ZeroDivisionError);
    expect(Array.from((cpu.execute([build.binary('pow', i32([1, -1, 5]), i32([-3, -3, 2]))])[0]!.host!) as ArrayLike<number | bigint>, Number)).toEqual([1, -1, 25]);
  });
  test('a failing program writes nothing into memory shared with JS', () => {
    const t = torch.tensor([1, 2, 3], { dtype: 'int32' });
    const mem = t._share().host!;
    const before = t.node;
    expect(() => t.add_(t.floorDivide(torch.tensor([1n, 0n, 1n])))).toThrow(ZeroDivisionError);
    expect(Array.from((mem) as ArrayLike<number | bigint>, Number)).toEqual([1, 2, 3]);
    expect(t.node).toBe(before);
    expect(t.tolist()).toEqual([1, 2, 3]);
  });
  test('the interp device stays selectable and agrees', () => {
    const x = torch.tensor([0.5, 1.5, -2], { device: 'interp' });
    const y = torch.tensor([0.5, 1.5, -2]);
    expect(x.device).toBe('interp');
    expect(y.device).toBe('cpu');
    const a = x.mul(3).exp().tolist() as number[];
    const b = y.mul(3).exp().tolist() as number[];
    a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(1e-6 * Math.abs(v)));
  });
});

test('after a failed in-place op, memory shared with JS still receives later writes', () => {
  const t = torch.tensor([1, 2, 3], { dtype: 'int32' });
  const mem = t._share().host!;
  expect(() => t.add_(t.floorDivide(torch.tensor([0n, 0n, 0n])))).toThrow(ZeroDivisionError);
  t.add_(10);
  expect(Array.from((mem) as ArrayLike<number | bigint>, Number)).toEqual([11, 12, 13]);
});
