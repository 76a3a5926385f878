/**
 * Recurrent layers: nn.RNN (tanh/relu), nn.LSTM, nn.GRU and the cells RNNCell, LSTMCell, GRUCell, with
 * PyTorch's parameter names and shapes (`weight_ih_l0`, `weight_hh_l1_reverse`, `bias_ih_l0`, ...: state dicts
 * load PyTorch's), its default init (uniform ±1/√hidden_size), its gate order (LSTM i, f, g, o; GRU r, z, n),
 * its input checks and messages.
 *
 * The time loop is unrolled over existing ops: each step computes `x_t W_ihᵀ + b_ih` and `h W_hhᵀ + b_hh` (one
 * matmul each) and applies the gates. The graph grows with the sequence length, but every step builds kernels of
 * the same structures, so what is compiled stops growing (each distinct kernel is compiled once: see
 * test/nn/rnn-compile.test.ts). Decision: the input projection is per step, not one matmul over all steps
 * before the loop: reading step t of a computed [T, B, G] projection is a view at offset t (and its gradient a
 * pad at offset t), which puts t into the structure of every step's kernel — a new C function per step (a
 * 2-layer LSTM of 50 steps compiled 177 functions that way, 40 now). Only views of program inputs are free.
 */
import { z } from 'zod';
import { ArgumentError, fmtShape, ShapeError, ValueError } from '../../ir/index.js';
import { cat, empty, stack, Tensor, tensor, zeros } from '../../tensor/index.js';
import { bool, count, defineOptions, describeValue, real } from '../../tensor/options.js';
import { dropout } from '../functional/dropout.js';
import { linear } from '../functional/linear.js';
import { uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { moduleArgs } from './args.js';
import { checkSize, factoryShape, type FactoryOptions } from './linear.js';
import { pyBool, pyFloat } from './repr.js';

export type RNNMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
export type Nonlinearity = 'tanh' | 'relu';

export interface RNNModuleOptions extends FactoryOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learn b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output are [batch, seq, feature] (default false: [seq, batch, feature]). */
  batchFirst?: boolean;
  /** Dropout on the outputs of each layer but the last, in training mode (default 0). */
  dropout?: number;
  /** A second direction reading the sequence backwards; outputs concatenated (default false). */
  bidirectional?: boolean;
}
export interface RNNOptions extends RNNModuleOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: Nonlinearity;
}

const base = {
  ...factoryShape,
  numLayers: count.optional(),
  bias: bool.optional(),
  batchFirst: bool.optional(),
  dropout: real.optional(),
  bidirectional: bool.optional(),
  inputSize: z.unknown().optional(),
  hiddenSize: z.unknown().optional(),
};
const POSITIONAL = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional'] as const;
const LSTM_OPTIONS = defineOptions('LSTM', base);
const GRU_OPTIONS = defineOptions('GRU', base);
const RNN_OPTIONS = defineOptions('RNN', { ...base, nonlinearity: z.unknown().optional() });

const gateCount = (mode: RNNMode): number => (mode === 'LSTM' ? 4 : mode === 'GRU' ? 3 : 1);
const modeName = (mode: RNNMode): string => (mode === 'LSTM' ? 'LSTM' : mode === 'GRU' ? 'GRU' : 'RNN');
const pyTuple = (s: readonly number[]): string => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);

function nonlinearityOf(op: string, v: unknown): RNNMode {
  if (v === undefined || v === 'tanh') return 'RNN_TANH';
  if (v === 'relu') return 'RNN_RELU';
  throw new ValueError(`${op}: Unknown nonlinearity ${typeof v === 'string' ? `'${v}'` : describeValue(v)}`);
}

function checkSizes(op: string, inputSize: unknown, hiddenSize: unknown): void {
  if (!Number.isSafeInteger(inputSize)) throw new ArgumentError(`${op}(): argument 'input_size' must be an integer, not ${describeValue(inputSize)}`);
  if (!Number.isSafeInteger(hiddenSize)) throw new ArgumentError(`${op}(): argument 'hidden_size' must be an integer, not ${describeValue(hiddenSize)}`);
  checkSize(op, 'input_size', inputSize as number);
  if ((hiddenSize as number) <= 0) throw new ValueError(`${op}: hidden_size must be greater than zero, got ${hiddenSize}`);
}

