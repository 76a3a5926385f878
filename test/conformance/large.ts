/**
 * The ops of scripts/conformance/cases/large.py: inputs from a formula of the element index (the same
 * doubles on both sides, rounded to float32 alike), results and gradients summarized as
 * [sum |x|, sum x², max, min, 16 elements].
 */
import * as torch from '../../src/index.js';
import type { OpFn } from './ops.js';

type Tensor = torch.Tensor;
const F = torch.nn.functional;

function pattern(shape: number[], seed: number, requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = ((i * 7919 + seed * 104729) % 2003) / 1001.5 - 1.0;
  return torch.tensor(v).reshape(shape).detach().requiresGrad_(requiresGrad);
}

const weight = (shape: number[], seed: number): Tensor => pattern(shape, seed).mul(0.5).add(1);

function summary(t: Tensor): Tensor {
  const f = t.detach().reshape(-1);
  const step = Math.max(1, Math.floor(f.numel() / 16));
  const picks = f.index(`::${step}`).index(':16');
  return torch.cat([torch.stack([f.abs().sum(), f.mul(f).sum(), f.max(), f.min()]), picks]);
}

function withGrads(fn: (...xs: Tensor[]) => Tensor, shapes: number[][]): Tensor[] {
  const xs = shapes.map((s, k) => pattern(s, k + 1, true));
  const out = fn(...xs);
  const gs = torch.autograd.grad(out.mul(weight(out.shape, 99)).sum(), xs);
  return [summary(out), ...gs.map((g) => summary(g!))];
}

const n = (a: unknown): number => a as number;

export const LARGE: Record<string, OpFn> = {
  large_matmul: ([m, k, c]) => withGrads((a, b) => torch.matmul(a, b), [[n(m), n(k)], [n(k), n(c)]]),
  large_bmm: ([b, m, k, c]) => withGrads((x, y) => torch.bmm(x, y), [[n(b), n(m), n(k)], [n(b), n(k), n(c)]]),
  large_linear: ([m, k, c]) => withGrads((x, w, b) => F.linear(x, w, b), [[n(m), n(k)], [n(c), n(k)], [n(c)]]),
  large_sum: ([len]) => withGrads((x) => x.sum().reshape(1), [[n(len)]]),
  large_sum_dim: ([r, c, d]) => withGrads((x) => x.sum(n(d)), [[n(r), n(c)]]),
  large_mean_var: ([r, c, d]) => withGrads((x) => x.var(n(d)).add(x.mean(n(d))), [[n(r), n(c)]]),
  large_max_dim: ([r, c, d]) => withGrads((x) => x.max(n(d)).values.mul(1.5), [[n(r), n(c)]]),
  large_transpose: ([r, c]) => withGrads((x) => x.t().contiguous().mul(torch.arange(n(r), { dtype: 'float32' })), [[n(r), n(c)]]),
  large_softmax: ([r, c]) => withGrads((x) => torch.softmax(x.mul(3), 1), [[n(r), n(c)]]),
  large_logsumexp: ([r, c]) => withGrads((x) => torch.logsumexp(x.mul(4), 1), [[n(r), n(c)]]),
  large_cumsum: ([len]) => withGrads((x) => torch.cumsum(x, 0), [[n(len)]]),
  large_layer_norm: ([r, c]) => withGrads((x, w, b) => F.layerNorm(x, [n(c)], { weight: w, bias: b }), [[n(r), n(c)], [n(c)], [n(c)]]),
  large_batch_norm: ([b, c, h]) => withGrads((x) => F.batchNorm(x, null, null, { training: true }), [[n(b), n(c), n(h), n(h)]]),
  large_conv2d: ([b, c, o, h]) => withGrads((x, w) => F.conv2d(x, w, { padding: 1 }), [[n(b), n(c), n(h), n(h)], [n(o), n(c), 3, 3]]),
  large_conv2d_strided: ([b, c, o, h]) =>
    withGrads((x, w) => F.conv2d(x, w, { stride: 2, dilation: 2 }), [[n(b), n(c), n(h), n(h)], [n(o), n(c), 3, 3]]),
  large_max_pool: ([b, c, h]) => withGrads((x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }), [[n(b), n(c), n(h), n(h)]]),
  large_cross_entropy: ([b, c]) =>
    withGrads((x) => F.crossEntropy(x.mul(3), torch.arange(n(b)).remainder(n(c))).reshape(1), [[n(b), n(c)]]),
};
