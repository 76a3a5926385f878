/**
 * Movement ops that are views: values, PyTorch's strides and contiguity, write-through both ways,
 * the reshape-as-copy cases, autograd names and errors (with every tensor unchanged afterwards).
 * Expected values are written out by hand.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectThrowsUnchanged } from './unchanged.js';

const a34 = (): torch.Tensor => torch.arange(12).reshape(3, 4); // [[0,1,2,3],[4,5,6,7],[8,9,10,11]]

describe('view and reshape', () => {
  it('views with -1 and shares storage', () => {
    const x = torch.arange(6);
    const v = x.view(2, -1);
    expect(v.shape).toEqual([2, 3]);
    expect(v.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(x.view([3, 2]).tolist()).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(v.isView).toBe(true);
    v.index(1, 2).fill_(50);
    expect(x.tolist()).toEqual([0, 1, 2, 3, 4, 50]);
    x.add_(1);
    expect(v.tolist()).toEqual([[1, 2, 3], [4, 5, 51]]);
  });
  it('view of a transposed tensor fails as in PyTorch; reshape copies instead', () => {
    const x = a34();
    const xt = x.t();
    expectThrowsUnchanged(() => xt.view(12), torch.ShapeError, "view size is not compatible with input tensor's size and stride", [x, xt]);
    const r = xt.reshape(12);
    expect(r.tolist()).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(r.isView).toBe(false);
    r.fill_(0); // a copy: x keeps its values
    expect(x.tolist()).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    x.add_(100);
    expect(r.tolist()).toEqual(Array(12).fill(0));
  });
  it('reshape is a view when the strides allow it', () => {
    const x = a34();
    const r = x.reshape(2, 6);
    expect(r.isView).toBe(true);
    r.index(0, 0).fill_(-1);
    expect(x.index(0, 0).item()).toBe(-1);
    // A slice of rows keeps rows contiguous: reshape to one row per element pair is a view too.
    const rows = x.index('1:');
    expect(rows.reshape(8).isView).toBe(true);
    expect(rows.reshape(8).tolist()).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    // Columns 1:3 are not contiguous across rows: reshape to 6 must copy.
    const cols = x.index(':', '1:3');
    const flat = cols.reshape(6);
    expect(flat.isView).toBe(false);
    expect(flat.tolist()).toEqual([1, 2, 5, 6, 9, 10]);
  });
  it('reports bad shapes with PyTorch wording', () => {
    const x = torch.arange(6);
    expectThrowsUnchanged(() => x.view(2, 5), torch.ShapeError, "shape '[2, 5]' is invalid for input of size 6", [x]);
    expectThrowsUnchanged(() => x.reshape(2, 5), torch.ShapeError, "shape '[2, 5]' is invalid for input of size 6", [x]);
    expectThrowsUnchanged(() => x.reshape(-1, -1), torch.ShapeError, 'only one dimension can be inferred', [x]);
    expectThrowsUnchanged(() => x.view(4, -1), torch.ShapeError, "shape '[4, -1]' is invalid for input of size 6", [x]);
  });
  it('viewAs / reshapeAs', () => {
    const x = torch.arange(6);
    expect(x.viewAs(torch.zeros(3, 2)).shape).toEqual([3, 2]);
    expect(x.reshapeAs(torch.zeros(2, 3)).tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
  });
});

describe('permute, transpose, t, T, mT, movedim', () => {
  it('gives the values and strides PyTorch gives', () => {
    const x = torch.arange(24).reshape(2, 3, 4);
    expect(x.stride()).toEqual([12, 4, 1]);
    const p = x.permute(2, 0, 1);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.stride()).toEqual([1, 12, 4]);
    expect(p.isContiguous()).toBe(false);
    // p[k, i, j] = x[i, j, k] = 12 i + 4 j + k
    expect(p.index(1).tolist()).toEqual([[1, 5, 9], [13, 17, 21]]);
    const q = x.transpose(0, 2);
    expect(q.shape).toEqual([4, 3, 2]);
    expect(q.stride()).toEqual([1, 4, 12]);
    expect(x.swapaxes(0, 2).tolist()).toEqual(q.tolist());
    expect(x.swapdims(-1, 0).tolist()).toEqual(q.tolist());
    expect(x.permute([0, 1, 2]).isContiguous()).toBe(true);
    expect(x.permute(-1, -2, -3).tolist()).toEqual(q.tolist());
  });
  it('t, T and mT', () => {
    const x = a34();
    expect(x.t().tolist()).toEqual([[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
    expect(x.t().stride()).toEqual([1, 4]);
    expect(x.T.tolist()).toEqual(x.t().tolist());
    const v = torch.arange(3);
    expect(v.t().tolist()).toEqual([0, 1, 2]);
    expect(v.t().isView).toBe(true);
    const y = torch.arange(8).reshape(2, 2, 2);
    expect(y.mT.tolist()).toEqual([[[0, 2], [1, 3]], [[4, 6], [5, 7]]]);
    expect(y.T.shape).toEqual([2, 2, 2]);
    expect(y.T.stride()).toEqual([1, 2, 4]);
    expectThrowsUnchanged(() => y.t(), torch.ShapeError, 't() expects a tensor with <= 2 dimensions, but self is 3D', [y]);
    expectThrowsUnchanged(() => v.mT, torch.ShapeError, 'tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.', [v]);
  });
  it('writes through a transpose into the base, and base writes show in the transpose', () => {
    const x = a34();
    const xt = x.t();
    xt.index(1).fill_(-1); // column 1 of x
    expect(x.tolist()).toEqual([[0, -1, 2, 3], [4, -1, 6, 7], [8, -1, 10, 11]]);
    x.index(0).mul_(10);
    expect(xt.index(':', 0).tolist()).toEqual([0, -10, 20, 30]);
    // a view of a view
    const vv = x.t().index('1:3').t();
    expect(vv.shape).toEqual([3, 2]);
    vv.zero_();
    expect(x.tolist()).toEqual([[0, 0, 0, 30], [4, 0, 0, 7], [8, 0, 0, 11]]);
  });
  it('movedim / moveaxis', () => {
    const x = torch.zeros(2, 3, 4, 5);
    expect(x.movedim(0, -1).shape).toEqual([3, 4, 5, 2]);
    expect(x.movedim([0, 1], [2, 3]).shape).toEqual([4, 5, 2, 3]);
    expect(x.moveaxis(3, 1).shape).toEqual([2, 5, 3, 4]);
    const y = torch.arange(6).reshape(2, 3);
    expect(torch.movedim(y, 1, 0).tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expectThrowsUnchanged(() => x.movedim([0, 0], [1, 2]), torch.ValueError, 'repeated dim in `source`', [x]);
    expectThrowsUnchanged(() => x.movedim([0, 1], [1]), torch.ValueError, 'should contain the same number of dims', [x]);
  });
  it('errors', () => {
    const x = a34();
    expectThrowsUnchanged(() => x.transpose(0, 2), torch.IndexError, 'Dimension out of range (expected to be in range of [-2, 1], but got 2)', [x]);
    expectThrowsUnchanged(() => x.permute(0), torch.ShapeError, 'input.dim() = 2 is not equal to len(dims) = 1', [x]);
    expectThrowsUnchanged(() => x.permute(0, 0), torch.ShapeError, 'duplicate dims are not allowed', [x]);
  });
});

describe('expand', () => {
  it('repeats size-1 dims with stride 0, -1 keeps a size, new dims in front', () => {
    const c = torch.tensor([[1], [2], [3]]);
    const e = c.expand(3, 4);
    expect(e.tolist()).toEqual([[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]]);
    expect(e.stride()).toEqual([1, 0]);
    expect(e.isContiguous()).toBe(false);
    expect(c.expand(-1, 2).tolist()).toEqual([[1, 1], [2, 2], [3, 3]]);
    const r = torch.tensor([1, 2, 3]);
    const e2 = r.expand(2, 3);
    expect(e2.tolist()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(e2.stride()).toEqual([0, 1]);
    expect(r.expand([2, 1, 3]).shape).toEqual([2, 1, 3]);
    expect(r.expandAs(torch.zeros(4, 3)).shape).toEqual([4, 3]);
    expect(torch.broadcastTo(r, [2, 3]).tolist()).toEqual([[1, 2, 3], [1, 2, 3]]);
  });
  it('shows base writes, refuses writes through it', () => {
    const r = torch.tensor([1, 2, 3]);
    const e = r.expand(2, 3);
    r.index(0).fill_(9);
    expect(e.tolist()).toEqual([[9, 2, 3], [9, 2, 3]]);
    expectThrowsUnchanged(() => e.add_(1), torch.ValueError, 'more than one element of the written-to tensor refers to a single memory location', [r, e]);
  });
  it('errors', () => {
    const x = torch.zeros(2, 3);
    expectThrowsUnchanged(() => x.expand(2, 4), torch.ShapeError, 'The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1', [x]);
    expectThrowsUnchanged(() => x.expand(3), torch.ShapeError, 'the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)', [x]);
    expectThrowsUnchanged(() => x.expand(-1, 2, 3), torch.ShapeError, "isn't allowed in a leading, non-existing dimension 0", [x]);
  });
});

describe('squeeze, unsqueeze, flatten, unflatten', () => {
  it('squeeze and unsqueeze are views with PyTorch strides', () => {
    const x = torch.zeros(2, 1, 3, 1);
    expect(x.squeeze().shape).toEqual([2, 3]);
    expect(x.squeeze(1).shape).toEqual([2, 3, 1]);
    expect(x.squeeze(0).shape).toEqual([2, 1, 3, 1]);
    expect(x.squeeze([1, 3]).shape).toEqual([2, 3]);
    expect(x.squeeze(-1).shape).toEqual([2, 1, 3]);
    const y = torch.zeros(2, 3);
    expect(y.unsqueeze(1).shape).toEqual([2, 1, 3]);
    expect(y.unsqueeze(1).stride()).toEqual([3, 3, 1]);
    expect(y.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(y.unsqueeze(0).stride()).toEqual([6, 3, 1]);
    // unsqueeze of a transposed tensor: the new dim's stride is size*stride of the dim after it
    expect(y.t().unsqueeze(1).stride()).toEqual([1, 6, 3]);
    expect(torch.tensor(5).unsqueeze(0).shape).toEqual([1]);
    expectThrowsUnchanged(() => y.unsqueeze(3), torch.IndexError, 'Dimension out of range (expected to be in range of [-3, 2], but got 3)', [y]);
  });
  it('write through squeeze / unsqueeze', () => {
    const x = torch.zeros(2, 1, 3);
    x.squeeze().index(1, 2).fill_(7);
    expect(x.tolist()).toEqual([[[0, 0, 0]], [[0, 0, 7]]]);
    const y = torch.zeros(3);
    const u = y.unsqueeze(0);
    u.index(0, 1).fill_(4);
    expect(y.tolist()).toEqual([0, 4, 0]);
  });
  it('flatten is a view when possible, a copy otherwise', () => {
    const x = torch.arange(24).reshape(2, 3, 4);
    expect(x.flatten().shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(x.flatten(0, 1).shape).toEqual([6, 4]);
    expect(x.flatten({ startDim: 1, endDim: 2 }).shape).toEqual([2, 12]);
    expect(x.flatten(1, 1)).toBe(x);
    expect(torch.tensor(3).flatten().shape).toEqual([1]);
    const f = x.flatten();
    expect(f.isView).toBe(true);
    f.index(5).fill_(-5);
    expect(x.index(0, 1, 1).item()).toBe(-5);
    const tf = x.transpose(1, 2).flatten(1);
    expect(tf.isView).toBe(false);
    expect(tf.index(0).tolist()).toEqual([0, 4, 8, 1, -5, 9, 2, 6, 10, 3, 7, 11]);
    expectThrowsUnchanged(() => x.flatten(2, 1), torch.ValueError, 'start_dim cannot come after end_dim', [x]);
  });
  it('unflatten', () => {
    const x = torch.arange(12).reshape(2, 6);
    const u = x.unflatten(1, [3, -1]);
    expect(u.shape).toEqual([2, 3, 2]);
    expect(u.index(1, 2).tolist()).toEqual([10, 11]);
    expect(u.isView).toBe(true);
    expectThrowsUnchanged(() => x.unflatten(1, [2, 2]), torch.ShapeError, "Provided sizes [2, 2] don't multiply up to the size of dim 1 (6) in the input tensor", [x]);
  });
});

describe('narrow, select, split, chunk, unbind', () => {
  it('narrow and select are views', () => {
    const x = a34();
    const n = x.narrow(1, 1, 2);
    expect(n.tolist()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(n.stride()).toEqual([4, 1]);
    expect(n.storageOffset()).toBe(1);
    expect(x.narrow(0, -1, 1).tolist()).toEqual([[8, 9, 10, 11]]);
    const s = x.select(1, -1);
    expect(s.tolist()).toEqual([3, 7, 11]);
    expect(s.stride()).toEqual([4]);
    expect(s.storageOffset()).toBe(3);
    n.mul_(-1);
    s.fill_(0);
    expect(x.tolist()).toEqual([[0, -1, -2, 0], [4, -5, -6, 0], [8, -9, -10, 0]]);
  });
  it('narrow / select errors', () => {
    const x = a34();
    expectThrowsUnchanged(() => x.narrow(1, 3, 2), torch.IndexError, 'start (3) + length (2) exceeds dimension size (4).', [x]);
    expectThrowsUnchanged(() => x.narrow(1, 5, 0), torch.IndexError, 'start out of range (expected to be in range of [-4, 4], but got 5)', [x]);
    expectThrowsUnchanged(() => x.select(0, 3), torch.IndexError, 'select(): index 3 out of range for tensor of size [3, 4] at dimension 0', [x]);
    expectThrowsUnchanged(() => x.select(2, 0), torch.IndexError, 'Dimension out of range (expected to be in range of [-2, 1], but got 2)', [x]);
  });
  it('split by size and by sizes; pieces write through', () => {
    const x = torch.arange(10);
    const parts = x.split(4);
    expect(parts.map((p) => p.tolist())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    const [p0, p1] = x.split([3, 7]);
    expect(p0!.tolist()).toEqual([0, 1, 2]);
    expect(p1!.shape).toEqual([7]);
    p1!.fill_(0);
    expect(x.tolist()).toEqual([0, 1, 2, 0, 0, 0, 0, 0, 0, 0]);
    const y = a34();
    expect(torch.split(y, 2, 1).map((p) => p.tolist())).toEqual([
      [[0, 1], [4, 5], [8, 9]],
      [[2, 3], [6, 7], [10, 11]],
    ]);
    expect(y.split(3, { dim: 1 }).map((p) => p.shape)).toEqual([[3, 3], [3, 1]]);
    expectThrowsUnchanged(() => x.split([3, 3]), torch.ValueError, 'split_with_sizes expects split_sizes to sum exactly to 10', [x]);
  });
  it('chunk and unbind', () => {
    const x = torch.arange(10);
    expect(x.chunk(3).map((p) => p.tolist())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    // 6 elements in 4 chunks: pieces of 2, so only 3 chunks (PyTorch does the same)
    expect(torch.arange(6).chunk(4).length).toBe(3);
    expect(torch.zeros(0).chunk(2).map((p) => p.shape)).toEqual([[0], [0]]);
    const y = a34();
    const cols = y.unbind(1);
    expect(cols.map((c) => c.tolist())).toEqual([[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
    cols[2]!.fill_(-1);
    expect(y.index(':', 2).tolist()).toEqual([-1, -1, -1]);
    expectThrowsUnchanged(() => x.chunk(0), torch.ValueError, 'chunk expects `chunks` to be greater than 0, got: 0', [x]);
  });
});

describe('contiguous', () => {
  it('returns the tensor itself when contiguous, else a copy', () => {
    const x = a34();
    expect(x.contiguous()).toBe(x);
    const xt = x.t();
    const c = xt.contiguous();
    expect(c).not.toBe(xt);
    expect(c.isContiguous()).toBe(true);
    expect(c.stride()).toEqual([3, 1]);
    expect(c.tolist()).toEqual(xt.tolist());
    c.fill_(0);
    expect(x.index(1, 1).item()).toBe(5);
  });
});

describe('autograd names of views', () => {
  it('names each view function as PyTorch does', () => {
    const x = torch.ones(2, 3, { requiresGrad: true });
    const names: [torch.Tensor, string][] = [
      [x.view(6), 'ViewBackward0'],
      [x.reshape(3, 2), 'ViewBackward0'],
      [x.t().reshape(6), 'UnsafeViewBackward0'],
      [x.permute(1, 0), 'PermuteBackward0'],
      [x.transpose(0, 1), 'TransposeBackward0'],
      [x.t(), 'TBackward0'],
      [x.unsqueeze(0), 'UnsqueezeBackward0'],
      [x.unsqueeze(0).squeeze(), 'SqueezeBackward0'],
      [x.unsqueeze(0).squeeze(0), 'SqueezeBackward1'],
      [x.unsqueeze(0).expand(4, 2, 3), 'ExpandBackward0'],
      [x.select(0, 1), 'SelectBackward0'],
      [x.narrow(1, 0, 2), 'SliceBackward0'],
      [x.split(1)[0]!, 'SplitBackward0'],
      [x.unbind()[0]!, 'UnbindBackward0'],
      [x.movedim(0, 1), 'PermuteBackward0'],
      [x.t().contiguous(), 'CloneBackward0'],
    ];
    for (const [t, name] of names) expect(t.gradFn?.name).toBe(name);
    torch.noGrad(() => expect(x.view(6).gradFn).toBe(null));
  });
});

describe('on the interp device', () => {
  it('views and write-through behave the same', () => {
    const x = torch.arange(12, { device: 'interp' }).reshape(3, 4);
    const c = x.t().index(2);
    expect(c.device).toBe('interp');
    expect(c.tolist()).toEqual([2, 6, 10]);
    c.fill_(0);
    expect(x.tolist()).toEqual([[0, 1, 0, 3], [4, 5, 0, 7], [8, 9, 0, 11]]);
    expect(x.index('::2', '1::2').tolist()).toEqual([[1, 3], [9, 11]]);
  });
});
