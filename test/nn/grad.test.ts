/**
 * Gradients of the nn layers and losses (through `backward()`, i.e. the autodiff transform of the IR they
 * build) against central finite differences of the forward, in float64 on the interp device.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { checkGrads, dev, flat, make, type Arg } from './fd.js';
import { nest, randomValues, rng } from './reference.js';

const { nn } = torch;
const F = nn.functional;

describe('gradients vs finite differences (float64, interp)', () => {
  it('linear (x, weight, bias; leading dims)', () => {
    checkGrads((x, w, b) => F.linear(x, w, b), [{ shape: [2, 2, 3] }, { shape: [4, 3] }, { shape: [4] }]);
  });

  it('conv2d: stride, padding, dilation, groups, bias', () => {
    checkGrads((x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }), [{ shape: [1, 4, 5, 5] }, { shape: [2, 2, 2, 3] }, { shape: [2] }]);
  });

  it("conv2d padding 'same' (even kernel) and conv1d", () => {
    checkGrads((x, w) => F.conv2d(x, w, null, { padding: 'same' }), [{ shape: [2, 1, 4, 4] }, { shape: [2, 1, 2, 3] }]);
    checkGrads((x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1 }), [{ shape: [2, 2, 7] }, { shape: [3, 2, 3] }, { shape: [3] }]);
  });

  it('maxPool2d: overlapping windows, padding, ceil mode, dilation', () => {
    checkGrads((x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), [{ shape: [1, 2, 6, 5] }]);
    checkGrads((x) => F.maxPool2d(x, 2, { stride: 1, dilation: 2 }), [{ shape: [1, 1, 5, 5] }]);
  });

  it('maxPool2d and conv2d over windows that do not overlap (views by reshape): 2x2 stride 2, gaps, odd sizes', () => {
    checkGrads((x) => F.maxPool2d(x, 2), [{ shape: [2, 2, 4, 6] }]);
    checkGrads((x) => F.maxPool2d(x, 2, { stride: 3 }), [{ shape: [1, 2, 7, 8] }]);
    checkGrads((x, w) => F.conv2d(x, w, null, { stride: [3, 2], padding: [1, 0] }), [{ shape: [1, 2, 7, 5] }, { shape: [2, 2, 2, 2] }]);
  });

  it('avgPool2d (countIncludePad false, ceil mode) and adaptiveAvgPool2d (matrix and tiled paths)', () => {
    checkGrads((x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [{ shape: [1, 2, 6, 5] }]);
    checkGrads((x) => F.adaptiveAvgPool2d(x, [3, 2]), [{ shape: [2, 1, 7, 4] }]);
  });

  it('batchNorm in training (x, weight, bias) and eval mode; layerNorm', () => {
    checkGrads((x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), [{ shape: [3, 2, 2, 2] }, { shape: [2] }, { shape: [2] }]);
    const rm = make([0.3, -0.2], [2]);
    const rv = make([1.5, 0.7], [2]);
    checkGrads((x, w) => F.batchNorm(x, rm, rv, { weight: w }), [{ shape: [3, 2, 2] }, { shape: [2] }]);
    checkGrads((x, w, b) => F.layerNorm(x, [2, 3], { weight: w, bias: b }), [{ shape: [2, 2, 3] }, { shape: [2, 3] }, { shape: [2, 3] }]);
  });

  it('crossEntropy: weights, ignoreIndex, label smoothing, K-dim; probabilities (input and target); nllLoss', () => {
    const labels = torch.tensor([2, -100, 0, 1], { device: dev, dtype: 'int64' });
    const w = make([0.5, 2, 1.5], [3]);
    checkGrads((x) => F.crossEntropy(x, labels, { weight: w, labelSmoothing: 0.2 }), [{ shape: [4, 3] }]);
    checkGrads((x) => F.crossEntropy(x, labels, { reduction: 'sum' }), [{ shape: [4, 3] }]);
    const lk = torch.tensor([[[0, 2], [1, 1]]], { device: dev, dtype: 'int64' });
    checkGrads((x) => F.crossEntropy(x, lk, { reduction: 'none', ignoreIndex: 1 }), [{ shape: [1, 3, 2, 2] }]);
    checkGrads((x, t) => F.crossEntropy(x, t, { labelSmoothing: 0.1 }), [{ shape: [3, 4] }, { shape: [3, 4], values: randomValues(12, 5, 0, 1) }]);
    checkGrads((x) => F.nllLoss(x, labels, { weight: w }), [{ shape: [4, 3] }]);
  });

  it('mse, l1, smoothL1, huber (input and target), bce (weights), bceWithLogits (posWeight)', () => {
    checkGrads((x, y) => F.mseLoss(x, y), [{ shape: [2, 3] }, { shape: [3] }]);
    // Away from the kinks at d = 0 and |d| = beta.
    const a = [0.9, -1.2, 0.35, 2.0, -0.6, 0.05];
    const b = [0.1, 0.3, -0.4, 0.2, 0.9, 1.3];
    checkGrads((x, y) => F.l1Loss(x, y), [{ shape: [6], values: a }, { shape: [6], values: b }]);
    checkGrads((x, y) => F.smoothL1Loss(x, y, { beta: 0.5 }), [{ shape: [6], values: a }, { shape: [6], values: b }]);
    checkGrads((x, y) => F.huberLoss(x, y, { delta: 0.7, reduction: 'sum' }), [{ shape: [6], values: a }, { shape: [6], values: b }]);
    const p = [0.1, 0.5, 0.8, 0.3];
    const t = [0, 1, 0.7, 0.2];
    checkGrads((x, y) => F.binaryCrossEntropy(x, y, { weight: make([1, 2, 3, 4], [4]) }), [{ shape: [4], values: p }, { shape: [4], values: t }]);
    checkGrads((x, y) => F.binaryCrossEntropyWithLogits(x, y, { posWeight: make([2, 0.5, 1, 3], [4]) }), [{ shape: [4] }, { shape: [4], values: t }]);
  });

  it('activations: gelu (both forms), silu, leakyRelu, elu, softplus', () => {
    const x: Arg = { shape: [7], values: [-2.1, -0.7, -0.2, 0.15, 0.6, 1.3, 2.4] };
    for (const fn of [
      (v: torch.Tensor) => F.gelu(v),
      (v: torch.Tensor) => F.gelu(v, { approximate: 'tanh' }),
      (v: torch.Tensor) => F.silu(v),
      (v: torch.Tensor) => F.leakyRelu(v, 0.1),
      (v: torch.Tensor) => F.elu(v, 1.3),
      (v: torch.Tensor) => F.softplus(v, { beta: 2 }),
    ]) {
      checkGrads(fn, [x]);
    }
  });

  it('embedding: rows accumulate the gradients of their lookups; the padding row gets none', () => {
    const w = make(randomValues(12, 3), [4, 3], true);
    const idx = torch.tensor([[0, 2], [2, 3], [0, 0]], { device: dev, dtype: 'int64' });
    F.embedding(idx, w, { paddingIdx: 3 }).sum().backward();
    expect(w.grad!.tolist()).toEqual([[3, 3, 3], [0, 0, 0], [2, 2, 2], [0, 0, 0]]);
    checkGrads((v) => F.embedding(idx, v), [{ shape: [4, 3] }]);
  });

  it('dropout: the gradient is the mask scaled by 1/(1-p), the same mask as the forward', () => {
    const x = torch.ones([50], { dtype: 'float64', device: dev, requiresGrad: true });
    const y = F.dropout(x, 0.4);
    y.sum().backward();
    expectClose(flat(x.grad!), flat(y), { rtol: 1e-15 });
    expect(flat(y).some((v) => v === 0)).toBe(true);
  });

  it('a small conv net as modules: backward() gives every parameter the finite-difference gradient of the loss', () => {
    torch.manualSeed(2);
    const f = { dtype: 'float64' as const, device: dev };
    const net = new nn.Sequential(new nn.Conv2d(1, 2, 3, { padding: 1, ...f }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(8, 3, f));
    const x = make(randomValues(2 * 16, 8), [2, 1, 4, 4]);
    const labels = torch.tensor([1, 2], { device: dev, dtype: 'int64' });
    const lossOf = (): torch.Tensor => F.crossEntropy(net.call(x), labels);
    lossOf().backward();
    const eps = 1e-6;
    for (const p of net.parameters()) {
      const base = flat(p);
      const set = (v: number[]): void => void torch.noGrad(() => p.copy_(make(v, p.shape)));
      const numeric = base.map((v, j) => {
        const xs = [...base];
        xs[j] = v + eps;
        set(xs);
        const fp = torch.noGrad(() => lossOf().item());
        xs[j] = v - eps;
        set(xs);
        const fm = torch.noGrad(() => lossOf().item());
        set(base);
        return (fp - fm) / (2 * eps);
      });
      expectClose(flat(p.grad!), numeric, { rtol: 1e-5, atol: 1e-8 });
    }
  });
});
