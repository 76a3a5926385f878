/**
 * Module-level conformance with PyTorch 1.13 (fixture: scripts/conformance/cases/modules.py): state_dict keys,
 * printed modules, a small conv net's forward/backward/running statistics from PyTorch's weights, optimizer
 * steps on a small MLP, and default initializations (statistical checks: bounds and moments).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { nn } from '../../src/index.js';
import type { TensorRecord } from './fixture.js';
import { compareTensor, makeInput } from './replay.js';

type Tensor = torch.Tensor;

interface ModulesFixture {
  torch: string;
  stateDictKeys: Record<string, [string, number[], string][]>;
  namedParameters: string[];
  repr: Record<string, string>;
  small: {
    state: Record<string, TensorRecord>;
    x: TensorRecord;
    y: TensorRecord;
    out: TensorRecord;
    loss: TensorRecord;
    gradFn: string;
    grads: Record<string, TensorRecord>;
    buffersAfter: Record<string, TensorRecord>;
    evalOut: TensorRecord;
  };
  optimizers: {
    state: Record<string, TensorRecord>;
    x: TensorRecord;
    y: TensorRecord;
    runs: Record<string, { losses: number[]; params: Record<string, TensorRecord> }>;
  };
  init: Record<string, { fanIn?: number; weightBound?: number; biasBound?: number; weightStd?: number; biasStd?: number; weightShape?: number[]; mean?: number; std?: number }>;
}

const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/modules.json', import.meta.url)), 'utf8')) as ModulesFixture;

/** The LeNet-like net of modules.py, field for field. */
class LeNet extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.BatchNorm2d(6),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2, { stride: 2 }),
  );
  flatten = new nn.Flatten();
  fc1 = new nn.Linear(400, 120);
  bn = new nn.BatchNorm1d(120, { momentum: 0.2 });
  fc2 = new nn.Linear(120, 84);
  heads = new nn.ModuleList([new nn.Linear(84, 10), new nn.Linear(84, 2, { bias: false })]);
  drop = new nn.Dropout(0.25);
  emb = new nn.Embedding(10, 3, { paddingIdx: 0 });
  ln = new nn.LayerNorm([3], { eps: 1e-6 });
  pool = new nn.AdaptiveAvgPool2d([1, 1]);
  act = new nn.GELU('tanh');
}

class Small extends nn.Module {
  conv = new nn.Conv2d(1, 2, 3, { padding: 1, bias: false });
  bn = new nn.BatchNorm2d(2);
  pool = new nn.MaxPool2d(2);
  fc = new nn.Linear(18, 3);
  override forward(x: Tensor): Tensor {
    return this.fc.call(torch.flatten(this.pool.call(torch.relu(this.bn.call(this.conv.call(x)))), 1));
  }
}

/** The optimizer cases' model. */
class Mlp extends nn.Module {
  fc1 = new nn.Linear(4, 5);
  fc2 = new nn.Linear(5, 3);
  override forward(x: Tensor): Tensor {
    return this.fc2.call(torch.tanh(this.fc1.call(x)));
  }
}

function expectMatches(what: string, t: Tensor, r: TensorRecord, tol?: [number, number]): void {
  const problems = compareTensor(what, t, r, 'values', tol);
  if (problems.length) expect.fail(problems.map((p) => p.detail).join('\n'));
}

function loadedSmall(): Small {
  const net = new Small();
  const state: Record<string, Tensor> = {};
  for (const [k, r] of Object.entries(fixture.small.state)) state[k] = makeInput(r, 'cpu');
  net.loadStateDict(state);
  return net;
}

