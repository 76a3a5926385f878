import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { optim } from '../../src/index.js';
import { caught } from '../helpers.js';

const param = (): torch.Tensor => torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });

describe('optimizer options', () => {
  it('SGD needs a learning rate, as in PyTorch 1.13 (in the options or in every param group)', () => {
    for (const opts of [{}, undefined]) {
      const e = caught(() => new optim.SGD([param()], opts));
      expect(e).toBeInstanceOf(torch.ValueError);
      expect(e.message).toBe("SGD param group: parameter group didn't specify a value of required optimization parameter lr");
    }
    const p = param();
    const opt = new optim.SGD([{ params: [p], lr: 0.5 }]);
    p.grad = torch.tensor([1, 1], { dtype: torch.float32 });
    opt.step();
    expect(p.tolist()).toEqual([0.5, 1.5]);
  });

  it('names the camelCase option for a snake_case one, in the options and in param groups', () => {
    const e = caught(() => new optim.SGD([param()], { lr: 0.1, weight_decay: 0.1 } as never));
    expect(e).toBeInstanceOf(torch.ArgumentError);
    expect(e.message).toMatch(/^SGD\(\) got an unexpected keyword argument 'weight_decay'; did you mean 'weightDecay'\?/);
    const g = caught(() => new optim.Adam([{ params: [param()], weight_decay: 0.1 }]));
    expect(g).toBeInstanceOf(torch.ArgumentError);
    expect(g.message).toMatch(/^Adam param group\(\) got an unexpected keyword argument 'weight_decay'; did you mean 'weightDecay'\?/);
  });

  it('refuses values of the wrong type with ArgumentError and bad values with PyTorch\'s ValueError', () => {
    expect(caught(() => new optim.SGD([param()], { lr: NaN }))).toEqual(new torch.ArgumentError("SGD(): option 'lr' must be a number, not NaN"));
    expect(caught(() => new optim.SGD([param()], { lr: '0.1' as never }))).toEqual(new torch.ArgumentError(`SGD(): option 'lr' must be a number, not "0.1"`));
    expect(caught(() => new optim.Adam([param()], { betas: [0.9] as never })).message).toMatch(/^Adam\(\): option 'betas'/);
    expect(caught(() => new optim.Adam([param()], { betas: [0.9, 1] }))).toEqual(new torch.ValueError('Invalid beta parameter at index 1: 1'));
    expect(caught(() => new optim.AdamW([param()], { eps: -1 }))).toEqual(new torch.ValueError('Invalid epsilon value: -1'));
  });

  it('params must be an iterable of tensors or param groups', () => {
    const net = new torch.nn.Linear(2, 2);
    expect(caught(() => new optim.SGD(net as never, { lr: 0.1 }))).toEqual(
      new torch.ArgumentError('SGD(): params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Linear'),
    );
    expect(caught(() => new optim.SGD(param() as never, { lr: 0.1 })).message).toMatch(/but got a Tensor$/);
    expect(caught(() => new optim.SGD([1, 2] as never, { lr: 0.1 }))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => new optim.SGD([param(), 'w'] as never, { lr: 0.1 }))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => new optim.SGD([], { lr: 0.1 }))).toBeInstanceOf(torch.ValueError);
  });

  it('zeroGrad, step and loadStateDict check their arguments', () => {
    const p = param();
    const opt = new optim.SGD([p], { lr: 0.1 });
    expect(caught(() => opt.zeroGrad({ set_to_none: false } as never)).message).toMatch(/did you mean 'setToNone'/);
    expect(caught(() => opt.step(5 as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => opt.step(() => 5 as never))).toBeInstanceOf(torch.ArgumentError);
    for (const bad of [null, undefined, 5, {}, { state: {}, param_groups: [] }, { state: {}, paramGroups: [{ params: ['a'] }] }]) {
      expect(caught(() => opt.loadStateDict(bad as never))).toBeInstanceOf(torch.GraftError);
    }
    expect(opt.paramGroups[0]!.lr).toBe(0.1);
  });
});

describe('scheduler options', () => {
  const sgd = (): optim.SGD => new optim.SGD([param()], { lr: 1 });

  it("PyTorch's snake_case spellings name the option to use (they used to set the rate to NaN)", () => {
    const opt = sgd();
    const e = caught(() => new optim.lr_scheduler.StepLR(opt, { step_size: 2 } as never));
    expect(e).toBeInstanceOf(torch.ArgumentError);
    expect(e.message).toMatch(/^StepLR\(\) got an unexpected keyword argument 'step_size'; did you mean 'stepSize'\?/);
    const c = caught(() => new optim.lr_scheduler.CosineAnnealingLR(opt, { T_max: 10 } as never));
    expect(c.message).toMatch(/^CosineAnnealingLR\(\) got an unexpected keyword argument 'T_max'; did you mean 'TMax'\?/);
    expect(caught(() => new optim.lr_scheduler.CosineAnnealingLR(opt, { TMax: 10, eta_min: 0 } as never)).message).toMatch(/did you mean 'etaMin'/);
    expect(caught(() => new optim.lr_scheduler.StepLR(opt, undefined as never))).toEqual(new torch.ArgumentError("StepLR() missing required option 'stepSize'"));
    expect(opt.paramGroups[0]!.lr).toBe(1);
    expect(opt.paramGroups[0]!.initialLr).toBeUndefined();
  });

  it('a zero period raises ZeroDivisionError as PyTorch does; a negative or fractional one is refused', () => {
    expect(caught(() => new optim.lr_scheduler.StepLR(sgd(), { stepSize: 0 }))).toBeInstanceOf(torch.ZeroDivisionError);
    expect(caught(() => new optim.lr_scheduler.CosineAnnealingLR(sgd(), { TMax: 0 }))).toBeInstanceOf(torch.ZeroDivisionError);
    expect(caught(() => new optim.lr_scheduler.StepLR(sgd(), { stepSize: -2 }))).toBeInstanceOf(torch.ValueError);
    expect(caught(() => new optim.lr_scheduler.StepLR(sgd(), { stepSize: 1.5 }))).toEqual(new torch.ArgumentError("StepLR(): option 'stepSize' must be an integer, not 1.5"));
    expect(caught(() => new optim.lr_scheduler.StepLR(sgd(), { stepSize: 2, gamma: NaN }))).toBeInstanceOf(torch.ArgumentError);
  });

  it('the optimizer must be an Optimizer; loadStateDict checks its argument', () => {
    expect(caught(() => new optim.lr_scheduler.StepLR({} as never, { stepSize: 1 }))).toEqual(new torch.ArgumentError('StepLR(): an object is not an Optimizer'));
    const s = new optim.lr_scheduler.StepLR(sgd(), { stepSize: 1 });
    for (const bad of [null, {}, { lastEpoch: 'x' }, { last_epoch: 1 }]) expect(caught(() => s.loadStateDict(bad as never))).toBeInstanceOf(torch.GraftError);
    expect(s.lastEpoch).toBe(0);
  });
});
