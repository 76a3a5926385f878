import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { toposort } from '../../src/ir/index.js';
import { expectClose } from '../helpers.js';
import { nest, randomValues, refConv2d } from './reference.js';

const F = torch.nn.functional;
const flat = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);

interface Case {
  name: string;
  xs: [number, number, number, number];
  ws: [number, number, number, number];
  bias: boolean;
  stride?: [number, number];
  padding?: [number, number] | 'same' | 'valid';
  dilation?: [number, number];
  groups?: number;
}

const CASES: Case[] = [
  { name: 'plain 3x3', xs: [2, 3, 7, 6], ws: [4, 3, 3, 3], bias: true },
  { name: 'stride (2, 1), padding (1, 2), no bias', xs: [2, 2, 7, 6], ws: [3, 2, 3, 2], bias: false, stride: [2, 1], padding: [1, 2] },
  { name: 'dilation (2, 1), padding 1', xs: [1, 2, 8, 7], ws: [3, 2, 3, 3], bias: true, dilation: [2, 1], padding: [1, 1] },
  { name: 'groups 3, stride 2, dilation (1, 2)', xs: [2, 6, 7, 9], ws: [6, 2, 2, 3], bias: true, stride: [2, 2], padding: [1, 1], dilation: [1, 2], groups: 3 },
  { name: "padding 'same', even kernel, dilation (1, 2)", xs: [1, 2, 6, 7], ws: [2, 2, 4, 3], bias: true, padding: 'same', dilation: [1, 2] },
  { name: 'depthwise (groups = channels)', xs: [2, 4, 5, 5], ws: [4, 1, 3, 3], bias: true, padding: [1, 1], groups: 4 },
  { name: '1x1', xs: [2, 3, 4, 5], ws: [5, 3, 1, 1], bias: true },
  { name: "padding 'valid', stride 3", xs: [1, 1, 9, 8], ws: [2, 1, 3, 2], bias: false, padding: 'valid', stride: [3, 3] },
];

/** PyTorch's 'same' split: total d(k-1), the smaller half before. */
function padsOf(c: Case): [[number, number], [number, number]] {
  const p = c.padding ?? [0, 0];
  if (p === 'valid') return [[0, 0], [0, 0]];
  if (p === 'same') {
    const d = c.dilation ?? [1, 1];
    const t = [d[0] * (c.ws[2] - 1), d[1] * (c.ws[3] - 1)];
    return [[Math.floor(t[0]! / 2), t[0]! - Math.floor(t[0]! / 2)], [Math.floor(t[1]! / 2), t[1]! - Math.floor(t[1]! / 2)]];
  }
  return [[p[0], p[0]], [p[1], p[1]]];
}

