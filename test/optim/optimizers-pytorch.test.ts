/**
 * RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam (and SGD with maximize) against PyTorch 1.13: the parameters
 * after each of seven steps with fixed gradients, in float64 (fixtures: scripts/optim-fixtures.py).
 */
import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { optim } from '../../src/index.js';
import { caught, expectClose } from '../helpers.js';
import { CpuDevice, getDevice } from '../../src/runtime/index.js';

type Case = { name: string; opts: Record<string, unknown>; group2?: Record<string, unknown>; steps: number[][][] };
const F = JSON.parse(readFileSync(new URL('./fixtures/optimizers.json', import.meta.url), 'utf8')) as {
  params: unknown[];
  grads: unknown[][];
  cases: Case[];
  errors: { name: string; opts: Record<string, unknown>; message: string }[];
};
type Ctor = new (params: optim.ParamsArg, opts?: Record<string, unknown>) => optim.Optimizer;
const ctor = (name: string): Ctor => (optim as unknown as Record<string, Ctor>)[name]!;

function make(c: Case): { ps: torch.Tensor[]; opt: optim.Optimizer } {
  const ps = F.params.map((v) => torch.tensor(v as number[], { dtype: 'float64', requiresGrad: true }));
  const Opt = ctor(c.name);
  const opt = c.group2 ? new Opt([{ params: [ps[0]!] }, { params: [ps[1]!], ...c.group2 }], c.opts) : new Opt(ps, c.opts);
  return { ps, opt };
}
function setGrads(ps: torch.Tensor[], step: number): void {
  ps.forEach((p, i) => (p.grad = torch.tensor(F.grads[step]![i] as number[], { dtype: 'float64' })));
}
const label = (c: Case) => `${c.name} ${JSON.stringify(c.opts)}${c.group2 ? ` + group ${JSON.stringify(c.group2)}` : ''}`;

describe('optimizers follow PyTorch 1.13 step by step', () => {
  it.each(F.cases.map((c) => [label(c), c] as const))('%s', (_, c) => {
    const { ps, opt } = make(c);
    c.steps.forEach((expected, t) => {
      setGrads(ps, t);
      opt.step();
      ps.forEach((p, i) => expectClose(p.tolist(), expected[i], { rtol: 1e-10, atol: 1e-12 }));
    });
  });
});

describe('bad hyperparameters give PyTorch\'s ValueError', () => {
  it.each(F.errors.map((e) => [`${e.name} ${JSON.stringify(e.opts)}`, e] as const))('%s', (_, e) => {
    const err = caught(() => new (ctor(e.name))([torch.zeros([1], { requiresGrad: true })], e.opts));
    expect(err).toBeInstanceOf(torch.ValueError);
    // PyTorch prints Python numbers: -1 as -1, 1.0 as 1.0 (JS: 1).
    expect(err.message).toBe(e.message.replace(/(\d)\.0\b/g, '$1'));
  });
  it('refuses unknown options and options of other optimizers', () => {
    expect(caught(() => new optim.NAdam([torch.zeros([1], { requiresGrad: true })], { maximize: true } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => new optim.RMSprop([torch.zeros([1], { requiresGrad: true })], { lr_decay: 0.1 } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => new optim.Adagrad([{ params: [torch.zeros([1], { requiresGrad: true })], rho: 0.5 }]))).toBeInstanceOf(torch.ArgumentError);
  });
});

describe('state dicts round-trip: a restored optimizer continues identically', () => {
  const picks = F.cases.filter((c) => c.name !== 'SGD');
  it.each(picks.map((c) => [label(c), c] as const))('%s', (_, c) => {
    const a = make(c);
    for (let t = 0; t < 3; t++) {
      setGrads(a.ps, t);
      a.opt.step();
    }
    const path = `${process.env.TMPDIR ?? '/tmp'}/graft-optim-${process.pid}-${c.name}.safetensors`;
    torch.save({ optim: a.opt.stateDict(), params: a.ps }, path);
    const saved = torch.load<{ optim: optim.OptimizerStateDict; params: torch.Tensor[] }>(path);
    rmSync(path);
    const b = make(c);
    b.ps.forEach((p, i) => torch.noGrad(() => p.copy_(saved.params[i]!)));
    // a different learning rate, overwritten by the loaded param groups
    b.opt.paramGroups.forEach((g) => (g.lr = 123));
    b.opt.loadStateDict(saved.optim);
    for (let t = 3; t < c.steps.length; t++) {
      setGrads(b.ps, t);
      b.opt.step();
      b.ps.forEach((p, i) => expectClose(p.tolist(), c.steps[t]![i], { rtol: 1e-10, atol: 1e-12 }));
    }
  });
});

describe('the update program does not change between steps', () => {
  it.each(['RMSprop', 'Adagrad', 'Adadelta', 'Adamax', 'NAdam', 'RAdam'])('%s: step-dependent factors are buffers', (name) => {
    const cpu = getDevice('cpu') as CpuDevice;
    const w = torch.tensor([0.5, -0.25], { requiresGrad: true });
    const x = torch.tensor([[1, 2], [3, 4]]);
    const opt = new (ctor(name))([w], name === 'RMSprop' ? { lr: 0.01, momentum: 0.9, centered: true } : { lr: 0.01, weightDecay: 0.1 });
    const builds: number[] = [];
    for (let t = 0; t < 9; t++) {
      opt.zeroGrad();
      x.matmul(w).sub(1).pow(2).mean().backward();
      opt.step();
      builds.push(cpu.stats.programBuilds);
    }
    // The first steps create the state; from the third on (RAdam: across its switch to the rectified step) one program.
    expect(builds[8]).toBe(builds[2]);
    expect((w.tolist() as number[]).every(Number.isFinite)).toBe(true);
  });
});
