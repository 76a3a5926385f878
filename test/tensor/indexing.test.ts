/**
 * x.index(...) and x.indexPut_(...): basic indices as views (write-through both ways, PyTorch strides),
 * advanced indices compared with an independent JS reference (index-reference.ts), writes with duplicate
 * and accumulated indices, known and lazy index tensors, and every error with its message.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { refFrom, refIndex, refIndexPut, refNested, type RefItem } from './index-reference.js';
import { expectThrowsUnchanged } from './unchanged.js';

const a34 = (): torch.Tensor => torch.arange(12).reshape(3, 4); // [[0,1,2,3],[4,5,6,7],[8,9,10,11]]

describe('basic indexing', () => {
  it('integers, slices, ellipsis and new axes', () => {
    const x = a34();
    expect(x.index(1).tolist()).toEqual([4, 5, 6, 7]);
    expect(x.index(-1, -2).item()).toBe(10);
    expect(x.index(':', 1).tolist()).toEqual([1, 5, 9]);
    expect(x.index('1:3').tolist()).toEqual([[4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(x.index(':', '::2').tolist()).toEqual([[0, 2], [4, 6], [8, 10]]);
    expect(x.index('-2:', '1:-1').tolist()).toEqual([[5, 6], [9, 10]]);
    expect(x.index('...', 0).tolist()).toEqual([0, 4, 8]);
    expect(x.index(null).shape).toEqual([1, 3, 4]);
    expect(x.index(':', null, 2).tolist()).toEqual([[2], [6], [10]]);
    expect(x.index('...', null).shape).toEqual([3, 4, 1]);
    expect(x.index('5:').shape).toEqual([0, 4]);
    expect(x.index('1:100:2').tolist()).toEqual([[4, 5, 6, 7]]);
    expect(x.index(' 0 : 2 ', ':').shape).toEqual([2, 4]);
    expect(torch.tensor(7).index().item()).toBe(7);
    expect(torch.tensor(7).index('...').item()).toBe(7);
    // a 0-d integer tensor is an integer index
    expect(x.index(torch.tensor(2n)).tolist()).toEqual([8, 9, 10, 11]);
  });
  it('gives views with PyTorch strides and offsets', () => {
    const x = torch.zeros(4, 6);
    const s = x.index('::2', '1::3');
    expect(s.shape).toEqual([2, 2]);
    expect(s.stride()).toEqual([12, 3]);
    expect(s.storageOffset()).toBe(1);
    expect(s.isContiguous()).toBe(false);
    const c = x.index(':', 2);
    expect(c.stride()).toEqual([6]);
    expect(c.storageOffset()).toBe(2);
    const r = x.index('1:3');
    expect(r.isContiguous()).toBe(true);
    expect(r.storageOffset()).toBe(6);
    const y = torch.zeros(2, 3, 4);
    expect(y.index(':', 1).stride()).toEqual([12, 1]);
    expect(y.index('...', 1).stride()).toEqual([12, 4]);
  });
  it('writes through: x.index(":", 1).fill_(0) changes x', () => {
    const x = a34();
    x.index(':', 1).fill_(0);
    expect(x.tolist()).toEqual([[0, 0, 2, 3], [4, 0, 6, 7], [8, 0, 10, 11]]);
    x.index('::2', '::2').add_(100);
    expect(x.tolist()).toEqual([[100, 0, 102, 3], [4, 0, 6, 7], [108, 0, 110, 11]]);
    x.index(-1).index('1:3').mul_(-1); // a view of a view
    expect(x.index(2).tolist()).toEqual([108, 0, -110, 11]);
    x.index('...', null, 3).fill_(1);
    expect(x.index(':', 3).tolist()).toEqual([1, 1, 1]);
  });
  it('views see later writes to the base', () => {
    const x = a34();
    const v = x.index('1:', '::3');
    x.mul_(2);
    expect(v.tolist()).toEqual([[8, 14], [16, 22]]);
    x.index(2).fill_(0);
    expect(v.tolist()).toEqual([[8, 14], [0, 0]]);
  });
  it('the whole-tensor index is an alias', () => {
    const x = a34();
    const v = x.index('...');
    expect(v).not.toBe(x);
    expect(v.isView).toBe(true);
    v.fill_(1);
    expect(x.tolist()).toEqual([[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]);
  });
});

describe('advanced indexing against a JS reference', () => {
  const data = torch.arange(120).reshape(2, 3, 4, 5);
  const ref = refFrom(data.tolist() as number[][][][]);
  const mask23 = [[true, false, true], [false, false, true]];
  const mask5 = [false, true, true, false, true];
  const cases: RefItem[][] = [
    [[1, 0]],
    [[1, 0], [2, -3]],
    [':', [0, 2]],
    [':', [0, 2], [1, 3]],
    [[0, 1], ':', [1, 2]], // separated by a slice: index dims go first
    [[0, 1], ':', ':', [4, 0]],
    [[[0], [1]], [0, 2]], // broadcast [2, 1] with [2]
    [0, ':', [1, 3]], // the integer is a select, so one advanced index, kept in place
    [[1], ':', 0, [2, 3]], // select between: the advanced dims are separated
    [':', [-1, 0], '...'],
    ['...', [4, 0]],
    [null, [1, 0], null, [2]],
    ['1:', [[2, 0], [1, 1]], '::2'],
    [mask23],
    [mask23, [3, 0, 1]],
    [':', ':', ':', mask5],
    [0, ':', '...', mask5],
    [true],
    [':', false],
    [':', true, [0, 2]],
    [[]],
    [[0, 1], [2, 1], [3, 0], [4, 1]],
  ];
  it('hand-computed cases', () => {
    expect(a34().index([0, 2], [1, 3]).tolist()).toEqual([1, 11]);
    expect(a34().index([[0], [2]], [1, 3]).tolist()).toEqual([[1, 3], [9, 11]]);
    const y = torch.arange(24).reshape(2, 3, 4);
    // separated by a slice: the index dim goes first; row b is y[b, :, idx[b]]
    expect(y.index([0, 1], ':', [1, 2]).tolist()).toEqual([[1, 5, 9], [14, 18, 22]]);
    // adjacent: stays in place; [b, k] = y[b, idx0[k], idx1[k]]
    expect(y.index(':', [0, 2], [3, 0]).tolist()).toEqual([[3, 8], [15, 20]]);
    expect(a34().index(a34().gt(8)).tolist()).toEqual([9, 10, 11]);
  });
  for (const c of cases) {
    it(`x[${JSON.stringify(c)}]`, () => {
      const expected = refIndex(ref, c);
      const got = data.index(...(c as torch.IndexItem[]));
      expect(got.shape).toEqual(expected.shape);
      expect(got.tolist()).toEqual(refNested(expected));
      expect(got.isView).toBe(false);
    });
  }
  it('index tensors (lazy and realized) give the same as arrays', () => {
    const lazy = torch.tensor([2, 0, 1], { dtype: 'int64' }).mul(1);
    expect(lazy.node.op).not.toBe('buffer');
    const expected = refNested(refIndex(ref, [':', [2, 0, 1]]));
    expect(data.index(':', lazy).tolist()).toEqual(expected);
    expect(data.index(':', torch.tensor([2, 0, 1], { dtype: 'int64' })).tolist()).toEqual(expected);
    expect(data.index(':', torch.tensor([true, false, true])).shape).toEqual([2, 2, 4, 5]);
  });
  it('on the interp device, in float64', () => {
    const x = torch.arange(24, { device: 'interp', dtype: 'float64' }).reshape(2, 3, 4);
    const r = refFrom(x.tolist() as number[][][]);
    const c: RefItem[] = [[1, 0], ':', [3, 1]];
    const got = x.index(...(c as torch.IndexItem[]));
    expect(got.device).toBe('interp');
    expect(got.dtype).toBe('float64');
    expect(got.tolist()).toEqual(refNested(refIndex(r, c)));
  });
  it('results are copies', () => {
    const x = a34();
    const y = x.index([0, 2]);
    y.fill_(-1);
    expect(x.index(0).tolist()).toEqual([0, 1, 2, 3]);
    const z = x.index(':', [1]);
    x.zero_();
    expect(z.tolist()).toEqual([[1], [5], [9]]);
  });
  it('autograd names', () => {
    const x = torch.ones(3, 4, { requiresGrad: true });
    expect(x.index([0, 1]).gradFn?.name).toBe('IndexBackward0');
    expect(x.index(1).gradFn?.name).toBe('SelectBackward0');
    expect(x.index('1:').gradFn?.name).toBe('SliceBackward0');
    expect(x.index(null).gradFn?.name).toBe('UnsqueezeBackward0');
    expect(x.index('...').gradFn?.name).toBe('AliasBackward0');
  });
});

describe('indexPut_', () => {
  const base = (): torch.Tensor => torch.arange(60, { dtype: 'float32' }).reshape(3, 4, 5);
  const refBase = (): ReturnType<typeof refFrom> => refFrom(base().tolist() as number[][][]);
  const cases: [RefItem[], number[] | number[][] | number][] = [
    [[[0, 2], ':', [1, 4]], [[-1], [-2]]],
    [[':', [3, 0]], -7],
    [[[2, 0], [1, 1], [0, 4]], [100, 200]],
    [[1, ':', [0, 2, 4]], [1, 2, 3]],
    [[[[true, false, true, false], [false, false, false, true], [true, true, false, false]]], [9, 8, 7, 6, 5]],
    [['...', [1, -1]], 0.5],
  ];
  for (const [items, values] of cases) {
    for (const accumulate of [false, true]) {
      it(`x[${JSON.stringify(items)}] ${accumulate ? '+' : ''}= ${JSON.stringify(values)}`, () => {
        const x = base();
        const vt = typeof values === 'number' ? values : torch.tensor(values, { dtype: 'float32' });
        const out = x.indexPut_(items as torch.IndexItem[], vt, { accumulate });
        expect(out).toBe(x);
        const expected = refIndexPut(refBase(), items, refFrom(values as number[]), accumulate);
        expect(x.tolist()).toEqual(refNested(expected));
      });
    }
  }
  it('basic indices write through the view', () => {
    const x = a34();
    x.indexPut_([':', 1], torch.tensor([10, 20, 30]));
    expect(x.index(':', 1).tolist()).toEqual([10, 20, 30]);
    x.indexPut_(['1:', '::2'], 0);
    expect(x.tolist()).toEqual([[0, 10, 2, 3], [0, 20, 0, 7], [0, 30, 0, 11]]);
    x.indexPut_([0], 1, { accumulate: true });
    expect(x.index(0).tolist()).toEqual([1, 11, 3, 4]);
    x.indexPut_('...', 2.7); // cast to the tensor's dtype (int32)
    expect(x.index(2).tolist()).toEqual([2, 2, 2, 2]);
  });
  it('writes through a view of the base, and the base changes', () => {
    const x = a34();
    const v = x.index('1:');
    v.indexPut_([[0, 1], [3, 0]], torch.tensor([-1, -2]));
    expect(x.tolist()).toEqual([[0, 1, 2, 3], [4, 5, 6, -1], [-2, 9, 10, 11]]);
  });
  it('duplicates: the last write wins for known indices; accumulate adds every one', () => {
    const x = torch.zeros(4);
    x.indexPut_([[1, 3, 1]], torch.tensor([5, 6, 7], { dtype: 'float32' }));
    expect(x.tolist()).toEqual([0, 7, 0, 6]);
    x.indexPut_([[1, 3, 1]], torch.tensor([5, 6, 7], { dtype: 'float32' }), { accumulate: true });
    expect(x.tolist()).toEqual([0, 19, 0, 12]);
    const b = torch.zeros(3, { dtype: 'bool' });
    b.indexPut_([[0, 2, 0]], true);
    expect(b.tolist()).toEqual([true, false, true]);
  });
  it('lazy indices: unique ones are exact, duplicates writing one value give that value', () => {
    const x = torch.zeros(5);
    x.indexPut_([torch.tensor([4, 0], { dtype: 'int64' }).mul(1)], torch.tensor([1.5, 2.5]));
    expect(x.tolist()).toEqual([2.5, 0, 0, 0, 1.5]);
    x.indexPut_([torch.tensor([2, 2, -1], { dtype: 'int64' }).mul(1)], 3);
    expect(x.tolist()).toEqual([2.5, 0, 3, 0, 3]);
    const y = torch.zeros(2, 3, { dtype: 'int32' });
    y.indexPut_([torch.tensor([1, 1], { dtype: 'int64' }).add(0), torch.tensor([2, 2], { dtype: 'int64' }).add(0)], torch.tensor([4, 4]), { accumulate: true });
    expect(y.tolist()).toEqual([[0, 0, 0], [0, 0, 8]]);
  });
  it('indexPut is out of place', () => {
    const x = torch.zeros(3);
    const y = torch.indexPut(x, [[0, 2]], torch.tensor([1.0, 2.0]));
    expect(y.tolist()).toEqual([1, 0, 2]);
    expect(x.tolist()).toEqual([0, 0, 0]);
  });
  it('errors leave the tensor unchanged', () => {
    const x = a34();
    const v = torch.tensor([1, 2, 3]);
    expectThrowsUnchanged(
      () => x.indexPut_([[0, 1]], v),
      torch.ShapeError,
      'shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2, 4]',
      [x, v],
    );
    expectThrowsUnchanged(() => x.indexPut_([[0, 5]], 1), torch.IndexError, 'index 5 is out of bounds for dimension 0 with size 3', [x]);
    expectThrowsUnchanged(() => x.indexPut_([':', 4], 1), torch.IndexError, 'index 4 is out of bounds for dimension 1 with size 4', [x]);
    const w = torch.ones(3, { requiresGrad: true });
    expectThrowsUnchanged(() => w.indexPut_([[0]], 2), torch.AutogradError, 'a leaf Variable that requires grad is being used in an in-place operation', [w]);
    expectThrowsUnchanged(() => w.indexPut_([0], 2), torch.AutogradError, 'a view of a leaf Variable that requires grad is being used in an in-place operation', [w]);
  });
});

describe('indexing errors', () => {
  it('out-of-bounds integers and known index tensors', () => {
    const x = torch.zeros(3, 4);
    expectThrowsUnchanged(() => x.index(5), torch.IndexError, 'index 5 is out of bounds for dimension 0 with size 3', [x]);
    expectThrowsUnchanged(() => x.index(':', -5), torch.IndexError, 'index -5 is out of bounds for dimension 1 with size 4', [x]);
    expectThrowsUnchanged(() => x.index([0, 5]), torch.IndexError, 'index 5 is out of bounds for dimension 0 with size 3', [x]);
    const idx = torch.tensor([[1], [-5]], { dtype: 'int64' });
    expectThrowsUnchanged(() => x.index(':', idx), torch.IndexError, 'index -5 is out of bounds for dimension 1 with size 4', [x, idx]);
  });
  it('lazy out-of-bounds indices are reported by the kernel', () => {
    const x = torch.zeros(3, 4);
    const bad = x.index(torch.tensor([1, 7], { dtype: 'int64' }).add(0));
    expect(() => bad.tolist()).toThrow(torch.IndexError);
    expect(() => bad.tolist()).toThrow('index 7 is out of bounds for dimension 0 with size 3');
    // several lazy indices: one out of range in its own dim is still an error, not a neighbouring row
    const bad2 = x.index(torch.tensor([0], { dtype: 'int64' }).add(0), torch.tensor([4], { dtype: 'int64' }).add(0));
    expect(() => bad2.tolist()).toThrow(torch.IndexError);
    expect(x.tolist()).toEqual([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
  });
  it('too many indices, wrong kinds, bad slices', () => {
    const x = torch.zeros(3, 4);
    expectThrowsUnchanged(() => x.index(0, 0, 0), torch.IndexError, 'too many indices for tensor of dimension 2', [x]);
    expectThrowsUnchanged(() => x.index(torch.tensor([0, 1], { dtype: 'float32' })), torch.IndexError, 'tensors used as indices must be long, int, byte or bool tensors', [x]);
    expectThrowsUnchanged(() => x.index([0.5]), torch.IndexError, 'tensors used as indices must be long, int, byte or bool tensors', [x]);
    expectThrowsUnchanged(() => x.index(1.5), torch.IndexError, 'only integers, slices', [x]);
    expectThrowsUnchanged(() => x.index('...', '...'), torch.IndexError, 'an index can only have a single ellipsis', [x]);
    expectThrowsUnchanged(() => x.index('a:b'), torch.IndexError, "invalid index 'a:b'", [x]);
    expectThrowsUnchanged(() => x.index('::-1'), torch.ValueError, 'step must be greater than zero', [x]);
    expectThrowsUnchanged(() => x.index('::0'), torch.ValueError, 'slice step cannot be zero', [x]);
    expectThrowsUnchanged(() => torch.tensor(3).index(0), torch.IndexError, 'invalid index of a 0-dim tensor', []);
  });
  it('masks and broadcasting', () => {
    const x = torch.zeros(3, 4);
    const m = torch.tensor([true, false]);
    expectThrowsUnchanged(() => x.index(m), torch.IndexError, 'The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0', [x, m]);
    expectThrowsUnchanged(
      () => x.index([0, 1], [0, 1, 2]),
      torch.IndexError,
      'shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]',
      [x],
    );
  });
});
