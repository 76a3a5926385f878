/**
 * A failed program changes nothing, also when its error is found late (issue 9 §1; src/tensor/realization.ts
 * rule 3): an index computed lazily is checked by the kernel at opt.step() or item(); then every tensor the
 * program would have written keeps its previous value, and the next good step trains on.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { IndexError, ZeroDivisionError } from '../../src/ir/index.js';
import { getDevice, type CpuDevice } from '../../src/runtime/index.js';

const { nn, optim } = torch;
const ints = (...v: number[]): torch.Tensor => torch.tensor(BigInt64Array.from(v, BigInt));
/** Indices out of range that only a kernel sees: computed lazily from good ones. */
const lazy = (v: number[], shift: number): torch.Tensor => ints(...v).add(shift);

type Snapshot = Record<string, number[] | number | null>;

function snapshot(net: torch.nn.Module, opt: torch.optim.Optimizer): Snapshot {
  const out: Snapshot = {};
  for (const [name, p] of net.namedParameters()) {
    out[name] = p.detach().flatten().tolist() as number[];
    out[`${name}.grad`] = p.grad === null ? null : (p.grad.flatten().tolist() as number[]);
    const st = opt.state.get(p) ?? {};
    for (const [k, v] of Object.entries(st)) out[`${name}.${k}`] = v instanceof torch.Tensor ? (v.flatten().tolist() as number[]) : v;
  }
  return out;
}

function lookupModel(optimizer: 'sgd' | 'adam'): { step: (idx: torch.Tensor) => torch.Tensor; net: torch.nn.Module; opt: torch.optim.Optimizer } {
  torch.manualSeed(7);
  const fc = new nn.Linear(4, 2);
  const table = torch.randn(10, 4);
  const opt = optimizer === 'sgd' ? new optim.SGD(fc.parameters(), { lr: 0.1, momentum: 0.9 }) : new optim.Adam(fc.parameters(), { lr: 0.01 });
  const step = (idx: torch.Tensor): torch.Tensor => {
    opt.zeroGrad();
    const loss = fc.call(table.index(idx)).pow(2).mean();
    loss.backward();
    opt.step();
    return loss;
  };
  return { step, net: fc, opt };
}