/** The bases are exported (as PyTorch's): a direct call gets its arguments checked too. */
function checkMode(mode: unknown, o: unknown): void {
  if (mode !== 'RNN_TANH' && mode !== 'RNN_RELU' && mode !== 'LSTM' && mode !== 'GRU') throw new ValueError(`Unrecognized RNN mode: ${describeValue(mode)}`);
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ArgumentError(`${modeName(mode)}: expected an options object with inputSize and hiddenSize, got ${describeValue(o)}`);
}

/** One step of a cell: the input part `xw` (x W_ihᵀ + b_ih) is given; returns the new h (and c for LSTM). */
function cellStep(mode: RNNMode, xw: Tensor, h: Tensor, c: Tensor | null, wHh: Tensor, bHh: Tensor | null): [Tensor, Tensor | null] {
  const hw = linear(h, wHh, bHh);
  switch (mode) {
    case 'RNN_TANH':
      return [xw.add(hw).tanh(), null];
    case 'RNN_RELU':
      return [xw.add(hw).relu(), null];
    case 'LSTM': {
      const [i, f, g, o] = xw.add(hw).chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
      const c2 = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
      return [o.sigmoid().mul(c2.tanh()), c2];
    }
    case 'GRU': {
      const [xr, xz, xn] = xw.chunk(3, -1) as [Tensor, Tensor, Tensor];
      const [hr, hz, hn] = hw.chunk(3, -1) as [Tensor, Tensor, Tensor];
      const r = xr.add(hr).sigmoid();
      const zt = xz.add(hz).sigmoid();
      const n = xn.add(r.mul(hn)).tanh();
      // h' = (1 - z) n + z h = n + z (h - n)
      return [n.add(zt.mul(h.sub(n))), null];
    }
  }
}

/**
 * The steps' outputs ys[t] [B, F] as one [T, B, F] tensor. `stack` would pad each step to its place: t in every
 * kernel's structure, a new C function per step. Instead each step is added at its place by a `scatterAdd`
 * whose index is data (a block of a host buffer holding t), so every step's kernel is the same function, and
 * its gradient is a `gather` of the same kind.
 */
function stepsToSequence(ys: readonly Tensor[], shape: [number, number, number], like: Tensor): Tensor {
  const [T, B, F] = shape;
  const f = { dtype: like.dtype, device: like.device };
  if (T === 0) return zeros(shape, f);
  if (T === 1) return ys[0]!.unsqueeze(0);
  const n = B * F;
  const idx = new BigInt64Array(T * n);
  for (let t = 0; t < T; t++) idx.fill(BigInt(t), t * n, (t + 1) * n);
  const index = tensor(idx, { dtype: 'int64', device: like.device }).reshape(T, 1, B, F);
  let out = zeros(shape, f);
  for (let t = 0; t < T; t++) out = out.scatterAdd(0, index.select(0, t), ys[t]!.unsqueeze(0));
  return out;
}

/** What RNN, LSTM and GRU share: PyTorch's RNNBase. */
export class RNNBase extends Module {
  readonly mode: RNNMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly nonlinearity: Nonlinearity;

