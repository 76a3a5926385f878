import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { nest, randomValues } from './reference.js';

const { nn } = torch;
const F = nn.functional;
const flat = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);
const dev = 'interp';
const T = (vals: number[], shape: number[]): torch.Tensor => torch.tensor(nest(vals, shape) as torch.TensorData, { dtype: 'float64', device: dev });

/** Per-channel (axis 1) values of x [N, C, S]. */
function channelValues(x: number[], N: number, C: number, S: number): number[][] {
  return Array.from({ length: C }, (_, c) => {
    const v: number[] = [];
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) v.push(x[(n * C + c) * S + s]!);
    return v;
  });
}
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const biasedVar = (v: number[]): number => {
  const m = mean(v);
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
};

/** Reference batch norm with given per-channel statistics. */
function refNorm(x: number[], _N: number, C: number, S: number, m: number[], v: number[], w: number[], b: number[], eps: number): number[] {
  return x.map((val, i) => {
    const c = Math.floor(i / S) % C;
    return ((val - m[c]!) / Math.sqrt(v[c]! + eps)) * w[c]! + b[c]!;
  });
}

describe('batchNorm', () => {
  const [N, C, H, W] = [4, 3, 2, 3];
  const S = H * W;
  const shape = [N, C, H, W];
  const x1 = randomValues(N * C * S, 1, -2, 3);
  const x2 = randomValues(N * C * S, 2, -1, 4);
  const w = randomValues(C, 3);
  const b = randomValues(C, 4);

  it('training: batch statistics (biased variance) normalize; running stats update with the unbiased variance, momentum 0.1', () => {
    const bn = new nn.BatchNorm2d(C, { dtype: 'float64', device: dev });
    torch.noGrad(() => {
      bn.weight!.copy_(T(w, [C]));
      bn.bias!.copy_(T(b, [C]));
    });
    const y = bn.call(T(x1, shape));
    const cv = channelValues(x1, N, C, S);
    const m1 = cv.map(mean);
    const v1 = cv.map(biasedVar);
    expectClose(flat(y), refNorm(x1, N, C, S, m1, v1, w, b, 1e-5), { rtol: 1e-12, atol: 1e-12 });
    const n = N * S;
    expectClose(flat(bn.running_mean!), m1.map((m) => 0.1 * m), { rtol: 1e-12, atol: 1e-14 });
    expectClose(flat(bn.running_var!), v1.map((v) => 0.9 + (0.1 * v * n) / (n - 1)), { rtol: 1e-12 });
    expect(bn.num_batches_tracked!.item()).toBe(1);
    expect(bn.num_batches_tracked!.dtype).toBe('int64');

    // A second batch accumulates on top of the first.
    bn.call(T(x2, shape));
    const cv2 = channelValues(x2, N, C, S);
    const rm2 = cv2.map((v, c) => 0.9 * 0.1 * m1[c]! + 0.1 * mean(v));
    const rv2 = cv2.map((v, c) => 0.9 * (0.9 + (0.1 * v1[c]! * n) / (n - 1)) + (0.1 * biasedVar(v) * n) / (n - 1));
    expectClose(flat(bn.running_mean!), rm2, { rtol: 1e-12, atol: 1e-14 });
    expectClose(flat(bn.running_var!), rv2, { rtol: 1e-12 });
    expect(bn.num_batches_tracked!.item()).toBe(2);

    // eval: the running statistics normalize, and nothing is updated.
    bn.eval();
    const ye = bn.call(T(x1, shape));
    expectClose(flat(ye), refNorm(x1, N, C, S, rm2, rv2, w, b, 1e-5), { rtol: 1e-12, atol: 1e-12 });
    expectClose(flat(bn.running_mean!), rm2, { rtol: 1e-12, atol: 1e-14 });
    expect(bn.num_batches_tracked!.item()).toBe(2);
  });

  it('running statistics are realized with the next realization (their graph does not grow)', () => {
    const bn = new nn.BatchNorm2d(C, { dtype: 'float64', device: dev });
    for (let step = 0; step < 3; step++) {
      const y = bn.call(T(x1, shape));
      expect(bn.running_mean!.node.op).not.toBe('buffer');
      y.sum().item();
      expect(bn.running_mean!.node.op).toBe('buffer');
      expect(bn.running_var!.node.op).toBe('buffer');
      expect(bn.num_batches_tracked!.node.op).toBe('buffer');
    }
    expect(bn.num_batches_tracked!.item()).toBe(3);
  });

  it('running statistics carry no gradient and do not depend on the parameters afterwards', () => {
    const bn = new nn.BatchNorm2d(C, { dtype: 'float64', device: dev });
    const xin = torch.tensor(nest(x1, shape) as torch.TensorData, { dtype: 'float64', device: dev, requiresGrad: true });
    const y = bn.call(xin);
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn?.name).toBe('NativeBatchNormBackward0');
    expect(bn.running_mean!.requiresGrad).toBe(false);
    expect(bn.running_mean!.gradFn).toBeNull();
  });

  it('momentum null: a cumulative average', () => {
    const bn = new nn.BatchNorm2d(C, { momentum: null, dtype: 'float64', device: dev });
    bn.call(T(x1, shape));
    bn.call(T(x2, shape));
    const m = channelValues(x1, N, C, S).map((v, c) => (mean(v) + mean(channelValues(x2, N, C, S)[c]!)) / 2);
    expectClose(flat(bn.running_mean!), m, { rtol: 1e-12, atol: 1e-14 });
    expect(bn.toString()).toBe('BatchNorm2d(3, eps=1e-05, momentum=None, affine=True, track_running_stats=True)');
  });

  it('BatchNorm1d on [N, C] and [N, C, L]; no affine; no running stats', () => {
    const bn = new nn.BatchNorm1d(C, { affine: false, dtype: 'float64', device: dev });
    expect(bn.parameters()).toHaveLength(0);
    const x2d = x1.slice(0, 5 * C);
    const y = bn.call(T(x2d, [5, C]));
    const cv = channelValues(x2d, 5, C, 1);
    expectClose(flat(y), refNorm(x2d, 5, C, 1, cv.map(mean), cv.map(biasedVar), [1, 1, 1], [0, 0, 0], 1e-5), { rtol: 1e-12, atol: 1e-12 });
    const y3 = bn.call(T(x1, [N, C, S]));
    const cv3 = channelValues(x1, N, C, S);
    expectClose(flat(y3), refNorm(x1, N, C, S, cv3.map(mean), cv3.map(biasedVar), [1, 1, 1], [0, 0, 0], 1e-5), { rtol: 1e-12, atol: 1e-12 });

    const free = new nn.BatchNorm1d(C, { trackRunningStats: false, dtype: 'float64', device: dev });
    expect(free.running_mean).toBeNull();
    expect(Object.keys(free.stateDict())).toEqual(['weight', 'bias']);
    free.eval();
    // Without running statistics, eval mode still normalizes with the batch's.
    expectClose(flat(free.call(T(x2d, [5, C]))), flat(y), { rtol: 1e-12, atol: 1e-12 });
  });

  it('F.batchNorm in eval mode with given statistics; errors', () => {
    const rm = T([0.5, -1, 2], [C]);
    const rv = T([1.5, 0.25, 4], [C]);
    const y = F.batchNorm(T(x1, shape), rm, rv, { weight: T(w, [C]), bias: T(b, [C]), eps: 1e-3 });
    expectClose(flat(y), refNorm(x1, N, C, S, [0.5, -1, 2], [1.5, 0.25, 4], w, b, 1e-3), { rtol: 1e-12, atol: 1e-12 });
    expect(() => new nn.BatchNorm2d(3).call(torch.zeros(2, 3, 4))).toThrow(/expected 4D input \(got 3D input\)/);
    expect(() => new nn.BatchNorm1d(3).call(torch.zeros(2, 3, 4, 5))).toThrow(/expected 2D or 3D input \(got 4D input\)/);
    expect(() => new nn.BatchNorm1d(3).call(torch.zeros(1, 3))).toThrow(/Expected more than 1 value per channel when training, got input size torch.Size\(\[1, 3\]\)/);
    expect(() => new nn.BatchNorm2d(4).call(torch.zeros(2, 3, 2, 2))).toThrow(/running_mean should contain 3 elements not 4/);
    expect(() => F.batchNorm(torch.zeros(2, 3), null, null)).toThrow(/must be defined in evaluation mode/);
  });
});

