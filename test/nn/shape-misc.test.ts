import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';

const { nn } = torch;
const F = nn.functional;
const flat = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);

describe('F.pad', () => {
  const x = (): torch.Tensor => torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
  it('pads the last dims first, with a value', () => {
    expect(F.pad(x(), [1, 0]).tolist()).toEqual([[0, 1, 2, 3], [0, 4, 5, 6]]);
    expect(F.pad(x(), [0, 1, 1, 0], { value: -1 }).tolist()).toEqual([[-1, -1, -1, -1], [1, 2, 3, -1], [4, 5, 6, -1]]);
    expect(F.pad(x(), [1, 1], 'constant').shape).toEqual([2, 5]);
  });
  it('negative amounts crop; errors', () => {
    expect(F.pad(x(), [-1, 1]).tolist()).toEqual([[2, 3, 0], [5, 6, 0]]);
    expect(F.pad(x(), [0, 0, -1, 0]).tolist()).toEqual([[4, 5, 6]]);
    expect(() => F.pad(x(), [1])).toThrow(/Padding length must be divisible by 2/);
    expect(() => F.pad(x(), [1, 1, 1, 1, 1, 1])).toThrow(/Padding length should be less than or equal to two times the input dimension/);
    expect(() => F.pad(x(), [-2, -2])).toThrow(/resulted in a negative output size/);
    expect(F.pad(x(), [1, 1], { mode: 'reflect' }).tolist()).toEqual([[2, 1, 2, 3, 2], [5, 4, 5, 6, 5]]);
    const g = torch.ones([2], { requiresGrad: true });
    expect(F.pad(g, [1, 1]).gradFn?.name).toBe('ConstantPadNdBackward0');
  });
});

describe('F.flatten and nn.Flatten', () => {
  it('merges a range of dims; a view of contiguous input (writes show through)', () => {
    const t = torch.zeros(2, 3, 4);
    const f = F.flatten(t, 1);
    expect(f.shape).toEqual([2, 12]);
    expect(f.isView).toBe(true);
    f.fill_(2);
    expect(flat(t).every((v) => v === 2)).toBe(true);
    expect(F.flatten(t).shape).toEqual([24]);
    expect(F.flatten(t, 0, 1).shape).toEqual([6, 4]);
    expect(F.flatten(t, -2).shape).toEqual([2, 12]);
    expect(F.flatten(torch.tensor(3)).shape).toEqual([1]);
    expect(new nn.Flatten().call(t).shape).toEqual([2, 12]);
    expect(() => F.flatten(t, 2, 1)).toThrow(/start_dim cannot come after end_dim/);
    expect(() => F.flatten(t, 3)).toThrow(torch.IndexError);
  });
});

describe('small modules', () => {
  it('Identity, Sigmoid, Tanh, SmoothL1Loss, HuberLoss, BCEWithLogitsLoss buffers', () => {
    const x = torch.tensor([-1, 0, 2], { dtype: 'float64' });
    expect(new nn.Identity(3, 'anything').call(x)).toBe(x);
    expectClose(flat(new nn.Sigmoid().call(x)), [-1, 0, 2].map((v) => 1 / (1 + Math.exp(-v))), { rtol: 1e-12 });
    expectClose(flat(new nn.Tanh().call(x)), [-1, 0, 2].map(Math.tanh), { rtol: 1e-12 });
    const y = torch.tensor([0, 0, 0], { dtype: 'float64' });
    expectClose(new nn.SmoothL1Loss({ beta: 2 }).call(x, y).item(), (0.25 + 0 + 1) / 3, { rtol: 1e-12 });
    expectClose(new nn.HuberLoss({ delta: 1.5, reduction: 'sum' }).call(x, y).item(), 0.5 + 0 + 1.5 * (2 - 0.75), { rtol: 1e-12 });
    const crit = new nn.BCEWithLogitsLoss({ posWeight: torch.tensor([1, 2, 3], { dtype: 'float64' }) });
    expect(Object.keys(crit.stateDict())).toEqual(['pos_weight']);
    expect(crit.posWeight!.shape).toEqual([3]);
    expect(() => new nn.MSELoss({ reduction: 'avg' as 'mean' })).toThrow(/avg is not a valid value for reduction/);
  });
});
