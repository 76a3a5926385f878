import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';

const { nn } = torch;
const F = nn.functional;
const flat = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);

describe('dropout', () => {
  it('zeroes a fraction p, scales the rest by 1/(1-p), preserves the mean', () => {
    torch.manualSeed(7);
    const n = 10000;
    const y = flat(F.dropout(torch.ones(n), 0.3));
    const zeros = y.filter((v) => v === 0).length;
    expect(Math.abs(zeros / n - 0.3)).toBeLessThan(0.02);
    const kept = y.filter((v) => v !== 0);
    for (const v of kept) expect(v).toBeCloseTo(1 / 0.7, 6);
    expect(Math.abs(y.reduce((a, b) => a + b, 0) / n - 1)).toBeLessThan(0.03);
  });
  it('is reproducible with torch.manualSeed and differs between calls', () => {
    const x = torch.ones(64);
    torch.manualSeed(123);
    const a = flat(F.dropout(x, 0.5));
    const b = flat(F.dropout(x, 0.5));
    torch.manualSeed(123);
    const a2 = flat(F.dropout(x, 0.5));
    expect(a2).toEqual(a);
    expect(b).not.toEqual(a);
  });
  it('eval mode and p = 0 return the input; p = 1 gives zeros; bad p is an error', () => {
    const x = torch.rand(10);
    expect(F.dropout(x, 0.5, { training: false })).toBe(x);
    expect(F.dropout(x, 0)).toBe(x);
    expect(flat(F.dropout(x, 1))).toEqual(Array(10).fill(0));
    expect(() => F.dropout(x, 1.5)).toThrow(new torch.ValueError('dropout probability has to be between 0 and 1, but got 1.5'));
    expect(() => new nn.Dropout(-0.1)).toThrow(/has to be between 0 and 1/);
  });
  it('the module follows train()/eval(); inplace writes into the input', () => {
    const d = new nn.Dropout(0.5);
    const x = torch.ones(200);
    const y = flat(d.call(x));
    expect(y.some((v) => v === 0)).toBe(true);
    expect(y.some((v) => v === 2)).toBe(true);
    d.eval();
    expect(d.call(x)).toBe(x);
    const z = torch.ones(200);
    const out = F.dropout(z, 0.5, { inplace: true });
    expect(out).toBe(z);
    expect(flat(z).some((v) => v === 0)).toBe(true);
    expect(d.toString()).toBe('Dropout(p=0.5, inplace=False)');
    const w = torch.ones([5], { requiresGrad: true });
    expect(F.dropout(w, 0.5).gradFn?.name).toBe('MulBackward0');
  });
});

describe('embedding', () => {
  const W = [
    [0, 1, 2],
    [10, 11, 12],
    [20, 21, 22],
    [30, 31, 32],
    [40, 41, 42],
  ];
  it('gathers rows for indices of any shape', () => {
    const w = torch.tensor(W, { dtype: 'float32' });
    const y = F.embedding(torch.tensor([[0, 4], [2, 2]], { dtype: 'int64' }), w);
    expect(y.shape).toEqual([2, 2, 3]);
    expect(y.tolist()).toEqual([
      [W[0], W[4]],
      [W[2], W[2]],
    ]);
    expect(F.embedding(torch.tensor(3, { dtype: 'int64' }), w).tolist()).toEqual(W[3]);
  });
  it('the module: N(0,1) init, paddingIdx row zero, fromPretrained, repr', () => {
    torch.manualSeed(0);
    const e = new nn.Embedding(50, 8, { paddingIdx: -1 });
    expect(e.paddingIdx).toBe(49);
    const w = flat(e.weight);
    expect(w.slice(49 * 8)).toEqual(Array(8).fill(0));
    const body = w.slice(0, 49 * 8);
    const m = body.reduce((a, b) => a + b, 0) / body.length;
    const sd = Math.sqrt(body.reduce((a, b) => a + (b - m) ** 2, 0) / body.length);
    expect(Math.abs(m)).toBeLessThan(0.2);
    expect(Math.abs(sd - 1)).toBeLessThan(0.15);
    expect(e.toString()).toBe('Embedding(50, 8, padding_idx=49)');
    const p = nn.Embedding.fromPretrained(torch.tensor(W, { dtype: 'float32' }));
    expect(p.weight.requiresGrad).toBe(false);
    expect(p.call(torch.tensor([1], { dtype: 'int64' })).tolist()).toEqual([W[1]]);
    expect(p.toString()).toBe('Embedding(5, 3)');
    expect(e.call(torch.tensor([1], { dtype: 'int64' })).gradFn?.name).toBe('EmbeddingBackward0');
  });
  it('errors: index dtype, known out-of-range indices, paddingIdx range', () => {
    const w = torch.zeros(5, 3);
    expect(() => F.embedding(torch.tensor([1.0, 2.5]), w)).toThrow(torch.DTypeError);
    expect(() => F.embedding(torch.tensor([1, 5], { dtype: 'int64' }), w)).toThrow(new torch.IndexError('embedding: index out of range in self (index 5, num_embeddings 5)'));
    expect(() => F.embedding(torch.tensor([-1], { dtype: 'int64' }), w)).toThrow(torch.IndexError);
    expect(() => F.embedding(torch.tensor([1], { dtype: 'int64' }), w, { paddingIdx: 5 })).toThrow(/Padding_idx must be within num_embeddings/);
  });
});

