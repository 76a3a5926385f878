import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { toposort } from '../../src/ir/index.js';
import { expectClose } from '../helpers.js';
import { nest, randomValues, refAdaptiveAvg2d, refPool2d } from './reference.js';

const F = torch.nn.functional;
const flat = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);
const n = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

interface PoolCase {
  name: string;
  xs: [number, number, number, number];
  k: [number, number];
  s?: [number, number];
  p?: [number, number];
  d?: [number, number];
  ceil?: boolean;
}

const MAX_CASES: PoolCase[] = [
  { name: '2x2 (stride = kernel)', xs: [2, 3, 6, 8], k: [2, 2] },
  { name: '3x3 stride 2 padding 1 (overlapping, -inf padding)', xs: [1, 2, 7, 6], k: [3, 3], s: [2, 2], p: [1, 1] },
  { name: 'dilation 2, stride 1', xs: [1, 2, 7, 7], k: [2, 3], s: [1, 1], d: [2, 2] },
  { name: 'ceil mode, non-divisible size', xs: [1, 2, 7, 5], k: [2, 2], ceil: true },
  { name: 'ceil mode with padding and stride 2', xs: [2, 1, 8, 7], k: [3, 2], s: [2, 2], p: [1, 1], ceil: true },
  { name: 'stride > kernel (gaps between windows), sizes not a multiple of the stride', xs: [1, 2, 7, 8], k: [2, 2], s: [3, 3] },
  { name: 'dilated windows that do not overlap', xs: [1, 1, 9, 10], k: [2, 2], s: [3, 4], d: [2, 3] },
];

const AVG_CASES: (PoolCase & { include?: boolean; override?: number })[] = [
  { name: '2x2', xs: [2, 3, 6, 8], k: [2, 2] },
  { name: '3x3 stride 2 padding 1, countIncludePad', xs: [1, 2, 7, 6], k: [3, 3], s: [2, 2], p: [1, 1] },
  { name: '3x3 stride 2 padding 1, without padding in the count', xs: [1, 2, 7, 6], k: [3, 3], s: [2, 2], p: [1, 1], include: false },
  { name: 'ceil mode: the last window is clipped even with countIncludePad', xs: [1, 2, 7, 5], k: [3, 2], s: [2, 2], p: [1, 0], ceil: true },
  { name: 'ceil mode without padding in the count', xs: [1, 1, 8, 7], k: [3, 3], s: [2, 2], p: [1, 1], ceil: true, include: false },
  { name: 'divisorOverride', xs: [1, 2, 5, 5], k: [2, 2], s: [1, 1], p: [1, 1], override: 3 },
];

describe.each([
  ['interp', 'float64', 1e-12],
  ['cpu', 'float32', 1e-5],
] as const)('pooling on %s (%s) against loops', (device, dtype, tol) => {
  const T = (vals: number[], shape: number[]): torch.Tensor => torch.tensor(nest(vals, shape) as torch.TensorData, { dtype, device });

  MAX_CASES.forEach((c, ci) => {
    it(`maxPool2d: ${c.name}`, () => {
      const xv = randomValues(n(c.xs), 40 + ci);
      const s = c.s ?? c.k;
      const ref = refPool2d(xv, c.xs, c.k, s, c.p ?? [0, 0], c.d ?? [1, 1], c.ceil ?? false, (v) => Math.max(...v));
      const y = F.maxPool2d(T(xv, c.xs), c.k, { stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil });
      expect(y.shape).toEqual(ref.shape);
      expectClose(flat(y), ref.data, { rtol: tol, atol: tol });
    });
  });

  AVG_CASES.forEach((c, ci) => {
    it(`avgPool2d: ${c.name}`, () => {
      const xv = randomValues(n(c.xs), 60 + ci);
      const include = c.include ?? true;
      const f = (v: number[], padded: number): number => v.reduce((a, b) => a + b, 0) / (c.override ?? (include ? padded : v.length));
      const ref = refPool2d(xv, c.xs, c.k, c.s ?? c.k, c.p ?? [0, 0], [1, 1], c.ceil ?? false, f);
      const y = F.avgPool2d(T(xv, c.xs), c.k, { stride: c.s, padding: c.p, ceilMode: c.ceil, countIncludePad: include, divisorOverride: c.override });
      expect(y.shape).toEqual(ref.shape);
      expectClose(flat(y), ref.data, { rtol: tol, atol: tol });
    });
  });

  it('pooling an unbatched [C, H, W] input, and the 1-d variants', () => {
    const xv = randomValues(2 * 5 * 6, 81);
    const ref = refPool2d(xv, [1, 2, 5, 6], [2, 3], [2, 3], [0, 0], [1, 1], false, (v) => Math.max(...v));
    const y = F.maxPool2d(T(xv, [2, 5, 6]), [2, 3]);
    expect(y.shape).toEqual([2, 2, 2]);
    expectClose(flat(y), ref.data, { rtol: tol, atol: tol });
    const lv = randomValues(2 * 3 * 9, 82);
    const ref1 = refPool2d(lv, [2, 3, 1, 9], [1, 3], [1, 2], [0, 1], [1, 1], false, (v, p) => v.reduce((a, b) => a + b, 0) / p);
    const y1 = F.avgPool1d(T(lv, [2, 3, 9]), 3, { stride: 2, padding: 1 });
    expect(y1.shape).toEqual([2, 3, ref1.shape[3]!]);
    expectClose(flat(y1), ref1.data, { rtol: tol, atol: tol });
    const refm = refPool2d(lv, [2, 3, 1, 9], [1, 2], [1, 2], [0, 0], [1, 2], true, (v) => Math.max(...v));
    const m1 = F.maxPool1d(T(lv, [2, 3, 9]), 2, { dilation: 2, ceilMode: true });
    expectClose(flat(m1), refm.data, { rtol: tol, atol: tol });
  });

  it.each([
    [[6, 8], [3, 4]],
    [[7, 5], [3, 2]],
    [[5, 7], [5, 3]],
    [[6, 7], [4, 7]],
    [[4, 4], [6, 5]],
    [[7, 9], [1, 1]],
  ])('adaptiveAvgPool2d from %j to %j (PyTorch window rule)', (hw, out) => {
    const xs = [2, 2, hw[0]!, hw[1]!];
    const xv = randomValues(n(xs), 90 + hw[0]! * 10 + hw[1]!);
    const ref = refAdaptiveAvg2d(xv, xs, out[0]!, out[1]!);
    const y = F.adaptiveAvgPool2d(T(xv, xs), out);
    expect(y.shape).toEqual(ref.shape);
    expectClose(flat(y), ref.data, { rtol: tol, atol: tol });
  });

  it('adaptiveAvgPool2d: an int size, null keeps a size, unbatched input, 1-d', () => {
    const xs = [1, 3, 5, 6];
    const xv = randomValues(n(xs), 95);
    expectClose(flat(F.adaptiveAvgPool2d(T(xv, xs), 2)), refAdaptiveAvg2d(xv, xs, 2, 2).data, { rtol: tol, atol: tol });
    const keep = F.adaptiveAvgPool2d(T(xv, xs.slice(1)), [null, 4]);
    expect(keep.shape).toEqual([3, 5, 4]);
    expectClose(flat(keep), refAdaptiveAvg2d(xv, xs, 5, 4).data, { rtol: tol, atol: tol });
    const l = F.adaptiveAvgPool1d(T(xv, [3, 30]), 7);
    expect(l.shape).toEqual([3, 7]);
    expectClose(flat(l), refAdaptiveAvg2d(xv, [1, 3, 1, 30], 1, 7).data, { rtol: tol, atol: tol });
  });
});

