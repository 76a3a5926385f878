/**
 * Ops on the emulated `cuda:0` device agree with the same ops on the cpu (itself checked against PyTorch's
 * fixtures elsewhere) and with hand-computed values: elementwise and broadcasting, reductions (short, long,
 * over several axes), softmax, matmul and linear, conv2d, prefix sums, sorting, gathers and scatter-adds,
 * integer arithmetic, and an index out of range giving the cpu's IndexError with no tensor changed. Every
 * CUDA module these tests generate is compiled by nvcc for sm_90 at the end.
 */
import './cuda-env.js';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { IndexError, ZeroDivisionError } from '../../src/ir/index.js';
import { CudaDevice, getDevice } from '../../src/runtime/index.js';
import { expectClose } from '../helpers.js';
import { gateModulesOf } from './cuda-nvcc.js';

gateModulesOf(getDevice('cuda:0') as CudaDevice);

type T = torch.Tensor;
const values = (t: T): number[] => Array.from(t.cpu().dataSync() as ArrayLike<number | bigint>, Number);

/** `f` on cpu inputs and on the same inputs moved to cuda: the results agree. */
function agree(inputs: T[], f: (...xs: T[]) => T, tol: { rtol?: number; atol?: number } = { rtol: 1e-5, atol: 1e-5 }): void {
  const want = f(...inputs);
  const got = f(...inputs.map((x) => x.cuda()));
  expect(got.device).toBe('cuda:0');
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype);
  expectClose(values(got), values(want), tol);
}

torch.manualSeed(0);
const x = torch.randn(6, 7);
const y = torch.randn(7);