describe('layerNorm', () => {
  const xs = [2, 3, 4];
  const x = randomValues(24, 11, -3, 3);
  const refLN = (k: number, w?: number[], b?: number[]): number[] => {
    const size = xs.slice(3 - k).reduce((a, c) => a * c, 1);
    const out: number[] = [];
    for (let g = 0; g < 24 / size; g++) {
      const v = x.slice(g * size, (g + 1) * size);
      const m = mean(v);
      const s = Math.sqrt(biasedVar(v) + 1e-5);
      v.forEach((val, i) => out.push(((val - m) / s) * (w ? w[i]! : 1) + (b ? b[i]! : 0)));
    }
    return out;
  };
  it('over the last dim and the last two dims, with and without affine', () => {
    const t = T(x, xs);
    expectClose(flat(F.layerNorm(t, 4)), refLN(1), { rtol: 1e-12, atol: 1e-12 });
    const w = randomValues(12, 12);
    const b = randomValues(12, 13);
    expectClose(flat(F.layerNorm(t, [3, 4], { weight: T(w, [3, 4]), bias: T(b, [3, 4]) })), refLN(2, w, b), { rtol: 1e-12, atol: 1e-12 });
    const ln = new nn.LayerNorm([3, 4], { dtype: 'float64', device: dev });
    expect(ln.weight!.shape).toEqual([3, 4]);
    expectClose(flat(ln.call(t)), refLN(2), { rtol: 1e-12, atol: 1e-12 });
    expect(ln.toString()).toBe('LayerNorm((3, 4), eps=1e-05, elementwise_affine=True)');
    expect(new nn.LayerNorm(10).toString()).toBe('LayerNorm((10,), eps=1e-05, elementwise_affine=True)');
    expect(new nn.LayerNorm(10, { elementwiseAffine: false }).parameters()).toHaveLength(0);
    expect(ln.call(torch.tensor(nest(x, xs) as torch.TensorData, { dtype: 'float64', device: dev, requiresGrad: true })).gradFn?.name).toBe('NativeLayerNormBackward0');
  });
  it('errors', () => {
    expect(() => F.layerNorm(torch.zeros(2, 5), 10)).toThrow(/Given normalized_shape=\[10\], expected input with shape \[\*, 10\], but got input of size\[2, 5\]/);
    expect(() => F.layerNorm(torch.zeros(2, 5), 5, { weight: torch.zeros(4) })).toThrow(/Expected weight to be of same shape as normalized_shape/);
  });
});
