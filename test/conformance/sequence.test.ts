/**
 * Sequence layers against PyTorch 1.13 (fixture: scripts/conformance/cases/sequence.py): RNN/LSTM/GRU and their
 * cells, MultiheadAttention, scaledDotProductAttention (PyTorch 2.x's formula), Transformer encoder/decoder layers
 * and stacks. Each case loads PyTorch's state dict into graft's module (so parameter names and shapes must be
 * PyTorch's), runs it in eval mode, and compares the outputs and the gradients of every parameter and input.
 * Also state-dict keys, printed modules, the default init's bound and PyTorch's messages for bad input.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { nn } from '../../src/index.js';
import type { TensorRecord } from './fixture.js';
import { compareTensor, makeInput } from './replay.js';

type Tensor = torch.Tensor;
type Opts = Record<string, unknown>;

interface Case {
  name: string;
  kind: string;
  args: number[];
  opts: Opts;
  forward: Opts;
  state: Record<string, TensorRecord>;
  inputs: Record<string, TensorRecord & { grad: boolean }>;
  outputs: TensorRecord[];
  cotangents: TensorRecord[];
  grads: Record<string, TensorRecord>;
}
interface Fixture {
  torch: string;
  cases: Case[];
  errors: Record<string, { class: string; message: string }>;
  stateDictKeys: Record<string, [string, number[]][]>;
  repr: Record<string, string>;
  initBound: { 'lstm-10-20': number; bound: number };
}

const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/sequence.json', import.meta.url)), 'utf8')) as Fixture;

function build(c: Case): nn.Module | null {
  const [a, b, n] = c.args as [number, number, number];
  const o = c.opts;
  switch (c.kind) {
    case 'RNN':
      return new nn.RNN(a, b, o);
    case 'LSTM':
      return new nn.LSTM(a, b, o);
    case 'GRU':
      return new nn.GRU(a, b, o);
    case 'RNNCell':
      return new nn.RNNCell(a, b, o);
    case 'LSTMCell':
      return new nn.LSTMCell(a, b, o);
    case 'GRUCell':
      return new nn.GRUCell(a, b, o);
    case 'MultiheadAttention':
      return new nn.MultiheadAttention(a, b, o);
    case 'TransformerEncoderLayer':
      return new nn.TransformerEncoderLayer(a, b, o);
    case 'TransformerDecoderLayer':
      return new nn.TransformerDecoderLayer(a, b, o);
    case 'TransformerEncoder':
      return new nn.TransformerEncoder(new nn.TransformerEncoderLayer(a, b, o), n, { norm: new nn.LayerNorm(a) });
    case 'TransformerDecoder':
      return new nn.TransformerDecoder(new nn.TransformerDecoderLayer(a, b, o), n, { norm: new nn.LayerNorm(a) });
    case 'sdpa':
      return null;
  }
  throw new Error(`unknown kind ${c.kind}`);
}

/** The forward call of each kind (as sequence.py's `call`): the list of outputs. */
function run(c: Case, m: nn.Module | null, ins: Record<string, Tensor>): Tensor[] {
  const fopts: Opts = {};
  for (const [k, v] of Object.entries(c.forward)) fopts[k] = typeof v === 'string' && v in ins ? ins[v] : v;
  switch (c.kind) {
    case 'RNN':
    case 'GRU':
      return (m as nn.GRU).forward(ins.x!, ins.h0 ?? null);
    case 'LSTM': {
      const [out, [h, cc]] = (m as nn.LSTM).forward(ins.x!, ins.h0 ? [ins.h0, ins.c0!] : null);
      return [out, h, cc];
    }
    case 'RNNCell':
    case 'GRUCell':
      return [(m as nn.GRUCell).forward(ins.x!, ins.h0 ?? null)];
    case 'LSTMCell':
      return (m as nn.LSTMCell).forward(ins.x!, ins.h0 ? [ins.h0, ins.c0!] : null);
    case 'MultiheadAttention': {
      const [out, w] = (m as nn.MultiheadAttention).forward(ins.q!, ins.k!, ins.v!, fopts);
      return w === null ? [out] : [out, w];
    }
    case 'TransformerEncoderLayer':
    case 'TransformerEncoder':
      return [(m as nn.TransformerEncoderLayer).forward(ins.src!, fopts)];
    case 'TransformerDecoderLayer':
    case 'TransformerDecoder':
      return [(m as nn.TransformerDecoderLayer).forward(ins.tgt!, ins.memory!, fopts)];
    case 'sdpa':
      return [nn.functional.scaledDotProductAttention(ins.q!, ins.k!, ins.v!, { attnMask: ins.attnMask ?? null, ...fopts })];
  }
  throw new Error(`unknown kind ${c.kind}`);
}