describe('ops on cuda (emulated) agree with the cpu', () => {

  it('elementwise with broadcasting', () => {
    agree([x, y], (a, b) => a.mul(2).add(b).exp().mul(b));
    agree([x, y], (a, b) => torch.where(a.gt(b), a.sin(), b.tanh().sub(a)));
    agree([x], (a) => a.abs().sqrt().log().neg().sigmoid().erf());
    // Contiguous and long: float4 loads and stores (aligned), or the same elements one by one (a view at an odd offset).
    const long = torch.randn(3, 8192);
    agree([long], (a) => a.index(0).mul(2).add(a.index(2)).exp().mul(a.index(1)));
    agree([torch.randn(8193)], (a) => a.index('1:').tanh().add(1));
    agree([torch.randn(8196)], (a) => a.index('4:').sub(a.index(':8192')));
    expect(values(torch.tensor([1, 2, 3], { device: 'cuda' }).add(torch.tensor([[10], [20]], { device: 'cuda' })))).toEqual([11, 12, 13, 21, 22, 23]);
  });

  it('integer arithmetic, and division by zero as on the cpu', () => {
    const a = torch.tensor([7, -7, 9, -3], { dtype: 'int32' });
    const b = torch.tensor([2, 2, -4, 5], { dtype: 'int32' });
    agree([a, b], (p, q) => p.floorDivide(q).add(p.remainder(q)).mul(p));
    agree([a.long(), b.long()], (p, q) => p.mul(q).sub(3));
    expect(() => values(a.cuda().floorDivide(torch.zeros(4, { dtype: 'int32', device: 'cuda' })))).toThrow(ZeroDivisionError);
  });

  it('reductions: rows, columns, whole tensors, long sums', () => {
    agree([x], (a) => a.sum(1));
    agree([x], (a) => a.mean(0));
    agree([x], (a) => a.amax(-1).add(a.amin(0).sum()));
    agree([x], (a) => a.argmax(1));
    agree([x], (a) => a.var(1));
    const big = torch.rand(3, 50000);
    agree([big], (a) => a.sum(), { rtol: 1e-6 });
    agree([big], (a) => a.sum(1), { rtol: 1e-6 });
    expectClose(values(torch.ones(1000, { device: 'cuda' }).sum()), [1000]);
    // Rows long enough to be split over blocks (slices combined in order by the last block).
    const long = torch.rand(2, 140000);
    agree([long], (a) => a.mul(2).exp().mul(a).sum(1), { rtol: 1e-6 });
    agree([long], (a) => a.amax(1));
    const withNaN = torch.rand(150000, { dtype: 'float64' });
    agree([withNaN.where(withNaN.lt(0.99999), NaN)], (a) => a.amin());
    agree([torch.randint(-1000, 1000, [200000])], (a) => a.sum());
    expect(values(torch.ones(300000, { device: 'cuda', dtype: 'int32' }).sum())).toEqual([300000]);
  });

  it('softmax and log-softmax', () => {
    agree([x], (a) => torch.softmax(a, -1));
    agree([x], (a) => torch.logSoftmax(a, 0));
    const r = torch.softmax(torch.tensor([[0, Math.log(3)]], { device: 'cuda' }), 1);
    expectClose(values(r), [0.25, 0.75]);
  });

  it('matmul, batched matmul and linear', () => {
    const w = torch.randn(7, 5);
    agree([x, w], (a, b) => a.matmul(b), { rtol: 1e-4, atol: 1e-5 });
    agree([torch.randn(3, 4, 6), torch.randn(3, 6, 2)], (a, b) => torch.bmm(a, b), { rtol: 1e-4, atol: 1e-5 });
    agree([x, torch.randn(3, 7), torch.randn(3)], (a, w2, bias) => torch.nn.functional.linear(a, w2, bias).relu(), { rtol: 1e-4, atol: 1e-5 });
    // Big enough to be tiled through shared memory (edges not multiples of the tile), with an epilogue.
    agree([torch.randn(70, 90), torch.randn(90, 50), torch.randn(50)], (a, b, c) => a.matmul(b).add(c).relu(), { rtol: 1e-4, atol: 1e-4 });
    agree([torch.randn(2, 33, 40, { dtype: 'float64' }), torch.randn(2, 40, 65, { dtype: 'float64' })], (a, b) => a.matmul(b).mul(0.5), { rtol: 1e-10, atol: 1e-10 });
    const m = torch.tensor([[1, 2], [3, 4]], { device: 'cuda' });
    expect(values(m.matmul(m))).toEqual([7, 10, 15, 22]);
  });

  it('conv2d', () => {
    const img = torch.randn(2, 3, 8, 8);
    const k = torch.randn(4, 3, 3, 3);
    const b = torch.randn(4);
    agree([img, k, b], (i, w, bb) => torch.nn.functional.conv2d(i, w, bb, { padding: 1, stride: 2 }), { rtol: 1e-4, atol: 1e-4 });
    agree([torch.randn(2, 3, 16, 16), torch.randn(8, 3, 3, 3)], (i, w) => torch.nn.functional.conv2d(i, w, null, { padding: 1 }), { rtol: 1e-4, atol: 1e-4 });
  });

  it('prefix sums, sorting, gathers and scatter-adds', () => {
    agree([x], (a) => a.cumsum(1));
    agree([x], (a) => a.argsort(1));
    agree([x], (a) => torch.sort(a, 0, true).values);
    const idx = torch.tensor([[0, 6, 3], [1, 1, 2], [5, 0, 0], [2, 2, 2], [6, 5, 4], [3, 3, 0]], { dtype: 'int64' });
    agree([x, idx], (a, i) => torch.gather(a, 1, i));
    agree([x, idx], (a, i) => torch.zeros(6, 7, { device: a.device }).scatterAdd(1, i, a.index(':', '0:3')));
    agree([x, torch.tensor([4, 0, 4], { dtype: 'int64' })], (a, i) => torch.indexSelect(a, 0, i));
  });

  it('an index out of range: the cpu IndexError, nothing written, the device still usable', () => {
    const t = torch.zeros(4, { device: 'cuda' });
    const table = torch.randn(5, 3).cuda();
    const bad = torch.tensor([1, 7], { dtype: 'int64', device: 'cuda' });
    expect(() => values(torch.nn.functional.embedding(bad, table))).toThrow(IndexError);
    expect(() => t.add_(torch.gather(torch.ones(4, { device: 'cuda' }), 0, torch.tensor([0, 1, 2, 9], { dtype: 'int64', device: 'cuda' })))).toThrow(IndexError);
    expect(values(t)).toEqual([0, 0, 0, 0]);
    expect(values(torch.nn.functional.embedding(torch.tensor([4, 0], { dtype: 'int64', device: 'cuda' }), table))).toEqual(values(table.cpu().index(torch.tensor([4, 0], { dtype: 'int64' }))));
  });
});
