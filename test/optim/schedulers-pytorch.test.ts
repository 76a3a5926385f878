/**
 * The learning-rate schedulers against PyTorch 1.13: each group's rate (and the momentum OneCycleLR cycles)
 * after construction and after every step, ReduceLROnPlateau's rates for a metric sequence, PyTorch's errors,
 * and state dicts that round-trip (fixtures: scripts/optim-fixtures.py).
 */
import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { optim } from '../../src/index.js';
import { caught, expectClose } from '../helpers.js';

const S = optim.lr_scheduler;
type Spec = { name: string; opts?: Record<string, unknown> };
type Values = { lr: number[]; momentum?: number[]; beta1?: number[]; last: number[] };
type Case = Spec & { optimizer?: [string, Record<string, unknown>]; groups?: number; epochs?: (number | null)[]; steps?: number; seq: Values[] };
const F = JSON.parse(readFileSync(new URL('./fixtures/schedulers.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  plateau: { metrics: number[]; cases: { opts: Record<string, unknown>; seq: number[][] }[] };
  errors: (Spec & { steps?: number; message: string })[];
};

const LAMBDAS: Record<string, (e: number) => number> = {
  pow95: (e) => 0.95 ** e,
  inverse: (e) => 1 / (e + 1),
  warmup3: (e) => Math.min(1, (e + 1) / 3),
};

type AnyOpt = new (params: optim.ParamsArg, opts?: Record<string, unknown>) => optim.Optimizer;
function makeOptimizer(spec: [string, Record<string, unknown>] | undefined, groups: number): optim.Optimizer {
  const [name, opts] = spec ?? ['SGD', { lr: 0.1 }];
  const pg: { params: torch.Tensor[]; lr?: number }[] = Array.from({ length: groups }, () => ({ params: [torch.zeros([2], { dtype: 'float64', requiresGrad: true })] }));
  if (groups > 1) pg[1]!.lr = (opts.lr as number) * 0.5;
  return new (optim as unknown as Record<string, AnyOpt>)[name]!(pg, opts);
}
type AnySched = optim.lr_scheduler.LRScheduler & { step(epoch?: number): void };
function makeScheduler(opt: optim.Optimizer, spec: Spec): AnySched {
  const opts: Record<string, unknown> = { ...spec.opts };
  if (spec.name === 'LambdaLR') {
    const f = opts.lrLambda as string | string[];
    opts.lrLambda = Array.isArray(f) ? f.map((x) => LAMBDAS[x]!) : LAMBDAS[f]!;
  }
  if (spec.name === 'SequentialLR') opts.schedulers = (opts.schedulers as Spec[]).map((s) => makeScheduler(opt, s));
  const Ctor = (S as unknown as Record<string, new (o: optim.Optimizer, opts: unknown) => AnySched>)[spec.name]!;
  return new Ctor(opt, opts);
}
function values(opt: optim.Optimizer, s: { getLastLr(): number[] }): Values {
  const v: Values = { lr: opt.paramGroups.map((g) => g.lr), last: s.getLastLr() };
  if ('momentum' in opt.defaults) v.momentum = opt.paramGroups.map((g) => g.momentum as number);
  if ('betas' in opt.defaults) v.beta1 = opt.paramGroups.map((g) => (g.betas as number[])[0]!);
  return v;
}
function expectValues(got: Values, want: Values, at: string): void {
  for (const k of ['lr', 'momentum', 'beta1', 'last'] as const) {
    if (want[k] === undefined) continue;
    try {
      expectClose(got[k], want[k], { rtol: 1e-12, atol: 0 });
    } catch (e) {
      throw new Error(`${at}, ${k}: got ${JSON.stringify(got[k])}, expected ${JSON.stringify(want[k])}`);
    }
  }
}
const label = (c: Case) => `${c.name} ${JSON.stringify(c.opts)}${c.epochs ? ` step(${c.epochs.join(', ')})` : ''}`;

describe('schedulers give PyTorch 1.13 rates epoch by epoch', () => {
  it.each(F.cases.map((c) => [label(c), c] as const))('%s', (_, c) => {
    const opt = makeOptimizer(c.optimizer, c.groups ?? 1);
    const s = makeScheduler(opt, c);
    expectValues(values(opt, s), c.seq[0]!, 'after construction');
    const epochs = c.epochs ?? Array(c.seq.length - 1).fill(null);
    epochs.forEach((e, t) => {
      if (e === null) s.step();
      else s.step(e);
      expectValues(values(opt, s), c.seq[t + 1]!, `after step ${t + 1}`);
    });
  });
});

describe('ReduceLROnPlateau reduces rates as PyTorch 1.13 does', () => {
  it.each(F.plateau.cases.map((c) => [JSON.stringify(c.opts), c] as const))('%s', (_, c) => {
    const opt = makeOptimizer(undefined, 2);
    const s = new S.ReduceLROnPlateau(opt, c.opts);
    F.plateau.metrics.forEach((m, t) => {
      // metrics as numbers and as one-element tensors
      s.step(t % 2 ? m : torch.tensor(m, { dtype: 'float64' }));
      expectClose(opt.paramGroups.map((g) => g.lr), c.seq[t]!, { rtol: 1e-12, atol: 0 });
      expect(s.getLastLr()).toEqual(opt.paramGroups.map((g) => g.lr));
    });
  });
  it('round-trips its state dict (also through torch.save) and continues identically', () => {
    const metrics = F.plateau.metrics;
    const c = F.plateau.cases[3]!;
    const opt = makeOptimizer(undefined, 2);
    const s = new S.ReduceLROnPlateau(opt, c.opts);
    for (const m of metrics.slice(0, 6)) s.step(m);
    const path = `${process.env.TMPDIR ?? '/tmp'}/graft-plateau-${process.pid}.safetensors`;
    torch.save({ optim: opt.stateDict(), sched: s.stateDict() }, path);
    const saved = torch.load<{ optim: optim.OptimizerStateDict; sched: optim.lr_scheduler.ReduceLROnPlateauState }>(path);
    rmSync(path);
    expect(saved.sched.best).toBe(s.best);
    const opt2 = makeOptimizer(undefined, 2);
    const s2 = new S.ReduceLROnPlateau(opt2, c.opts);
    opt2.loadStateDict(saved.optim);
    s2.loadStateDict(saved.sched);
    metrics.slice(6).forEach((m, t) => {
      s2.step(m);
      expectClose(opt2.paramGroups.map((g) => g.lr), c.seq[t + 6]!, { rtol: 1e-12, atol: 0 });
    });
  });
});

describe('state dicts round-trip: a restored scheduler continues identically', () => {
  it.each(F.cases.filter((c) => !c.epochs).map((c) => [label(c), c] as const))('%s', (_, c) => {
    const k = 4;
    const opt = makeOptimizer(c.optimizer, c.groups ?? 1);
    const s = makeScheduler(opt, c);
    for (let t = 0; t < k; t++) s.step();
    const path = `${process.env.TMPDIR ?? '/tmp'}/graft-sched-${process.pid}-${c.name}.safetensors`;
    torch.save({ optim: opt.stateDict(), sched: s.stateDict() }, path);
    const saved = torch.load<{ optim: optim.OptimizerStateDict; sched: { lastEpoch: number } }>(path);
    rmSync(path);
    const opt2 = makeOptimizer(c.optimizer, c.groups ?? 1);
    const s2 = makeScheduler(opt2, c);
    s2.step(); // elsewhere in its schedule: loading puts it back
    opt2.loadStateDict(saved.optim);
    s2.loadStateDict(saved.sched);
    expectValues(values(opt2, s2), c.seq[k]!, 'after loading');
    for (let t = k; t < c.seq.length - 1; t++) {
      s2.step();
      expectValues(values(opt2, s2), c.seq[t + 1]!, `after step ${t + 1}`);
    }
  });
  it('refuses a state dict of the wrong form', () => {
    const opt = makeOptimizer(undefined, 1);
    const s = new S.ExponentialLR(opt, { gamma: 0.5 });
    expect(caught(() => s.loadStateDict({ lastEpoch: 'x' } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => s.loadStateDict({ ...s.stateDict(), bogus: 1 } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(s.lastEpoch).toBe(0);
  });
});

describe('bad scheduler options give PyTorch\'s ValueError', () => {
  it.each(F.errors.map((e) => [`${e.name} ${JSON.stringify(e.opts)}${e.steps ? ` stepped ${e.steps} times` : ''}`, e] as const))('%s', (_, e) => {
    const opt = makeOptimizer(undefined, 1);
    const before = opt.paramGroups.map((g) => ({ ...g }));
    let err: Error;
    if (e.steps) {
      const s = makeScheduler(opt, e);
      err = caught(() => {
        for (let t = 0; t < e.steps!; t++) s.step();
      });
      expect(s.lastEpoch).toBe(e.steps - 1);
    } else {
      err = caught(() => (e.name === 'ReduceLROnPlateau' ? new S.ReduceLROnPlateau(opt, e.opts) : makeScheduler(opt, e)));
      expect(opt.paramGroups.map((g) => ({ ...g }))).toEqual(before);
    }
    expect(err).toBeInstanceOf(torch.ValueError);
    // PyTorch prints Python floats (1.5, 1.0); JS prints 1.0 as 1.
    expect([e.message, e.message.replace(/(\d)\.0\b/g, '$1')]).toContain(err.message);
  });
  it('SequentialLR checks its schedulers and milestones', () => {
    const opt = makeOptimizer(undefined, 1);
    const other = makeOptimizer(undefined, 1);
    const a = new S.ExponentialLR(opt, { gamma: 0.9 });
    const b = new S.ExponentialLR(other, { gamma: 0.9 });
    expect(caught(() => new S.SequentialLR(opt, { schedulers: [a, b], milestones: [2] })).message).toMatch(/^Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index 1/);
    expect(caught(() => new S.SequentialLR(opt, { schedulers: [a], milestones: [2] })).message).toMatch(/number of schedulers 1 and the number of milestones to be equal to 1$/);
    expect(caught(() => new S.SequentialLR(opt, { schedulers: [a, 1 as never], milestones: [2] }))).toBeInstanceOf(torch.ArgumentError);
  });
  it('stepTo(epoch) jumps with the closed form (PyTorch\'s step(epoch)); a non-integer epoch is refused', () => {
    const opt = makeOptimizer(undefined, 1);
    const s = new S.MultiStepLR(opt, { milestones: [2, 4], gamma: 0.5 });
    s.stepTo(5);
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.025, 15);
    expect(s.lastEpoch).toBe(5);
    s.step();
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.025, 15);
    expect(caught(() => s.stepTo('a' as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => s.stepTo(1.5))).toBeInstanceOf(torch.ArgumentError);
    expect(s.lastEpoch).toBe(6);
    const w = new S.CosineAnnealingWarmRestarts(opt, { T0: 2 });
    expect(caught(() => w.step('a' as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => w.step(-1))).toBeInstanceOf(torch.ValueError);
  });
  it('schedulers need an optimizer; LambdaLR functions must return numbers', () => {
    expect(caught(() => new S.LinearLR({} as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => new S.ReduceLROnPlateau(null as never))).toBeInstanceOf(torch.ArgumentError);
    const opt = makeOptimizer(undefined, 1);
    expect(caught(() => new S.LambdaLR(opt, { lrLambda: (() => 'x') as never }))).toBeInstanceOf(torch.ArgumentError);
    const s = new S.ReduceLROnPlateau(opt);
    expect(caught(() => s.step('1' as never))).toBeInstanceOf(torch.ArgumentError);
  });
});