describe.each([
  ['interp', 'float64', 1e-12],
  ['cpu', 'float32', 2e-5],
] as const)('conv2d on %s (%s) against a direct nested-loop convolution', (device, dtype, tol) => {
  const T = (vals: number[], shape: number[]): torch.Tensor => torch.tensor(nest(vals, shape) as torch.TensorData, { dtype, device });
  CASES.forEach((c, ci) => {
    it(c.name, () => {
      const n = (s: number[]): number => s.reduce((a, b) => a * b, 1);
      const xv = randomValues(n(c.xs), 100 + ci);
      const wv = randomValues(n(c.ws), 200 + ci);
      const bv = c.bias ? randomValues(c.ws[0], 300 + ci) : null;
      const ref = refConv2d(xv, c.xs, wv, c.ws, bv, c.stride ?? [1, 1], padsOf(c), c.dilation ?? [1, 1], c.groups ?? 1);
      const y = F.conv2d(T(xv, c.xs), T(wv, c.ws), bv ? T(bv, [c.ws[0]]) : null, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
      expect(y.shape).toEqual(ref.shape);
      expect(y.dtype).toBe(dtype);
      expectClose(flat(y), ref.data, { rtol: tol, atol: tol });
    });
  });

  it('unbatched input [C, H, W] gives [O, OH, OW]', () => {
    const xv = randomValues(3 * 5 * 6, 11);
    const wv = randomValues(2 * 3 * 2 * 2, 12);
    const ref = refConv2d(xv, [1, 3, 5, 6], wv, [2, 3, 2, 2], null, [1, 2], [[1, 1], [0, 0]], [1, 1], 1);
    const y = F.conv2d(T(xv, [3, 5, 6]), T(wv, [2, 3, 2, 2]), { stride: [1, 2], padding: [1, 0] });
    expect(y.shape).toEqual(ref.shape.slice(1));
    expectClose(flat(y), ref.data, { rtol: tol, atol: tol });
  });

  it('conv1d matches the 2-D reference with H = 1 (stride, padding, dilation, groups)', () => {
    const xv = randomValues(2 * 4 * 11, 21);
    const wv = randomValues(6 * 2 * 3, 22);
    const bv = randomValues(6, 23);
    const ref = refConv2d(xv, [2, 4, 1, 11], wv, [6, 2, 1, 3], bv, [1, 2], [[0, 0], [2, 2]], [1, 2], 2);
    const y = F.conv1d(T(xv, [2, 4, 11]), T(wv, [6, 2, 3]), T(bv, [6]), { stride: 2, padding: 2, dilation: 2, groups: 2 });
    expect(y.shape).toEqual([2, 6, ref.shape[3]!]);
    expectClose(flat(y), ref.data, { rtol: tol, atol: tol });
  });
});

describe('conv2d IR', () => {
  it('is pad + two unfolds + one canonical contraction reduce, with no gather and no copy', () => {
    const x = torch.rand(2, 3, 8, 8);
    const w = torch.rand(4, 3, 3, 3);
    const y = F.conv2d(x, w, torch.rand(4), { padding: 1, dilation: [2, 1] });
    const ops = toposort([y.node]).map((n) => n.op);
    const count = (op: string): number => ops.filter((o) => o === op).length;
    expect(count('unfold')).toBe(2);
    expect(count('reduce')).toBe(1);
    expect(count('pad')).toBe(1);
    expect(count('gather')).toBe(0);
    expect(count('contiguous')).toBe(0);
    const red = toposort([y.node]).find((n) => n.op === 'reduce')!;
    // [N, O, K, P] reduced over K = C*kh*kw (axis rank-2), P = OH*OW = 6*8 last.
    expect(red.srcs[0]!.shape).toEqual([2, 4, 27, 48]);
    expect(red.arg).toEqual({ op: 'sum', axes: [2] });
  });

  it('records ConvolutionBackward0', () => {
    const w = torch.rand([2, 1, 3, 3], { requiresGrad: true });
    expect(F.conv2d(torch.rand(1, 1, 4, 4), w).gradFn?.name).toBe('ConvolutionBackward0');
  });
});

describe('conv2d errors (PyTorch messages)', () => {
  const x = torch.zeros(1, 3, 32, 32);
  it('wrong channel count', () => {
    expect(() => F.conv2d(x, torch.zeros(6, 1, 5, 5))).toThrow(
      new torch.ShapeError('conv2d: Given groups=1, weight of size [6, 1, 5, 5], expected input[1, 3, 32, 32] to have 1 channels, but got 3 channels instead'),
    );
    expect(() => F.conv2d(torch.zeros(3, 8, 8), torch.zeros(6, 1, 5, 5))).toThrow(/expected input\[1, 3, 8, 8\] to have 1 channels, but got 3 channels/);
  });
  it('kernel larger than the padded input', () => {
    expect(() => F.conv2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 5, 5))).toThrow(
      /Calculated padded input size per channel: \(4 x 4\)\. Kernel size: \(5 x 5\)\. Kernel size can't be greater than actual input size/,
    );
    expect(() => F.conv2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 3, 3), { dilation: 2 })).toThrow(/Kernel size: \(5 x 5\)/);
    expect(() => F.conv2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 5, 5), { padding: 1 })).not.toThrow();
  });
  it('input rank, weight rank, groups, bias, dtypes, options', () => {
    expect(() => F.conv2d(torch.zeros(3, 4), torch.zeros(1, 1, 1, 1))).toThrow(
      new torch.ShapeError('conv2d: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [3, 4]'),
    );
    expect(() => F.conv2d(x, torch.zeros(6, 3, 5))).toThrow(/Expected 4-dimensional weight for 4-dimensional input \[1, 3, 32, 32\], but got 3-dimensional weight/);
    expect(() => F.conv2d(x, torch.zeros(5, 1, 3, 3), { groups: 3 })).toThrow(/Given groups=3, expected weight to be divisible by 3 at dimension 0, but got weight of size \[5, 1, 3, 3\] instead/);
    expect(() => F.conv2d(x, torch.zeros(6, 3, 5, 5), torch.zeros(5))).toThrow(
      /Given weight of size \[6, 3, 5, 5\], expected bias to be 1-dimensional with 6 elements, but got bias of size \[5\] instead/,
    );
    expect(() => F.conv2d(x, torch.zeros([6, 3, 5, 5], { dtype: 'float64' }))).toThrow(torch.DTypeError);
    expect(() => F.conv2d(x, torch.zeros([6, 3, 5, 5]), { stride: 2, padding: 'same' })).toThrow(/padding='same' is not supported for strided convolutions/);
    expect(() => F.conv2d(x, torch.zeros([6, 3, 5, 5]), { padding: -1 })).toThrow(/negative padding is not supported/);
    expect(() => F.conv2d(x, torch.zeros([6, 3, 5, 5]), { stride: 0 })).toThrow(/non-positive stride is not supported/);
    expect(() => F.conv2d(x, torch.zeros([6, 3, 5, 5]), { padding: 'full' as 'same' })).toThrow(/Invalid padding string 'full'/);
    expect(() => F.conv2d(torch.zeros([1, 3, 8, 8], { dtype: 'int32' }), torch.zeros([6, 3, 5, 5], { dtype: 'int32' }))).toThrow(torch.DTypeError);
  });
});

