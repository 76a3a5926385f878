/**
 * A training step is one program: a small MLP's forward, its backward (the autodiff transform's gradient
 * nodes) and the SGD update realize together, as a few fused kernels, not one kernel per op. The values are
 * checked against a float64 forward/backward written out by hand below.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { CpuDevice, getDevice } from '../../src/runtime/index.js';
import { expectClose } from '../helpers.js';

const { nn } = torch;
const F = nn.functional;
const cpu = getDevice('cpu') as CpuDevice;

const B = 8;
const IN = 16;
const HID = 32;
const OUT = 4;
const LR = 0.1;

type Mat = number[][];
const mat = (t: torch.Tensor): Mat => t.tolist() as Mat;

/** One SGD step of relu(x W1^T + b1) W2^T + b2 with mean cross entropy, in float64, by hand. */
function referenceStep(x: Mat, y: number[], w1: Mat, b1: number[], w2: Mat, b2: number[]) {
  const h = x.map((xr) => w1.map((wr, j) => Math.max(0, wr.reduce((s, w, k) => s + w * xr[k]!, b1[j]!))));
  const logits = h.map((hr) => w2.map((wr, j) => wr.reduce((s, w, k) => s + w * hr[k]!, b2[j]!)));
  let loss = 0;
  // d loss / d logits = (softmax - onehot) / B
  const dl = logits.map((lr, i) => {
    const m = Math.max(...lr);
    const e = lr.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    loss += (Math.log(z) + m - lr[y[i]!]!) / B;
    return e.map((v, j) => (v / z - (j === y[i] ? 1 : 0)) / B);
  });
  const gw2 = w2.map((_, j) => h[0]!.map((_, k) => dl.reduce((s, d, i) => s + d[j]! * h[i]![k]!, 0)));
  const gb2 = b2.map((_, j) => dl.reduce((s, d) => s + d[j]!, 0));
  const dh = h.map((hr, i) => hr.map((hv, k) => (hv > 0 ? dl[i]!.reduce((s, d, j) => s + d * w2[j]![k]!, 0) : 0)));
  const gw1 = w1.map((_, j) => x[0]!.map((_, k) => dh.reduce((s, d, i) => s + d[j]! * x[i]![k]!, 0)));
  const gb1 = b1.map((_, j) => dh.reduce((s, d) => s + d[j]!, 0));
  const upd = (w: Mat, g: Mat) => w.map((r, i) => r.map((v, j) => v - LR * g[i]![j]!));
  const updv = (b: number[], g: number[]) => b.map((v, i) => v - LR * g[i]!);
  return { loss, w1: upd(w1, gw1), b1: updv(b1, gb1), w2: upd(w2, gw2), b2: updv(b2, gb2) };
}

describe('a training step compiles as one program', () => {
  test('MLP forward + backward + SGD update: one realization, a few fused kernels, values as by hand', () => {
    torch.manualSeed(3);
    const l1 = new nn.Linear(IN, HID);
    const l2 = new nn.Linear(HID, OUT);
    const net = new nn.Sequential(l1, new nn.ReLU(), l2);
    const opt = new torch.optim.SGD(net.parameters(), { lr: LR });
    const x = torch.randn(B, IN).realize();
    const y = torch.tensor([0n, 1n, 2n, 3n, 3n, 2n, 1n, 0n]);

    const want = referenceStep(mat(x), y.tolist() as number[], mat(l1.weight), l1.bias!.tolist() as number[], mat(l2.weight), l2.bias!.tolist() as number[]);

    const before = { ...cpu.stats };
    opt.zeroGrad();
    const loss = F.crossEntropy(net.call(x), y);
    loss.backward();
    // The first layer's gradient is pending: its graph holds forward and backward, one node per line.
    const graphOps = torch.ir.print(l1.weight.grad!).split('\n').length;
    opt.step();
    expect(cpu.stats.realizations - before.realizations).toBe(1);
    const kernels = cpu.stats.kernelsRun - before.kernelsRun;
    expect(kernels).toBeGreaterThan(0);
    expect(kernels).toBeLessThanOrEqual(12);
    expect(graphOps).toBeGreaterThan(3 * kernels);

    // The loss was computed in the step's program: reading it runs nothing more.
    const lossValue = loss.item();
    expect(cpu.stats.realizations - before.realizations).toBe(1);
    expect(lossValue).toBeCloseTo(want.loss, 5);
    expectClose(l1.weight.dataSync(), want.w1.flat(), { rtol: 1e-4, atol: 1e-5 });
    expectClose(l1.bias!.dataSync(), want.b1, { rtol: 1e-4, atol: 1e-5 });
    expectClose(l2.weight.dataSync(), want.w2.flat(), { rtol: 1e-4, atol: 1e-5 });
    expectClose(l2.bias!.dataSync(), want.b2, { rtol: 1e-4, atol: 1e-5 });
  });
});
