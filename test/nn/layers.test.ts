/**
 * The nn layers of issue 14 as modules: PyTorch's reprs and state-dict names, default init, ConvTranspose's
 * outputSize, InstanceNorm's running statistics, Embedding's maxNorm, the keyed containers, and that a
 * transposed or 3-D convolution plans into the one contraction kernel a conv2d does.
 * (Values and gradients against PyTorch: test/conformance/nn2.test.ts; finite differences: layers-grad.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { plannedKernels } from '../../src/runtime/index.js';
import { expectClose } from '../helpers.js';

const { nn } = torch;
const F = nn.functional;
const flat = (t: torch.Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number | bigint>, Number);

describe('convolutions', () => {
  it('convTranspose2d and conv3d plan into one contraction kernel, as conv2d', () => {
    const x = torch.randn([8, 32, 16, 16]).realize();
    const w = torch.randn([32, 16, 3, 3]).realize();
    const b = torch.randn([16]).realize();
    const kinds = (t: torch.Tensor): string[] => plannedKernels([t.node]).map((k) => k.kind);
    expect(kinds(F.conv2d(x, torch.randn([16, 32, 3, 3]).realize(), b, { padding: 1 }))).toEqual(['gemm']);
    expect(kinds(F.convTranspose2d(x, w, b, { padding: 1 }))).toEqual(['gemm']);
    expect(kinds(F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }))).toEqual(['gemm']);
    expect(kinds(F.conv3d(torch.randn([4, 8, 8, 8, 8]).realize(), torch.randn([16, 8, 3, 3, 3]).realize(), null, { padding: 1 }))).toEqual(['gemm']);
  });

  it("ConvTranspose2d: weight [in, out/groups, k...], PyTorch's init bounds (fan-in from dim 1) and repr", () => {
    torch.manualSeed(0);
    const m = new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 });
    expect(m.weight.shape).toEqual([4, 3, 3, 3]);
    expect(m.bias!.shape).toEqual([6]);
    const bound = 1 / Math.sqrt(3 * 9);
    const ws = flat(m.weight).map(Math.abs);
    expect(Math.max(...ws)).toBeLessThanOrEqual(bound);
    expect(Math.max(...ws)).toBeGreaterThan(0.8 * bound);
    expect(Math.max(...flat(m.bias!).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(m.toString()).toBe('ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), groups=2)');
    expect(new nn.ConvTranspose2d(2, 3, [2, 3], { bias: false, dilation: 2 }).toString()).toBe('ConvTranspose2d(2, 3, kernel_size=(2, 3), stride=(1, 1), dilation=(2, 2), bias=False)');
    expect(new nn.Conv3d(2, 3, [2, 3, 2], { padding: 1, stride: [1, 2, 1] }).toString()).toBe('Conv3d(2, 3, kernel_size=(2, 3, 2), stride=(1, 2, 1), padding=(1, 1, 1))');
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias']);
  });

  it('ConvTranspose2d.forward(x, outputSize) picks the output padding; out-of-range sizes are errors', () => {
    const m = new nn.ConvTranspose2d(2, 3, 3, { stride: 2 });
    const x = torch.randn([1, 2, 4, 4]);
    expect(m.forward(x, [10, 10]).shape).toEqual([1, 3, 10, 10]);
    expect(m.forward(x, [1, 3, 9, 10]).shape).toEqual([1, 3, 9, 10]);
    expect(flat(m.forward(x, [10, 10]).index(':', ':', ':9', ':9'))).toEqual(flat(m.forward(x)));
    expect(() => m.forward(x, [11, 11])).toThrow(
      new torch.ValueError('requested an output size of [11, 11], but valid sizes range from [9, 9] to [10, 10] (for an input of torch.Size([4, 4]))'),
    );
    expect(() => m.forward(x, [1, 2, 3])).toThrow(/ConvTranspose2D: for 4D input, output_size must have 2 or 4 elements \(got 3\)/);
    expect(() => new nn.ConvTranspose2d(2, 3, 3, { paddingMode: 'reflect' as 'zeros' })).toThrow(/Only "zeros" padding mode is supported for ConvTranspose2d/);
  });

  it('a bad call leaves the tensors unchanged and names the shapes', () => {
    const x = torch.randn([1, 4, 3, 3]);
    const before = flat(x);
    expect(() => F.convTranspose2d(x, torch.randn([3, 2, 2, 2]))).toThrow(torch.ShapeError);
    expect(() => F.convTranspose2d(x, torch.randn([4, 2, 2, 2]), null, { outputPadding: 1 })).toThrow(torch.ValueError);
    expect(() => F.conv3d(x.index(0), torch.randn([2, 4, 2, 2, 2]))).toThrow(/Expected 4D \(unbatched\) or 5D \(batched\) input to conv3d/);
    expect(flat(x)).toEqual(before);
  });
});

describe('normalization', () => {
  it("GroupNorm and InstanceNorm: PyTorch's reprs, state-dict names, constructor errors", () => {
    expect(new nn.GroupNorm(2, 4).toString()).toBe('GroupNorm(2, 4, eps=1e-05, affine=True)');
    expect(new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true }).toString()).toBe('InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    expect(new nn.InstanceNorm1d(3).toString()).toBe('InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)');
    expect(Object.keys(new nn.GroupNorm(2, 4).stateDict())).toEqual(['weight', 'bias']);
    expect(Object.keys(new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true }).stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(Object.keys(new nn.InstanceNorm2d(3).stateDict())).toEqual([]);
    expect(() => new nn.GroupNorm(4, 6)).toThrow(new torch.ValueError('GroupNorm: num_channels must be divisible by num_groups'));
    expect(() => new nn.InstanceNorm2d(3).call(torch.randn([3, 3]))).toThrow(/expected 3D or 4D input \(got 2D input\)/);
  });

  it('InstanceNorm2d with running statistics: training updates them (batch average of the per-instance statistics), eval uses them', () => {
    const m = new nn.InstanceNorm2d(2, { trackRunningStats: true, momentum: 0.5 });
    // instance (n, c) values: n=0: c0 [0, 2], c1 [1, 1]... as [N=2, C=2, 1, 2]
    const x = torch.tensor([[[[0, 2]], [[1, 1]]], [[[4, 8]], [[-1, 3]]]]);
    m.call(x);
    // means: c0 (1 + 6) / 2 = 3.5, c1 (1 + 1) / 2 = 1; unbiased variances: c0 (2 + 8) / 2 = 5, c1 (0 + 8) / 2 = 4
    expectClose(flat(m.runningMean!), [0.5 * 3.5, 0.5 * 1]);
    expectClose(flat(m.runningVar!), [0.5 + 0.5 * 5, 0.5 + 0.5 * 4]);
    m.eval();
    const y = m.call(torch.tensor([[[[1.75, 3]], [[0.5, 2]]]]));
    expectClose(flat(y), [0, (3 - 1.75) / Math.sqrt(3 + 1e-5), 0, 1.5 / Math.sqrt(2.5 + 1e-5)], { rtol: 1e-5 });
  });
});

describe('resampling and reshaping modules', () => {
  it("Upsample, PixelShuffle, PixelUnshuffle, Unflatten: PyTorch's reprs", () => {
    expect(new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).toString()).toBe('Upsample(scale_factor=2.0, mode=bilinear)');
    expect(new nn.Upsample([3, 5]).toString()).toBe('Upsample(size=(3, 5), mode=nearest)');
    expect(new nn.Upsample(null, [2, 1.5]).toString()).toBe('Upsample(scale_factor=(2.0, 1.5), mode=nearest)');
    expect(new nn.UpsamplingBilinear2d({ scaleFactor: 2 }).toString()).toBe('UpsamplingBilinear2d(scale_factor=2.0, mode=bilinear)');
    expect(new nn.PixelShuffle(2).toString()).toBe('PixelShuffle(upscale_factor=2)');
    expect(new nn.PixelUnshuffle(3).toString()).toBe('PixelUnshuffle(downscale_factor=3)');
    expect(new nn.Unflatten(1, [2, 3]).toString()).toBe('Unflatten(dim=1, unflattened_size=(2, 3))');
  });

  it('pixelUnshuffle undoes pixelShuffle; nearest upsampling by 2 repeats each pixel', () => {
    const x = torch.arange(2 * 8 * 2 * 3, { dtype: 'float32' }).reshape(2, 8, 2, 3);
    expect(flat(F.pixelUnshuffle(F.pixelShuffle(x, 2), 2))).toEqual(flat(x));
    const y = F.interpolate(torch.tensor([[[[1, 2], [3, 4]]]]), { scaleFactor: 2 });
    expect(flat(y)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
});

describe('Embedding maxNorm', () => {
  it('renormalizes the looked-up rows of the weight in place (only those), and prints max_norm', () => {
    const e = nn.Embedding.fromPretrained(torch.tensor([[3, 4], [0.3, 0.4], [6, 8]]), { maxNorm: 1 });
    const out = e.call(torch.tensor([0, 1, 0], { dtype: 'int64' }));
    expectClose(flat(out), [0.6, 0.8, 0.3, 0.4, 0.6, 0.8], { rtol: 1e-6 });
    expectClose(flat(e.weight), [0.6, 0.8, 0.3, 0.4, 6, 8], { rtol: 1e-6 });
    expect(new nn.Embedding(5, 3, { paddingIdx: 1, maxNorm: 1 }).toString()).toBe('Embedding(5, 3, padding_idx=1, max_norm=1.0)');
    expect(new nn.Embedding(5, 3, { maxNorm: 2.5, normType: 1 }).toString()).toBe('Embedding(5, 3, max_norm=2.5, norm_type=1.0)');
  });
});

describe('ModuleDict, ParameterList, ParameterDict', () => {
  it("register their entries under PyTorch's state-dict names, in insertion order, and load them", () => {
    class Net extends nn.Module {
      heads = new nn.ModuleDict({ b: new nn.Linear(2, 2), a: new nn.Linear(2, 1) });
      scales = new nn.ParameterList([new nn.Parameter(torch.zeros([2])), torch.ones([3])]);
      extra = new nn.ParameterDict({ gamma: torch.ones([1]) });
    }
    const net = new Net();
    expect(Object.keys(net.stateDict())).toEqual(['heads.b.weight', 'heads.b.bias', 'heads.a.weight', 'heads.a.bias', 'scales.0', 'scales.1', 'extra.gamma']);
    expect(net.parameters()).toHaveLength(7);
    expect(net.scales.at(1)).toBeInstanceOf(nn.Parameter);
    expect([...net.scales].map((p) => p.shape)).toEqual([[2], [3]]);
    expect(net.heads.keys()).toEqual(['b', 'a']);
    expect(net.heads.get('a')).toBeInstanceOf(nn.Linear);
    net.loadStateDict({ ...net.stateDict(), 'scales.1': torch.tensor([7, 8, 9]), 'extra.gamma': torch.tensor([2]) });
    expect(flat(net.scales.at(-1))).toEqual([7, 8, 9]);
    expect(flat(net.extra.get('gamma'))).toEqual([2]);
    expect(net.scales.toString()).toBe('ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2]\n    (1): Parameter containing: [torch.float32 of size 3]\n)');
    expect(new nn.ParameterList().toString()).toBe('ParameterList()');
    expect(net.extra.toString()).toBe('ParameterDict(  (gamma): Parameter containing: [torch.FloatTensor of size 1])');
    net.heads.pop('b');
    expect(Object.keys(net.stateDict()).slice(0, 2)).toEqual(['heads.a.weight', 'heads.a.bias']);
    expect(net.heads.length).toBe(1);
  });

  it('refuse keys that are attributes of the container, and missing keys', () => {
    expect(() => new nn.ModuleDict({ training: new nn.Linear(1, 1) })).toThrow(new torch.ValueError("ModuleDict: attribute 'training' already exists"));
    expect(() => new nn.ParameterDict().get('nope')).toThrow(torch.IndexError);
    expect(() => new nn.ParameterList().at(0)).toThrow(torch.IndexError);
    expect(() => new nn.ParameterList([3 as unknown as torch.Tensor])).toThrow(torch.ArgumentError);
  });
});
