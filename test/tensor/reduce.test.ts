import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { nest, randomValues, refAlong, refLogsumexp, refMean, refReduce, refSoftmax, refSum, refVar } from './reference.js';

const DEVICES = ['cpu', 'interp'];
const flat = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);

describe.each(DEVICES)('reductions on %s', (device) => {
  const T = (data: torch.TensorData, dtype?: torch.DType): torch.Tensor => torch.tensor(data, { device, dtype });
  const x23 = (): torch.Tensor => T([[1, 2, 3], [4, 5, 6]], 'float32');
  const shape = [3, 4, 5];
  const vals = randomValues(60, 7);
  const x345 = (): torch.Tensor => T(nest(vals, shape) as torch.TensorData, 'float32');

  describe('sum', () => {
    it('hand-computed: all, dims, negative dims, lists, keepdim', () => {
      const x = x23();
      expect(x.sum().tolist()).toBe(21);
      expect(x.sum().shape).toEqual([]);
      expect(x.sum(0).tolist()).toEqual([5, 7, 9]);
      expect(x.sum(-1).tolist()).toEqual([6, 15]);
      expect(x.sum(1, { keepdim: true }).tolist()).toEqual([[6], [15]]);
      expect(x.sum([0, 1]).tolist()).toBe(21);
      expect(x.sum([-1, 0], { keepdim: true }).tolist()).toEqual([[21]]);
      expect(x.sum({ dim: 0, keepdim: true }).tolist()).toEqual([[5, 7, 9]]);
      expect(torch.sum(x, 1).tolist()).toEqual([6, 15]);
      expect(x.sum([]).tolist()).toBe(21); // PyTorch: an empty dim list reduces everything
      expect(x.device).toBe(device);
      expect(x.sum(0).device).toBe(device);
    });
    it('matches a float64 reference for dim lists and keepdim on a 3-D tensor', () => {
      const x = x345();
      for (const dims of [[0], [1], [2], [0, 2], [-1, 0], [1, 2], [0, 1, 2]]) {
        for (const keepdim of [false, true]) {
          const axes = dims.map((d) => (d < 0 ? d + 3 : d));
          const ref = refReduce(vals, shape, axes, refSum, keepdim);
          const got = x.sum(dims, { keepdim });
          expect(got.shape).toEqual(ref.shape);
          expectClose(flat(got), ref.data, { rtol: 1e-5, atol: 1e-5 });
        }
      }
    });
    it('sums ints and bools to int64, with a dtype option', () => {
      const i = T([[1n, 2n], [3n, 4n]]);
      expect(i.sum().dtype).toBe('int64');
      expect(T([1, 2], 'int32').sum().dtype).toBe('int64');
      expect(i.sum(0).tolist()).toEqual([4, 6]);
      const b = T([true, false, true, true]);
      const s = b.sum();
      expect(s.dtype).toBe('int64');
      expect(s.item()).toBe(3);
      const d = i.sum({ dtype: 'float64' });
      expect(d.dtype).toBe('float64');
      expect(d.item()).toBe(10);
      expect(x23().sum(1, { dtype: 'float64' }).dtype).toBe('float64');
    });
    it('propagates NaN and sums empty tensors to 0', () => {
      expect(Number.isNaN(T([1, NaN, 2]).sum().item())).toBe(true);
      expect(flat(T([[1, NaN], [2, 3]]).sum(1))).toEqual([NaN, 5]);
      expect(torch.zeros(0, { device }).sum().item()).toBe(0);
      const e = torch.zeros([2, 0], { device }).sum(1);
      expect(e.shape).toEqual([2]);
      expect(e.tolist()).toEqual([0, 0]);
      expect(torch.zeros([0, 3], { device }).sum(1).shape).toEqual([0]);
    });
    it('reduces 0-d tensors over dim 0 / -1', () => {
      const s = T(5, 'float32');
      expect(s.sum(0).tolist()).toBe(5);
      expect(s.sum(-1, { keepdim: true }).shape).toEqual([]);
    });
    it('writes into out and leaves out unchanged on a shape error', () => {
      const out = torch.zeros(2, { device });
      const r = torch.sum(x23(), 1, { out });
      expect(r).toBe(out);
      expect(out.tolist()).toEqual([6, 15]);
      const bad = torch.full([3], 7, { device });
      expect(() => torch.sum(x23(), 1, { out: bad })).toThrow(torch.ShapeError);
      expect(bad.tolist()).toEqual([7, 7, 7]);
    });
    it('names its gradient function as PyTorch', () => {
      const w = torch.tensor([[1, 2], [3, 4]], { device, dtype: 'float32', requiresGrad: true });
      expect(w.sum().gradFn?.name).toBe('SumBackward0');
      expect(w.sum(0).gradFn?.name).toBe('SumBackward1');
      expect(w.mean().gradFn?.name).toBe('MeanBackward0');
      expect(w.mean(1).gradFn?.name).toBe('MeanBackward1');
      expect(w.prod().gradFn?.name).toBe('ProdBackward0');
      expect(w.max().gradFn?.name).toBe('MaxBackward1');
      expect(w.max(0).values.gradFn?.name).toBe('MaxBackward0');
      expect(w.max(0).indices.requiresGrad).toBe(false);
      expect(w.argmax().requiresGrad).toBe(false);
      expect(w.amax(0).gradFn?.name).toBe('AmaxBackward0');
      expect(w.var().gradFn?.name).toBe('VarBackward0');
      expect(w.std().gradFn?.name).toBe('StdBackward0');
      expect(w.logsumexp(1).gradFn?.name).toBe('LogsumexpBackward0');
      expect(w.softmax(1).gradFn?.name).toBe('SoftmaxBackward0');
      expect(w.logSoftmax(1).gradFn?.name).toBe('LogSoftmaxBackward0');
      expect(w.cumsum(0).gradFn?.name).toBe('CumsumBackward0');
      expect(w.norm().gradFn?.name).toBe('LinalgVectorNormBackward0');
      expect(w.any().requiresGrad).toBe(false);
    });
  });

  describe('mean and prod', () => {
    it('mean: hand values, reference, empty is NaN', () => {
      const x = x23();
      expect(x.mean().item()).toBe(3.5);
      expect(x.mean(0).tolist()).toEqual([2.5, 3.5, 4.5]);
      expect(x.mean(-1, { keepdim: true }).tolist()).toEqual([[2], [5]]);
      const ref = refReduce(vals, shape, [0, 2], refMean);
      expectClose(flat(x345().mean([0, -1])), ref.data);
      expect(Number.isNaN(torch.zeros(0, { device }).mean().item())).toBe(true);
      expect(T([1, 2], 'float64').mean().dtype).toBe('float64');
    });
    it('mean of ints is an error with PyTorch text, unless a float dtype is given', () => {
      expect(() => T([1n, 2n, 3n]).mean()).toThrow(
        'mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long',
      );
      expect(() => T([1, 2], 'int32').mean()).toThrow('Got: Int');
      expect(() => T([true]).mean()).toThrow(torch.DTypeError);
      expect(T([1n, 2n]).mean({ dtype: 'float32' }).item()).toBe(1.5);
    });
    it('prod: hand values, ints, empty is 1', () => {
      expect(x23().prod().item()).toBe(720);
      expect(x23().prod(1).tolist()).toEqual([6, 120]);
      expect(x23().prod(0, { keepdim: true }).tolist()).toEqual([[4, 10, 18]]);
      const p = T([2n, 3n, 4n]).prod();
      expect(p.dtype).toBe('int64');
      expect(p.item()).toBe(24);
      expect(torch.zeros(0, { device }).prod().item()).toBe(1);
      expect(T([true, false]).prod().item()).toBe(0);
    });
  });

  describe('max, min, amax, amin, argmax, argmin', () => {
    it('max/min without dim give 0-d values', () => {
      const x = x23();
      expect(x.max().item()).toBe(6);
      expect(x.max().shape).toEqual([]);
      expect(torch.min(x).item()).toBe(1);
      expect(T([3n, -1n, 7n]).max().dtype).toBe('int64');
      expect(T([3n, -1n, 7n]).max().item()).toBe(7);
      expect(T([false, true]).max().item()).toBe(true);
      expect(T([false, true]).min().item()).toBe(false);
    });
    it('max/min with dim give values and first-occurrence indices, named and destructurable', () => {
      const x = T([[1, 3, 3], [2, 2, 1]], 'float32');
      const r = x.max(1);
      expect(r.values.tolist()).toEqual([3, 2]);
      expect(r.indices.tolist()).toEqual([1, 0]);
      expect(r.indices.dtype).toBe('int64');
      const [v, i] = torch.min(x, 0);
      expect(v.tolist()).toEqual([1, 2, 1]);
      expect(i.tolist()).toEqual([0, 1, 1]);
      const k = x.max({ dim: -1, keepdim: true });
      expect(k.values.tolist()).toEqual([[3], [2]]);
      expect(k.indices.tolist()).toEqual([[1], [0]]);
      const [sv, si] = T(4, 'float32').max(0);
      expect([sv.item(), si.item()]).toEqual([4, 0]);
    });
    it('max/min propagate NaN; argmax/argmin point at the first NaN', () => {
      const x = T([1, NaN, 3, NaN], 'float32');
      expect(Number.isNaN(x.max().item())).toBe(true);
      expect(Number.isNaN(x.min().item())).toBe(true);
      expect(x.argmax().item()).toBe(1);
      expect(x.argmin().item()).toBe(1);
      const m = T([[1, NaN, 2], [5, 4, 3]], 'float32').max(1);
      expect(flat(m.values)).toEqual([NaN, 5]);
      expect(m.indices.tolist()).toEqual([1, 0]);
      expect(flat(T([[1, NaN], [0, 2]], 'float32').amax(1))).toEqual([NaN, 2]);
    });
    it('argmax/argmin: ties give the first index; flattened, dim, keepdim', () => {
      const x = T([[3, 1, 3], [0, 5, 5]], 'float32');
      expect(x.argmax().item()).toBe(4);
      expect(x.argmax().shape).toEqual([]);
      expect(x.argmax(1).tolist()).toEqual([0, 1]);
      expect(x.argmax(0).tolist()).toEqual([0, 1, 1]);
      expect(x.argmin(-1, { keepdim: true }).tolist()).toEqual([[1], [0]]);
      expect(x.argmax({ keepdim: true }).shape).toEqual([1, 1]);
      expect(torch.argmin(x).item()).toBe(3);
      expect(T([2, 2, 2]).argmax().item()).toBe(0);
      expect(T([true, false, true]).argmin().item()).toBe(1);
    });
    it('match a float64 reference on a 3-D tensor', () => {
      const x = x345();
      for (const axis of [0, 1, 2]) {
        const mx = x.max(axis);
        const refMax = refReduce(vals, shape, [axis], (g) => Math.max(...g));
        const refArg = refReduce(vals, shape, [axis], (g) => g.indexOf(Math.max(...g)));
        const refArgMin = refReduce(vals, shape, [axis], (g) => g.indexOf(Math.min(...g)));
        expect(flat(mx.values)).toEqual(refMax.data);
        expect(flat(mx.indices)).toEqual(refArg.data);
        expect(flat(x.argmin(axis - 3))).toEqual(refArgMin.data);
      }
      for (const dims of [[0, 2], [-1, -2], [1]]) {
        const axes = dims.map((d) => (d < 0 ? d + 3 : d));
        expect(flat(x.amax(dims))).toEqual(refReduce(vals, shape, axes, (g) => Math.max(...g)).data);
        const mn = x.amin(dims, { keepdim: true });
        const ref = refReduce(vals, shape, axes, (g) => Math.min(...g), true);
        expect(mn.shape).toEqual(ref.shape);
        expect(flat(mn)).toEqual(ref.data);
      }
      expect(x.argmax().item()).toBe(vals.indexOf(Math.max(...vals)));
    });
    it('max(other) is the elementwise maximum', () => {
      expect(T([1, 5, 2]).max(T([3, 1, 2])).tolist()).toEqual([3, 5, 2]);
      expect(torch.min(T([1, 5, 2]), T([3, 1, 2])).tolist()).toEqual([1, 1, 2]);
    });
    it('refuse empty reductions with PyTorch messages', () => {
      const e = torch.zeros([0, 3], { device });
      expect(() => e.max()).toThrow(
        "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
      );
      expect(() => e.min()).toThrow(torch.ShapeError);
      expect(() => e.argmax()).toThrow('argmax(): Expected reduction dim to be specified for input.numel() == 0.');
      expect(() => e.max(0)).toThrow('max(): Expected reduction dim 0 to have non-zero size.');
      expect(() => e.amax(0)).toThrow(torch.IndexError);
      expect(() => e.amax()).toThrow('amax(): Expected reduction dim 0 to have non-zero size.');
      const r = e.max(1);
      expect(r.values.shape).toEqual([0]);
      expect(r.indices.shape).toEqual([0]);
    });
  });

  describe('var and std', () => {
    it('hand values: unbiased by default, correction, unbiased=false', () => {
      const x = T([1, 2, 3, 4], 'float32');
      expectClose(x.var().item(), 5 / 3);
      expectClose(x.var({ correction: 0 }).item(), 1.25);
      expectClose(x.var({ unbiased: false }).item(), 1.25);
      expectClose(x.var(false).item(), 1.25);
      expectClose(x.var({ correction: 2 }).item(), 2.5);
      expectClose(x.std().item(), Math.sqrt(5 / 3));
      expectClose(torch.std(x, { correction: 0 }).item(), Math.sqrt(1.25));
      expect(torch.var(x23(), 1).tolist()).toEqual([1, 1]);
      expect(x23().std(0, { keepdim: true }).shape).toEqual([1, 3]);
    });
    it('too few elements: 0/0 = NaN, x/0 = inf', () => {
      expect(Number.isNaN(T([3], 'float32').var().item())).toBe(true);
      expect(T([1, 3], 'float32').var({ correction: 2 }).item()).toBe(Infinity);
    });
    it('match a float64 reference for dim lists', () => {
      const x = x345();
      for (const [dims, correction] of [[[0], 1], [[1, 2], 0], [[-1], 1], [[0, 1, 2], 1]] as const) {
        const axes = dims.map((d) => (d < 0 ? d + 3 : d));
        expectClose(flat(x.var([...dims], { correction })), refReduce(vals, shape, axes, (g) => refVar(g, correction)).data, { rtol: 1e-5 });
        expectClose(flat(x.std([...dims], { correction })), refReduce(vals, shape, axes, (g) => Math.sqrt(refVar(g, correction))).data, { rtol: 1e-5 });
      }
    });
    it('refuse integer input', () => {
      expect(() => T([1n, 2n]).var()).toThrow('std and var only support floating point and complex dtypes');
    });
  });

  describe('logsumexp, softmax, logSoftmax', () => {
    it('logsumexp is stable for large values and handles infinities', () => {
      expectClose(T([1000, 1000], 'float32').logsumexp(0).item(), 1000 + Math.LN2, { rtol: 1e-6 });
      expectClose(T([-1000, -1000], 'float64').logsumexp(0).item(), -1000 + Math.LN2, { rtol: 1e-12 });
      expect(T([-Infinity, -Infinity], 'float32').logsumexp(0).item()).toBe(-Infinity);
      expect(T([1, Infinity], 'float32').logsumexp(0).item()).toBe(Infinity);
      expect(torch.zeros([2, 0], { device }).logsumexp(1).tolist()).toEqual([-Infinity, -Infinity]);
      const i = T([1, 2, 3]).logsumexp(0);
      expect(i.dtype).toBe('float32');
      expectClose(i.item(), refLogsumexp([1, 2, 3]));
    });
    it('logsumexp matches a float64 reference for dim lists and keepdim', () => {
      const x = x345();
      for (const dims of [[0], [2], [0, 1], [-1, -3]]) {
        const axes = dims.map((d) => (d < 0 ? d + 3 : d));
        const ref = refReduce(vals, shape, axes, refLogsumexp, true);
        const got = torch.logsumexp(x, dims, { keepdim: true });
        expect(got.shape).toEqual(ref.shape);
        expectClose(flat(got), ref.data, { rtol: 1e-5 });
      }
    });
    it('softmax rows sum to 1, match the reference and stay finite for large inputs', () => {
      const x = x345();
      for (const dim of [0, 1, 2, -1]) {
        const axis = dim < 0 ? dim + 3 : dim;
        const s = x.softmax(dim);
        expectClose(flat(s), refAlong(vals, shape, axis, refSoftmax), { rtol: 1e-5 });
        expectClose(flat(s.sum(dim)), new Array(60 / shape[axis]!).fill(1), { rtol: 1e-5 });
        const ls = torch.logSoftmax(x, dim);
        expectClose(flat(ls), refAlong(vals, shape, axis, (l) => refSoftmax(l).map(Math.log)), { rtol: 1e-5, atol: 1e-5 });
      }
      const big = T([[1000, 1001, 1002], [-1000, -1000, -1000]], 'float32');
      const sm = big.softmax(1);
      expectClose(flat(sm), [...refSoftmax([0, 1, 2]), 1 / 3, 1 / 3, 1 / 3]);
      expectClose(flat(big.logSoftmax(-1)), [...refSoftmax([0, 1, 2]).map(Math.log), -Math.log(3), -Math.log(3), -Math.log(3)], { rtol: 1e-5 });
      expect(T(3, 'float32').softmax(0).item()).toBe(1);
    });
    it('softmax refuses integers unless a dtype is given', () => {
      expect(() => T([1n, 2n]).softmax(0)).toThrow(`softmax(): "softmax_lastdim_kernel_impl" not implemented for 'Long'`);
      expectClose(flat(T([1n, 2n]).softmax(0, { dtype: 'float64' })), refSoftmax([1, 2]));
    });
  });

  describe('cumsum, all, any, countNonzero, norm', () => {
    it('cumsum along each dim; ints and bools accumulate in int64', () => {
      expect(x23().cumsum(1).tolist()).toEqual([[1, 3, 6], [4, 9, 15]]);
      expect(x23().cumsum(-2).tolist()).toEqual([[1, 2, 3], [5, 7, 9]]);
      const b = T([true, true, false, true]).cumsum(0);
      expect(b.dtype).toBe('int64');
      expect(T([2 ** 31 - 1, 1], 'int32').cumsum(0).tolist()).toEqual([2 ** 31 - 1, 2 ** 31]);
      expect(b.tolist()).toEqual([1, 2, 2, 3]);
      expect(T([1, 2, 3]).cumsum(0, { dtype: 'float64' }).dtype).toBe('float64');
      const x = x345();
      const ref = refAlong(vals, shape, 1, (l) => l.map((_, k) => refSum(l.slice(0, k + 1))));
      expectClose(flat(x.cumsum(1)), ref, { rtol: 1e-5, atol: 1e-5 });
      expect(T(2, 'float32').cumsum(0).tolist()).toBe(2);
    });
    it('all/any: over all, dims, keepdim; NaN is true; empty all is true and empty any false', () => {
      const x = T([[1, 0, 2], [3, 4, 5]], 'float32');
      expect(x.all().item()).toBe(false);
      expect(x.any().item()).toBe(true);
      expect(x.all(1).tolist()).toEqual([false, true]);
      expect(x.any(0, { keepdim: true }).tolist()).toEqual([[true, true, true]]);
      expect(torch.all(x, [0, 1]).dtype).toBe('bool');
      expect(T([NaN], 'float32').all().item()).toBe(true);
      expect(torch.zeros(0, { device }).all().item()).toBe(true);
      expect(torch.zeros(0, { device }).any().item()).toBe(false);
      expect(torch.zeros([2, 0], { device }).any(1).tolist()).toEqual([false, false]);
      expect(T([false, false]).any().item()).toBe(false);
    });
    it('countNonzero', () => {
      const x = T([[1, 0, 2], [0, 0, 5]]);
      expect(x.countNonzero().item()).toBe(3);
      expect(x.countNonzero(0).tolist()).toEqual([1, 0, 2]);
      expect(torch.countNonzero(x, [0, 1]).dtype).toBe('int64');
    });
    it('norm: p = 2 (default, fro), 1, inf, 0, 3; dims; refuses ints', () => {
      const x = T([[3, -4], [0, 12]], 'float32');
      expect(x.norm().item()).toBe(13);
      expect(x.norm('fro').item()).toBe(13);
      expect(x.norm(2, 1).tolist()).toEqual([5, 12]);
      expect(torch.norm(x, 1).item()).toBe(19);
      expect(x.norm({ p: 1, dim: 0, keepdim: true }).tolist()).toEqual([[3, 16]]);
      expect(x.norm(Infinity).item()).toBe(12);
      expect(x.norm(-Infinity, 1).tolist()).toEqual([3, 0]);
      expect(x.norm(0).item()).toBe(3);
      expectClose(x.norm(3).item(), Math.cbrt(27 + 64 + 1728), { rtol: 1e-6 });
      expect(torch.zeros(0, { device }).norm().item()).toBe(0);
      expect(() => T([1n, 2n]).norm()).toThrow('linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long');
    });
  });

  describe('errors', () => {
    it('bad dims: IndexError with PyTorch text, duplicates, and nothing changes', () => {
      const x = x23();
      expect(() => x.sum(2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
      expect(() => x.max(-3)).toThrow(torch.IndexError);
      expect(() => x.softmax(5)).toThrow(torch.IndexError);
      expect(() => x.sum([0, -2])).toThrow('dim 0 appears multiple times in the list of dims');
      expect(() => x.cumsum(2)).toThrow(torch.IndexError);
      expect(() => torch.sum(3 as unknown as torch.Tensor)).toThrow(torch.DTypeError);
      expect(x.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    });
    it('out with a dtype that cannot hold the result leaves out unchanged', () => {
      const out = T([9, 9], 'int32');
      expect(() => torch.mean(x23(), 1, { out })).toThrow(torch.DTypeError);
      expect(out.tolist()).toEqual([9, 9]);
    });
  });
});
