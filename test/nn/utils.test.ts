/**
 * torch.nn.utils against PyTorch 1.13 (fixtures: scripts/optim-fixtures.py): clipGradNorm_ (norm types 2, 1,
 * inf, 3, 0.5; float32 and float64), clipGradValue_, parametersToVector / vectorToParameters, rnn.padSequence
 * (values and gradients; gradients also by float64 finite differences).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { caught, expectClose } from '../helpers.js';

const U = torch.nn.utils;
const F = JSON.parse(readFileSync(new URL('./fixtures/utils.json', import.meta.url), 'utf8')) as {
  clipGrads: number[][];
  clipGradNorm: { maxNorm: number; normType: number | 'inf'; dtype: 'float32' | 'float64'; total: number; grads: unknown[] }[];
  clipGradValue: { clipValue: number; grads: unknown[] };
  padSequence: { sequences: number[][][]; cases: { batchFirst: boolean; paddingValue: number; out: unknown; w: unknown; grads: unknown[] }[] };
};

function withGrads(dtype: 'float32' | 'float64'): torch.Tensor[] {
  return F.clipGrads.map((g) => {
    const t = torch.tensor(g, { dtype });
    const p = torch.zeros(t.shape, { dtype, requiresGrad: true });
    p.grad = t;
    return p;
  });
}

describe('clipGradNorm_', () => {
  it.each(F.clipGradNorm.map((c) => [`maxNorm ${c.maxNorm} normType ${c.normType} ${c.dtype}`, c] as const))('%s', (_, c) => {
    const ps = withGrads(c.dtype);
    const held = ps[0]!.grad!;
    const total = U.clipGradNorm_(ps, c.maxNorm, { normType: c.normType === 'inf' ? Infinity : c.normType });
    const tol = c.dtype === 'float32' ? { rtol: 1e-6, atol: 1e-7 } : { rtol: 1e-12, atol: 1e-14 };
    expect(total.dtype).toBe(c.dtype);
    expectClose(total.item(), c.total, tol);
    ps.forEach((p, i) => expectClose(p.grad!.tolist(), c.grads[i], tol));
    // in place: a reference to the gradient taken before sees the clipped values
    expectClose(held.tolist(), c.grads[0], tol);
  });
  it('returns 0 without gradients, accepts one tensor, clips what the next optimizer step uses', () => {
    expect(U.clipGradNorm_([torch.zeros([2], { requiresGrad: true })], 1).item()).toBe(0);
    const p = torch.zeros([2], { requiresGrad: true });
    p.grad = torch.tensor([3, 4]);
    expect(U.clipGradNorm_(p, 1).item()).toBeCloseTo(5, 6);
    expectClose(p.grad.tolist(), [0.6, 0.8], { rtol: 1e-5 });
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const opt = new torch.optim.SGD([w], { lr: 1 });
    w.mul(torch.tensor([30, 40])).sum().backward();
    const n = U.clipGradNorm_([w], 5);
    opt.step();
    expectClose(w.tolist(), [1 - 3, 2 - 4], { rtol: 1e-5 });
    expectClose(n.item(), 50, { rtol: 1e-6 });
  });
  it('errorIfNonfinite refuses a non-finite norm (and leaves the gradients), otherwise scales by it', () => {
    const p = torch.zeros([2], { requiresGrad: true });
    p.grad = torch.tensor([Infinity, 1]);
    const e = caught(() => U.clipGradNorm_([p], 1, { errorIfNonfinite: true }));
    expect(e).toBeInstanceOf(torch.ValueError);
    expect(e.message).toMatch(/^The total norm of order 2\.0 for gradients from `parameters` is non-finite, so it cannot be clipped/);
    expect(p.grad.tolist()).toEqual([Infinity, 1]);
    expect(U.clipGradNorm_([p], 1).item()).toBe(Infinity);
    expect(p.grad.tolist()).toEqual([NaN, 0]); // inf * (1 / inf), as PyTorch
  });
  it('refuses bad arguments with graft errors', () => {
    expect(caught(() => U.clipGradNorm_(3 as never, 1))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => U.clipGradNorm_([1] as never, 1))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => U.clipGradNorm_([], '1' as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => U.clipGradNorm_([], 1, { norm_type: 2 } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => U.clipGradValue_([], NaN))).toBeInstanceOf(torch.ArgumentError);
  });
});

describe('clipGradValue_', () => {
  it('clamps every gradient in place as PyTorch does', () => {
    const ps = withGrads('float32');
    U.clipGradValue_(ps, F.clipGradValue.clipValue);
    ps.forEach((p, i) => expectClose(p.grad!.tolist(), F.clipGradValue.grads[i], { rtol: 1e-7 }));
  });
});

describe('parametersToVector / vectorToParameters', () => {
  it('flatten parameters in order and write them back', () => {
    const net = new torch.nn.Linear(3, 2);
    const v = U.parametersToVector(net.parameters());
    expect(v.shape).toEqual([8]);
    expect(v.tolist()).toEqual([...(net.weight.reshape(-1).tolist() as number[]), ...(net.bias!.tolist() as number[])]);
    const w = net.weight;
    U.vectorToParameters(torch.arange(8, { dtype: 'float32' }), net.parameters());
    expect(net.weight).toBe(w); // the same Parameter objects
    expect(net.weight.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(net.bias!.tolist()).toEqual([6, 7]);
    expect(net.weight.requiresGrad).toBe(true);
  });
  it('parametersToVector is differentiable', () => {
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const b = torch.tensor([[3]], { requiresGrad: true });
    U.parametersToVector([a, b]).mul(torch.tensor([1, 2, 3])).sum().backward();
    expect(a.grad!.tolist()).toEqual([1, 2]);
    expect(b.grad!.tolist()).toEqual([[3]]);
  });
  it('a vector too short is PyTorch\'s error and changes nothing', () => {
    const a = torch.zeros([2]);
    const b = torch.zeros([2, 2]);
    const e = caught(() => U.vectorToParameters(torch.ones([3]), [a, b]));
    expect(e).toBeInstanceOf(torch.ShapeError);
    expect(e.message).toBe("shape '[2, 2]' is invalid for input of size 1");
    expect(a.tolist()).toEqual([0, 0]);
    expect(caught(() => U.vectorToParameters([1] as never, [a])).message).toMatch(/^expected torch.Tensor, but got/);
  });
});

describe('rnn.padSequence', () => {
  it.each(F.padSequence.cases.map((c) => [`batchFirst ${c.batchFirst} paddingValue ${c.paddingValue}`, c] as const))('%s: values and gradients as PyTorch', (_, c) => {
    const xs = F.padSequence.sequences.map((s) => torch.tensor(s, { requiresGrad: true }));
    const out = U.rnn.padSequence(xs, { batchFirst: c.batchFirst, paddingValue: c.paddingValue });
    expectClose(out.tolist(), c.out, { rtol: 0, atol: 0 });
    out.mul(torch.tensor(c.w as number[])).sum().backward();
    xs.forEach((x, i) => expectClose(x.grad!.tolist(), c.grads[i], { rtol: 1e-6 }));
  });
  it('gradients agree with float64 finite differences', () => {
    const xs = [torch.randn([3, 2], { dtype: 'float64' }), torch.randn([1, 2], { dtype: 'float64' })];
    const w = torch.randn([2, 3, 2], { dtype: 'float64' });
    const f = (a: torch.Tensor[]) => U.rnn.padSequence(a, { batchFirst: true, paddingValue: 0.5 }).mul(w).sum();
    const leaves = xs.map((x) => x.clone().requiresGrad_());
    f(leaves).backward();
    const h = 1e-6;
    xs.forEach((x, i) => {
      const flat = x.reshape(-1).tolist() as number[];
      const fd = flat.map((_, k) => {
        const at = (d: number) => {
          const v = [...flat];
          v[k]! += d;
          const ys = xs.map((y, j) => (j === i ? torch.tensor(v, { dtype: 'float64' }).reshape(x.shape) : y));
          return f(ys).item() as number;
        };
        return (at(h) - at(-h)) / (2 * h);
      });
      expectClose(leaves[i]!.grad!.reshape(-1).tolist(), fd, { rtol: 1e-6, atol: 1e-8 });
    });
  });
  it('takes the first sequence\'s dtype, broadcasts size-1 dims and refuses what PyTorch refuses', () => {
    const out = U.rnn.padSequence([torch.zeros([2, 3]), torch.ones([1, 3], { dtype: 'float64' })]);
    expect(out.dtype).toBe('float32');
    expect(out.shape).toEqual([2, 2, 3]);
    expect(U.rnn.padSequence([torch.zeros([2, 3]), torch.ones([1, 1])]).tolist()).toEqual([[[0, 0, 0], [1, 1, 1]], [[0, 0, 0], [0, 0, 0]]]);
    expect(caught(() => U.rnn.padSequence([]))).toBeInstanceOf(torch.ArgumentError);
    const e = caught(() => U.rnn.padSequence([torch.zeros([2, 3]), torch.zeros([3, 4])]));
    expect(e).toBeInstanceOf(torch.ShapeError);
    expect(e.message).toBe('The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1');
    expect(caught(() => U.rnn.padSequence([torch.zeros([]), torch.zeros([2])]))).toBeInstanceOf(torch.IndexError);
    expect(caught(() => U.rnn.padSequence([torch.zeros([2]), 1 as never]))).toBeInstanceOf(torch.ArgumentError);
  });
});
