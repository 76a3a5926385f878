import { ArgumentError, ValueError } from '../../ir/index.js';
import { noGrad, ones, realizeWithNext, tensor, zeros, type Tensor } from '../../tensor/index.js';
import { batchNorm, layerNorm } from '../functional/normalization.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkSize, type FactoryOptions } from './linear.js';
import { pyBool, pyFloat, pyInts } from './repr.js';
import { bool, defineOptions, describeValue, deviceArg, dtypeArg, real } from '../../tensor/options.js';
import { checkTensorArg, sizeArg } from '../functional/util.js';

const factory = { dtype: dtypeArg.optional(), device: deviceArg.optional() };
const bnShape = { ...factory, eps: real.optional(), momentum: real.nullable().optional(), affine: bool.optional(), trackRunningStats: bool.optional() };
const BATCH_NORM_OPTIONS = { BatchNorm1d: defineOptions('BatchNorm1d', bnShape), BatchNorm2d: defineOptions('BatchNorm2d', bnShape) };
const LAYER_NORM_OPTIONS = defineOptions('LayerNorm', { ...factory, eps: real.optional(), elementwiseAffine: bool.optional(), bias: bool.optional() });

export interface BatchNormModuleOptions extends FactoryOptions {
  eps?: number;
  /** Weight of each batch in the running statistics (default 0.1); null: a cumulative average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/**
 * What BatchNorm1d/2d share. State-dict names are PyTorch's: weight, bias, running_mean, running_var,
 * num_batches_tracked (int64, as in PyTorch).
 */
abstract class BatchNormNd extends Module {
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(
    readonly numFeatures: number,
    opts: BatchNormModuleOptions,
  ) {
    super();
    BATCH_NORM_OPTIONS[new.target.name as keyof typeof BATCH_NORM_OPTIONS]?.check(opts);
    checkSize(this.constructor.name, 'num_features', numFeatures);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.affine ? new Parameter(ones([numFeatures], f)) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], f)) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], f));
      this.registerBuffer('running_var', ones([numFeatures], f));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int64', device: opts.device }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.running_mean!.zero_();
      this.running_var!.fill_(1);
      this.num_batches_tracked!.zero_();
    });
  }
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      noGrad(() => {
        this.weight!.fill_(1);
        this.bias!.zero_();
      });
    }
  }

  /** Throws unless x has a rank this module accepts. */
  protected abstract checkInputDim(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    let factor: number | Tensor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      noGrad(() => this.num_batches_tracked!.add_(1));
      realizeWithNext(this.num_batches_tracked);
      // A cumulative average weighs batch k by 1/k; k lives in a buffer, so the program does not change.
      if (this.momentum === null) factor = noGrad(() => this.num_batches_tracked!.double().reciprocal());
    }
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    const track = !this.training || this.trackRunningStats;
    return batchNorm(x, track ? this.running_mean : null, track ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Batch normalization over [N, C] or [N, C, L] (statistics per channel C). */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormModuleOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInputDim(x: Tensor): void {
    checkTensorArg('BatchNorm1d', x);
    if (x.dim() !== 2 && x.dim() !== 3) throw new ValueError(`BatchNorm1d: expected 2D or 3D input (got ${x.dim()}D input)`);
  }
}

/** Batch normalization over [N, C, H, W] (statistics per channel C). */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormModuleOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInputDim(x: Tensor): void {
    checkTensorArg('BatchNorm2d', x);
    if (x.dim() !== 4) throw new ValueError(`BatchNorm2d: expected 4D input (got ${x.dim()}D input)`);
  }
}

export interface LayerNormModuleOptions extends FactoryOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  /** Learn a bias too (default true; needs elementwiseAffine). */
  bias?: boolean;
}

/** Normalization over the trailing dims `normalizedShape`, with learned per-element weight and bias. */
export class LayerNorm extends Module {
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  constructor(normalizedShape: number | readonly number[], opts: LayerNormModuleOptions = {}) {
    super();
    LAYER_NORM_OPTIONS.check(opts);
    if (!sizeArg.safeParse(normalizedShape).success) {
      throw new ArgumentError(`LayerNorm(): argument 'normalized_shape' must be an integer or a list of integers, not ${describeValue(normalizedShape)}`);
    }
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.normalizedShape.forEach((d) => checkSize('LayerNorm', 'normalized_shape', d));
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, f)) : null;
    this.bias = this.elementwiseAffine && (opts.bias ?? true) ? new Parameter(zeros(this.normalizedShape, f)) : null;
  }
  override forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `${pyInts(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
