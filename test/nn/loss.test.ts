import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { classRows, nest, randomValues, refLogSoftmax } from './reference.js';

const { nn } = torch;
const F = nn.functional;
const flat = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);
const dev = 'interp';
const T = (vals: number[], shape: number[]): torch.Tensor => torch.tensor(nest(vals, shape) as torch.TensorData, { dtype: 'float64', device: dev });
const L = (labels: number[], shape: number[] = [labels.length]): torch.Tensor => torch.tensor(nest(labels, shape) as torch.TensorData, { dtype: 'int64', device: dev });
type Red = 'mean' | 'sum' | 'none';

/**
 * Cross entropy / NLL by definition: per position -w[y] logp[y] mixed with the smoothing term
 * -sum_c w_c logp_c / C; ignored positions count nothing; mean divides by the summed w[y].
 */
function refClassLoss(
  x: number[],
  N: number,
  C: number,
  S: number,
  labels: number[],
  o: { w?: number[]; ignore?: number; eps?: number; reduction?: Red; logits?: boolean },
): number[] {
  const rows = classRows(x, N, C, S);
  const w = o.w ?? Array(C).fill(1);
  const eps = o.eps ?? 0;
  const per: number[] = [];
  let denom = 0;
  for (let n = 0; n < N; n++)
    for (let s = 0; s < S; s++) {
      const y = labels[n * S + s]!;
      if (y === (o.ignore ?? -100)) {
        per.push(0);
        continue;
      }
      const logp = o.logits === false ? rows[n]![s]! : refLogSoftmax(rows[n]![s]!);
      const nll = -w[y]! * logp[y]!;
      const smooth = -logp.reduce((a, v, c) => a + w[c]! * v, 0);
      per.push((1 - eps) * nll + (eps / C) * smooth);
      denom += w[y]!;
    }
  const sum = per.reduce((a, b) => a + b, 0);
  const r = o.reduction ?? 'mean';
  return r === 'none' ? per : r === 'sum' ? [sum] : [sum / denom];
}

