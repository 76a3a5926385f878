import { ArgumentError, build, ShapeError, ValueError } from '../../ir/index.js';
import { empty, fromNode, noGrad, Tensor } from '../../tensor/index.js';
import { embedding } from '../functional/embedding.js';
import { normal_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkSize, factoryShape, type FactoryOptions } from './linear.js';
import { bool, defineOptions, describeValue, int, real } from '../../tensor/options.js';
import { pyFloat } from './repr.js';

const normShape = { maxNorm: real.nullable().optional(), normType: real.optional() };
const EMBEDDING_OPTIONS = defineOptions('Embedding', { ...factoryShape, paddingIdx: int.nullable().optional(), ...normShape });
const FROM_PRETRAINED_OPTIONS = defineOptions('Embedding.fromPretrained', { freeze: bool.optional(), paddingIdx: int.nullable().optional(), ...normShape });

export interface EmbeddingModuleOptions extends FactoryOptions {
  /** This row is initialized to zeros and gets no gradient. */
  paddingIdx?: number | null;
  /** Looked-up rows whose norm exceeds this are renormalized to it, in the weight, in place. */
  maxNorm?: number | null;
  /** The p of the maxNorm norm (default 2). */
  normType?: number;
}

/** A lookup table: int32 indices [...] -> rows of weight [numEmbeddings, embeddingDim] (init N(0, 1)). */
export class Embedding extends Module {
  declare weight: Parameter;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: EmbeddingModuleOptions = {},
  ) {
    super();
    EMBEDDING_OPTIONS.check(opts);
    checkSize('Embedding', 'num_embeddings', numEmbeddings);
    checkSize('Embedding', 'embedding_dim', embeddingDim);
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad >= numEmbeddings || pad < -numEmbeddings) throw new ValueError('Embedding: Padding_idx must be within num_embeddings');
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: opts.dtype, device: opts.device }));
    this.resetParameters();
  }

  /** An Embedding holding `embeddings` [V, D] (frozen unless freeze is false). */
  static fromPretrained(embeddings: Tensor, opts: { freeze?: boolean; paddingIdx?: number | null; maxNorm?: number | null; normType?: number } = {}): Embedding {
    FROM_PRETRAINED_OPTIONS.check(opts);
    if (!(embeddings instanceof Tensor)) throw new ArgumentError(`Embedding.fromPretrained(): argument 'embeddings' must be a Tensor, not ${describeValue(embeddings)}`);
    if (embeddings.dim() !== 2) throw new ShapeError('Embeddings parameter is expected to be 2-dimensional');
    const [V, D] = embeddings.shape as [number, number];
    const e = new Embedding(V, D, { paddingIdx: opts.paddingIdx, maxNorm: opts.maxNorm, normType: opts.normType, dtype: embeddings.dtype, device: embeddings.device });
    noGrad(() => e.weight.copy_(embeddings));
    e.weight.requiresGrad = !(opts.freeze ?? true);
    return e;
  }

  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) zeroRow(this.weight, this.paddingIdx);
  }

  override forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    return s;
  }
}

/** Set row `row` of a [V, D] tensor to zeros, in place, outside autograd. */
function zeroRow(w: Tensor, row: number): void {
  const shape = w.shape;
  const rows = build.expand(build.reshape(build.iota(shape[0]!), [shape[0]!, 1]), shape);
  noGrad(() => {
    const v = build.where(build.binary('eq', rows, build.constant(row, 'int32', shape)), build.constant(0, w.dtype, shape), w.node);
    w.copy_(fromNode(v, w.device));
  });
}
