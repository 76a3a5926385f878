import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';

const { nn } = torch;
const F = nn.functional;
const flat = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);

/** The tutorial's LeNet, written as a user would. */
class LeNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5);
  conv2 = new nn.Conv2d(6, 16, 5);
  bn = new nn.BatchNorm2d(16);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  drop = new nn.Dropout(0.25);
  override forward(x: torch.Tensor): torch.Tensor {
    let y = F.maxPool2d(F.relu(this.conv1.call(x)), 2);
    y = F.maxPool2d(F.relu(this.bn.call(this.conv2.call(y))), 2);
    y = F.flatten(y, 1);
    y = this.drop.call(F.relu(this.fc1.call(y)));
    return this.fc3.call(F.relu(this.fc2.call(y)));
  }
}

describe('modules', () => {
  it('parameters and buffers are found with PyTorch state-dict names, in order', () => {
    const net = new LeNet();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'bn.weight', 'bn.bias',
      'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias',
    ]);
    const sd = net.stateDict();
    expect(Object.keys(sd)).toEqual([
      'conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias',
      'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked',
      'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias',
    ]);
    expect(sd['conv2.weight']!.shape).toEqual([16, 6, 5, 5]);
    expect(sd['fc1.weight']!.shape).toEqual([120, 400]);
    expect(sd['bn.num_batches_tracked']!.dtype).toBe('int64');
    expect(net.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(net.parameters().reduce((a, p) => a + p.numel(), 0)).toBe(156 + 2416 + 32 + 48120 + 10164 + 850);
  });

  it('forward runs end to end: LeNet on [2, 1, 32, 32] gives [2, 10]; unbatched works too', () => {
    torch.manualSeed(1);
    const net = new LeNet();
    const y = net.call(torch.rand(2, 1, 32, 32));
    expect(y.shape).toEqual([2, 10]);
    expect(flat(y).every(Number.isFinite)).toBe(true);
    const loss = F.crossEntropy(y, torch.tensor([3n, 9n]));
    expect(loss.requiresGrad).toBe(true);
    expect(Number.isFinite(loss.item())).toBe(true);
    net.eval();
    expect(new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.Flatten(0)).call(torch.rand(1, 5, 5)).shape).toEqual([18]);
  });

  it('train()/eval() propagate to every submodule and change behaviour', () => {
    const net = new LeNet();
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    const x = torch.rand(2, 1, 32, 32);
    expect(flat(net.call(x))).toEqual(flat(net.call(x)));
    expect(net.bn.num_batches_tracked!.item()).toBe(0);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    net.call(x);
    expect(net.bn.num_batches_tracked!.item()).toBe(1);
  });

  it('toString prints as PyTorch', () => {
    expect(new nn.Linear(400, 120).toString()).toBe('Linear(in_features=400, out_features=120, bias=True)');
    expect(new nn.Linear(3, 2, { bias: false }).toString()).toBe('Linear(in_features=3, out_features=2, bias=False)');
    expect(new nn.Conv2d(1, 6, 5).toString()).toBe('Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))');
    expect(new nn.Conv2d(6, 12, [3, 1], { stride: 2, padding: 1, dilation: 2, groups: 3, bias: false }).toString()).toBe(
      'Conv2d(6, 12, kernel_size=(3, 1), stride=(2, 2), padding=(1, 1), dilation=(2, 2), groups=3, bias=False)',
    );
    expect(new nn.Conv2d(2, 2, 3, { padding: 'same' }).toString()).toBe('Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding=same)');
    expect(new nn.Conv1d(2, 4, 3).toString()).toBe('Conv1d(2, 4, kernel_size=(3,), stride=(1,))');
    expect(new nn.MaxPool2d(2).toString()).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
    expect(new nn.MaxPool2d([3, 2], { stride: 1, ceilMode: true }).toString()).toBe('MaxPool2d(kernel_size=(3, 2), stride=1, padding=0, dilation=1, ceil_mode=True)');
    expect(new nn.AvgPool2d(2).toString()).toBe('AvgPool2d(kernel_size=2, stride=2, padding=0)');
    expect(new nn.AdaptiveAvgPool2d([5, 7]).toString()).toBe('AdaptiveAvgPool2d(output_size=(5, 7))');
    expect(new nn.AdaptiveAvgPool2d([null, 7]).toString()).toBe('AdaptiveAvgPool2d(output_size=(None, 7))');
    expect(new nn.BatchNorm2d(16).toString()).toBe('BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    expect(new nn.Flatten().toString()).toBe('Flatten(start_dim=1, end_dim=-1)');
    expect(new nn.Identity().toString()).toBe('Identity()');
    expect(new nn.Sigmoid().toString()).toBe('Sigmoid()');
    expect(new LeNet().toString()).toBe(
      [
        'LeNet(',
        '  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))',
        '  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))',
        '  (bn): BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
        '  (fc1): Linear(in_features=400, out_features=120, bias=True)',
        '  (fc2): Linear(in_features=120, out_features=84, bias=True)',
        '  (fc3): Linear(in_features=84, out_features=10, bias=True)',
        '  (drop): Dropout(p=0.25, inplace=False)',
        ')',
      ].join('\n'),
    );
  });

  it("default init: kaiming_uniform_(a=√5) weights and biases within ±1/√fan_in, spread over the range", () => {
    torch.manualSeed(3);
    for (const [m, fanIn] of [
      [new nn.Linear(50, 40), 50],
      [new nn.Conv2d(3, 8, 3), 27],
    ] as const) {
      const bound = 1 / Math.sqrt(fanIn);
      const w = flat(m.weight);
      const b = flat(m.bias!);
      for (const v of [...w, ...b]) expect(Math.abs(v)).toBeLessThanOrEqual(bound * (1 + 1e-6));
      // Uniform on [-bound, bound]: the largest value is near the bound, the variance bound²/3.
      expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(bound * 0.95);
      const variance = w.reduce((a, v) => a + v * v, 0) / w.length;
      expect(Math.abs(variance / (bound * bound / 3) - 1)).toBeLessThan(0.15);
    }
    const bn = new nn.BatchNorm1d(4);
    expect(flat(bn.weight!)).toEqual([1, 1, 1, 1]);
    expect(flat(bn.bias!)).toEqual([0, 0, 0, 0]);
    expect(flat(bn.running_var!)).toEqual([1, 1, 1, 1]);
  });

  it('Linear computes x Wᵀ + b (leading dims kept) and reports shape errors from matmul', () => {
    const lin = new nn.Linear(3, 2);
    torch.noGrad(() => {
      lin.weight.copy_(torch.tensor([[1, 2, 3], [-1, 0, 1]], { dtype: 'float32' }));
      lin.bias!.copy_(torch.tensor([0.5, -0.5]));
    });
    expect(lin.call(torch.tensor([[1, 1, 1], [0, 1, 2]], { dtype: 'float32' })).tolist()).toEqual([[6.5, -0.5], [8.5, 1.5]]);
    expect(lin.call(torch.tensor([[[1, 0, 0]]], { dtype: 'float32' })).tolist()).toEqual([[[1.5, -1.5]]]);
    expect(lin.call(torch.tensor([0, 0, 1], { dtype: 'float32' })).tolist()).toEqual([3.5, 0.5]);
    expect(() => lin.call(torch.zeros(4, 5))).toThrow(new torch.ShapeError('linear: mat1 and mat2 shapes cannot be multiplied (4x5 and 3x2)'));
    expect(() => lin.call(torch.zeros([4, 3], { dtype: 'float64' }))).toThrow(/mat1 and mat2 must have the same dtype, but got Double and Float/);
    expect(lin.call(torch.zeros(2, 3)).gradFn?.name).toBe('AddmmBackward0');
  });

  it('loadStateDict: round trip, and missing / unexpected / size-mismatch errors that change nothing', () => {
    torch.manualSeed(5);
    const a = new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3));
    const b = new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3));
    a.call(torch.rand(5, 4));
    b.loadStateDict(a.stateDict());
    for (const [k, v] of Object.entries(a.stateDict())) expect(flat(b.stateDict()[k]!)).toEqual(flat(v));
    expect(b.at(1).stateDict()['num_batches_tracked']!.item()).toBe(1);

    const before = flat((b.at(0) as torch.nn.Linear).weight);
    const sd = a.stateDict();
    const { ['1.running_var']: _dropped, ...missing } = sd;
    void _dropped;
    expect(() => b.loadStateDict(missing)).toThrow(/Missing key\(s\) in state_dict: "1.running_var"/);
    expect(() => b.loadStateDict({ ...sd, extra: torch.zeros(1) })).toThrow(/Unexpected key\(s\) in state_dict: "extra"/);
    expect(() => b.loadStateDict({ ...sd, '0.weight': torch.zeros(3, 5) })).toThrow(
      /size mismatch for 0.weight: copying a param with shape torch.Size\(\[3, 5\]\) from checkpoint, the shape in current model is torch.Size\(\[3, 4\]\)/,
    );
    expect(flat((b.at(0) as torch.nn.Linear).weight)).toEqual(before);
    const r = b.loadStateDict({ ...missing, extra: torch.zeros(1) }, { strict: false });
    expect(r).toEqual({ missingKeys: ['1.running_var'], unexpectedKeys: ['extra'] });
  });

  it('zeroGrad, to(device), buffers move with the module', () => {
    const m = new nn.BatchNorm1d(2);
    m.to('interp');
    expect(m.weight!.device).toBe('interp');
    expect(m.running_mean!.device).toBe('interp');
    expect(m.num_batches_tracked!.device).toBe('interp');
    const y = m.call(torch.tensor([[1, 2], [3, 5]], { device: 'interp', dtype: 'float32' }));
    expectClose(flat(y), [-1, -1, 1, 1], { rtol: 1e-4 });
    expectClose(flat(m.running_mean!), [0.2, 0.35], { rtol: 1e-6 });
  });
});