describe('Conv2d paddingMode (reflect, replicate, circular)', () => {
  /** Pad x [N, C, H, W] by index mapping, the definition of each mode. */
  function refPadded(x: number[], xs: number[], ph: number, pw: number, mode: 'reflect' | 'replicate' | 'circular'): { data: number[]; shape: number[] } {
    const [N, C, H, W] = xs as [number, number, number, number];
    const map = (i: number, n: number): number => {
      if (mode === 'replicate') return Math.min(Math.max(i, 0), n - 1);
      if (mode === 'circular') return ((i % n) + n) % n;
      let j = i < 0 ? -i : i;
      if (j >= n) j = 2 * (n - 1) - j;
      return j;
    };
    const out: number[] = [];
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++)
        for (let h = -ph; h < H + ph; h++) for (let w = -pw; w < W + pw; w++) out.push(x[((n * C + c) * H + map(h, H)) * W + map(w, W)]!);
    return { data: out, shape: [N, C, H + 2 * ph, W + 2 * pw] };
  }

  it.each(['reflect', 'replicate', 'circular'] as const)('%s padding then a valid convolution', (mode) => {
    torch.manualSeed(4);
    const conv = new torch.nn.Conv2d(2, 3, [3, 2], { padding: [1, 2], paddingMode: mode, dtype: 'float64', device: 'interp' });
    expect(conv.toString()).toBe(`Conv2d(2, 3, kernel_size=(3, 2), stride=(1, 1), padding=(1, 2), padding_mode=${mode})`);
    const xs = [2, 2, 4, 5];
    const xv = randomValues(80, 77);
    const x = torch.tensor(nest(xv, xs) as torch.TensorData, { dtype: 'float64', device: 'interp' });
    const p = refPadded(xv, xs, 1, 2, mode);
    const ref = refConv2d(p.data, p.shape, flat(conv.weight), [3, 2, 3, 2], flat(conv.bias!), [1, 1], [[0, 0], [0, 0]], [1, 1], 1);
    const y = conv.call(x);
    expect(y.shape).toEqual(ref.shape);
    expectClose(flat(y), ref.data, { rtol: 1e-12, atol: 1e-12 });
  });
});
