/** Argument handling of nn: keyword forms, unknown options and values of the wrong kind. */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { caught } from '../helpers.js';

const { nn } = torch;
const F = nn.functional;
const f32 = (v: number[] | number[][]): torch.Tensor => torch.tensor(v, { dtype: torch.float32 });

describe('functional keyword forms', () => {
  it('F.dropout takes p positionally or as an option, like sum({ dim })', () => {
    torch.manualSeed(3);
    const x = torch.ones(2000);
    const a = F.dropout(x, { p: 0.5 });
    torch.manualSeed(3);
    const b = F.dropout(x, 0.5);
    expect(a.tolist()).toEqual(b.tolist());
    const kept = (a.tolist() as number[]).filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([2]));
    expect(kept.length).toBeGreaterThan(800);
    expect(kept.length).toBeLessThan(1200);
    expect(F.dropout(x, { p: 0.5, training: false })).toBe(x);
    expect(F.dropout(x, { p: 1 }).sum().item()).toBe(0);
    expect(caught(() => F.dropout(x, 0.5, { p: 0.2 }))).toEqual(new torch.ArgumentError("dropout() got multiple values for argument 'p'"));
    expect(caught(() => F.dropout(x, { p: 1.5 }))).toBeInstanceOf(torch.ValueError);
    expect(caught(() => F.dropout(x, '0.5' as never))).toEqual(new torch.ArgumentError(`dropout(): argument 'p' must be a number, not "0.5"`));
    expect(caught(() => F.dropout(x, { prob: 0.5 } as never)).message).toMatch(/^dropout\(\) got an unexpected keyword argument 'prob'/);
  });

  it('leakyRelu and elu take their scalar as an option too; F.softmax checks its dim', () => {
    const x = f32([-2, 3]);
    expect(F.leakyRelu(x, { negativeSlope: 0.5 }).tolist()).toEqual([-1, 3]);
    expect(F.leakyRelu(x, 0.5).tolist()).toEqual([-1, 3]);
    expect(F.elu(x, { alpha: 2 }).tolist()).toEqual(F.elu(x, 2).tolist());
    expect(caught(() => F.leakyRelu(x, { negative_slope: 0.5 } as never)).message).toMatch(/did you mean 'negativeSlope'\?/);
    expect(caught(() => F.softmax(x, 0.5))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => F.softmax(x, { axis: 0 } as never))).toBeInstanceOf(torch.ArgumentError);
  });

  it('unknown options of losses, convolutions, pooling, normalization and embedding', () => {
    const x = torch.rand(1, 1, 4, 4);
    const w = torch.rand(1, 1, 3, 3);
    const t = torch.rand(1, 1, 4, 4);
    const cases: [() => unknown, RegExp][] = [
      [() => F.mseLoss(x, t, { reduce: 'sum' } as never), /^mseLoss\(\) got an unexpected keyword argument 'reduce'; did you mean 'reduction'\?/],
      [() => F.crossEntropy(torch.rand(2, 3), torch.tensor([0, 1], { dtype: torch.int32 }), { label_smoothing: 0.1 } as never), /did you mean 'labelSmoothing'\?/],
      [() => F.conv2d(x, w, null, { padding_mode: 'zeros' } as never), /^conv2d\(\) got an unexpected keyword argument 'padding_mode'/],
      [() => F.conv2d(x, w, { stride: 'x' } as never), /^conv2d\(\): option 'stride' must be an integer or a list of integers, not "x"/],
      [() => F.maxPool2d(x, 2, { ceil_mode: true } as never), /did you mean 'ceilMode'\?/],
      [() => F.maxPool2d(x, 'two' as never), /^max_pool2d\(\): argument 'kernel_size' must be an int or a tuple of 2 ints, but got "two"/],
      [() => F.batchNorm(x, null, null, { momentum: '0.1' } as never), /^batchNorm\(\): option 'momentum'/],
      [() => F.layerNorm(x, '4' as never), /^layerNorm\(\): argument 'normalized_shape'/],
      [() => F.embedding(torch.tensor([0], { dtype: torch.int32 }), torch.rand(3, 2), { padding_idx: 0 } as never), /did you mean 'paddingIdx'\?/],
      [() => F.gelu(x, { approx: 'tanh' } as never), /did you mean 'approximate'\?/],
    ];
    for (const [fn, message] of cases) {
      const e = caught(fn);
      expect(e).toBeInstanceOf(torch.GraftError);
      expect(e.message).toMatch(message);
    }
  });
});