  constructor(mode: RNNMode, o: RNNModuleOptions & { inputSize?: unknown; hiddenSize?: unknown }) {
    super();
    checkMode(mode, o);
    const op = modeName(mode);
    checkSizes(op, o.inputSize, o.hiddenSize);
    this.mode = mode;
    this.nonlinearity = mode === 'RNN_RELU' ? 'relu' : 'tanh';
    this.inputSize = o.inputSize as number;
    this.hiddenSize = o.hiddenSize as number;
    this.numLayers = o.numLayers ?? 1;
    this.bias = o.bias ?? true;
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = o.dropout ?? 0;
    this.bidirectional = o.bidirectional ?? false;
    if (!(this.dropout >= 0 && this.dropout <= 1)) {
      throw new ValueError('dropout should be a number in range [0, 1] representing the probability of an element being zeroed');
    }
    if (this.numLayers <= 0) throw new ValueError(`${op}: num_layers must be greater than zero, got ${this.numLayers}`);
    const G = gateCount(mode) * this.hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    const f = { dtype: o.dtype, device: o.device };
    for (let layer = 0; layer < this.numLayers; layer++) {
      const inSize = layer === 0 ? this.inputSize : this.hiddenSize * D;
      for (let d = 0; d < D; d++) {
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        this.registerParameter(`weight_ih${sfx}`, new Parameter(empty([G, inSize], f)));
        this.registerParameter(`weight_hh${sfx}`, new Parameter(empty([G, this.hiddenSize], f)));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, new Parameter(empty([G], f)));
          this.registerParameter(`bias_hh${sfx}`, new Parameter(empty([G], f)));
        }
      }
    }
    this.resetParameters();
  }

  /** uniform(-1/√hidden_size, 1/√hidden_size) for every weight and bias, as PyTorch. */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** The parameters of one layer and direction: [W_ih, W_hh, b_ih | null, b_hh | null]. */
  protected weightsOf(layer: number, d: number): [Tensor, Tensor, Tensor | null, Tensor | null] {
    const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
    const self = this as unknown as Record<string, Tensor | undefined>;
    return [self[`weight_ih${sfx}`]!, self[`weight_hh${sfx}`]!, self[`bias_ih${sfx}`] ?? null, self[`bias_hh${sfx}`] ?? null];
  }

  /** PyTorch's check_input, after an unbatched input got its batch axis. */
  protected checkInput(x: Tensor): void {
    if (x.dim() !== 3) throw new ShapeError(`input must have 3 dimensions, got ${x.dim()}`);
    const k = x.shape[2]!;
    if (k !== this.inputSize) throw new ShapeError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${k}`);
  }

  protected checkHidden(h: Tensor, expected: number[], which: string): void {
    if (h.shape.length !== expected.length || h.shape.some((s, i) => s !== expected[i])) {
      throw new ShapeError(`Expected ${which} size ${pyTuple(expected)}, got ${fmtShape(h.shape)}`);
    }
  }

  /**
   * Run every layer and direction over time-major input [T, B, I] from the states h0 (and c0) [L·D, B, H].
   * Returns the output [T, B, D·H] and the last states [L·D, B, H].
   *
   * Each step reads its own input block x[t] and applies the gates with one matmul for the input and one for the
   * hidden state; the layers pass the steps' outputs to each other as they are (no stack and select between
   * layers), and the output is assembled by `stepsToSequence`: no kernel structure depends on t (see below).
   */
  protected run(x: Tensor, h0: Tensor, c0: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const T = x.shape[0]!;
    const D = this.bidirectional ? 2 : 1;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let inputs: Tensor[] = Array.from({ length: T }, (_, t) => x.select(0, t));
    for (let layer = 0; layer < this.numLayers; layer++) {
      if (layer > 0 && this.dropout > 0 && this.training) inputs = inputs.map((v) => dropout(v, this.dropout, { training: true }));
      const outs: Tensor[][] = [];
      for (let d = 0; d < D; d++) {
        const [wIh, wHh, bIh, bHh] = this.weightsOf(layer, d);
        let h = h0.select(0, layer * D + d);
        let c = c0 ? c0.select(0, layer * D + d) : null;
        const ys = new Array<Tensor>(T);
        for (let s = 0; s < T; s++) {
          const t = d === 0 ? s : T - 1 - s;
          [h, c] = cellStep(this.mode, linear(inputs[t]!, wIh, bIh), h, c, wHh, bHh);
          ys[t] = h;
        }
        outs.push(ys);
        hs.push(h);
        if (c) cs.push(c);
      }
      inputs = D === 1 ? outs[0]! : outs[0]!.map((y, t) => cat([y, outs[1]![t]!], 1));
    }
    const out = stepsToSequence(inputs, [T, x.shape[1]!, this.hiddenSize * D], x);
    return [out, stack(hs, 0), c0 ? stack(cs, 0) : null];
  }

  /** Shared by the three forwards: batch handling, checks, default states; returns output, hN (, cN). */
  protected forwardStates(input: Tensor, hx: Tensor | null, cx: Tensor | null, lstm: boolean): [Tensor, Tensor, Tensor | null] {
    const op = modeName(this.mode);
    if (!(input instanceof Tensor)) throw new ArgumentError(`${op}.forward(): argument 'input' must be a Tensor, not ${describeValue(input)}`);
    const batched = input.dim() === 3;
    const batchDim = this.batchFirst ? 0 : 1;
    let x = batched ? input : input.unsqueeze(batchDim);
    if (hx !== null) {
      const hd = hx.dim();
      const cd = cx?.dim() ?? hd;
      if (batched && (hd !== 3 || cd !== 3)) {
        throw new ShapeError(lstm ? `For batched 3-D input, hx and cx should also be 3-D but got (${hd}-D, ${cd}-D) tensors` : `For batched 3-D input, hx should also be 3-D but got ${hd}-D tensor`);
      }
      if (!batched && (hd !== 2 || cd !== 2)) {
        throw new ShapeError(lstm ? `For unbatched 2-D input, hx and cx should also be 2-D but got (${hd}-D, ${cd}-D) tensors` : `For unbatched 2-D input, hx should also be 2-D but got ${hd}-D tensor`);
      }
      if (!batched) {
        hx = hx.unsqueeze(1);
        cx = cx ? cx.unsqueeze(1) : null;
      }
    }
    this.checkInput(x);
    if (this.batchFirst) x = x.transpose(0, 1);
    const B = x.shape[1]!;
    const D = this.bidirectional ? 2 : 1;
    const expected = [this.numLayers * D, B, this.hiddenSize];
    const f = { dtype: x.dtype, device: x.device };
    let h0: Tensor;
    let c0: Tensor | null = null;
    if (hx === null) {
      h0 = zeros(expected, f);
      if (lstm) c0 = zeros(expected, f);
    } else {
      this.checkHidden(hx, expected, lstm ? 'hidden[0]' : 'hidden');
      h0 = hx;
      if (lstm) {
        this.checkHidden(cx!, expected, 'hidden[1]');
        c0 = cx;
      }
    }
    let [out, hN, cN] = this.run(x, h0, c0);
    if (this.batchFirst) out = out.transpose(0, 1);
    if (!batched) {
      out = out.squeeze(batchDim);
      hN = hN.squeeze(1);
      cN = cN ? cN.squeeze(1) : null;
    }
    return [out, hN, cN];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

function checkStateArg(op: string, name: string, v: unknown): asserts v is Tensor | null | undefined {
  if (v !== undefined && v !== null && !(v instanceof Tensor)) throw new ArgumentError(`${op}.forward(): argument '${name}' must be a Tensor, not ${describeValue(v)}`);
}

/**
 * Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (or relu). `forward(input, h0?)` returns
 * `[output, hN]`.
 */
export class RNN extends RNNBase {
  constructor(opts: RNNOptions & { inputSize: number; hiddenSize: number });
  constructor(inputSize: number, hiddenSize: number, opts?: RNNOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers: number, opts?: RNNOptions);
  constructor(...args: unknown[]) {
    const o = moduleArgs(RNN_OPTIONS, [...POSITIONAL, 'nonlinearity'], args) as RNNOptions & { inputSize?: unknown; hiddenSize?: unknown };
    super(nonlinearityOf('RNN', o.nonlinearity), o);
  }
  override forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    checkStateArg('RNN', 'hx', hx);
    const [out, h] = this.forwardStates(input, hx ?? null, null, false);
    return [out, h];
  }
}

/**
 * LSTM: gates i, f, g, o from x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh; c_t = f c_{t-1} + i g; h_t = o tanh(c_t).
 * `forward(input, [h0, c0]?)` returns `[output, [hN, cN]]`.
 */
export class LSTM extends RNNBase {
  constructor(opts: RNNModuleOptions & { inputSize: number; hiddenSize: number });
  constructor(inputSize: number, hiddenSize: number, opts?: RNNModuleOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers: number, opts?: RNNModuleOptions);
  constructor(...args: unknown[]) {
    super('LSTM', moduleArgs(LSTM_OPTIONS, POSITIONAL, args) as RNNModuleOptions);
  }
  override forward(input: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    if (hx !== null && hx !== undefined) {
      if (!Array.isArray(hx) || hx.length !== 2) throw new ArgumentError(`LSTM.forward(): hx must be a pair [h0, c0] of Tensors, not ${describeValue(hx)}`);
      checkStateArg('LSTM', 'h0', hx[0]);
      checkStateArg('LSTM', 'c0', hx[1]);
      if (!hx[0] || !hx[1]) throw new ArgumentError('LSTM.forward(): hx must be a pair [h0, c0] of Tensors');
    }
    const [out, h, c] = this.forwardStates(input, hx?.[0] ?? null, hx?.[1] ?? null, true);
    return [out, [h, c!]];
  }
}

/**
 * GRU: r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise, n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
 * h' = (1 - z) n + z h. `forward(input, h0?)` returns `[output, hN]`.
 */
export class GRU extends RNNBase {
  constructor(opts: RNNModuleOptions & { inputSize: number; hiddenSize: number });
  constructor(inputSize: number, hiddenSize: number, opts?: RNNModuleOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers: number, opts?: RNNModuleOptions);
  constructor(...args: unknown[]) {
    super('GRU', moduleArgs(GRU_OPTIONS, POSITIONAL, args) as RNNModuleOptions);
  }
  override forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    checkStateArg('GRU', 'hx', hx);
    const [out, h] = this.forwardStates(input, hx ?? null, null, false);
    return [out, h];
  }
}

// ---------------------------------------------------------------------------------------------- cells

export interface RNNCellOptions extends FactoryOptions {
  bias?: boolean;
}
const cellBase = { ...factoryShape, bias: bool.optional(), inputSize: z.unknown().optional(), hiddenSize: z.unknown().optional() };
const CELL_POSITIONAL = ['inputSize', 'hiddenSize', 'bias'] as const;
const RNN_CELL_OPTIONS = defineOptions('RNNCell', { ...cellBase, nonlinearity: z.unknown().optional() });
const LSTM_CELL_OPTIONS = defineOptions('LSTMCell', cellBase);
const GRU_CELL_OPTIONS = defineOptions('GRUCell', cellBase);

/** What the cells share: PyTorch's RNNCellBase (weight_ih, weight_hh, bias_ih, bias_hh). */
export class RNNCellBase extends Module {
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;
  readonly mode: RNNMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly nonlinearity: Nonlinearity;

  constructor(mode: RNNMode, o: RNNCellOptions & { inputSize?: unknown; hiddenSize?: unknown }) {
    super();
    checkMode(mode, o);
    const op = `${modeName(mode)}Cell`;
    checkSizes(op, o.inputSize, o.hiddenSize);
    this.mode = mode;
    this.nonlinearity = mode === 'RNN_RELU' ? 'relu' : 'tanh';
    this.inputSize = o.inputSize as number;
    this.hiddenSize = o.hiddenSize as number;
    this.bias = o.bias ?? true;
    const G = gateCount(mode) * this.hiddenSize;
    const f = { dtype: o.dtype, device: o.device };
    this.weight_ih = new Parameter(empty([G, this.inputSize], f));
    this.weight_hh = new Parameter(empty([G, this.hiddenSize], f));
    this.bias_ih = this.bias ? new Parameter(empty([G], f)) : null;
    this.bias_hh = this.bias ? new Parameter(empty([G], f)) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** Checks of PyTorch's cells; returns the input as [B, I] and whether it was batched. */
  protected prepare(input: unknown, states: (Tensor | null)[]): [Tensor, boolean, (Tensor | null)[]] {
    const op = `${modeName(this.mode)}Cell`;
    if (!(input instanceof Tensor)) throw new ArgumentError(`${op}.forward(): argument 'input' must be a Tensor, not ${describeValue(input)}`);
    if (input.dim() !== 1 && input.dim() !== 2) throw new ShapeError(`${op}: Expected input to be 1-D or 2-D but received ${input.dim()}-D tensor`);
    const batched = input.dim() === 2;
    const x = batched ? input : input.unsqueeze(0);
    const k = x.shape[1]!;
    if (k !== this.inputSize) throw new ShapeError(`input has inconsistent input_size: got ${k} expected ${this.inputSize}`);
    const B = x.shape[0]!;
    const out = states.map((s, i) => {
      if (s === null) return zeros([B, this.hiddenSize], { dtype: x.dtype, device: x.device });
      const h = batched ? s : s.unsqueeze(0);
      if (h.dim() !== 2) throw new ShapeError(`${op}: Expected hidden${i === 0 ? '' : ' cell'} state to be ${batched ? 2 : 1}-D but received ${s.dim()}-D tensor`);
      if (h.shape[0] !== B) throw new ShapeError(`Input batch size ${B} doesn't match hidden${i} batch size ${h.shape[0]}`);
      if (h.shape[1] !== this.hiddenSize) throw new ShapeError(`hidden${i} has inconsistent hidden_size: got ${h.shape[1]}, expected ${this.hiddenSize}`);
      return h;
    });
    return [x, batched, out];
  }

  protected step(x: Tensor, h: Tensor, c: Tensor | null): [Tensor, Tensor | null] {
    return cellStep(this.mode, linear(x, this.weight_ih, this.bias_ih), h, c, this.weight_hh, this.bias_hh);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.mode === 'RNN_RELU') s += ', nonlinearity=relu';
    return s;
  }
}