describe('crossEntropy and nllLoss against loops', () => {
  const N = 5;
  const C = 4;
  const x = randomValues(N * C, 1, -3, 3);
  const labels = [3, 0, -100, 1, 3];

  it.each(['mean', 'sum', 'none'] as const)('[N, C] with an ignored label, reduction %s', (reduction) => {
    const got = F.crossEntropy(T(x, [N, C]), L(labels), { reduction });
    expect(got.shape).toEqual(reduction === 'none' ? [N] : []);
    expectClose(flat(got), refClassLoss(x, N, C, 1, labels, { reduction }), { rtol: 1e-12, atol: 1e-14 });
  });

  it('class weights: the mean divides by the summed weights of the counted labels', () => {
    const w = [0.5, 2, 1, 3];
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const got = F.crossEntropy(T(x, [N, C]), L(labels), { weight: T(w, [C]), reduction });
      expectClose(flat(got), refClassLoss(x, N, C, 1, labels, { w, reduction }), { rtol: 1e-12, atol: 1e-14 });
    }
  });

  it("label smoothing (PyTorch's formula), with weights and an ignored label", () => {
    for (const w of [undefined, [0.5, 2, 1, 3]]) {
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        const got = F.crossEntropy(T(x, [N, C]), L(labels), { weight: w && T(w, [C]), reduction, labelSmoothing: 0.2 });
        expectClose(flat(got), refClassLoss(x, N, C, 1, labels, { w, reduction, eps: 0.2 }), { rtol: 1e-12, atol: 1e-14 });
      }
    }
  });

  it('[N, C, d1, d2] with labels [N, d1, d2]; custom ignoreIndex that is a class', () => {
    const xs = [2, 3, 2, 2];
    const xv = randomValues(24, 5, -2, 2);
    const lab = [0, 2, 1, 1, 2, 2, 0, 1];
    const got = F.crossEntropy(T(xv, xs), L(lab, [2, 2, 2]), { ignoreIndex: 1, reduction: 'none' });
    expect(got.shape).toEqual([2, 2, 2]);
    expectClose(flat(got), refClassLoss(xv, 2, 3, 4, lab, { ignore: 1, reduction: 'none' }), { rtol: 1e-12, atol: 1e-14 });
    expectClose(flat(F.crossEntropy(T(xv, xs), L(lab, [2, 2, 2]), { ignoreIndex: 1 })), refClassLoss(xv, 2, 3, 4, lab, { ignore: 1 }), { rtol: 1e-12 });
  });

  it('unbatched [C] input with a 0-d label; all labels ignored gives NaN (mean)', () => {
    const got = F.crossEntropy(T(x.slice(0, C), [C]), L([2], []));
    expect(got.shape).toEqual([]);
    expectClose(got.item(), -refLogSoftmax(x.slice(0, C))[2]!, { rtol: 1e-12 });
    expect(Number.isNaN(F.crossEntropy(T(x, [N, C]), L([-100, -100, -100, -100, -100])).item())).toBe(true);
  });

  it('class probabilities as targets, with label smoothing and weights', () => {
    const p = randomValues(N * C, 9, 0, 1);
    const w = [1, 0.5, 2, 1.5];
    const eps = 0.1;
    const per = classRows(x, N, C, 1).map((r, n) => {
      const logp = refLogSoftmax(r[0]!);
      return -logp.reduce((a, v, c) => a + w[c]! * (p[n * C + c]! * (1 - eps) + eps / C) * v, 0);
    });
    const got = F.crossEntropy(T(x, [N, C]), T(p, [N, C]), { weight: T(w, [C]), labelSmoothing: eps, reduction: 'none' });
    expectClose(flat(got), per, { rtol: 1e-12 });
    const mean = F.crossEntropy(T(x, [N, C]), T(p, [N, C]), { weight: T(w, [C]), labelSmoothing: eps });
    expectClose(mean.item(), per.reduce((a, b) => a + b, 0) / N, { rtol: 1e-12 });
  });

  it('nllLoss picks -w[y] input[y]; the module forms agree with the functional ones', () => {
    const lp = randomValues(N * C, 3, -5, 0);
    const w = [1, 2, 3, 4];
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const got = F.nllLoss(T(lp, [N, C]), L(labels), { weight: T(w, [C]), reduction });
      expectClose(flat(got), refClassLoss(lp, N, C, 1, labels, { w, reduction, logits: false }), { rtol: 1e-12, atol: 1e-14 });
    }
    const crit = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
    expectClose(crit.call(T(x, [N, C]), L(labels)).item(), refClassLoss(x, N, C, 1, labels, { eps: 0.1 })[0]!, { rtol: 1e-12 });
    expectClose(new nn.NLLLoss().call(T(lp, [N, C]), L(labels)).item(), refClassLoss(lp, N, C, 1, labels, { logits: false })[0]!, { rtol: 1e-12 });
    expect(crit.toString()).toBe('CrossEntropyLoss()');
    const weighted = new nn.CrossEntropyLoss({ weight: T(w, [C]) });
    expect(Object.keys(weighted.stateDict())).toEqual(['weight']);
    expect(Object.keys(crit.stateDict())).toEqual([]);
  });

  it('gradFn names', () => {
    const xg = torch.tensor(nest(x, [N, C]) as torch.TensorData, { dtype: 'float64', device: dev, requiresGrad: true });
    expect(F.crossEntropy(xg, L(labels)).gradFn?.name).toBe('NllLossBackward0');
    expect(F.nllLoss(xg, L(labels)).gradFn?.name).toBe('NllLossBackward0');
    expect(F.crossEntropy(xg, L(labels), { labelSmoothing: 0.1 }).gradFn?.name).toBe('AddBackward0');
  });

  it('invalid labels: IndexError when known, NaN when not yet computed', () => {
    expect(() => F.crossEntropy(T(x, [N, C]), L([1, 12, 0, 0, 0]))).toThrow(new torch.IndexError('cross_entropy: Target 12 is out of bounds.'));
    expect(() => F.nllLoss(T(x, [N, C]), L([1, -1, 0, 0, 0]))).toThrow(/Target -1 is out of bounds\./);
    const lazy = L([1, 12, 0, 0, 0]).add(0);
    const per = flat(F.crossEntropy(T(x, [N, C]), lazy, { reduction: 'none' }));
    expect(Number.isNaN(per[1]!)).toBe(true);
    expect(per.filter((v) => Number.isNaN(v))).toHaveLength(1);
    expect(Number.isNaN(F.crossEntropy(T(x, [N, C]), lazy).item())).toBe(true);
  });

  it('shape and dtype errors', () => {
    const xin = torch.zeros(3, 4);
    expect(() => F.crossEntropy(xin, torch.tensor([0.0, 1.5, 2.0]))).toThrow(/expected scalar type Long but found Float/);
    expect(() => F.crossEntropy(xin, torch.tensor([0.0, 1.5, 2.0]))).toThrow(torch.DTypeError);
    expect(() => F.crossEntropy(xin, torch.tensor([0, 1, 2, 3], { dtype: 'int64' }))).toThrow(new torch.ShapeError('cross_entropy: Expected input batch_size (3) to match target batch_size (4).'));
    expect(() => F.crossEntropy(torch.zeros(2, 3, 4), torch.tensor([[0, 1, 2, 0], [0, 0, 0, 1], [1, 1, 1, 1]], { dtype: 'int64' }))).toThrow(torch.ShapeError);
    expect(() => F.crossEntropy(torch.zeros(2, 3, 4), torch.zeros([2, 5], { dtype: 'int32' }))).toThrow(/Expected target size \[2, 4\], got \[2, 5\]/);
    expect(() => F.crossEntropy(xin, torch.tensor([0, 1, 2], { dtype: 'int64' }), { weight: torch.ones(3) })).toThrow(/weight tensor should be defined either for all 4 classes or no classes/);
    expect(() => F.crossEntropy(xin, torch.tensor([0, 1, 2], { dtype: 'int64' }), { labelSmoothing: 1.5 })).toThrow(/label_smoothing must be between 0.0 and 1.0/);
    expect(() => F.crossEntropy(xin, torch.tensor([0, 1, 2], { dtype: 'int64' }), { reduction: 'avg' as 'mean' })).toThrow(/avg is not a valid value for reduction/);
  });
});