describe('module constructors', () => {
  it('take PyTorch keyword arguments as an options object', () => {
    const x = f32([[1, 2], [3, 5]]);
    expect(new nn.Softmax({ dim: 1 }).call(x).tolist()).toEqual(torch.softmax(x, 1).tolist());
    expect(new nn.LogSoftmax({ dim: 0 }).dim).toBe(0);
    const lr = new nn.LeakyReLU(0.2, { inplace: true });
    expect([lr.negativeSlope, lr.inplace]).toEqual([0.2, true]);
    expect(new nn.LeakyReLU({ negativeSlope: 0.3 }).negativeSlope).toBe(0.3);
    expect(new nn.ELU({ alpha: 2 }).alpha).toBe(2);
    expect(new nn.ReLU({ inplace: true }).inplace).toBe(true);
    expect(new nn.GELU({ approximate: 'tanh' }).approximate).toBe('tanh');
    expect([new nn.Flatten({ startDim: 0 }).startDim, new nn.Flatten(0, { endDim: 1 }).endDim]).toEqual([0, 1]);
    expect(new nn.Dropout({ p: 0.2 }).p).toBe(0.2);
    expect(String(new nn.Dropout(0.1, { inplace: true }))).toBe('Dropout(p=0.1, inplace=True)');
  });

  it('refuse unknown options, wrong types and too many arguments', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => new nn.Linear(2, 3, { bais: false } as never), /^Linear\(\) got an unexpected keyword argument 'bais'; did you mean 'bias'\?/],
      [() => new nn.Conv2d(1, 2, 3, { padding_mode: 'reflect' } as never), /did you mean 'paddingMode'\?/],
      [() => new nn.BatchNorm2d(3, { track_running_stats: false } as never), /did you mean 'trackRunningStats'\?/],
      [() => new nn.LayerNorm(4, { elementwise_affine: false } as never), /did you mean 'elementwiseAffine'\?/],
      [() => new nn.Embedding(4, 2, { padding_idx: 0 } as never), /did you mean 'paddingIdx'\?/],
      [() => new nn.MaxPool2d(2, { ceil_mode: true } as never), /did you mean 'ceilMode'\?/],
      [() => new nn.MaxPool2d('2' as never), /kernel_size/],
      [() => new nn.AdaptiveAvgPool2d('7' as never), /output_size/],
      [() => new nn.CrossEntropyLoss({ ignore_index: 0 } as never), /did you mean 'ignoreIndex'\?/],
      [() => new nn.MSELoss({ reduction: 'avg' }  as never), /avg is not a valid value for reduction/],
      [() => new nn.Softmax({ dim: 1.5 }), /^Softmax\(\): option 'dim' must be an integer, not 1.5/],
      [() => new nn.LeakyReLU('0.2' as never), /^LeakyReLU\(\): option 'negativeSlope' must be a number, not "0.2"/],
      [() => new nn.ELU(1, { alpha: 2 }), /^ELU\(\) got multiple values for argument 'alpha'/],
      [() => new nn.GELU('exact' as never), /^GELU\(\): option 'approximate' must be one of "none", "tanh", not "exact"/],
      [() => new nn.Linear(2.5, 3), /in_features must be a non-negative integer, got 2.5/],
      [() => new nn.Parameter([1, 2] as never), /^Parameter\(\): argument 'data' must be a Tensor/],
      [() => nn.init.kaimingUniform_(torch.empty(2, 2), { nonlinearity: 'swish' as never }), /Unsupported nonlinearity "swish"/],
      [() => nn.init.uniform_([1] as never), /^uniform_\(\): argument 'tensor' must be a Tensor/],
    ];
    for (const [fn, message] of cases) {
      const e = caught(fn);
      expect(e, String(message)).toBeInstanceOf(torch.GraftError);
      expect(e.message).toMatch(message);
    }
  });
});

describe('Module methods', () => {
  it('loadStateDict refuses what is not a state dict and changes nothing', () => {
    const net = new nn.Linear(2, 2);
    const before = net.weight.tolist();
    for (const bad of [null, undefined, 5, 'w', [1], torch.ones(2)]) {
      const e = caught(() => net.loadStateDict(bad as never));
      expect(e).toBeInstanceOf(torch.ArgumentError);
      expect(e.message).toMatch(/^loadStateDict\(\): Expected state_dict to be dict-like \(an object or Map of name -> Tensor\), got /);
    }
    expect(caught(() => net.loadStateDict({ weight: [[1, 2], [3, 4]], bias: torch.zeros(2) } as never)).message).toContain(
      'While copying the parameter named "weight", expected a Tensor, got an array.',
    );
    expect(caught(() => net.loadStateDict(net.stateDict(), { strict_: false } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(net.weight.tolist()).toEqual(before);
  });

  it('names, modes, devices and callbacks of the wrong kind', () => {
    const net = new nn.Linear(2, 2);
    expect(caught(() => net.registerBuffer(5 as never, null))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => net.registerBuffer('b', [1] as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => net.registerParameter('p', torch.ones(1) as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => net.registerModule('m', {} as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => net.train('no' as never))).toBeInstanceOf(torch.ValueError);
    expect(caught(() => net.apply(5 as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => net.to('tpu'))).toBeInstanceOf(torch.DeviceError);
    expect(caught(() => net.zeroGrad({ set_to_none: true } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(net.weight.device).toBe('cpu');
    expect(net.training).toBe(true);
  });
});
