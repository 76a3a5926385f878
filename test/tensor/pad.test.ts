/** torch.pad (F.pad): constant (with negative pads cropping), reflect, replicate, circular. */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectThrowsUnchanged } from './unchanged.js';

describe('pad, constant mode', () => {
  it('pads the last dims first', () => {
    const x = torch.tensor([[1, 2], [3, 4]]);
    expect(torch.pad(x, [1, 0]).tolist()).toEqual([[0, 1, 2], [0, 3, 4]]);
    expect(torch.pad(x, [0, 1, 1, 0]).tolist()).toEqual([[0, 0, 0], [1, 2, 0], [3, 4, 0]]);
    expect(torch.pad(x, [1, 1], { value: 9 }).tolist()).toEqual([[9, 1, 2, 9], [9, 3, 4, 9]]);
    expect(torch.pad(x, [1, 1], 'constant', -1).tolist()).toEqual([[-1, 1, 2, -1], [-1, 3, 4, -1]]);
  });
  it('negative amounts crop', () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(torch.pad(x, [-1, 1]).tolist()).toEqual([[2, 3, 0], [5, 6, 0]]);
    expect(torch.pad(x, [0, -2, -1, 0]).tolist()).toEqual([[4]]);
  });
  it('is a copy', () => {
    const x = torch.tensor([1, 2]);
    const p = torch.pad(x, [1, 1]);
    p.fill_(5);
    expect(x.tolist()).toEqual([1, 2]);
    expect(p.gradFn).toBe(null);
    expect(torch.pad(torch.ones(2, { requiresGrad: true }), [1, 1]).gradFn?.name).toBe('ConstantPadNdBackward0');
  });
  it('errors', () => {
    const x = torch.tensor([[1, 2, 3]]);
    expectThrowsUnchanged(() => torch.pad(x, [1]), torch.ValueError, 'Padding length must be divisible by 2', [x]);
    expectThrowsUnchanged(() => torch.pad(x, [1, 1, 1, 1, 1, 1]), torch.ValueError, 'Padding length should be less than or equal to two times the input dimension', [x]);
    expectThrowsUnchanged(
      () => torch.pad(x, [-2, -2]),
      torch.ShapeError,
      'The input size 3, plus negative padding -2 and -2 resulted in a negative output size, which is invalid. Check dimension 1 of your input.',
      [x],
    );
  });
});

describe('pad, other modes', () => {
  const x = (): torch.Tensor => torch.tensor([[[1, 2, 3]]], { dtype: 'float32' }); // [1, 1, 3]
  it('reflect mirrors without repeating the edge', () => {
    expect(torch.pad(x(), [2, 2], { mode: 'reflect' }).tolist()).toEqual([[[3, 2, 1, 2, 3, 2, 1]]]);
  });
  it('replicate repeats the edge', () => {
    expect(torch.pad(x(), [2, 1], 'replicate').tolist()).toEqual([[[1, 1, 1, 2, 3, 3]]]);
  });
  it('circular wraps around', () => {
    expect(torch.pad(x(), [1, 2], 'circular').tolist()).toEqual([[[3, 1, 2, 3, 1, 2]]]);
  });
  it('2-d reflect on a [1, 2, 2] input', () => {
    const y = torch.tensor([[[1, 2], [3, 4]]], { dtype: 'float32' });
    expect(torch.pad(y, [1, 0, 0, 1], 'reflect').tolist()).toEqual([[[2, 1, 2], [4, 3, 4], [2, 1, 2]]]);
  });
  it('errors', () => {
    const y = x();
    expectThrowsUnchanged(() => torch.pad(y, [3, 0], 'reflect'), torch.ValueError, 'Padding size should be less than the corresponding input dimension', [y]);
    expectThrowsUnchanged(() => torch.pad(torch.ones(3), [1, 1], 'reflect'), torch.ValueError, 'Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now', []);
    expectThrowsUnchanged(() => torch.pad(y, [4, 0], 'circular'), torch.ValueError, 'Padding value causes wrapping around more than once', [y]);
  });
});