/** One step of the Elman RNN: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu). */
export class RNNCell extends RNNCellBase {
  constructor(inputSize: number | (RNNCellOptions & { nonlinearity?: Nonlinearity }), hiddenSize?: number, opts?: RNNCellOptions & { nonlinearity?: Nonlinearity });
  constructor(...args: unknown[]) {
    const o = moduleArgs(RNN_CELL_OPTIONS, [...CELL_POSITIONAL, 'nonlinearity'], args);
    super(nonlinearityOf('RNNCell', o.nonlinearity), o as RNNCellOptions);
  }
  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    checkStateArg('RNNCell', 'hx', hx);
    const [x, batched, [h]] = this.prepare(input, [hx ?? null]);
    const [h2] = this.step(x, h!, null);
    return batched ? h2 : h2.squeeze(0);
  }
}

/** One LSTM step: returns [h', c']. */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number | RNNCellOptions, hiddenSize?: number, opts?: RNNCellOptions);
  constructor(...args: unknown[]) {
    super('LSTM', moduleArgs(LSTM_CELL_OPTIONS, CELL_POSITIONAL, args) as RNNCellOptions);
  }
  override forward(input: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    if (hx !== null && hx !== undefined && (!Array.isArray(hx) || hx.length !== 2 || !(hx[0] instanceof Tensor) || !(hx[1] instanceof Tensor))) {
      throw new ArgumentError(`LSTMCell.forward(): hx must be a pair [h0, c0] of Tensors, not ${describeValue(hx)}`);
    }
    const [x, batched, [h, c]] = this.prepare(input, [hx?.[0] ?? null, hx?.[1] ?? null]);
    const [h2, c2] = this.step(x, h!, c!);
    return batched ? [h2, c2!] : [h2.squeeze(0), c2!.squeeze(0)];
  }
}

/** One GRU step: h' = (1 - z) n + z h. */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number | RNNCellOptions, hiddenSize?: number, opts?: RNNCellOptions);
  constructor(...args: unknown[]) {
    super('GRU', moduleArgs(GRU_CELL_OPTIONS, CELL_POSITIONAL, args) as RNNCellOptions);
  }
  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    checkStateArg('GRUCell', 'hx', hx);
    const [x, batched, [h]] = this.prepare(input, [hx ?? null]);
    const [h2] = this.step(x, h!, null);
    return batched ? h2 : h2.squeeze(0);
  }
}