describe('pooling IR and errors', () => {
  it('maxPool2d is one max reduction over window views (non-overlapping windows: reshapes, not unfolds)', () => {
    const y = F.maxPool2d(torch.rand(2, 3, 8, 8), 2);
    const nodes = toposort([y.node]);
    expect(nodes.filter((x) => x.op === 'unfold')).toHaveLength(0);
    const o = F.maxPool2d(torch.rand(2, 3, 8, 8), 3, { stride: 2 });
    expect(toposort([o.node]).filter((x) => x.op === 'unfold')).toHaveLength(2);
    const red = nodes.filter((x) => x.op === 'reduce');
    expect(red).toHaveLength(1);
    expect(red[0]!.arg).toEqual({ op: 'max', axes: [4, 5] });
    expect(y.shape).toEqual([2, 3, 4, 4]);
  });
  it('avgPool2d with uniform windows divides by a constant; adaptive pooling on divisible sizes is a reshape and one sum', () => {
    const a = F.avgPool2d(torch.rand(1, 1, 4, 4), 2);
    expect(toposort([a.node]).some((x) => x.op === 'iota')).toBe(false);
    const b = F.adaptiveAvgPool2d(torch.rand(1, 1, 6, 8), [3, 2]);
    const nodes = toposort([b.node]);
    expect(nodes.filter((x) => x.op === 'reduce')).toHaveLength(1);
    expect(nodes.some((x) => x.op === 'unfold' || x.op === 'iota')).toBe(false);
  });
  it('gradFn names', () => {
    const x = torch.rand([1, 1, 4, 4], { requiresGrad: true });
    expect(F.maxPool2d(x, 2).gradFn?.name).toBe('MaxPool2DWithIndicesBackward0');
    expect(F.avgPool2d(x, 2).gradFn?.name).toBe('AvgPool2DBackward0');
    expect(F.adaptiveAvgPool2d(x, 3).gradFn?.name).toBe('AdaptiveAvgPool2DBackward0');
  });
  it('PyTorch errors', () => {
    const x = torch.zeros(1, 3, 2, 2);
    expect(() => F.maxPool2d(x, 3)).toThrow(/Given input size: \(3x2x2\)\. Calculated output size: \(3x0x0\)\. Output size is too small/);
    expect(() => F.maxPool2d(x, 2, { padding: 2 })).toThrow(/pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1/);
    expect(() => F.avgPool2d(x, 2, { padding: 2 })).toThrow(/pad should be at most half of kernel size, but got pad=2 and kernel_size=2/);
    expect(() => F.maxPool2d(x, 0)).toThrow(/kernel_size must be greater than zero/);
    expect(() => F.maxPool2d(torch.zeros(4, 4), 2)).toThrow(torch.ShapeError);
    expect(() => F.maxPool2d(torch.zeros([1, 1, 4, 4], { dtype: 'int32' }), 2)).toThrow(torch.DTypeError);
    expect(() => F.adaptiveAvgPool2d(torch.zeros(1, 3, 0, 4), 2)).toThrow(/Expected input to have non-zero size for non-batch dimensions/);
    expect(() => F.adaptiveAvgPool2d(torch.zeros(3, 4), 2)).toThrow(/Expected 3D or 4D tensor/);
    expect(() => F.adaptiveAvgPool2d(x, [-1, 2])).toThrow(/elements of output_size must be greater than or equal to 0/);
  });
});
