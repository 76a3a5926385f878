/**
 * nn.TransformerEncoderLayer / TransformerEncoder and nn.TransformerDecoderLayer / TransformerDecoder as in
 * PyTorch 1.13 (the regular path; its fused "fast path" computes the same values): submodule names
 * `self_attn`, `multihead_attn`, `linear1`, `dropout`, `linear2`, `norm1..3`, `dropout1..3` (state dicts load
 * PyTorch's), post-norm by default, pre-norm with `normFirst`. The stacks copy the given layer numLayers times
 * (PyTorch deep-copies it: every layer starts with the same weights).
 */
import { z } from 'zod';
import { ArgumentError, ValueError } from '../../ir/index.js';
import { noGrad, Tensor } from '../../tensor/index.js';
import { bool, count, defineOptions, describeValue, real } from '../../tensor/options.js';
import { gelu, relu } from '../functional/activation.js';
import { tensorOrNull } from '../functional/util.js';
import { Module } from '../module.js';
import { MultiheadAttention } from './attention.js';
import { ModuleList } from './container.js';
import { Dropout } from './dropout.js';
import { factoryShape, Linear, type FactoryOptions } from './linear.js';
import { LayerNorm } from './normalization.js';

export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;

export interface TransformerLayerOptions extends FactoryOptions {
  /** Hidden size of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (default 0.1). */
  dropout?: number;
  /** 'relu' (default), 'gelu', a function or a module. */
  activation?: TransformerActivation;
  /** eps of the layer norms (default 1e-5). */
  layerNormEps?: number;
  /** [batch, seq, feature] inputs (default false). */
  batchFirst?: boolean;
  /** Layer norm before attention and feed-forward (pre-norm) instead of after (default false). */
  normFirst?: boolean;
}
const activationArg = z.custom<TransformerActivation>((v) => typeof v === 'string' || typeof v === 'function' || v instanceof Module);
const layerShape = {
  ...factoryShape,
  dimFeedforward: count.optional(),
  dropout: real.optional(),
  activation: activationArg.optional(),
  layerNormEps: real.optional(),
  batchFirst: bool.optional(),
  normFirst: bool.optional(),
};
const ENCODER_LAYER_OPTIONS = defineOptions('TransformerEncoderLayer', layerShape);
const DECODER_LAYER_OPTIONS = defineOptions('TransformerDecoderLayer', layerShape);
const ENCODER_FORWARD = defineOptions('TransformerEncoderLayer.forward', { srcMask: tensorOrNull.optional(), srcKeyPaddingMask: tensorOrNull.optional() });
const DECODER_FORWARD = defineOptions('TransformerDecoderLayer.forward', {
  tgtMask: tensorOrNull.optional(),
  memoryMask: tensorOrNull.optional(),
  tgtKeyPaddingMask: tensorOrNull.optional(),
  memoryKeyPaddingMask: tensorOrNull.optional(),
});
const ENCODER_OPTIONS = defineOptions('TransformerEncoder', { norm: z.custom<Module | null>((v) => v === null || v instanceof Module).optional(), enableNestedTensor: bool.optional() });
const DECODER_OPTIONS = defineOptions('TransformerDecoder', { norm: z.custom<Module | null>((v) => v === null || v instanceof Module).optional() });
const ENCODER_STACK_FORWARD = defineOptions('TransformerEncoder.forward', { mask: tensorOrNull.optional(), srcKeyPaddingMask: tensorOrNull.optional() });

function activationFn(op: string, a: TransformerActivation | undefined): (x: Tensor) => Tensor {
  if (a === undefined || a === 'relu') return (x) => relu(x);
  if (a === 'gelu') return (x) => gelu(x);
  if (typeof a === 'function') return a;
  if (a instanceof Module) return (x) => a.call(x) as Tensor;
  throw new ValueError(`${op}: activation should be relu/gelu, not ${typeof a === 'string' ? a : describeValue(a)}`);
}

function checkInts(op: string, dModel: unknown, nhead: unknown): void {
  for (const [n, v] of [['d_model', dModel], ['nhead', nhead]] as const) {
    if (!Number.isSafeInteger(v)) throw new ArgumentError(`${op}(): argument '${n}' must be an integer, not ${describeValue(v)}`);
  }
}

function checkSrc(op: string, name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`${op}.forward(): argument '${name}' must be a Tensor, not ${describeValue(x)}`);
}

/** What both layers share: the feed-forward block and the configuration. */
abstract class TransformerLayerBase extends Module {
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  protected readonly _activation: (x: Tensor) => Tensor;
  protected readonly _config: [number, number, TransformerLayerOptions];