describe('regression and binary losses against loops', () => {
  const a = randomValues(6, 21, -2, 2);
  const b = randomValues(6, 22, -2, 2);
  const red = (per: number[], r: Red): number[] => (r === 'none' ? per : r === 'sum' ? [per.reduce((s, v) => s + v, 0)] : [per.reduce((s, v) => s + v, 0) / per.length]);

  it.each(['mean', 'sum', 'none'] as const)('mseLoss, l1Loss, smoothL1Loss, huberLoss (%s)', (reduction) => {
    const d = a.map((v, i) => v - b[i]!);
    expectClose(flat(F.mseLoss(T(a, [2, 3]), T(b, [2, 3]), { reduction })), red(d.map((v) => v * v), reduction), { rtol: 1e-13 });
    expectClose(flat(F.l1Loss(T(a, [2, 3]), T(b, [2, 3]), { reduction })), red(d.map(Math.abs), reduction), { rtol: 1e-13 });
    const sl1 = d.map((v) => (Math.abs(v) < 0.5 ? (0.5 * v * v) / 0.5 : Math.abs(v) - 0.25));
    expectClose(flat(F.smoothL1Loss(T(a, [2, 3]), T(b, [2, 3]), { reduction, beta: 0.5 })), red(sl1, reduction), { rtol: 1e-13 });
    const hub = d.map((v) => (Math.abs(v) < 0.7 ? 0.5 * v * v : 0.7 * (Math.abs(v) - 0.35)));
    expectClose(flat(F.huberLoss(T(a, [2, 3]), T(b, [2, 3]), { reduction, delta: 0.7 })), red(hub, reduction), { rtol: 1e-13 });
  });

  it('mseLoss broadcasts the target; modules; gradFn names', () => {
    const per = a.map((v, i) => (v - b[i % 3]!) ** 2);
    expectClose(new nn.MSELoss().call(T(a, [2, 3]), T(b.slice(0, 3), [3])).item(), per.reduce((s, v) => s + v, 0) / 6, { rtol: 1e-13 });
    expectClose(flat(new nn.L1Loss({ reduction: 'sum' }).call(T(a, [2, 3]), T(b, [2, 3]))), [a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0)], { rtol: 1e-13 });
    const xg = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    expect(F.mseLoss(xg, torch.zeros(2)).gradFn?.name).toBe('MseLossBackward0');
    expect(F.l1Loss(xg, torch.zeros(2)).gradFn?.name).toBe('MeanBackward0');
    expect(F.binaryCrossEntropy(xg.sigmoid(), torch.zeros(2)).gradFn?.name).toBe('BinaryCrossEntropyBackward0');
    expect(F.binaryCrossEntropyWithLogits(xg, torch.zeros(2)).gradFn?.name).toBe('BinaryCrossEntropyWithLogitsBackward0');
  });

  it('binaryCrossEntropy: definition, weight, the -100 clamp of log at 0 and 1', () => {
    const p = [0.1, 0.5, 0.9, 0.3, 0, 1];
    const y = [0, 1, 1, 0.25, 1, 0];
    const w = [1, 2, 0.5, 1, 1, 3];
    const per = p.map((v, i) => -w[i]! * (y[i]! * Math.max(Math.log(v), -100) + (1 - y[i]!) * Math.max(Math.log(1 - v), -100)));
    expectClose(flat(F.binaryCrossEntropy(T(p, [6]), T(y, [6]), { weight: T(w, [6]), reduction: 'none' })), per, { rtol: 1e-13 });
    expect(per[4]).toBe(100);
    expect(per[5]).toBe(300);
    expectClose(new nn.BCELoss().call(T(p, [6]), T(y, [6])).item(), p.reduce((s, v, i) => s - (y[i]! * Math.max(Math.log(v), -100) + (1 - y[i]!) * Math.max(Math.log(1 - v), -100)), 0) / 6, { rtol: 1e-13 });
    expect(() => F.binaryCrossEntropy(torch.zeros(3), torch.zeros(3, 1))).toThrow(
      /Using a target size \(torch.Size\(\[3, 1\]\)\) that is different to the input size \(torch.Size\(\[3\]\)\) is deprecated/,
    );
  });

  it('binaryCrossEntropyWithLogits: definition with posWeight and weight; stable for large logits', () => {
    const x = [-2, -0.5, 0, 0.7, 3, 1.2];
    const y = [0, 1, 1, 0, 1, 0.3];
    const pw = [2, 0.5, 1, 3, 1, 2];
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    const per = x.map((v, i) => -(pw[i]! * y[i]! * Math.log(sig(v)) + (1 - y[i]!) * Math.log(1 - sig(v))));
    expectClose(flat(F.binaryCrossEntropyWithLogits(T(x, [6]), T(y, [6]), { posWeight: T(pw, [6]), reduction: 'none' })), per, { rtol: 1e-12 });
    const w = [1, 2, 3, 4, 5, 6];
    const plain = x.map((v, i) => -w[i]! * (y[i]! * Math.log(sig(v)) + (1 - y[i]!) * Math.log(1 - sig(v))));
    expectClose(new nn.BCEWithLogitsLoss({ weight: T(w, [6]), reduction: 'sum' }).call(T(x, [6]), T(y, [6])).item(), plain.reduce((s, v) => s + v, 0), { rtol: 1e-12 });
    // Large logits: the naive form would give log(0); the stable one gives |x| where the label disagrees.
    expectClose(flat(F.binaryCrossEntropyWithLogits(T([50, -50, 50], [3]), T([0, 1, 1], [3]), { reduction: 'none' })), [50, 50, 0], { rtol: 1e-12, atol: 1e-15 });
    expect(() => F.binaryCrossEntropyWithLogits(torch.zeros(3), torch.zeros(2))).toThrow(/Target size \(torch.Size\(\[2\]\)\) must be the same as input size \(torch.Size\(\[3\]\)\)/);
  });
});