function expectMatches(what: string, t: Tensor | null | undefined, r: TensorRecord, tol: [number, number]): void {
  expect(t, what).toBeTruthy();
  const problems = compareTensor(what, t!, r, 'values', tol);
  if (problems.length) expect.fail(problems.map((p) => p.detail).join('\n'));
}

// float32 through recurrences and softmax: sums accumulate in a different order than PyTorch's MKL/oneDNN.
const TOL: [number, number] = [2e-5, 2e-6];

describe(`PyTorch ${fixture.torch} conformance: sequence layers`, () => {
  for (const c of fixture.cases) {
    it(`${c.name}: outputs and gradients of parameters and inputs`, () => {
      const m = build(c);
      if (m) {
        const state: Record<string, Tensor> = {};
        for (const [k, r] of Object.entries(c.state)) state[k] = makeInput(r, 'cpu');
        m.loadStateDict(state);
        m.eval();
      }
      const ins: Record<string, Tensor> = {};
      for (const [k, r] of Object.entries(c.inputs)) ins[k] = makeInput(r, 'cpu');
      const outs = run(c, m, ins);
      expect(outs.length).toBe(c.outputs.length);
      let loss: Tensor | null = null;
      outs.forEach((o, i) => {
        const term = o.mul(makeInput(c.cotangents[i]!, 'cpu')).sum();
        loss = loss ? loss.add(term) : term;
      });
      loss!.backward();
      outs.forEach((o, i) => expectMatches(`output ${i}`, o, c.outputs[i]!, TOL));
      const params = new Map(m ? m.namedParameters() : []);
      for (const [k, r] of Object.entries(c.grads)) {
        const t = k.startsWith('input.') ? ins[k.slice(6)] : params.get(k);
        expectMatches(`grad of ${k}`, t?.grad, r, TOL);
      }
    }, 300_000); // a cold disk cache compiles a bidirectional 2-layer LSTM's kernels: ~2 minutes on a loaded 2-core machine
  }

  it('state_dict keys and shapes are PyTorch\'s', () => {
    const keys = (m: nn.Module): [string, number[]][] => Object.entries(m.stateDict()).map(([k, v]) => [k, v.shape]);
    expect(keys(new nn.LSTM(10, 20, 2, { bidirectional: true, batchFirst: true, dropout: 0.5 }))).toEqual(fixture.stateDictKeys['lstm-2-bidir']);
    expect(keys(new nn.GRU(3, 5, { bias: false }))).toEqual(fixture.stateDictKeys['gru-nobias']);
    expect(keys(new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5 }))).toEqual(fixture.stateDictKeys['mha-kdim']);
    expect(keys(new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 }))).toEqual(fixture.stateDictKeys['decoder-layer']);
    expect(keys(new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 2))).toEqual(fixture.stateDictKeys['encoder-2']);
  });

  it('modules print as PyTorch prints them', () => {
    const made: Record<string, nn.Module> = {
      lstm: new nn.LSTM(10, 20, 2, { bidirectional: true, batchFirst: true, dropout: 0.5 }),
      gru: new nn.GRU(10, 20),
      'rnn-relu-nobias': new nn.RNN(10, 20, { nonlinearity: 'relu', bias: false }),
      lstmcell: new nn.LSTMCell(3, 4),
      'rnncell-relu': new nn.RNNCell(3, 4, { nonlinearity: 'relu' }),
      'grucell-nobias': new nn.GRUCell(3, 4, { bias: false }),
      mha: new nn.MultiheadAttention(12, 3),
      'encoder-layer': new nn.TransformerEncoderLayer(12, 3, { dimFeedforward: 16 }),
    };
    expect(Object.keys(made).sort()).toEqual(Object.keys(fixture.repr).sort());
    for (const [name, m] of Object.entries(made)) expect(m.toString(), name).toBe(fixture.repr[name]);
  });

  it('default init: uniform within ±1/√hidden_size, reaching near the bound as PyTorch\'s draws do', () => {
    torch.manualSeed(0);
    const ps = new nn.LSTM(10, 20).parameters();
    const max = Math.max(...ps.map((p) => p.abs().max().item() as number));
    expect(max).toBeLessThanOrEqual(fixture.initBound.bound);
    expect(max).toBeGreaterThan(0.98 * fixture.initBound.bound);
    expect(fixture.initBound['lstm-10-20']).toBeLessThanOrEqual(fixture.initBound.bound);
  });

  describe('bad input: PyTorch\'s messages, typed', () => {
    const r = (...s: number[]): Tensor => torch.randn(s);
    const lstm = new nn.LSTM(10, 20);
    const mha = new nn.MultiheadAttention(12, 3);
    const cell = new nn.LSTMCell(10, 20);
    const calls: Record<string, [unknown, () => unknown]> = {
      'lstm-input-size': [torch.ShapeError, () => lstm.forward(r(5, 3, 7))],
      'lstm-rank': [torch.ShapeError, () => lstm.forward(r(5, 3, 10, 2))],
      'lstm-hidden-size': [torch.ShapeError, () => lstm.forward(r(5, 3, 10), [r(1, 3, 21), r(1, 3, 20)])],
      'lstm-cell-size': [torch.ShapeError, () => lstm.forward(r(5, 3, 10), [r(1, 3, 20), r(1, 2, 20)])],
      'lstm-batched-hx-rank': [torch.ShapeError, () => lstm.forward(r(5, 3, 10), [r(3, 20), r(3, 20)])],
      'gru-input-size': [torch.ShapeError, () => new nn.GRU(10, 20).forward(r(5, 3, 7))],
      'gru-hidden-size': [torch.ShapeError, () => new nn.GRU(10, 20).forward(r(5, 3, 10), r(1, 3, 21))],
      'rnn-nonlinearity': [torch.ValueError, () => new nn.RNN(10, 20, { nonlinearity: 'sigmoid' as 'tanh' })],
      'rnn-dropout': [torch.ValueError, () => new nn.RNN(10, 20, { dropout: 2 })],
      'lstmcell-input-size': [torch.ShapeError, () => cell.forward(r(3, 7))],
      'lstmcell-rank': [torch.ShapeError, () => cell.forward(r(3, 2, 10))],
      'lstmcell-hidden-size': [torch.ShapeError, () => cell.forward(r(3, 10), [r(3, 21), r(3, 20)])],
      'lstmcell-batch': [torch.ShapeError, () => cell.forward(r(3, 10), [r(2, 20), r(2, 20)])],
      'mha-divisible': [torch.ValueError, () => new nn.MultiheadAttention(10, 3)],
      'mha-embed-dim': [torch.ShapeError, () => mha.forward(r(5, 2, 11), r(6, 2, 12), r(6, 2, 12))],
      'mha-key-value': [torch.ShapeError, () => mha.forward(r(5, 2, 12), r(6, 2, 12), r(7, 2, 12))],
      'mha-attn-mask-shape': [torch.ShapeError, () => mha.forward(r(5, 2, 12), r(6, 2, 12), r(6, 2, 12), { attnMask: torch.zeros(4, 6) })],
      'mha-key-padding-shape': [torch.ShapeError, () => mha.forward(r(5, 2, 12), r(6, 2, 12), r(6, 2, 12), { keyPaddingMask: torch.zeros([2, 5], { dtype: 'bool' }) })],
      'mha-query-rank': [torch.ShapeError, () => mha.forward(r(5, 2, 12, 1), r(6, 2, 12), r(6, 2, 12))],
      'mha-mask-dtype': [torch.DTypeError, () => mha.forward(r(5, 2, 12), r(6, 2, 12), r(6, 2, 12), { attnMask: torch.zeros([5, 6], { dtype: 'int64' }) })],
      'encoder-divisible': [torch.ValueError, () => new nn.TransformerEncoderLayer(12, 5)],
      'encoder-activation': [torch.ValueError, () => new nn.TransformerEncoderLayer(12, 3, { activation: 'tanh' as 'relu' })],
    };
    it('every error case of the fixture is replayed', () => {
      expect(Object.keys(calls).sort()).toEqual(Object.keys(fixture.errors).sort());
    });
    for (const [name, [cls, f]] of Object.entries(calls)) {
      it(name, () => {
        const want = fixture.errors[name]!;
        let err: unknown = null;
        try {
          f();
        } catch (e) {
          err = e;
        }
        expect(err, `${name} should throw`).toBeInstanceOf(cls as new () => Error);
        expect((err as Error).message).toContain(want.message);
      });
    }
  });
});
