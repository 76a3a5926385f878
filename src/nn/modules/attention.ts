/**
 * nn.MultiheadAttention with PyTorch 1.13's parameters (`in_proj_weight` [3E, E] and `in_proj_bias` [3E], or
 * `q_proj_weight`/`k_proj_weight`/`v_proj_weight` when kdim/vdim differ from embedDim; `out_proj.weight`,
 * `out_proj.bias`), init (xavier_uniform_ projections, zero biases) and forward.
 */
import { ArgumentError, ValueError } from '../../ir/index.js';
import { empty, Tensor } from '../../tensor/index.js';
import { bool, count, defineOptions, describeValue, real } from '../../tensor/options.js';
import { multiHeadAttentionForward } from '../functional/attention.js';
import { tensorOrNull } from '../functional/util.js';
import { constant_, xavierUniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkSize, factoryShape, Linear, type FactoryOptions } from './linear.js';

export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Biases of the input and output projections (default true). */
  bias?: boolean;
  /** Feature size of keys (default embedDim). */
  kdim?: number | null;
  /** Feature size of values (default embedDim). */
  vdim?: number | null;
  /** Inputs and output are [batch, seq, feature] (default false). */
  batchFirst?: boolean;
}
const MHA_OPTIONS = defineOptions('MultiheadAttention', {
  ...factoryShape,
  dropout: real.optional(),
  bias: bool.optional(),
  kdim: count.nullable().optional(),
  vdim: count.nullable().optional(),
  batchFirst: bool.optional(),
});

export interface MultiheadAttentionForwardOptions {
  /** [N, S] (or [S] unbatched): true (or a float added) marks keys to ignore. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** [L, S] or [N·numHeads, L, S]: bool true = not allowed; float added to the scores. */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads (default true). */
  averageAttnWeights?: boolean;
}
const FORWARD_OPTIONS = defineOptions('MultiheadAttention.forward', {
  keyPaddingMask: tensorOrNull.optional(),
  needWeights: bool.optional(),
  attnMask: tensorOrNull.optional(),
  averageAttnWeights: bool.optional(),
});

/** PyTorch's name of MultiheadAttention's output projection (a Linear). */
export class NonDynamicallyQuantizableLinear extends Linear {}

/** Attention over numHeads heads of embedDim / numHeads features: `forward(query, key, value, opts)` -> [output, weights | null]. */
export class MultiheadAttention extends Module {
  declare in_proj_weight: Parameter | null;
  declare q_proj_weight: Parameter | null;
  declare k_proj_weight: Parameter | null;
  declare v_proj_weight: Parameter | null;
  declare in_proj_bias: Parameter | null;
  declare out_proj: Linear;
  readonly embedDim: number;
  readonly numHeads: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    MHA_OPTIONS.check(opts);
    for (const [n, v] of [['embed_dim', embedDim], ['num_heads', numHeads]] as const) {
      if (!Number.isSafeInteger(v)) throw new ArgumentError(`MultiheadAttention(): argument '${n}' must be an integer, not ${describeValue(v)}`);
    }
    checkSize('MultiheadAttention', 'embed_dim', embedDim);
    if (numHeads <= 0) throw new ValueError(`MultiheadAttention: num_heads must be greater than zero, got ${numHeads}`);
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this.dropout = opts.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${this.dropout}`);
    this.batchFirst = opts.batchFirst ?? false;
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw new ValueError('embed_dim must be divisible by num_heads');
    const f = { dtype: opts.dtype, device: opts.device };
    const same = this.kdim === embedDim && this.vdim === embedDim;
    if (same) {
      this.in_proj_weight = new Parameter(empty([3 * embedDim, embedDim], f));
      this.q_proj_weight = this.k_proj_weight = this.v_proj_weight = null;
    } else {
      this.in_proj_weight = null;
      this.q_proj_weight = new Parameter(empty([embedDim, embedDim], f));
      this.k_proj_weight = new Parameter(empty([embedDim, this.kdim], f));
      this.v_proj_weight = new Parameter(empty([embedDim, this.vdim], f));
    }
    const bias = opts.bias ?? true;
    this.in_proj_bias = bias ? new Parameter(empty([3 * embedDim], f)) : null;
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias, ...f });
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.in_proj_weight) xavierUniform_(this.in_proj_weight);
    else for (const w of [this.q_proj_weight!, this.k_proj_weight!, this.v_proj_weight!]) xavierUniform_(w);
    if (this.in_proj_bias) {
      constant_(this.in_proj_bias, 0);
      constant_(this.out_proj.bias!, 0);
    }
  }

  override forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    FORWARD_OPTIONS.check(opts);
    for (const [n, t] of [['query', query], ['key', key], ['value', value]] as const) {
      if (!(t instanceof Tensor)) throw new ArgumentError(`MultiheadAttention.forward(): argument '${n}' must be a Tensor, not ${describeValue(t)}`);
    }
    const batched = query.dim() === 3;
    if (this.batchFirst && batched) [query, key, value] = [query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)];
    const [out, w] = multiHeadAttentionForward(query, key, value, this.embedDim, this.numHeads, this.in_proj_weight, this.in_proj_bias, this.out_proj.weight, this.out_proj.bias, {
      keyPaddingMask: opts.keyPaddingMask ?? null,
      needWeights: opts.needWeights ?? true,
      attnMask: opts.attnMask ?? null,
      averageAttnWeights: opts.averageAttnWeights ?? true,
      dropoutP: this.dropout,
      training: this.training,
      qProjWeight: this.q_proj_weight,
      kProjWeight: this.k_proj_weight,
      vProjWeight: this.v_proj_weight,
    });
    return [this.batchFirst && batched ? out.transpose(0, 1) : out, w];
  }
}
