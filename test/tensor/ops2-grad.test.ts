/**
 * Gradients of the issue-14 ops (sort, topk, einsum, cumprod with zeros, cummax, diff, logaddexp, lerp, hypot,
 * atan2, erfinv, nanToNum) against central finite differences of the forward in float64 on the interp device;
 * allclose/equal and unique against hand-computed answers.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';

const dev = 'interp';
const flat = (t: torch.Tensor): number[] => (t.reshape(-1).tolist() as number[]).map(Number);
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const make = (vals: readonly number[], shape: readonly number[], requiresGrad = false): torch.Tensor =>
  torch.tensor(Float64Array.from(vals), { dtype: 'float64', device: dev }).reshape(...shape).detach().requiresGrad_(requiresGrad);
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function checkGrads(f: (...xs: torch.Tensor[]) => torch.Tensor, args: { shape: number[]; values?: number[] }[], seed = 1): void {
  const eps = 1e-6;
  const r = rng(seed);
  const vals = args.map((a) => a.values ?? Array.from({ length: prod(a.shape) }, () => r() * 3 - 1.5));
  const leaves = args.map((a, i) => make(vals[i]!, a.shape, true));
  const out = f(...leaves);
  const ct = Array.from({ length: out.numel() }, () => r() * 2 - 1);
  out.mul(make(ct, out.shape)).sum().backward();
  const value = (xs: number[][]): number =>
    torch.noGrad(() => flat(f(...args.map((a, i) => make(xs[i]!, a.shape)))).reduce((s, v, k) => s + v * ct[k]!, 0));
  args.forEach((_, i) => {
    const numeric = vals[i]!.map((v, j) => {
      const xs = vals.map((x) => [...x]);
      xs[i]![j] = v + eps;
      const fp = value(xs);
      xs[i]![j] = v - eps;
      return (fp - value(xs)) / (2 * eps);
    });
    expectClose(flat(leaves[i]!.grad!), numeric, { rtol: 1e-5, atol: 1e-7 });
  });
}

describe('gradients vs finite differences (float64, interp)', () => {
  it('sort values, topk', () => {
    checkGrads((x) => torch.sort(x, 1, true).values, [{ shape: [3, 5] }]);
    checkGrads((x) => torch.topk(x, 2, 0).values, [{ shape: [4, 3] }]);
  });
  it('einsum: contraction, diagonal, ellipsis broadcast, three operands', () => {
    checkGrads((a, b) => torch.einsum('bij,bjk->bki', a, b), [{ shape: [2, 3, 4] }, { shape: [2, 4, 2] }]);
    checkGrads((a) => torch.einsum('iji->j', a), [{ shape: [3, 2, 3] }]);
    checkGrads((a, b) => torch.einsum('...ij,...jk', a, b), [{ shape: [2, 1, 2, 3] }, { shape: [3, 3, 2] }]);
    checkGrads((a, b, c) => torch.einsum('bn,anm,bm->ba', a, b, c), [{ shape: [2, 3] }, { shape: [2, 3, 2] }, { shape: [2, 2] }]);
  });
  it('cumprod with zeros, cummax, diff', () => {
    checkGrads((x) => torch.cumprod(x, 1), [{ shape: [2, 4], values: [2, 0, 3, 1.5, 0, 0.5, 0, -1] }]);
    checkGrads((x) => torch.cumprod(x, 0), [{ shape: [4, 2] }]);
    checkGrads((x) => torch.cummax(x, 1).values, [{ shape: [3, 5] }]);
    checkGrads((x, p) => torch.diff(x, 2, 1, p), [{ shape: [2, 4] }, { shape: [2, 1] }]);
  });
  it('logaddexp, lerp, hypot, atan2, erfinv, nanToNum, exp2', () => {
    checkGrads((a, b) => torch.logaddexp(a, b), [{ shape: [2, 3] }, { shape: [3] }]);
    checkGrads((a, b, w) => torch.lerp(a, b, w), [{ shape: [2, 3] }, { shape: [2, 3] }, { shape: [2, 3], values: [0.1, 0.4, 0.6, 0.9, -0.3, 1.2] }]);
    checkGrads((a, b) => torch.hypot(a, b), [{ shape: [2, 3] }, { shape: [2, 3] }]);
    checkGrads((a, b) => torch.atan2(a, b), [{ shape: [2, 3] }, { shape: [2, 3] }]);
    checkGrads((a) => torch.erfinv(a), [{ shape: [5], values: [-0.95, -0.3, 0.0, 0.5, 0.999] }]);
    checkGrads((a) => torch.nanToNum(a), [{ shape: [4] }]);
    checkGrads((a) => torch.exp2(a), [{ shape: [4] }]);
  });
});

describe('products, search and repeats', () => {
  it('baddbmm, kron, cdist (p = 2, 1, 3, inf), repeatInterleave, linalg.vectorNorm', () => {
    checkGrads((i, a, b) => torch.baddbmm(i, a, b, { beta: 0.5, alpha: 2 }), [{ shape: [3] }, { shape: [2, 2, 4] }, { shape: [2, 4, 3] }]);
    checkGrads((a, b) => torch.kron(a, b), [{ shape: [2, 3] }, { shape: [2] }]);
    for (const p of [2, 1, 3, Infinity]) checkGrads((a, b) => torch.cdist(a, b, p), [{ shape: [3, 2] }, { shape: [4, 2] }]);
    checkGrads((a) => torch.repeatInterleave(a, torch.tensor([2n, 0n, 1n]), 1), [{ shape: [2, 3] }]);
    checkGrads((a) => torch.repeatInterleave(a, 2), [{ shape: [2, 2] }]);
    checkGrads((a) => torch.linalg.vectorNorm(a, 3, 1), [{ shape: [2, 3] }]);
  });
  it('bucketize and searchsorted count boundaries (hand-computed)', () => {
    const b = torch.tensor([1, 3, 5]);
    expect(torch.bucketize(torch.tensor([0, 1, 2, 5, 6]), b).tolist()).toEqual([0, 0, 1, 2, 3]);
    expect(torch.bucketize(torch.tensor([0, 1, 2, 5, 6]), b, { right: true }).tolist()).toEqual([0, 1, 1, 3, 3]);
    expect(torch.searchsorted(b, 3).tolist()).toEqual(1);
    expect(torch.searchsorted(b, torch.tensor([3]), { side: 'right' }).tolist()).toEqual([2]);
  });
});

describe('boolean answers and unique', () => {
  it('allclose and equal', () => {
    const a = torch.tensor([1, 2, Number.NaN]);
    expect(torch.allclose(a, torch.tensor([1, 2.000001, Number.NaN]))).toBe(false);
    expect(torch.allclose(a, torch.tensor([1, 2.000001, Number.NaN]), { equalNan: true })).toBe(true);
    expect(torch.allclose(torch.tensor([1, 2]), torch.tensor([1.1, 2]), 0, 0.2)).toBe(true);
    expect(torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2]))).toBe(true);
    expect(torch.equal(torch.tensor([1, 2]), torch.tensor([[1, 2]]))).toBe(false);
    expect(torch.equal(a, a)).toBe(false);
    expect(() => torch.allclose(torch.tensor([1]), torch.tensor([1], { dtype: 'float64' }))).toThrow(torch.DTypeError);
  });
  it('erfinv is the inverse of erf in float32 within 2 ulp-ish', () => {
    const xs = Array.from({ length: 199 }, (_, i) => -0.99 + i * 0.01);
    const x = torch.tensor(xs);
    const back = torch.erf(torch.erfinv(x));
    expectClose(flat(back), flat(x), { rtol: 3e-7, atol: 3e-7 });
  });
});

describe('bad arguments (fuzz findings)', () => {
  it('in-place variants given a non-object where options go raise graft errors, changing nothing', () => {
    const x = torch.ones(2, 3, 3);
    const before = x.tolist();
    expect(() => (x.baddbmm_ as (...a: unknown[]) => unknown)(torch.ones(2, 3, 3), torch.ones(2, 3, 3), 'x')).toThrow(torch.GraftError);
    expect(x.tolist()).toEqual(before);
  });
});
