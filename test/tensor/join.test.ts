/** cat / stack / hstack / vstack: hand-computed values, copies, dtype promotion, one fused expression, errors. */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { toposort } from '../../src/ir/index.js';
import { expectThrowsUnchanged } from './unchanged.js';

describe('cat', () => {
  it('joins along a dim', () => {
    const a = torch.tensor([[1, 2], [3, 4]]);
    const b = torch.tensor([[5, 6]]);
    expect(torch.cat([a, b]).tolist()).toEqual([[1, 2], [3, 4], [5, 6]]);
    const c = torch.tensor([[7], [8]]);
    expect(torch.cat([a, c, a], 1).tolist()).toEqual([[1, 2, 7, 1, 2], [3, 4, 8, 3, 4]]);
    expect(torch.cat([a, c], { dim: -1 }).tolist()).toEqual([[1, 2, 7], [3, 4, 8]]);
    expect(torch.concat([a, a]).shape).toEqual([4, 2]);
    expect(torch.concatenate([a]).tolist()).toEqual([[1, 2], [3, 4]]);
  });
  it('keeps NaN, infinities and -0 of each piece exactly', () => {
    const a = torch.tensor([NaN, -0], { dtype: 'float64' });
    const b = torch.tensor([Infinity, -Infinity], { dtype: 'float64' });
    const out = torch.cat([a, b]).dataSync();
    expect(Number.isNaN(out[0])).toBe(true);
    expect(Object.is(out[1], -0)).toBe(true);
    expect([out[2], out[3]]).toEqual([Infinity, -Infinity]);
  });
  it('promotes dtypes, handles bool and empty pieces', () => {
    const r = torch.cat([torch.tensor([1, 2]), torch.tensor([0.5])]);
    expect(r.dtype).toBe('float32');
    expect(r.tolist()).toEqual([1, 2, 0.5]);
    expect(torch.cat([torch.tensor([true]), torch.tensor([false, true])]).tolist()).toEqual([true, false, true]);
    // legacy: 1-d empty tensors are skipped whatever the other shapes
    expect(torch.cat([torch.zeros(0), torch.ones(2, 2)]).shape).toEqual([2, 2]);
    expect(torch.cat([torch.zeros(2, 0), torch.ones(2, 1)], 1).tolist()).toEqual([[1], [1]]);
  });
  it('is a copy: writes do not go through either way', () => {
    const a = torch.tensor([1, 2]);
    const b = torch.tensor([3]);
    const c = torch.cat([a, b]);
    c.fill_(0);
    expect(a.tolist()).toEqual([1, 2]);
    const d = torch.cat([a, b]);
    a.fill_(9);
    expect(d.tolist()).toEqual([1, 2, 3]);
  });
  it('builds one expression of pads and wheres (no kernel boundary per input)', () => {
    const ins = [torch.rand(2, 3), torch.rand(2, 1), torch.rand(2, 2)];
    const c = torch.cat(ins, 1);
    const ops = toposort([c.node]).map((n) => n.op);
    expect(ops.filter((o) => o === 'contiguous')).toEqual([]);
    expect(new Set(ops)).toEqual(new Set(['buffer', 'rand', 'const', 'pad', 'where']));
    expect(ops.filter((o) => o === 'where').length).toBe(2);
  });
  it('on the interp device', () => {
    const a = torch.tensor([[1, 2]], { device: 'interp', dtype: 'float64' });
    const c = torch.cat([a, a.mul(2), a.index(':', '1:')], 1);
    expect(c.device).toBe('interp');
    expect(c.dtype).toBe('float64');
    expect(c.tolist()).toEqual([[1, 2, 2, 4, 2]]);
    expect(() => torch.cat([a, torch.ones(1, 2, { dtype: 'float64' })])).toThrow(torch.DeviceError);
  });
  it('writes into out=', () => {
    const out = torch.zeros(3);
    torch.cat([torch.tensor([1.0]), torch.tensor([2.0, 3.0])], { out });
    expect(out.tolist()).toEqual([1, 2, 3]);
  });
  it('errors with PyTorch messages', () => {
    const a = torch.zeros(2, 2);
    const b = torch.zeros(2, 3);
    expectThrowsUnchanged(
      () => torch.cat([a, b]),
      torch.ShapeError,
      'Sizes of tensors must match except in dimension 0. Expected size 2 but got size 3 for tensor number 1 in the list.',
      [a, b],
    );
    const c = torch.zeros(3, 2);
    expectThrowsUnchanged(
      () => torch.cat([a, c], 1),
      torch.ShapeError,
      'Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1 in the list.',
      [a, c],
    );
    expectThrowsUnchanged(() => torch.cat([a, torch.zeros(2)]), torch.ShapeError, 'Tensors must have same number of dimensions: got 2 and 1', [a]);
    expectThrowsUnchanged(() => torch.cat([]), torch.ValueError, 'expected a non-empty list of Tensors', []);
    expectThrowsUnchanged(() => torch.cat([a, a], 2), torch.IndexError, 'Dimension out of range (expected to be in range of [-2, 1], but got 2)', [a]);
    expectThrowsUnchanged(() => torch.cat([torch.tensor(1), torch.tensor(2)]), torch.ShapeError, 'zero-dimensional tensor (at position 0) cannot be concatenated', []);
    const out = torch.zeros(2);
    expectThrowsUnchanged(() => torch.cat([a, a], { out }), torch.ShapeError, "output with shape [2] doesn't match", [out, a]);
  });
});

describe('stack, hstack, vstack', () => {
  it('stack adds a dim', () => {
    const a = torch.tensor([1, 2, 3]);
    const b = torch.tensor([4, 5, 6]);
    expect(torch.stack([a, b]).tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(torch.stack([a, b], 1).tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(torch.stack([a, b], -1).shape).toEqual([3, 2]);
    expect(torch.stack([torch.tensor(1), torch.tensor(2.5)]).tolist()).toEqual([1, 2.5]);
  });
  it('stack errors', () => {
    const a = torch.zeros(2, 3);
    const b = torch.zeros(2, 2);
    expectThrowsUnchanged(() => torch.stack([a, b]), torch.ShapeError, 'stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [2, 2] at entry 1', [a, b]);
    expectThrowsUnchanged(() => torch.stack([a, a], 3), torch.IndexError, 'Dimension out of range (expected to be in range of [-3, 2], but got 3)', [a]);
  });
  it('hstack and vstack', () => {
    const a = torch.tensor([1, 2]);
    const b = torch.tensor([3]);
    expect(torch.hstack([a, b]).tolist()).toEqual([1, 2, 3]);
    expect(torch.hstack([torch.tensor([[1], [2]]), torch.tensor([[3], [4]])]).tolist()).toEqual([[1, 3], [2, 4]]);
    expect(torch.vstack([a, torch.tensor([3, 4])]).tolist()).toEqual([[1, 2], [3, 4]]);
  });
  it('autograd names', () => {
    const x = torch.ones(2, { requiresGrad: true });
    expect(torch.cat([x, x]).gradFn?.name).toBe('CatBackward0');
    expect(torch.stack([x, x]).gradFn?.name).toBe('StackBackward0');
  });
});
