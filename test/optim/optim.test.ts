import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { optim } from '../../src/index.js';
import { expectClose } from '../helpers.js';

/** A leaf parameter and a way to set its gradient by hand, so updates can be checked against the equations. */
function param(values: number[]): torch.Tensor {
  return torch.tensor(values, { dtype: 'float64', requiresGrad: true });
}
const grads = [
  [0.5, -1.0, 2.0],
  [0.1, 0.3, -0.2],
  [-0.4, 0.0, 1.5],
];

describe('SGD follows PyTorch update equations step by step', () => {
  const cases = [
    { lr: 0.1 },
    { lr: 0.1, momentum: 0.9 },
    { lr: 0.05, momentum: 0.9, dampening: 0.1 },
    { lr: 0.05, momentum: 0.8, nesterov: true },
    { lr: 0.1, momentum: 0.5, weightDecay: 0.01 },
    { lr: 0.1, maximize: true },
  ];
  it.each(cases)('%o', (opts) => {
    const p = param([1, 2, 3]);
    const opt = new optim.SGD([p], opts);
    // Reference, written from PyTorch's documented algorithm.
    let ref = [1, 2, 3];
    let buf: number[] | null = null;
    const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = opts as { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; maximize?: boolean };
    for (const g0 of grads) {
      p.grad = torch.tensor(g0, { dtype: 'float64' });
      opt.step();
      let g = g0.map((x, i) => (maximize ? -x : x) + weightDecay * ref[i]!);
      if (momentum !== 0) {
        buf = buf === null ? [...g] : buf.map((b, i) => momentum * b + (1 - dampening) * g[i]!);
        g = nesterov ? g.map((x, i) => x + momentum * buf![i]!) : buf;
      }
      ref = ref.map((x, i) => x - lr * g[i]!);
      expectClose(p.tolist(), ref, { rtol: 1e-12 });
    }
  });
  it('rejects bad hyperparameters', () => {
    expect(() => new optim.SGD([param([1])], { lr: -1 })).toThrow(/Invalid learning rate/);
    expect(() => new optim.SGD([param([1])], { lr: 0.1, nesterov: true })).toThrow(/Nesterov/);
  });
});

describe('Adam and AdamW follow PyTorch update equations step by step', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['Adam', { lr: 0.1 }],
    ['Adam', { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }],
    ['Adam', { lr: 0.05, amsgrad: true }],
    ['AdamW', { lr: 0.1 }],
    ['AdamW', { lr: 0.1, weightDecay: 0.2 }],
  ];
  it.each(cases)('%s %o', (kind, opts) => {
    const p = param([1, -2, 3]);
    const Opt = kind === 'Adam' ? optim.Adam : optim.AdamW;
    const opt = new Opt([p], opts);
    const lr = opts.lr as number;
    const [b1, b2] = (opts.betas as [number, number]) ?? [0.9, 0.999];
    const eps = (opts.eps as number) ?? 1e-8;
    const wd = (opts.weightDecay as number) ?? (kind === 'AdamW' ? 0.01 : 0);
    let ref = [1, -2, 3];
    let m = [0, 0, 0];
    let v = [0, 0, 0];
    let vmax = [0, 0, 0];
    grads.forEach((g0, t0) => {
      const t = t0 + 1;
      p.grad = torch.tensor(g0, { dtype: 'float64' });
      opt.step();
      if (kind === 'AdamW') ref = ref.map((x) => x * (1 - lr * wd));
      const g = kind === 'Adam' ? g0.map((x, i) => x + wd * ref[i]!) : g0;
      m = m.map((x, i) => b1 * x + (1 - b1) * g[i]!);
      v = v.map((x, i) => b2 * x + (1 - b2) * g[i]! * g[i]!);
      vmax = vmax.map((x, i) => Math.max(x, v[i]!));
      const vh = opts.amsgrad ? vmax : v;
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      ref = ref.map((x, i) => x - (lr / bc1) * (m[i]! / (Math.sqrt(vh[i]!) / Math.sqrt(bc2) + eps)));
      expectClose(p.tolist(), ref, { rtol: 1e-12 });
    });
  });
});

describe('learning-rate schedulers', () => {
  it('StepLR multiplies by gamma every stepSize epochs', () => {
    const opt = new optim.SGD([param([1])], { lr: 1 });
    const s = new optim.lr_scheduler.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const seen: number[] = [];
    for (let e = 0; e < 6; e++) {
      seen.push(opt.paramGroups[0]!.lr);
      s.step();
    }
    expect(seen).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
  });
  it('CosineAnnealingLR follows the closed form', () => {
    const opt = new optim.SGD([param([1])], { lr: 0.1 });
    const s = new optim.lr_scheduler.CosineAnnealingLR(opt, { TMax: 4, etaMin: 0.01 });
    const seen: number[] = [];
    for (let e = 0; e < 5; e++) {
      seen.push(opt.paramGroups[0]!.lr);
      s.step();
    }
    expectClose(seen, [0, 1, 2, 3, 4].map((e) => 0.01 + (0.09 * (1 + Math.cos((Math.PI * e) / 4))) / 2), { rtol: 1e-12 });
  });
});

describe('optimizer state dict', () => {
  it('round-trips momentum so a restored optimizer continues identically', () => {
    const p1 = param([1, 2, 3]);
    const o1 = new optim.SGD([p1], { lr: 0.1, momentum: 0.9 });
    p1.grad = torch.tensor(grads[0]!, { dtype: 'float64' });
    o1.step();
    const p2 = param(p1.tolist() as number[]);
    const o2 = new optim.SGD([p2], { lr: 0.5, momentum: 0.9 });
    o2.loadStateDict(o1.stateDict());
    expect(o2.paramGroups[0]!.lr).toBe(0.1);
    for (const [p, o] of [[p1, o1], [p2, o2]] as const) {
      p.grad = torch.tensor(grads[1]!, { dtype: 'float64' });
      o.step();
    }
    expectClose(p2.tolist(), p1.tolist(), { rtol: 1e-15 });
  });
});

describe('a training step is one realization', () => {
  it('computes the loss with the step (loss.item() afterwards computes nothing)', () => {
    const w = torch.tensor([0.5, -0.25], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1 });
    const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    const loss = x.matmul(w).sub(1).pow(2).mean();
    loss.backward();
    opt.step();
    // realized by the step, before anyone asked for its value
    expect(loss._root._value!.op).toBe('buffer');
    expectClose(loss.item(), ((1 * 0.5 - 2 * 0.25 - 1) ** 2 + (3 * 0.5 - 4 * 0.25 - 1) ** 2) / 2, { rtol: 1e-12 });
  });
});
