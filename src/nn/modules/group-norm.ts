import { ValueError } from '../../ir/index.js';
import { noGrad, ones, zeros, tensor, type Tensor } from '../../tensor/index.js';
import { bool, defineOptions, deviceArg, dtypeArg, real } from '../../tensor/options.js';
import { groupNorm, instanceNorm } from '../functional/group-norm.js';
import { checkTensorArg } from '../functional/util.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkSize, type FactoryOptions } from './linear.js';
import { pyBool, pyFloat } from './repr.js';

const factory = { dtype: dtypeArg.optional(), device: deviceArg.optional() };
const GROUP_NORM_OPTIONS = defineOptions('GroupNorm', { ...factory, eps: real.optional(), affine: bool.optional() });
const inShape = { ...factory, eps: real.optional(), momentum: real.optional(), affine: bool.optional(), trackRunningStats: bool.optional() };
const INSTANCE_NORM_OPTIONS = {
  InstanceNorm1d: defineOptions('InstanceNorm1d', inShape),
  InstanceNorm2d: defineOptions('InstanceNorm2d', inShape),
  InstanceNorm3d: defineOptions('InstanceNorm3d', inShape),
};

export interface GroupNormModuleOptions extends FactoryOptions {
  eps?: number;
  /** Learn a per-channel weight (ones) and bias (zeros); default true. */
  affine?: boolean;
}

/** Group normalization: channels split into numGroups groups, each normalized per sample. State: weight, bias [C]. */
export class GroupNorm extends Module {
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  readonly eps: number;
  readonly affine: boolean;
  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    opts: GroupNormModuleOptions = {},
  ) {
    super();
    GROUP_NORM_OPTIONS.check(opts);
    checkSize('GroupNorm', 'num_groups', numGroups);
    checkSize('GroupNorm', 'num_channels', numChannels);
    if (numGroups === 0 || numChannels % numGroups !== 0) throw new ValueError('GroupNorm: num_channels must be divisible by num_groups');
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.affine ? new Parameter(ones([numChannels], f)) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels], f)) : null;
  }
  resetParameters(): void {
    if (!this.affine) return;
    noGrad(() => {
      this.weight!.fill_(1);
      this.bias!.zero_();
    });
  }
  override forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

export interface InstanceNormModuleOptions extends FactoryOptions {
  eps?: number;
  /** Weight of each batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Learn a per-channel weight and bias (default false). */
  affine?: boolean;
  /** Keep running statistics, used in eval mode (default false). */
  trackRunningStats?: boolean;
}

/**
 * What InstanceNorm1d/2d/3d share (PyTorch's _InstanceNorm): an unbatched input is normalized as a batch of
 * one; statistics of the input in training mode or without running statistics, the running ones otherwise.
 * State-dict names: weight, bias, running_mean, running_var, num_batches_tracked (as PyTorch; the count is not
 * advanced by instance norm, as in PyTorch 1.13).
 */
abstract class InstanceNormNd extends Module {
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  constructor(
    private readonly _n: number,
    readonly numFeatures: number,
    opts: InstanceNormModuleOptions,
  ) {
    super();
    const name = this.constructor.name;
    INSTANCE_NORM_OPTIONS[name as keyof typeof INSTANCE_NORM_OPTIONS]?.check(opts);
    checkSize(name, 'num_features', numFeatures);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.affine = opts.affine ?? false;
    this.trackRunningStats = opts.trackRunningStats ?? false;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.affine ? new Parameter(ones([numFeatures], f)) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], f)) : null;
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([numFeatures], f) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures], f) : null);
    this.registerBuffer('num_batches_tracked', track ? tensor(0, { dtype: 'int64', device: opts.device }) : null);
  }
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  get runningVar(): Tensor | null {
    return this.running_var;
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
    if (!this.affine) return;
    noGrad(() => {
      this.weight!.fill_(1);
      this.bias!.zero_();
    });
  }
  override forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    checkTensorArg(name, x);
    const n = this._n;
    if (x.dim() !== n + 1 && x.dim() !== n + 2) throw new ValueError(`${name}: expected ${n + 1}D or ${n + 2}D input (got ${x.dim()}D input)`);
    const unbatched = x.dim() === n + 1;
    const y = instanceNorm(unbatched ? x.unsqueeze(0) : x, {
      runningMean: this.running_mean,
      runningVar: this.running_var,
      weight: this.weight,
      bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum,
      eps: this.eps,
    });
    return unbatched ? y.squeeze(0) : y;
  }
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Instance normalization over [N, C, L] or [C, L]. */
export class InstanceNorm1d extends InstanceNormNd {
  constructor(numFeatures: number, opts: InstanceNormModuleOptions = {}) {
    super(1, numFeatures, opts);
  }
}
/** Instance normalization over [N, C, H, W] or [C, H, W]. */
export class InstanceNorm2d extends InstanceNormNd {
  constructor(numFeatures: number, opts: InstanceNormModuleOptions = {}) {
    super(2, numFeatures, opts);
  }
}
/** Instance normalization over [N, C, D, H, W] or [C, D, H, W]. */
export class InstanceNorm3d extends InstanceNormNd {
  constructor(numFeatures: number, opts: InstanceNormModuleOptions = {}) {
    super(3, numFeatures, opts);
  }
}
