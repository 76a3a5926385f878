/**
 * Argument handling of tensor ops: PyTorch's keyword forms (an options object in place of positional
 * arguments) and typed errors for everything else, leaving the tensors as they were.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectThrowsUnchanged } from './unchanged.js';
import { caught } from '../helpers.js';

const f32 = (v: number[] | number[][]): torch.Tensor => torch.tensor(v, { dtype: torch.float32 });

describe('keyword forms', () => {
  it('clamp takes min and max positionally or as options', () => {
    const x = f32([-2, 0.5, 3]);
    expect(x.clamp({ min: 1 }).tolist()).toEqual([1, 1, 3]);
    expect(x.clamp({ max: 1 }).tolist()).toEqual([-2, 0.5, 1]);
    expect(torch.clamp(x, { min: 0, max: 1 }).tolist()).toEqual([0, 0.5, 1]);
    expect(x.clamp(0, { max: 1 }).tolist()).toEqual([0, 0.5, 1]);
    expect(x.clamp(null, 1).tolist()).toEqual([-2, 0.5, 1]);
    expect(x.clip({ min: f32([0, 1, 2]) }).tolist()).toEqual([0, 1, 3]);
    const out = torch.zeros(3);
    torch.clamp(x, { min: 0, out });
    expect(out.tolist()).toEqual([0, 0.5, 3]);
    const y = f32([-2, 0.5, 3]);
    y.clamp_({ min: 0 });
    expect(y.tolist()).toEqual([0, 0.5, 3]);
  });

  it('clamp refuses conflicting, unknown and mistyped arguments', () => {
    const x = f32([1, 2]);
    expectThrowsUnchanged(() => x.clamp(0, { min: 1 } as never), torch.ArgumentError, "got multiple values for argument 'min'", [x]);
    expectThrowsUnchanged(() => x.clamp({ minimum: 1 } as never), torch.ArgumentError, "unexpected keyword argument 'minimum'", [x]);
    expectThrowsUnchanged(() => x.clamp('1' as never), torch.ArgumentError, `argument 'min' must be a number, a Tensor or null, not "1"`, [x]);
    expectThrowsUnchanged(() => x.clamp({}), torch.ValueError, "At least one of 'min' or 'max' must not be None", [x]);
    expectThrowsUnchanged(() => x.clamp_({ min: 0, out: torch.zeros(2) } as never), torch.ArgumentError, 'out=', [x]);
    expect(caught(() => torch.clamp(5 as never, 1))).toBeInstanceOf(torch.DTypeError);
  });

  it('cumsum, softmax and logSoftmax take dim positionally or as an option, like sum', () => {
    const x = f32([[1, 2], [3, 4]]);
    expect(x.cumsum({ dim: 0 }).tolist()).toEqual([[1, 2], [4, 6]]);
    expect(torch.cumsum(x, { dim: 1, dtype: torch.float64 }).tolist()).toEqual([[1, 3], [3, 7]]);
    expect(torch.cumsum(x, { dim: 1 }).dtype).toBe('float32');
    expect(x.cumsum(-1).tolist()).toEqual([[1, 3], [3, 7]]);
    expect(x.softmax({ dim: 1 }).tolist()).toEqual(x.softmax(1).tolist());
    expect(x.logSoftmax({ dim: 0 }).tolist()).toEqual(x.logSoftmax(0).tolist());
    expect(x.sum({ dim: 0 }).tolist()).toEqual([4, 6]);
  });

  it('a required dim that is missing, given twice or not an integer', () => {
    const x = f32([1, 2]);
    expect(caught(() => x.cumsum(undefined as never))).toEqual(new torch.ArgumentError("cumsum() missing required argument 'dim'"));
    expect(caught(() => x.cumsum({}))).toEqual(new torch.ArgumentError("cumsum() missing required argument 'dim'"));
    expect(caught(() => x.cumsum(0, { dim: 0 }))).toEqual(new torch.ArgumentError("cumsum() got multiple values for argument 'dim'"));
    expect(caught(() => x.cumsum(0.5))).toEqual(new torch.ArgumentError("cumsum(): argument 'dim' must be an integer or a list of integers, not 0.5"));
    expect(caught(() => x.cumsum([0] as never))).toEqual(new torch.ArgumentError("cumsum(): argument 'dim' must be an integer, not a list"));
    expect(caught(() => x.softmax({ dim: '0' } as never))).toEqual(new torch.ArgumentError(`softmax(): option 'dim' must be an integer, not "0"`));
    expect(caught(() => x.sum('a' as never))).toEqual(new torch.ArgumentError(`sum(): argument 'dim' must be an integer or a list of integers, not "a"`));
    expect(caught(() => x.sum(NaN))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => x.sum({ dim: 0 }, { keepdim: true }))).toBeInstanceOf(torch.ArgumentError);
  });
});

describe('unknown options are errors on tensor ops too', () => {
  const x = f32([1, 2]);
  const cases: [string, () => unknown, RegExp][] = [
    ['sum keep_dim', () => x.sum(0, { keep_dim: true } as never), /^sum\(\) got an unexpected keyword argument 'keep_dim'; did you mean 'keepdim'\?/],
    ['mean axis', () => x.mean({ axis: 0 } as never), /^mean\(\) got an unexpected keyword argument 'axis'/],
    ['max keepDim', () => x.max(0, { keepDim: true } as never), /^max\(\) got an unexpected keyword argument 'keepDim'; did you mean 'keepdim'\?/],
    ['add alpah', () => x.add(1, { alpah: 2 } as never), /^add\(\) got an unexpected keyword argument 'alpah'/],
    ['div rounding_mode', () => x.div(2, { rounding_mode: 'floor' } as never), /did you mean 'roundingMode'\?/],
    ['mul out', () => torch.mul(x, 2, { out: [0, 0] } as never), /^mul\(\): option 'out' must be a Tensor, not an array/],
    ['exp out', () => torch.exp(x, { out: 1 } as never), /^exp\(\): option 'out' must be a Tensor/],
    ['var unbiased', () => x.var({ unbiased: 'yes' } as never), /^var\(\): option 'unbiased' must be a boolean/],
    ['norm p', () => x.norm({ p: 'nuc' } as never), /^norm\(\): option 'p'/],
    ['round decimals', () => x.round({ decimals: 1.5 }), /^round\(\): option 'decimals' must be an integer/],
  ];
  it.each(cases)('%s', (_, fn, message) => {
    const before = x.tolist();
    const e = caught(fn);
    expect(e).toBeInstanceOf(torch.GraftError);
    expect(e.message).toMatch(message);
    expect(x.tolist()).toEqual(before);
  });

  it('an options argument that is not an object', () => {
    expect(caught(() => x.sum(0, 5 as never))).toEqual(new torch.ArgumentError('sum(): expected an options object (dim, keepdim, out, dtype), got 5'));
    expect(caught(() => torch.add(x, 1, torch.ones(2) as never)).message).toMatch(/^add\(\): expected an options object .* got a Tensor/);
  });

  it('operands of elementwise ops must be tensors, numbers, bigints or booleans', () => {
    for (const bad of ['1', null, undefined, [1, 2], {}]) {
      const e = caught(() => x.add(bad as never));
      expect(e).toBeInstanceOf(torch.ArgumentError);
      expect(e.message).toMatch(/^add\(\): argument 'other' must be a Tensor, a number, a bigint or a boolean, not /);
    }
    expect(x.add(1n).tolist()).toEqual([2, 3]);
    expect(caught(() => torch.where(x.gt(1), 'a' as never, 0))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => x.fill_('3' as never))).toBeInstanceOf(torch.ArgumentError);
    expect(x.tolist()).toEqual([1, 2]);
  });
});

describe('creation ops', () => {
  it('a tensor over the largest buffer is a DeviceError naming the shape and the bytes, at once', () => {
    const e = caught(() => torch.empty(1e6, 1e6));
    expect(e).toBeInstanceOf(torch.DeviceError);
    expect(e.message).toMatch(/^empty\(\): a float32 tensor of shape \[1000000, 1000000\] on cpu: can't allocate memory: you tried to allocate 4000000000000 bytes; the largest buffer graft can allocate is \d+ bytes$/);
    for (const make of [() => torch.zeros([2 ** 31]), () => torch.rand(2 ** 20, 2 ** 20), () => torch.arange(2 ** 33), () => torch.randperm(2 ** 33), () => torch.eye(2 ** 20), () => torch.full([2 ** 40], 1.5), () => torch.randint(0, 5, [2 ** 40])]) {
      expect(caught(make)).toBeInstanceOf(torch.DeviceError);
    }
  });

  it('a result over the largest buffer is a DeviceError when it is computed, on cpu and interp', () => {
    for (const device of ['cpu', 'interp']) {
      const a = torch.ones(70000, 1, { device });
      const big = a.mul(torch.ones(1, 70000, { device }));
      const e = caught(() => big.realize());
      expect(e).toBeInstanceOf(torch.DeviceError);
      expect(e.message).toMatch(/can't allocate memory: you tried to allocate 19600000000 bytes/);
      expect(a.sum().item()).toBe(70000);
    }
  });

  it('sizes, numbers and options of the wrong kind', () => {
    expect(caught(() => torch.zeros(2, -1))).toEqual(new torch.ShapeError('zeros(): Trying to create tensor with negative dimension -1: [2, -1]'));
    expect(caught(() => torch.ones(2, 1.5))).toEqual(new torch.ArgumentError("ones(): argument 'size' must be a list of integers, but found 1.5 at position 1"));
    expect(caught(() => torch.ones([2, 2n] as never))).toEqual(new torch.ArgumentError("ones(): argument 'size' must be a list of integers, but found 2n at position 1"));
    expect(caught(() => torch.zeros(2, { dtyp: torch.int32 } as never)).message).toMatch(/^zeros\(\) got an unexpected keyword argument 'dtyp'; did you mean 'dtype'\?/);
    expect(caught(() => torch.zeros(2, { requires_grad: true } as never)).message).toMatch(/did you mean 'requiresGrad'\?/);
    expect(caught(() => torch.tensor([1], { device: 0 } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.arange('5' as never))).toEqual(new torch.ArgumentError(`arange(): argument 'end' must be a number, not "5"`));
    expect(caught(() => torch.arange(0, Infinity))).toBeInstanceOf(torch.ValueError);
    expect(caught(() => torch.arange(NaN))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.linspace(0, 1, 2.5))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.eye(-1))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.randint(0, 5, 3 as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.randint(0.5, 5, [3]))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.randperm(3, { generator: {} } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.zerosLike([1, 2] as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.full([2], '1' as never))).toBeInstanceOf(torch.ArgumentError);
    expect(torch.eye(2, 3, { dtype: torch.int32 }).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(torch.arange(1, 4, { dtype: torch.float64 }).tolist()).toEqual([1, 2, 3]);
  });
});

describe('joins, products and numpy take only their options', () => {
  it('cat, stack, matmul, addmm, numpy', () => {
    const a = f32([[1, 2]]);
    expect(torch.cat([a, a], { dim: 0 }).shape).toEqual([2, 2]);
    expect(caught(() => torch.cat([a, a], 'a' as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.cat([a, a], { axis: 0 } as never)).message).toMatch(/^cat\(\) got an unexpected keyword argument 'axis'/);
    expect(caught(() => torch.stack([a, a], 0, { dim: 1 } as never))).toEqual(new torch.ArgumentError("stack() got multiple values for argument 'dim'"));
    expect(caught(() => torch.matmul(a, a.t(), { outt: a } as never)).message).toMatch(/did you mean 'out'\?/);
    expect(caught(() => torch.addmm(a, a, a.t(), { Beta: 0 } as never)).message).toMatch(/did you mean 'beta'\?/);
    expect(caught(() => a.numpy({ forced: true } as never)).message).toMatch(/did you mean 'force'\?/);
  });
});

describe('data of the wrong kind', () => {
  it('torch.tensor of data nested deeper than any tensor is a ShapeError, not a stack overflow', () => {
    let deep: unknown = [1];
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(caught(() => torch.tensor(deep as never))).toEqual(new torch.ShapeError('tensor: too many dimensions (data nested more than 1000 levels deep)'));
    let ok: unknown = [1];
    for (let i = 0; i < 99; i++) ok = [ok];
    expect(torch.tensor(ok as never, { dtype: torch.float32 }).dim()).toBe(100);
  });

  it('requiresGrad_ takes a boolean', () => {
    const x = f32([1]);
    expect(caught(() => x.requiresGrad_('yes' as never))).toEqual(new torch.ArgumentError(`requiresGrad_(): argument 'requires_grad' must be a boolean, not "yes"`));
    expect(x.requiresGrad).toBe(false);
  });
});