describe(`PyTorch ${fixture.torch} conformance: modules`, () => {
  it('state_dict keys, shapes and dtypes of a LeNet-like net and of BatchNorm2d', () => {
    const describeState = (m: nn.Module): [string, number[], string][] => Object.entries(m.stateDict()).map(([k, v]) => [k, v.shape, v.dtype]);
    expect(describeState(new LeNet())).toEqual(fixture.stateDictKeys.lenet);
    expect(describeState(new nn.BatchNorm2d(4))).toEqual(fixture.stateDictKeys.batchnorm2d);
    expect(new LeNet().namedParameters().map(([k]) => k)).toEqual(fixture.namedParameters);
  });

  it('modules print as PyTorch prints them', () => {
    const made: Record<string, nn.Module> = {
      lenet: new LeNet(),
      'conv2d-full': new nn.Conv2d(2, 4, [3, 5], { stride: [2, 1], padding: 1, dilation: 2, groups: 2, bias: false, paddingMode: 'reflect' }),
      'maxpool-ceil': new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
      avgpool: new nn.AvgPool2d(2, { countIncludePad: false }),
      'batchnorm-no-track': new nn.BatchNorm1d(5, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false }),
      'leaky-relu': new nn.LeakyReLU(0.2),
      softmax: new nn.Softmax(1),
      sequential: new nn.Sequential(new nn.Linear(2, 3), new nn.Tanh(), new nn.Sigmoid(), new nn.Identity()),
    };
    expect(Object.keys(made).sort()).toEqual(Object.keys(fixture.repr).sort());
    for (const [name, m] of Object.entries(made)) expect(m.toString(), name).toBe(fixture.repr[name]);
  });

  it("a small conv net from PyTorch's weights: forward, loss, parameter gradients, running statistics, eval", () => {
    const s = fixture.small;
    const net = loadedSmall();
    const x = makeInput(s.x, 'cpu');
    const y = makeInput(s.y, 'cpu');
    const out = net.call(x) as Tensor;
    expect(out.gradFn?.name).toBe(s.gradFn);
    const loss = nn.functional.crossEntropy(out, y);
    loss.backward();
    expectMatches('output', out, s.out, [1e-5, 1e-5]);
    expectMatches('loss', loss, s.loss);
    const params = Object.fromEntries(net.namedParameters());
    expect(Object.keys(params).sort()).toEqual(Object.keys(s.grads).sort());
    for (const [k, r] of Object.entries(s.grads)) expectMatches(`grad of ${k}`, params[k]!.grad!, r, [1e-4, 1e-5]);
    const state = net.stateDict();
    for (const [k, r] of Object.entries(s.buffersAfter)) expectMatches(`${k} after the step`, state[k]!, r);
    net.eval();
    expectMatches('eval output', torch.noGrad(() => net.call(x) as Tensor), s.evalOut, [1e-5, 1e-5]);
  });

  const makers: Record<string, (ps: Tensor[]) => torch.optim.Optimizer> = {
    sgd: (ps) => new torch.optim.SGD(ps, { lr: 0.1 }),
    'sgd-momentum-nesterov-wd': (ps) => new torch.optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
    'sgd-dampening': (ps) => new torch.optim.SGD(ps, { lr: 0.05, momentum: 0.8, dampening: 0.3 }),
    adam: (ps) => new torch.optim.Adam(ps, { lr: 0.01 }),
    'adam-amsgrad-wd': (ps) => new torch.optim.Adam(ps, { lr: 0.01, betas: [0.8, 0.9], weightDecay: 0.1, amsgrad: true }),
    adamw: (ps) => new torch.optim.AdamW(ps, { lr: 0.01, weightDecay: 0.1 }),
  };
  it.each(Object.keys(fixture.optimizers.runs))('three steps of %s from the same weights: losses and parameters', (name) => {
    const o = fixture.optimizers;
    const want = o.runs[name]!;
    const net = new Mlp();
    net.loadStateDict(Object.fromEntries(Object.entries(o.state).map(([k, r]) => [k, makeInput(r, 'cpu')])));
    const x = makeInput(o.x, 'cpu');
    const y = makeInput(o.y, 'cpu');
    const opt = makers[name]!(net.parameters());
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(net.call(x) as Tensor, y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    losses.forEach((l, i) => expect(Math.abs(l - want.losses[i]!), `loss ${i}: ${l} vs ${want.losses[i]}`).toBeLessThan(1e-5 * Math.abs(want.losses[i]!) + 1e-6));
    const params = Object.fromEntries(net.namedParameters());
    for (const [k, r] of Object.entries(want.params)) expectMatches(`${k} after 3 steps`, params[k]!, r, [1e-4, 1e-5]);
  });

  describe('default initializations (statistical: the bound, the spread, no bias)', () => {
    const layers: Record<string, () => nn.Module & { weight: Tensor; bias: Tensor | null }> = {
      'linear-50-40': () => new nn.Linear(50, 40),
      'linear-7-300': () => new nn.Linear(7, 300),
      'conv2d-3-8-k3': () => new nn.Conv2d(3, 8, 3),
      'conv2d-4-6-k2x5-g2': () => new nn.Conv2d(4, 6, [2, 5], { groups: 2 }),
      'conv1d-5-4-k3': () => new nn.Conv1d(5, 4, 3),
    };
    // 20 draws of each layer, realized together (one program for all the random fills).
    const draws: Record<string, (nn.Module & { weight: Tensor; bias: Tensor | null })[]> = {};
    beforeAll(() => {
      torch.manualSeed(3);
      for (const [name, make] of Object.entries(layers)) draws[name] = Array.from({ length: 20 }, make);
      torch.realizeTensors(Object.values(draws).flatMap((ms) => ms.flatMap((m) => [m.weight, m.bias!])));
    });
    it.each(Object.keys(layers))('%s: uniform within ±1/sqrt(fan_in), spread bound/sqrt(3)', (name) => {
      const want = fixture.init[name]!;
      const made = draws[name]!;
      expect(made[0]!.weight.shape).toEqual(want.weightShape);
      for (const [which, bound] of [['weight', want.weightBound!], ['bias', want.biasBound!]] as const) {
        const values = made.flatMap((m) => Array.from((which === 'weight' ? m.weight : m.bias!).dataSync() as Float32Array));
        const n = values.length;
        const max = Math.max(...values.map(Math.abs));
        const mean = values.reduce((a, b) => a + b, 0) / n;
        const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
        const sigma = bound / Math.sqrt(3);
        expect(max, `${which}: max |w| within the bound`).toBeLessThanOrEqual(bound);
        expect(max, `${which}: max |w| near the bound`).toBeGreaterThan(bound * (1 - 20 / n));
        expect(Math.abs(mean), `${which}: mean near 0`).toBeLessThan((5 * sigma) / Math.sqrt(n));
        expect(Math.abs(std - sigma) / sigma, `${which}: spread`).toBeLessThan(0.1);
        // PyTorch's own draws have the same spread
        const pt = which === 'weight' ? want.weightStd! : want.biasStd!;
        expect(Math.abs(std - pt) / pt, `${which}: spread vs PyTorch's`).toBeLessThan(0.15);
      }
    });
    it('Embedding: standard normal', () => {
      const want = fixture.init['embedding-200-30']!;
      const w = Array.from(new nn.Embedding(200, 30).weight.dataSync() as Float32Array);
      const mean = w.reduce((a, b) => a + b, 0) / w.length;
      const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / (w.length - 1));
      expect(Math.abs(mean - want.mean!)).toBeLessThan(0.1);
      expect(Math.abs(std - want.std!)).toBeLessThan(0.05);
    });
  });
});
