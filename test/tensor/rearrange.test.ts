/** flip, repeat, tile, roll, tril, triu: hand-computed values, copies (no write-through), errors. */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectThrowsUnchanged } from './unchanged.js';

const a23 = (): torch.Tensor => torch.tensor([[1, 2, 3], [4, 5, 6]]);

describe('flip', () => {
  it('reverses dims', () => {
    const x = a23();
    expect(x.flip(0).tolist()).toEqual([[4, 5, 6], [1, 2, 3]]);
    expect(x.flip(1).tolist()).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(torch.flip(x, [0, 1]).tolist()).toEqual([[6, 5, 4], [3, 2, 1]]);
    expect(x.flip(-1).tolist()).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(x.fliplr().tolist()).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(x.flipud().tolist()).toEqual([[4, 5, 6], [1, 2, 3]]);
  });
  it('is a copy', () => {
    const x = a23();
    const f = x.flip(0);
    f.fill_(0);
    expect(x.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const g = x.flip(1);
    x.zero_();
    expect(g.tolist()).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(g.isView).toBe(false);
  });
  it('errors', () => {
    const x = a23();
    expectThrowsUnchanged(() => x.flip(0, 0), torch.ShapeError, 'dim 0 appears multiple times in the list of dims', [x]);
    expectThrowsUnchanged(() => x.flip(2), torch.IndexError, 'Dimension out of range (expected to be in range of [-2, 1], but got 2)', [x]);
    expectThrowsUnchanged(() => torch.tensor([1, 2]).fliplr(), torch.ShapeError, 'Input must be >= 2-d.', []);
  });
});

describe('repeat and tile', () => {
  it('repeat tiles the tensor', () => {
    const x = torch.tensor([1, 2]);
    expect(x.repeat(3).tolist()).toEqual([1, 2, 1, 2, 1, 2]);
    expect(x.repeat(2, 2).tolist()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(a23().repeat(2, 1).tolist()).toEqual([[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]]);
    expect(a23().repeat([1, 2]).tolist()).toEqual([[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]]);
    expect(x.repeat(0, 2).shape).toEqual([0, 4]);
  });
  it('tile fills missing leading counts with 1', () => {
    expect(a23().tile(2).tolist()).toEqual([[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]]);
    expect(torch.tile(torch.tensor([1, 2]), [2, 1]).tolist()).toEqual([[1, 2], [1, 2]]);
  });
  it('repeat is a copy and checks its counts', () => {
    const x = torch.tensor([1, 2]);
    const r = x.repeat(2);
    r.fill_(0);
    expect(x.tolist()).toEqual([1, 2]);
    expectThrowsUnchanged(() => a23().repeat(2), torch.ShapeError, 'Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor', []);
  });
});

describe('roll', () => {
  it('shifts with wrap-around', () => {
    const x = torch.tensor([1, 2, 3, 4, 5]);
    expect(x.roll(2).tolist()).toEqual([4, 5, 1, 2, 3]);
    expect(x.roll(-1).tolist()).toEqual([2, 3, 4, 5, 1]);
    expect(x.roll(7).tolist()).toEqual([4, 5, 1, 2, 3]);
    const y = a23();
    // without dims: over the flattened tensor
    expect(y.roll(1).tolist()).toEqual([[6, 1, 2], [3, 4, 5]]);
    expect(y.roll(1, 1).tolist()).toEqual([[3, 1, 2], [6, 4, 5]]);
    expect(y.roll([1, -1], [0, 1]).tolist()).toEqual([[5, 6, 4], [2, 3, 1]]);
    expectThrowsUnchanged(() => y.roll([1, 2], [0]), torch.ValueError, 'shifts and dimensions must align', [y]);
  });
});

describe('tril and triu', () => {
  const m = (): torch.Tensor => torch.tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], { dtype: 'float32' });
  it('keep the lower / upper triangle', () => {
    expect(m().tril().tolist()).toEqual([[1, 0, 0, 0], [5, 6, 0, 0], [9, 10, 11, 0]]);
    expect(m().tril(-1).tolist()).toEqual([[0, 0, 0, 0], [5, 0, 0, 0], [9, 10, 0, 0]]);
    expect(m().triu().tolist()).toEqual([[1, 2, 3, 4], [0, 6, 7, 8], [0, 0, 11, 12]]);
    expect(m().triu(2).tolist()).toEqual([[0, 0, 3, 4], [0, 0, 0, 8], [0, 0, 0, 0]]);
    expect(torch.triu(m(), { diagonal: 1 }).tolist()).toEqual([[0, 2, 3, 4], [0, 0, 7, 8], [0, 0, 0, 12]]);
    expect(torch.ones(2, 2, 2, { dtype: 'bool' }).tril().tolist()).toEqual([
      [[true, false], [true, true]],
      [[true, false], [true, true]],
    ]);
  });
  it('in place, through a view', () => {
    const x = m();
    x.index('1:').tril_();
    expect(x.tolist()).toEqual([[1, 2, 3, 4], [5, 0, 0, 0], [9, 10, 0, 0]]);
    expectThrowsUnchanged(() => torch.ones(3).triu(), torch.ShapeError, 'triu: input tensor must have at least 2 dimensions', []);
  });
  it('autograd names', () => {
    const x = torch.ones(2, 2, { requiresGrad: true });
    expect(x.tril().gradFn?.name).toBe('TrilBackward0');
    expect(x.flip(0).gradFn?.name).toBe('FlipBackward0');
    expect(x.repeat(2, 1).gradFn?.name).toBe('RepeatBackward0');
    expect(x.roll(1).gradFn?.name).toBe('RollBackward0');
  });
});