  constructor(op: string, dModel: number, nhead: number, o: TransformerLayerOptions) {
    super();
    checkInts(op, dModel, nhead);
    this._config = [dModel, nhead, { ...o }];
    this._activation = activationFn(op, o.activation);
    this.normFirst = o.normFirst ?? false;
    this.batchFirst = o.batchFirst ?? false;
  }

  protected feedForward(x: Tensor, dropoutLast: Dropout): Tensor {
    return dropoutLast.call(this.linear2.call(this.dropout.call(this._activation(this.linear1.call(x)))));
  }

  /** A new layer of the same configuration holding copies of this one's parameters (PyTorch's deepcopy). */
  abstract clone(): TransformerLayerBase;

  protected copyInto<T extends Module>(m: T): T {
    const own = Object.fromEntries(this.namedParameters());
    noGrad(() => {
      for (const [k, p] of m.namedParameters()) p.copy_(own[k]!);
    });
    m.training = this.training;
    for (const sub of m.modules()) sub.training = this.training;
    return m;
  }
}

/** Self-attention and a feed-forward block, each with a residual connection and a layer norm. */
export class TransformerEncoderLayer extends TransformerLayerBase {
  declare self_attn: MultiheadAttention;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    const o = ENCODER_LAYER_OPTIONS.parse(opts) as TransformerLayerOptions;
    super('TransformerEncoderLayer', dModel, nhead, o);
    const f = { dtype: o.dtype, device: o.device };
    const p = o.dropout ?? 0.1;
    const ff = o.dimFeedforward ?? 2048;
    const eps = o.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: this.batchFirst, ...f });
    this.linear1 = new Linear(dModel, ff, f);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, f);
    this.norm1 = new LayerNorm(dModel, { eps, ...f });
    this.norm2 = new LayerNorm(dModel, { eps, ...f });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
  }

  clone(): TransformerEncoderLayer {
    const [d, h, o] = this._config;
    return this.copyInto(new TransformerEncoderLayer(d, h, o));
  }

  private selfAttention(x: Tensor, mask: Tensor | null, kpm: Tensor | null): Tensor {
    const [y] = this.self_attn.forward(x, x, x, { attnMask: mask, keyPaddingMask: kpm, needWeights: false });
    return this.dropout1.call(y);
  }

  /** src [S, N, E] ([N, S, E] with batchFirst; [S, E] unbatched); srcMask [S, S]; srcKeyPaddingMask [N, S]. */
  override forward(src: Tensor, opts: { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null } = {}): Tensor {
    checkSrc('TransformerEncoderLayer', 'src', src);
    ENCODER_FORWARD.check(opts);
    const mask = opts.srcMask ?? null;
    const kpm = opts.srcKeyPaddingMask ?? null;
    let x = src;
    if (this.normFirst) {
      x = x.add(this.selfAttention(this.norm1.call(x), mask, kpm));
      x = x.add(this.feedForward(this.norm2.call(x), this.dropout2));
    } else {
      x = this.norm1.call(x.add(this.selfAttention(x, mask, kpm)));
      x = this.norm2.call(x.add(this.feedForward(x, this.dropout2)));
    }
    return x;
  }
}

