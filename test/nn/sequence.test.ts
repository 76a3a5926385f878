/**
 * Sequence layers beyond the PyTorch fixtures (test/conformance/sequence.test.ts): gradients of small LSTM, GRU,
 * RNN, attention and transformer layers against central finite differences in float64 on the interp device
 * (parameters and inputs), and behaviour: dropout between layers only in training, unbatched input as a batch of
 * one, stacks copying their layer, bad arguments typed.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { rng } from './reference.js';

const { nn } = torch;
const F = nn.functional;
const dev = 'interp';
type Tensor = torch.Tensor;
const f64 = { dtype: 'float64' as const, device: dev };
const flat = (t: Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number>, Number);

/**
 * d<f(), ct>/d leaf for every element of every leaf (parameters and inputs, float64, requiring grad) against
 * (f(leaf + eps) - f(leaf - eps)) / 2 eps, the leaf changed in place under noGrad and put back.
 */
function checkGrads(f: () => Tensor[], leaves: Tensor[], seed = 1): void {
  const outs = f();
  const r = rng(seed);
  const cts = outs.map((o) => torch.tensor(Array.from({ length: o.numel() }, () => r() * 2 - 1), f64).reshape(o.shape));
  const value = (): number => torch.noGrad(() => f().reduce((s, o, i) => s + (o.mul(cts[i]!).sum().item() as number), 0));
  let loss = outs[0]!.mul(cts[0]!).sum();
  outs.slice(1).forEach((o, i) => (loss = loss.add(o.mul(cts[i + 1]!).sum())));
  for (const l of leaves) l.grad = null;
  loss.backward();
  const eps = 1e-6;
  leaves.forEach((leaf, li) => {
    expect(leaf.grad, `gradient of leaf ${li}`).not.toBeNull();
    const analytic = flat(leaf.grad!);
    const base = flat(leaf);
    const set = (vals: number[]): void => void torch.noGrad(() => leaf.copy_(torch.tensor(vals, f64).reshape(leaf.shape)));
    const numeric = base.map((v, j) => {
      const xs = [...base];
      xs[j] = v + eps;
      set(xs);
      const fp = value();
      xs[j] = v - eps;
      set(xs);
      const fm = value();
      return (fp - fm) / (2 * eps);
    });
    set(base);
    expectClose(analytic, numeric, { rtol: 1e-5, atol: 1e-7 });
  });
}

const input = (...shape: number[]): Tensor => torch.randn(shape, f64).requiresGrad_(true);

describe('sequence layers: gradients vs finite differences (float64, interp)', () => {
  it('LSTM: 2 layers, bidirectional, initial states', () => {
    torch.manualSeed(1);
    const m = new nn.LSTM(2, 2, { numLayers: 2, bidirectional: true, ...f64 });
    const [x, h0, c0] = [input(3, 1, 2), input(4, 1, 2), input(4, 1, 2)];
    checkGrads(() => {
      const [o, [h, c]] = m.forward(x, [h0, c0]);
      return [o, h, c];
    }, [...m.parameters(), x, h0, c0]);
  });

  it('GRU: batch first, initial state', () => {
    torch.manualSeed(2);
    const m = new nn.GRU(2, 3, { batchFirst: true, ...f64 });
    const [x, h0] = [input(2, 3, 2), input(1, 2, 3)];
    checkGrads(() => m.forward(x, h0), [...m.parameters(), x, h0]);
  });

  it('RNN (relu) and the cells', () => {
    torch.manualSeed(3);
    const rnn = new nn.RNN(2, 2, { nonlinearity: 'relu', ...f64 });
    const x = input(3, 2, 2);
    checkGrads(() => rnn.forward(x), [...rnn.parameters(), x]);
    const lc = new nn.LSTMCell(2, 3, f64);
    const gc = new nn.GRUCell(2, 3, f64);
    const [xc, h, c] = [input(2, 2), input(2, 3), input(2, 3)];
    checkGrads(() => lc.forward(xc, [h, c]), [...lc.parameters(), xc, h, c]);
    checkGrads(() => [gc.forward(xc, h)], [...gc.parameters(), xc, h]);
  });

  it('MultiheadAttention with a key padding mask and a float mask; scaledDotProductAttention causal', () => {
    torch.manualSeed(4);
    const m = new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 2, ...f64 });
    const [q, k, v] = [input(3, 2, 4), input(2, 2, 3), input(2, 2, 2)];
    const kpm = torch.tensor([[false, true], [false, false]], { device: dev });
    const am = torch.tensor([[0, -0.5], [0.3, 0], [-1, 0.2]], f64);
    checkGrads(() => {
      const [o, w] = m.forward(q, k, v, { keyPaddingMask: kpm, attnMask: am });
      return [o, w!];
    }, [...m.parameters(), q, k, v]);
    const [a, b, c] = [input(2, 3, 2), input(2, 3, 2), input(2, 3, 2)];
    checkGrads(() => [F.scaledDotProductAttention(a, b, c, { isCausal: true })], [a, b, c]);
  });

  it('TransformerEncoderLayer (pre-norm, gelu) and TransformerDecoderLayer with masks', () => {
    torch.manualSeed(5);
    const enc = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 3, dropout: 0, normFirst: true, activation: 'gelu', ...f64 });
    const src = input(3, 1, 4);
    const causal = torch.tensor([[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]], f64);
    checkGrads(() => [enc.forward(src, { srcMask: causal })], [...enc.parameters(), src]);
    const dec = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 3, dropout: 0, ...f64 });
    const [tgt, mem] = [input(2, 1, 4), input(3, 1, 4)];
    checkGrads(() => [dec.forward(tgt, mem, { memoryKeyPaddingMask: torch.tensor([[false, false, true]], { device: dev }) })], [...dec.parameters(), tgt, mem]);
  });
});

