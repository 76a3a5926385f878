import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import type { Node } from '../../src/ir/index.js';
import { expectClose } from '../helpers.js';
import { nest, prod, randomValues, refMatmul } from './reference.js';

const DEVICES = ['cpu', 'interp'];
const flat = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);

describe.each(DEVICES)('linear algebra on %s', (device) => {
  const T = (data: unknown, dtype?: torch.DType): torch.Tensor => torch.tensor(data as torch.TensorData, { device, dtype });
  let seed = 1;
  const rand = (shape: number[], dtype: torch.DType = 'float32'): { t: torch.Tensor; v: number[] } => {
    const v = randomValues(prod(shape), seed++);
    // Nested arrays cannot spell a zero-size axis that is not the last; those are zeros of the shape.
    return { t: v.length === 0 ? torch.zeros(shape, { device, dtype }) : T(nest(v, shape), dtype), v };
  };

  describe('matmul', () => {
    it('hand-computed cases', () => {
      const a = T([[1, 2], [3, 4]], 'float32');
      expect(a.matmul(a).tolist()).toEqual([[7, 10], [15, 22]]);
      expect(torch.matmul(T([1, 2, 3]), T([4, 5, 6])).tolist()).toBe(32);
      expect(torch.matmul(T([1, 2, 3]), T([4, 5, 6])).shape).toEqual([]);
      expect(T([1, 1], 'float32').matmul(a).tolist()).toEqual([4, 6]);
      expect(a.matmul(T([1, 1], 'float32')).tolist()).toEqual([3, 7]);
      expect(T([[1, 2, 3]]).matmul(T([[1], [1], [1]])).tolist()).toEqual([[6]]);
    });

    const cases: [number[], number[], number[]][] = [
      [[4], [4], []],
      [[3], [3, 5], [5]],
      [[2, 3], [3], [2]],
      [[2, 3], [3, 4], [2, 4]],
      [[5, 2, 3], [5, 3, 4], [5, 2, 4]],
      [[2, 1, 2, 3], [3, 3, 4], [2, 3, 2, 4]],
      [[1, 2, 3], [4, 3, 2], [4, 2, 2]],
      [[2, 2, 3], [3, 4], [2, 2, 4]],
      [[2, 3], [2, 3, 4], [2, 2, 4]],
      [[3], [2, 3, 4], [2, 4]],
      [[2, 2, 3], [3], [2, 2]],
      [[2, 0], [0, 3], [2, 3]],
      [[0, 3], [3, 2], [0, 2]],
    ];
    it.each(cases)('%j @ %j -> %j matches a triple-loop reference', (as, bs, outShape) => {
      const a = rand(as);
      const b = rand(bs);
      const ref = refMatmul(a.v, as, b.v, bs);
      expect(ref.shape).toEqual(outShape);
      const got = torch.matmul(a.t, b.t);
      expect(got.shape).toEqual(outShape);
      expect(got.dtype).toBe('float32');
      expectClose(flat(got), ref.data, { rtol: 1e-5, atol: 1e-5 });
    });
    it('works in float64, int32 and int64 (no promotion)', () => {
      const a = rand([3, 4], 'float64');
      const b = rand([4, 2], 'float64');
      const got = a.t.matmul(b.t);
      expect(got.dtype).toBe('float64');
      expectClose(flat(got), refMatmul(a.v, [3, 4], b.v, [4, 2]).data, { rtol: 1e-12, atol: 1e-12 });
      const i = T([[1, 2], [3, 4]], 'int32').matmul(T([[5], [6]], 'int32'));
      expect(i.dtype).toBe('int32');
      expect(i.tolist()).toEqual([[17], [39]]);
      // int64 products are exact beyond 2^53: 2^31 * 2^31 + 1 * 1
      const l = T([[2n ** 31n, 1n]], 'int64').matmul(T([[2n ** 31n], [1n]], 'int64'));
      expect(l.dtype).toBe('int64');
      expect(l.tolist()).toEqual([[2n ** 62n + 1n]]);
    });
    it('names its gradient functions as PyTorch', () => {
      const opts = { device, requiresGrad: true };
      const v = torch.ones(3, opts);
      const m = torch.ones([3, 3], opts);
      const b = torch.ones([2, 3, 3], opts);
      expect(v.matmul(v).gradFn?.name).toBe('DotBackward0');
      expect(m.matmul(v).gradFn?.name).toBe('MvBackward0');
      expect(m.matmul(m).gradFn?.name).toBe('MmBackward0');
      expect(b.matmul(m).gradFn?.name).toBe('UnsafeViewBackward0');
      expect(b.matmul(b).gradFn?.name).toBe('UnsafeViewBackward0');
      expect(torch.bmm(b, b).gradFn?.name).toBe('BmmBackward0');
      expect(torch.mm(m, m).gradFn?.name).toBe('MmBackward0');
      expect(torch.dot(v, v).gradFn?.name).toBe('DotBackward0');
    });
    it('is the canonical contraction in IR: reshape(reduce_sum(mul(expand a, expand b)) over K of [.., M, K, N])', () => {
      const a = rand([2, 3, 4]).t;
      const b = rand([4, 5]).t;
      const n = a.matmul(b).node;
      expect(n.op).toBe('reshape');
      expect(n.shape).toEqual([2, 3, 5]);
      const r = n.srcs[0]!;
      expect(r.op).toBe('reduce');
      expect(r.arg).toEqual({ op: 'sum', axes: [2] });
      const mul = r.srcs[0]!;
      expect(mul.op).toBe('mul');
      expect(mul.shape).toEqual([2, 3, 4, 5]);
      const [ea, eb] = mul.srcs as [Node, Node];
      expect(ea.op).toBe('expand');
      expect(ea.srcs[0]!.shape).toEqual([2, 3, 4, 1]);
      expect(eb.op).toBe('expand');
      expect(eb.srcs[0]!.shape).toEqual([1, 1, 4, 5]);
      // The same product built twice is the same node (hash-consing).
      expect(a.matmul(b).node).toBe(n);
    });
    it('writes into out', () => {
      const out = torch.zeros([2, 2], { device });
      torch.matmul(T([[1, 0], [0, 1]], 'float32'), T([[1, 2], [3, 4]], 'float32'), { out });
      expect(out.tolist()).toEqual([[1, 2], [3, 4]]);
    });
  });

  describe('mm, bmm, mv, dot, outer, addmm', () => {
    it('match the reference', () => {
      const a = rand([3, 4]);
      const b = rand([4, 2]);
      expectClose(flat(torch.mm(a.t, b.t)), refMatmul(a.v, [3, 4], b.v, [4, 2]).data, { rtol: 1e-5, atol: 1e-6 });
      const p = rand([3, 2, 4]);
      const q = rand([3, 4, 5]);
      const bm = p.t.bmm(q.t);
      expect(bm.shape).toEqual([3, 2, 5]);
      expectClose(flat(bm), refMatmul(p.v, [3, 2, 4], q.v, [3, 4, 5]).data, { rtol: 1e-5, atol: 1e-6 });
      const v = rand([4]);
      expectClose(flat(a.t.mv(v.t)), refMatmul(a.v, [3, 4], v.v, [4]).data, { rtol: 1e-5, atol: 1e-6 });
      expect(torch.dot(T([1, 2, 3], 'float32'), T([4, -5, 6], 'float32')).item()).toBe(12);
      expect(T([1, 2]).outer(T([3, 4, 5])).tolist()).toEqual([[3, 4, 5], [6, 8, 10]]);
      expect(torch.ger(T([1, 2]), T([0.5], 'float32')).tolist()).toEqual([[0.5], [1]]);
      expect(torch.outer(T([true, false]), T([true])).tolist()).toEqual([[true], [false]]);
      const c = T([[1, 1], [1, 1]], 'float32');
      const m1 = T([[1, 2], [3, 4]], 'float32');
      expect(torch.addmm(c, m1, m1).tolist()).toEqual([[8, 11], [16, 23]]);
      expect(torch.addmm(T([10, 20], 'float32'), m1, m1, { beta: 0.5, alpha: 2 }).tolist()).toEqual([[19, 30], [35, 54]]);
      expect(torch.addmm(T([NaN], 'float32'), m1, m1, { beta: 0 }).tolist()).toEqual([[7, 10], [15, 22]]);
      expect(c.addmm(m1, m1).gradFn).toBeNull();
    });
    it('raise PyTorch errors and leave every tensor unchanged', () => {
      const a = T([[1, 2, 3], [4, 5, 6]], 'float32');
      const b = torch.ones([4, 5], { device });
      const out = torch.full([2, 5], 7, { device });
      expect(() => torch.matmul(a, b, { out })).toThrow('mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)');
      expect(() => torch.mm(a, b)).toThrow(torch.ShapeError);
      expect(() => torch.mm(a, b)).toThrow('mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)');
      expect(() => torch.mm(T([1, 2], 'float32'), a)).toThrow('self must be a matrix');
      expect(() => torch.mm(a, T([1, 2], 'float32'))).toThrow('mat2 must be a matrix');
      expect(() => torch.bmm(torch.ones([4, 2, 3], { device }), torch.ones([4, 5, 2], { device }))).toThrow(
        'Expected size for first two dimensions of batch2 tensor to be: [4, 3] but got: [4, 5].',
      );
      expect(() => torch.bmm(a, a)).toThrow('batch1 must be a 3D tensor');
      expect(() => torch.matmul(a, T([[1], [2], [3]], 'float64'))).toThrow('expected m1 and m2 to have the same dtype, but got: float != double');
      expect(() => torch.mm(a, T([[1], [2], [3]], 'int32'))).toThrow(torch.DTypeError);
      expect(() => torch.dot(T([1, 2, 3], 'float32'), T([1, 2, 3, 4], 'float32'))).toThrow('inconsistent tensor size');
      expect(() => torch.matmul(T([1, 2, 3], 'float32'), T([1, 2, 3, 4], 'float32'))).toThrow('inconsistent tensor size');
      expect(() => torch.dot(a, a)).toThrow('1D tensors expected, but got 2D and 2D tensors');
      expect(() => torch.matmul(T(1, 'float32'), a)).toThrow('both arguments to matmul need to be at least 1D, but they are 0D and 2D');
      expect(() => torch.matmul(a, T([1, 2], 'float32'))).toThrow('size mismatch, got input (2), mat (2x3), vec (2)');
      expect(() => torch.matmul(torch.ones([2, 2, 3], { device }), b)).toThrow('mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)');
      expect(() => torch.matmul(torch.ones([2, 2, 3], { device }), torch.ones([2, 4, 5], { device }))).toThrow(
        'Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].',
      );
      expect(() => torch.matmul(torch.ones([2, 2, 3], { device }), torch.ones([3, 3, 5], { device }))).toThrow(
        'The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0',
      );
      expect(() => torch.matmul(T([[true]]), T([[true]]))).toThrow(torch.DTypeError);
      expect(() => torch.mv(a, a)).toThrow('vector + matrix @ vector expected, got 1, 2, 2');
      expect(() => torch.outer(a, a)).toThrow(torch.ShapeError);
      expect(() => torch.addmm(torch.ones(3, { device }), a, torch.ones([3, 2], { device }))).toThrow(torch.ShapeError);
      const wrongOut = torch.full([3, 3], 7, { device });
      expect(() => torch.matmul(a, torch.ones([3, 2], { device }), { out: wrongOut })).toThrow(torch.ShapeError);
      expect(a.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
      expect(out.tolist()).toEqual(Array.from({ length: 2 }, () => [7, 7, 7, 7, 7]));
      expect(flat(wrongOut)).toEqual(new Array(9).fill(7));
    });
  });
});
