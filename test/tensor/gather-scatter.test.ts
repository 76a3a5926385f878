/**
 * gather, scatter, scatterAdd, indexSelect, take; maskedFill, maskedSelect, nonzero, argwhere.
 * Hand-computed values, loops written here as the reference for gather/scatter, errors with messages.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectThrowsUnchanged } from './unchanged.js';

/** Index tensors are int64 (JS numbers would make float32 tensors). */
const I = (data: torch.TensorData): torch.Tensor => torch.tensor(data, { dtype: 'int64' });
const src = (): torch.Tensor => torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });

describe('gather', () => {
  it('reads along a dim', () => {
    const x = src();
    expect(x.gather(1, I([[2, 0], [1, 1]])).tolist()).toEqual([[3, 1], [5, 5]]);
    expect(torch.gather(x, 0, I([[1, 0, 1]])).tolist()).toEqual([[4, 2, 6]]);
    expect(x.gather(-1, I([[0], [2]])).tolist()).toEqual([[1], [6]]);
  });
  it('matches a loop on a 3-d case', () => {
    const x = torch.arange(24).reshape(2, 3, 4);
    const idx = [[[2, 0, 1, 1]], [[0, 0, 2, 1]]]; // [2, 1, 4] along dim 1
    const got = x.gather(1, I(idx)).tolist() as number[][][];
    const xs = x.tolist() as number[][][];
    for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) expect(got[i]![0]![k]).toBe(xs[i]![idx[i]![0]![k]!]![k]);
  });
  it('errors', () => {
    const x = src();
    const i5 = I([[5]]);
    expectThrowsUnchanged(() => x.gather(1, i5), torch.IndexError, 'index 5 is out of bounds for dimension 1 with size 3', [x, i5]);
    expectThrowsUnchanged(() => x.gather(1, I([0])), torch.ShapeError, 'Index tensor must have the same number of dimensions as input tensor', [x]);
    expectThrowsUnchanged(() => x.gather(1, I([[0], [0], [0]])), torch.ShapeError, 'Size does not match at dimension 0 expected index [3, 1] to be smaller than self [2, 3] apart from dimension 1', [x]);
    expectThrowsUnchanged(() => x.gather(1, torch.tensor([[0.5]], { dtype: 'float32' })), torch.DTypeError, 'gather(): Expected dtype int64 for index', [x]);
    expectThrowsUnchanged(() => x.gather(2, I([[0]])), torch.IndexError, 'Dimension out of range (expected to be in range of [-2, 1], but got 2)', [x]);
    const lazy = x.gather(1, I([[3]]).add(0));
    expect(() => lazy.tolist()).toThrow(torch.IndexError);
  });
});