describe('a late error changes nothing', () => {
  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`a gather with a lazy bad index raises at opt.step() once; parameters, ${optimizer} state and .grad keep their values; training goes on`, () => {
      const a = lookupModel(optimizer);
      const b = lookupModel(optimizer);
      a.step(ints(1, 2, 3));
      b.step(ints(1, 2, 3));
      const before = snapshot(a.net, a.opt);
      expect(() => a.step(lazy([1, 2, 3], 7))).toThrow(IndexError);
      expect(snapshot(a.net, a.opt)).toEqual({ ...before, 'weight.grad': null, 'bias.grad': null });
      // torch.save and every read work; the error is not raised again
      expect(() => a.net.stateDict()['weight']!.tolist()).not.toThrow();
      // the next good step gives exactly what a run without the failed step gives
      for (const idx of [ints(4, 5), ints(0, 9, 9)]) {
        a.step(idx);
        b.step(idx);
      }
      expect(snapshot(a.net, a.opt)).toEqual(snapshot(b.net, b.opt));
    });
  }

  it('an embedding with lazy bad indices: the error surfaces at opt.step, the weights are unchanged', () => {
    torch.manualSeed(1);
    const emb = new nn.Embedding(6, 3);
    const opt = new optim.SGD(emb.parameters(), { lr: 0.5 });
    const w0 = emb.weight.tolist();
    opt.zeroGrad();
    emb.call(lazy([0, 1], 5)).sum().backward();
    expect(() => opt.step()).toThrow(IndexError);
    expect(emb.weight.tolist()).toEqual(w0);
    opt.zeroGrad();
    emb.call(ints(0, 1)).sum().backward();
    opt.step();
    const w1 = emb.weight.tolist() as number[][];
    expect(w1[0]![0]).toBeCloseTo((w0 as number[][])[0]![0]! - 0.5, 5);
    expect(w1[2]).toEqual((w0 as number[][])[2]);
  });

  it('x.add_(src.index(lazy bad)) leaves x readable with its previous value; in-place updates before it are kept', () => {
    const x = torch.zeros(3);
    const src = torch.arange(4).float();
    x.add_(1);
    x.add_(src.index(lazy([1, 2, 3], 2)));
    expect(() => x.tolist()).toThrow(IndexError);
    expect(x.tolist()).toEqual([1, 1, 1]);
    x.add_(src.index(ints(1, 2, 3)));
    expect(x.tolist()).toEqual([2, 3, 4]);
  });

  it('an index write with lazy bad indices (indexPut_, scatter_add) keeps the target', () => {
    const x = torch.arange(5).float();
    x.indexPut_([lazy([0, 4], 1)], torch.tensor([9, 9]));
    expect(() => x.tolist()).toThrow(IndexError);
    expect(x.tolist()).toEqual([0, 1, 2, 3, 4]);
    const y = torch.zeros(4);
    y.scatterAdd_(0, lazy([0, 3], 1), torch.ones(2));
    expect(() => y.sum().item()).toThrow(IndexError);
    expect(y.tolist()).toEqual([0, 0, 0, 0]);
  });

  it('integer division by zero and a negative integer power, found by the kernel: the target keeps its value', () => {
    const x = ints(10, 20, 30);
    const zero = ints(1, 2, 3).sub(ints(1, 2, 3)); // zeros only a kernel knows about
    x.add_(ints(5, 5, 5).floorDivide(zero.add(ints(1, 0, 1))));
    expect(() => x.tolist()).toThrow(ZeroDivisionError);
    expect(x.tolist()).toEqual([10, 20, 30]);
    x.add_(ints(2, 2, 2).remainder(zero));
    expect(() => x.tolist()).toThrow(ZeroDivisionError);
    expect(x.tolist()).toEqual([10, 20, 30]);
    x.add_(ints(2, 2, 2).pow(zero.sub(ints(1, 1, 1))));
    expect(() => x.tolist()).toThrow(ZeroDivisionError);
    expect(x.tolist()).toEqual([10, 20, 30]);
  });

  it('a value built on a failed node raises the same error at once, without computing anything', () => {
    const bad = torch.arange(4).float().index(lazy([0], 9));
    expect(() => bad.item()).toThrow(IndexError);
    const later = bad.mul(2).add(1);
    const cpu = getDevice('cpu') as CpuDevice;
    const before = cpu.stats.realizations;
    expect(() => later.item()).toThrow(IndexError);
    expect(cpu.stats.realizations).toBe(before);
  });

  it('a failing value that only rides along (an accumulator) does not fail the step: it raises where it is read', () => {
    torch.manualSeed(3);
    const fc = new nn.Linear(2, 2);
    const opt = new optim.SGD(fc.parameters(), { lr: 0.1 });
    const x = torch.randn(4, 2);
    let seen = torch.zeros([]);
    const stepOnce = (): void => {
      opt.zeroGrad();
      fc.call(x).pow(2).sum().backward();
      opt.step();
    };
    stepOnce();
    // built after the step, read nowhere: computed with the next step's program (rule 1)
    seen = seen.add(torch.arange(3).float().index(lazy([0], 5)).sum());
    const w0 = fc.weight.tolist();
    expect(() => stepOnce()).not.toThrow();
    expect(fc.weight.tolist()).not.toEqual(w0);
    expect(() => seen.item()).toThrow(IndexError);
  });
});

describe('in-place updates are carried out with the next realization', () => {
  it('a failing in-place update is undone and reported by whatever realizes next', () => {
    const x = torch.zeros(3);
    x.add_(torch.arange(3).float().index(lazy([0, 1, 2], 3)));
    const other = torch.ones(2).mul(3);
    expect(() => other.sum().item()).toThrow(IndexError);
    expect(x.tolist()).toEqual([0, 0, 0]);
    expect(other.sum().item()).toBe(6);
  });
  it('an in-place update is computed with the next program (its old value is not kept for later)', () => {
    const x = torch.ones(4);
    x.mul_(5);
    expect(x.node.op).not.toBe('buffer');
    torch.ones(1).add(1).item();
    expect(x.node.op).toBe('buffer');
    expect(x.tolist()).toEqual([5, 5, 5, 5]);
  });
});