describe('sequence layers: behaviour', () => {
  it('dropout between layers acts in training mode only, and never after the last layer', () => {
    torch.manualSeed(6);
    const m = new nn.LSTM(3, 4, { numLayers: 2, dropout: 1, ...f64 });
    const x = torch.randn([5, 2, 3], f64);
    // With p = 1 the second layer reads zeros: its output is the second layer run alone on zeros.
    const [trained] = m.forward(x);
    const solo = new nn.LSTM(4, 4, f64);
    const sd = m.stateDict();
    solo.loadStateDict(Object.fromEntries(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((n) => [`${n}_l0`, sd[`${n}_l1`]!])));
    expectClose(flat(trained), flat(solo.forward(torch.zeros([5, 2, 4], f64))[0]), { rtol: 1e-12, atol: 1e-12 });
    m.eval();
    const [evaluated] = m.forward(x);
    const m0 = new nn.LSTM(3, 4, { numLayers: 2, ...f64 });
    m0.loadStateDict(m.stateDict());
    expectClose(flat(evaluated), flat(m0.forward(x)[0]), { rtol: 1e-12, atol: 1e-12 });
  });

  it('unbatched input is a batch of one; batchFirst transposes', () => {
    torch.manualSeed(7);
    const m = new nn.GRU(3, 4, { bidirectional: true, ...f64 });
    const x = torch.randn([5, 2, 3], f64);
    const [o, h] = m.forward(x);
    const [o1, h1] = m.forward(x.select(1, 1));
    expect(o1.shape).toEqual([5, 8]);
    expect(h1.shape).toEqual([2, 4]);
    expectClose(flat(o1), flat(o.select(1, 1)), { rtol: 1e-12, atol: 1e-12 });
    expectClose(flat(h1), flat(h.select(1, 1)), { rtol: 1e-12, atol: 1e-12 });
    const mb = new nn.GRU(3, 4, { bidirectional: true, batchFirst: true, ...f64 });
    mb.loadStateDict(m.stateDict());
    const [ob] = mb.forward(x.transpose(0, 1));
    expectClose(flat(ob.transpose(0, 1).contiguous()), flat(o), { rtol: 1e-12, atol: 1e-12 });
  });

  it('an empty sequence gives an empty output and the initial states', () => {
    const m = new nn.LSTM(3, 4, f64);
    const h0 = torch.randn([1, 2, 4], f64);
    const c0 = torch.randn([1, 2, 4], f64);
    const [o, [h, c]] = m.forward(torch.zeros([0, 2, 3], f64), [h0, c0]);
    expect(o.shape).toEqual([0, 2, 4]);
    expectClose(flat(h), flat(h0), { rtol: 0, atol: 0 });
    expectClose(flat(c), flat(c0), { rtol: 0, atol: 0 });
  });

  it('TransformerEncoder copies its layer: same values, separate parameters', () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 });
    const enc = new nn.TransformerEncoder(layer, 2);
    const [a, b] = [...enc.layers] as [torch.nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer];
    expect(a.linear1.weight).not.toBe(b.linear1.weight);
    expect(a.linear1.weight).not.toBe(layer.linear1.weight);
    expect(flat(a.linear1.weight)).toEqual(flat(layer.linear1.weight));
    expect(flat(b.self_attn.in_proj_weight!)).toEqual(flat(layer.self_attn.in_proj_weight!));
  });

  it('bad arguments are typed graft errors', () => {
    expect(() => new nn.LSTM(-1, 3)).toThrow(torch.ValueError);
    expect(() => new nn.LSTM(3, 0)).toThrow(torch.ValueError);
    expect(() => new nn.LSTM(3, 4, { numLayers: 0 })).toThrow(torch.ValueError);
    expect(() => new nn.LSTM(3, 4, { num_layers: 2 } as never)).toThrow(torch.ArgumentError);
    expect(() => new nn.GRU('3' as never, 4)).toThrow(torch.ArgumentError);
    expect(() => new nn.LSTM(3, 4).forward(torch.randn(2, 1, 3), torch.randn(1, 1, 4) as never)).toThrow(torch.ArgumentError);
    expect(() => new nn.GRU(3, 4).forward(null as never)).toThrow(torch.ArgumentError);
    expect(() => F.scaledDotProductAttention(torch.randn(2, 3), torch.randn(2, 3), torch.randn(2, 3), { isCausal: true, attnMask: torch.ones(2, 2) })).toThrow(torch.ValueError);
    expect(() => F.scaledDotProductAttention(torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 3))).toThrow(torch.ShapeError);
    expect(() => new nn.MultiheadAttention(4, 0)).toThrow(torch.ValueError);
    expect(() => new nn.TransformerEncoder({} as never, 2)).toThrow(torch.ArgumentError);
  });
});