describe('scatter and scatterAdd', () => {
  it('scatter writes src at index (out of place)', () => {
    const x = torch.zeros(3, 3);
    const s = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
    const r = x.scatter(0, I([[0, 1, 2], [2, 0, 1]]), s);
    expect(r.tolist()).toEqual([[1, 5, 0], [0, 2, 6], [4, 0, 3]]);
    expect(x.tolist()).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    // src larger than index: only its leading part is used
    expect(torch.scatter(torch.zeros(2, 4), 1, I([[3], [0]]), s).tolist()).toEqual([[0, 0, 0, 1], [4, 0, 0, 0]]);
    expect(x.scatter(1, I([[2], [0], [1]]), 7).tolist()).toEqual([[0, 0, 7], [7, 0, 0], [0, 7, 0]]);
  });
  it('scatter matches a sequential loop, duplicates included', () => {
    const base = [[10, 11, 12, 13], [20, 21, 22, 23]];
    const idx = [[3, 1, 3], [0, 0, 2]];
    const vals = [[1, 2, 3], [4, 5, 6]];
    const expected = base.map((r) => [...r]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expected[i]![idx[i]![j]!] = vals[i]![j]!;
    const got = torch.tensor(base).scatter(1, I(idx), torch.tensor(vals));
    expect(got.tolist()).toEqual(expected);
    const acc = base.map((r) => [...r]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) acc[i]![idx[i]![j]!]! += vals[i]![j]!;
    expect(torch.tensor(base).scatterAdd(1, I(idx), torch.tensor(vals)).tolist()).toEqual(acc);
  });
  it('in place variants write through views', () => {
    const x = torch.zeros(2, 4);
    x.index(1).scatter_(0, I([2, 0]), torch.tensor([5, 6], { dtype: 'float32' }));
    expect(x.tolist()).toEqual([[0, 0, 0, 0], [6, 0, 5, 0]]);
    x.scatterAdd_(1, I([[1, 1], [1, 1]]), torch.ones(2, 2));
    expect(x.tolist()).toEqual([[0, 2, 0, 0], [6, 2, 5, 0]]);
  });
  it('errors', () => {
    const x = torch.zeros(2, 3);
    const s = torch.ones(2, 3);
    expectThrowsUnchanged(() => x.scatter_(1, I([[3]]), s), torch.IndexError, 'index 3 is out of bounds for dimension 1 with size 3', [x, s]);
    expectThrowsUnchanged(() => x.scatter_(1, I([[0]]), torch.ones(1, 1, { dtype: 'float64' })), torch.DTypeError, 'Expected self.dtype to be equal to src.dtype', [x]);
    expectThrowsUnchanged(() => x.scatterAdd_(0, I([[0, 0, 0, 0]]), s), torch.ShapeError, 'Expected index [1, 4] to be smaller than self [2, 3] apart from dimension 0', [x, s]);
    expectThrowsUnchanged(() => x.scatter_(0, I([0]), s), torch.ShapeError, 'Index tensor must have the same number of dimensions as self tensor', [x]);
  });
  it('autograd names', () => {
    const x = torch.ones(2, 2, { requiresGrad: true });
    const i = I([[0, 1]]);
    expect(x.gather(0, i).gradFn?.name).toBe('GatherBackward0');
    expect(x.scatter(0, i, x).gradFn?.name).toBe('ScatterBackward0');
    expect(x.scatter(0, i, 1).gradFn?.name).toBe('ScatterBackward1');
    expect(x.scatterAdd(0, i, x).gradFn?.name).toBe('ScatterAddBackward0');
    expect(x.indexSelect(0, I([1])).gradFn?.name).toBe('IndexSelectBackward0');
    expect(x.take(I([3])).gradFn?.name).toBe('TakeBackward0');
    expect(x.maskedFill(torch.tensor([true, false]), 0).gradFn?.name).toBe('MaskedFillBackward0');
    expect(x.maskedSelect(torch.tensor([true, false])).gradFn?.name).toBe('MaskedSelectBackward0');
  });
});

describe('indexSelect and take', () => {
  it('indexSelect picks entries of a dim', () => {
    const x = src();
    expect(x.indexSelect(1, I([2, 0, 2])).tolist()).toEqual([[3, 1, 3], [6, 4, 6]]);
    expect(torch.indexSelect(x, 0, I([1])).tolist()).toEqual([[4, 5, 6]]);
    const i = I([3]);
    expectThrowsUnchanged(() => x.indexSelect(1, i), torch.IndexError, 'index out of range in self', [x, i]);
    expectThrowsUnchanged(() => x.indexSelect(1, I([-1])), torch.IndexError, 'index out of range in self', [x]);
    expectThrowsUnchanged(() => x.indexSelect(0, I([[0]])), torch.ShapeError, 'Index is supposed to be a vector', [x]);
  });
  it('take reads the flattened tensor, negative from the end', () => {
    const x = src();
    expect(x.take(I([[0, 5], [-1, 2]])).tolist()).toEqual([[1, 6], [6, 3]]);
    expect(x.t().take(I([1])).item()).toBe(4);
    expectThrowsUnchanged(() => x.take(I([6])), torch.IndexError, 'out of range: tried to access index 6 on a tensor of 6 elements.', [x]);
  });
});

describe('masks', () => {
  it('maskedFill broadcasts the mask, in place through a view too', () => {
    const x = src();
    const m = torch.tensor([true, false, true]);
    expect(x.maskedFill(m, -1).tolist()).toEqual([[-1, 2, -1], [-1, 5, -1]]);
    expect(torch.maskedFill(x, torch.tensor([[false], [true]]), torch.tensor(0.5)).tolist()).toEqual([[1, 2, 3], [0.5, 0.5, 0.5]]);
    x.index(1).maskedFill_(m, 0);
    expect(x.tolist()).toEqual([[1, 2, 3], [0, 5, 0]]);
  });
  it('maskedFill errors', () => {
    const x = src();
    const im = I([1, 0, 1]);
    expectThrowsUnchanged(() => x.maskedFill(im, 0), torch.DTypeError, 'only supports boolean masks, but got mask with dtype int64', [x, im]);
    expectThrowsUnchanged(() => x.maskedFill(torch.tensor([true, false, true]), I([1, 2])), torch.ValueError, 'only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).', [x]);
    const v = torch.zeros(3);
    expectThrowsUnchanged(() => v.maskedFill_(torch.ones(2, 3, { dtype: 'bool' }), 1), torch.ShapeError, "output with shape [3] doesn't match the broadcast shape [2, 3]", [v]);
  });
  it('maskedSelect, nonzero, argwhere', () => {
    const x = src();
    expect(x.maskedSelect(x.gt(2.5)).tolist()).toEqual([3, 4, 5, 6]);
    expect(x.maskedSelect(torch.tensor([false, true, false])).tolist()).toEqual([2, 5]);
    const z = torch.tensor([[0, 1.5, 0], [2, 0, NaN]]);
    expect(z.nonzero().tolist()).toEqual([[0, 1], [1, 0], [1, 2]]);
    expect(torch.argwhere(z).tolist()).toEqual([[0, 1], [1, 0], [1, 2]]);
    const [r, c] = torch.nonzero(z, { asTuple: true });
    expect(r!.tolist()).toEqual([0, 1, 1]);
    expect(c!.tolist()).toEqual([1, 0, 2]);
    expect(torch.zeros(2, 2).nonzero().shape).toEqual([0, 2]);
    const [wr, wc] = torch.where(z.ne(0));
    expect([wr!.tolist(), wc!.tolist()]).toEqual([[0, 1, 1], [1, 0, 2]]);
    expect(() => torch.where(z.ne(0), z, undefined as never)).toThrow(torch.ValueError);
    expect(x.nonzero().dtype).toBe('int64');
  });
});