describe('oneHot', () => {
  it('int64 labels to int64 one-hot; numClasses inferred from the max', () => {
    const y = F.oneHot(torch.tensor([0, 2, 1], { dtype: 'int64' }));
    expect(y.dtype).toBe('int64');
    expect(y.tolist()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    expect(F.oneHot(torch.tensor([[1], [3]], { dtype: 'int64' }), 5).tolist()).toEqual([[[0, 1, 0, 0, 0]], [[0, 0, 0, 1, 0]]]);
    expect(F.oneHot(torch.arange(3).add(1), -1).shape).toEqual([3, 4]);
  });
  it('errors', () => {
    expect(() => F.oneHot(torch.tensor([0.0, 1.5]))).toThrow(torch.DTypeError);
    expect(() => F.oneHot(torch.tensor([0, 3], { dtype: 'int64' }), 3)).toThrow(/Class values must be smaller than num_classes/);
    expect(() => F.oneHot(torch.tensor([-1, 0], { dtype: 'int64' }), 3)).toThrow(/Class values must be non-negative/);
    expect(() => F.oneHot(torch.zeros([0], { dtype: 'int64' }))).toThrow(/Can not infer total number of classes from empty tensor/);
  });
});

describe('activations', () => {
  const xs = [-3, -1, -0.5, 0, 0.5, 1, 2, 25];
  const x = (): torch.Tensor => torch.tensor(xs, { dtype: 'float64', device: 'interp' });
  it('gelu (exact erf form) against known values of x Φ(x)', () => {
    const y = flat(F.gelu(torch.tensor([-1, -0.5, 0, 1, 2], { dtype: 'float64', device: 'interp' })));
    expectClose(y, [-0.15865525393145707, -0.15426876936299344, 0, 0.8413447460685429, 1.9544997361036416], { rtol: 1e-7, atol: 1e-9 });
  });
  it('gelu tanh, silu, leakyRelu, elu, softplus against their formulas', () => {
    const tanhGelu = xs.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
    expectClose(flat(F.gelu(x(), { approximate: 'tanh' })), tanhGelu, { rtol: 1e-12, atol: 1e-15 });
    expectClose(flat(F.silu(x())), xs.map((v) => v / (1 + Math.exp(-v))), { rtol: 1e-12 });
    expectClose(flat(F.leakyRelu(x(), 0.2)), xs.map((v) => (v > 0 ? v : 0.2 * v)), { rtol: 1e-15 });
    expectClose(flat(F.elu(x(), 1.5)), xs.map((v) => (v > 0 ? v : 1.5 * (Math.exp(v) - 1))), { rtol: 1e-12, atol: 1e-15 });
    expectClose(flat(F.softplus(x(), { beta: 2, threshold: 10 })), xs.map((v) => (2 * v > 10 ? v : Math.log(1 + Math.exp(2 * v)) / 2)), { rtol: 1e-12 });
    expect(flat(F.relu(x()))).toEqual(xs.map((v) => Math.max(v, 0)));
    expect(() => F.gelu(torch.tensor([1, 2], { dtype: 'int64' }))).toThrow(torch.DTypeError);
  });
  it("softmax/logSoftmax with PyTorch's implicit dim, and the modules", () => {
    const m = torch.tensor([[1, 2, 3], [1, 1, 1]], { dtype: 'float64' });
    const row = (r: number[]): number[] => r.map((v) => Math.exp(v) / r.reduce((a, b) => a + Math.exp(b), 0));
    expectClose(flat(F.softmax(m)), [...row([1, 2, 3]), ...row([1, 1, 1])], { rtol: 1e-12 });
    expectClose(flat(new nn.LogSoftmax(1).call(m)), [...row([1, 2, 3]), ...row([1, 1, 1])].map(Math.log), { rtol: 1e-12 });
    const t3 = torch.tensor([[[1, 2]], [[3, 5]]], { dtype: 'float64' });
    expectClose(flat(F.softmax(t3)), [row([1, 3])[0]!, row([2, 5])[0]!, row([1, 3])[1]!, row([2, 5])[1]!], { rtol: 1e-12 });
    expect(new nn.Softmax(1).toString()).toBe('Softmax(dim=1)');
    expect(new nn.GELU('tanh').toString()).toBe("GELU(approximate='tanh')");
    expect(new nn.LeakyReLU().toString()).toBe('LeakyReLU(negative_slope=0.01)');
    expect(new nn.ELU().toString()).toBe('ELU(alpha=1.0)');
    expect(new nn.ReLU().toString()).toBe('ReLU()');
    expect(new nn.ReLU(true).toString()).toBe('ReLU(inplace=True)');
    expect(new nn.Softplus().toString()).toBe('Softplus(beta=1.0, threshold=20.0)');
    const r = torch.tensor([-1, 2], { dtype: 'int64' });
    expect(new nn.ReLU(true).call(r)).toBe(r);
    expect(r.tolist()).toEqual([0, 2]);
    const xg = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    expect(F.gelu(xg).gradFn?.name).toBe('GeluBackward0');
    expect(new nn.SiLU().call(xg).gradFn?.name).toBe('SiluBackward0');
  });
});