/** Self-attention, attention over the encoder's output (memory) and a feed-forward block. */
export class TransformerDecoderLayer extends TransformerLayerBase {
  declare self_attn: MultiheadAttention;
  declare multihead_attn: MultiheadAttention;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare norm3: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  declare dropout3: Dropout;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    const o = DECODER_LAYER_OPTIONS.parse(opts) as TransformerLayerOptions;
    super('TransformerDecoderLayer', dModel, nhead, o);
    const f = { dtype: o.dtype, device: o.device };
    const p = o.dropout ?? 0.1;
    const ff = o.dimFeedforward ?? 2048;
    const eps = o.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: this.batchFirst, ...f });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: this.batchFirst, ...f });
    this.linear1 = new Linear(dModel, ff, f);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, f);
    this.norm1 = new LayerNorm(dModel, { eps, ...f });
    this.norm2 = new LayerNorm(dModel, { eps, ...f });
    this.norm3 = new LayerNorm(dModel, { eps, ...f });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
  }

  clone(): TransformerDecoderLayer {
    const [d, h, o] = this._config;
    return this.copyInto(new TransformerDecoderLayer(d, h, o));
  }

  private selfAttention(x: Tensor, mask: Tensor | null, kpm: Tensor | null): Tensor {
    const [y] = this.self_attn.forward(x, x, x, { attnMask: mask, keyPaddingMask: kpm, needWeights: false });
    return this.dropout1.call(y);
  }

  private crossAttention(x: Tensor, mem: Tensor, mask: Tensor | null, kpm: Tensor | null): Tensor {
    const [y] = this.multihead_attn.forward(x, mem, mem, { attnMask: mask, keyPaddingMask: kpm, needWeights: false });
    return this.dropout2.call(y);
  }

  /** tgt [T, N, E], memory [S, N, E] (batchFirst: batch first); tgtMask [T, T], memoryMask [T, S]; key padding masks [N, T], [N, S]. */
  override forward(
    tgt: Tensor,
    memory: Tensor,
    opts: { tgtMask?: Tensor | null; memoryMask?: Tensor | null; tgtKeyPaddingMask?: Tensor | null; memoryKeyPaddingMask?: Tensor | null } = {},
  ): Tensor {
    checkSrc('TransformerDecoderLayer', 'tgt', tgt);
    checkSrc('TransformerDecoderLayer', 'memory', memory);
    DECODER_FORWARD.check(opts);
    const { tgtMask = null, memoryMask = null, tgtKeyPaddingMask = null, memoryKeyPaddingMask = null } = opts;
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this.selfAttention(this.norm1.call(x), tgtMask, tgtKeyPaddingMask));
      x = x.add(this.crossAttention(this.norm2.call(x), memory, memoryMask, memoryKeyPaddingMask));
      x = x.add(this.feedForward(this.norm3.call(x), this.dropout3));
    } else {
      x = this.norm1.call(x.add(this.selfAttention(x, tgtMask, tgtKeyPaddingMask)));
      x = this.norm2.call(x.add(this.crossAttention(x, memory, memoryMask, memoryKeyPaddingMask)));
      x = this.norm3.call(x.add(this.feedForward(x, this.dropout3)));
    }
    return x;
  }
}

function checkStack(op: string, layer: unknown, cls: typeof TransformerEncoderLayer | typeof TransformerDecoderLayer, numLayers: unknown): void {
  if (!(layer instanceof cls)) throw new ArgumentError(`${op}(): argument '${op === 'TransformerEncoder' ? 'encoder_layer' : 'decoder_layer'}' must be a ${cls.name}, not ${describeValue(layer)}`);
  if (!Number.isSafeInteger(numLayers) || (numLayers as number) < 0) throw new ArgumentError(`${op}(): argument 'num_layers' must be a non-negative integer, not ${describeValue(numLayers)}`);
}

/** numLayers copies of an encoder layer applied in turn, then an optional norm. */
export class TransformerEncoder extends Module {
  declare layers: ModuleList;
  declare norm: Module | null;
  readonly numLayers: number;
  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: { norm?: Module | null; enableNestedTensor?: boolean } = {}) {
    super();
    checkStack('TransformerEncoder', encoderLayer, TransformerEncoderLayer, numLayers);
    ENCODER_OPTIONS.check(opts);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }
  override forward(src: Tensor, opts: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null } = {}): Tensor {
    checkSrc('TransformerEncoder', 'src', src);
    ENCODER_STACK_FORWARD.check(opts);
    let x = src;
    for (const layer of this.layers) x = (layer as TransformerEncoderLayer).forward(x, { srcMask: opts.mask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null });
    return this.norm ? (this.norm.call(x) as Tensor) : x;
  }
}

/** numLayers copies of a decoder layer applied in turn (each attending to memory), then an optional norm. */
export class TransformerDecoder extends Module {
  declare layers: ModuleList;
  declare norm: Module | null;
  readonly numLayers: number;
  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    checkStack('TransformerDecoder', decoderLayer, TransformerDecoderLayer, numLayers);
    DECODER_OPTIONS.check(opts);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.clone()));
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }
  override forward(
    tgt: Tensor,
    memory: Tensor,
    opts: { tgtMask?: Tensor | null; memoryMask?: Tensor | null; tgtKeyPaddingMask?: Tensor | null; memoryKeyPaddingMask?: Tensor | null } = {},
  ): Tensor {
    checkSrc('TransformerDecoder', 'tgt', tgt);
    checkSrc('TransformerDecoder', 'memory', memory);
    DECODER_FORWARD.check(opts);
    let x = tgt;
    for (const layer of this.layers) x = (layer as TransformerDecoderLayer).forward(x, memory, opts);
    return this.norm ? (this.norm.call(x) as Tensor) : x;
  }
}
