import { ValueError } from '../../ir/index.js';
import { empty, pad, type Tensor } from '../../tensor/index.js';
import { convNd, type Padding } from '../functional/conv.js';
import { tupleArg } from '../functional/util.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkSize, resetWeightAndBias, type FactoryOptions, factoryShape } from './linear.js';
import { bool, custom, defineOptions, int, str } from '../../tensor/options.js';
import { sizeArg } from '../functional/util.js';
import { pyInts } from './repr.js';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface ConvModuleOptions extends FactoryOptions {
  stride?: number | readonly number[];
  padding?: Padding;
  dilation?: number | readonly number[];
  groups?: number;
  bias?: boolean;
  /** How the border is padded: 'zeros' (default), or 'reflect', 'replicate', 'circular' (F.pad's modes). */
  paddingMode?: PaddingMode;
}

export interface ConvTransposeModuleOptions extends FactoryOptions {
  stride?: number | readonly number[];
  padding?: number | readonly number[];
  /** Extra size on one side of each output axis (smaller than the stride or the dilation). */
  outputPadding?: number | readonly number[];
  groups?: number;
  bias?: boolean;
  dilation?: number | readonly number[];
  /** Only 'zeros', as in PyTorch. */
  paddingMode?: 'zeros';
}

const convShape = {
  ...factoryShape,
  stride: sizeArg.optional(),
  padding: custom<Padding>("an integer, a list of integers, 'same' or 'valid'", (v) => typeof v === 'string' || sizeArg.safeParse(v).success).optional(),
  dilation: sizeArg.optional(),
  groups: int.optional(),
  bias: bool.optional(),
  paddingMode: str.optional(),
};
const convTransposeShape = { ...factoryShape, stride: sizeArg.optional(), padding: sizeArg.optional(), outputPadding: sizeArg.optional(), groups: int.optional(), bias: bool.optional(), dilation: sizeArg.optional(), paddingMode: str.optional() };
const CONV_OPTIONS = {
  Conv1d: defineOptions('Conv1d', convShape),
  Conv2d: defineOptions('Conv2d', convShape),
  Conv3d: defineOptions('Conv3d', convShape),
  ConvTranspose1d: defineOptions('ConvTranspose1d', convTransposeShape),
  ConvTranspose2d: defineOptions('ConvTranspose2d', convTransposeShape),
  ConvTranspose3d: defineOptions('ConvTranspose3d', convTransposeShape),
};

/**
 * What the convolutions share (PyTorch's _ConvNd): n-tuples of hyperparameters, the weight [out, in/groups, ...k]
 * ([in, out/groups, ...k] when transposed), PyTorch's init and repr.
 */
export abstract class ConvNd extends Module {
  declare weight: Parameter;
  declare bias: Parameter | null;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'same' | 'valid';
  readonly dilation: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  readonly outputPadding: number[];

  constructor(
    protected readonly _n: number,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | readonly number[],
    opts: ConvModuleOptions | ConvTransposeModuleOptions,
    readonly transposed = false,
  ) {
    super();
    const op = this.constructor.name;
    CONV_OPTIONS[op as keyof typeof CONV_OPTIONS]?.check(opts);
    checkSize(op, 'in_channels', inChannels);
    checkSize(op, 'out_channels', outChannels);
    const groups = opts.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new ValueError(`${op}: groups must be a positive integer`);
    if (inChannels % groups !== 0) throw new ValueError(`${op}: in_channels must be divisible by groups`);
    if (outChannels % groups !== 0) throw new ValueError(`${op}: out_channels must be divisible by groups`);
    const mode = opts.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(mode)) {
      throw new ValueError(`${op}: padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${String(mode)}'`);
    }
    if (transposed && mode !== 'zeros') throw new ValueError(`Only "zeros" padding mode is supported for ${op}`);
    this.paddingMode = mode;
    this.kernelSize = tupleArg(op, 'kernel_size', kernelSize, _n);
    this.stride = tupleArg(op, 'stride', opts.stride ?? 1, _n);
    this.dilation = tupleArg(op, 'dilation', opts.dilation ?? 1, _n);
    const padding = opts.padding ?? 0;
    if (typeof padding === 'string') {
      if (padding !== 'same' && padding !== 'valid') throw new ValueError(`${op}: Invalid padding string '${padding}', should be one of ['valid', 'same']`);
      if (padding === 'same' && this.stride.some((s) => s !== 1)) throw new ValueError(`${op}: padding='same' is not supported for strided convolutions`);
      this.padding = padding;
    } else this.padding = tupleArg(op, 'padding', padding, _n);
    this.outputPadding = tupleArg(op, 'output_padding', (opts as ConvTransposeModuleOptions).outputPadding ?? 0, _n);
    this.groups = groups;
    const wShape = transposed ? [inChannels, outChannels / groups] : [outChannels, inChannels / groups];
    this.weight = new Parameter(empty([...wShape, ...this.kernelSize], { dtype: opts.dtype, device: opts.device }));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outChannels], { dtype: opts.dtype, device: opts.device })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    const op = `conv${this._n}d`;
    const o = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return convNd(op, this._n, x, this.weight, this.bias, { ...o, padding: this.padding });
    // As PyTorch: pad with the mode first (F.pad), then convolve without padding.
    return convNd(op, this._n, pad(x, this.reversedPadding(), this.paddingMode), this.weight, this.bias, { ...o, padding: 0 });
  }

  /** F.pad's list for this padding: [before, after] per spatial dim, last dim first ('same' puts the extra after). */
  private reversedPadding(): number[] {
    const out: number[] = [];
    for (let i = this._n - 1; i >= 0; i--) {
      if (this.padding === 'valid') out.push(0, 0);
      else if (this.padding === 'same') {
        const total = this.dilation[i]! * (this.kernelSize[i]! - 1);
        out.push(Math.floor(total / 2), total - Math.floor(total / 2));
      } else out.push(this.padding[i]!, this.padding[i]!);
    }
    return out;
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyInts(this.kernelSize)}, stride=${pyInts(this.stride)}`;
    const p = this.padding;
    if (typeof p === 'string') s += `, padding=${p}`;
    else if (p.some((v) => v !== 0)) s += `, padding=${pyInts(p)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${pyInts(this.dilation)}`;
    if (this.outputPadding.some((v) => v !== 0)) s += `, output_padding=${pyInts(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** 2-D convolution: input [N, C, H, W] or [C, H, W]; weight [out, in/groups, kh, kw]. */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvModuleOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }
}

/** 1-D convolution: input [N, C, L] or [C, L]; weight [out, in/groups, k]. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvModuleOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }
}

/** 3-D convolution: input [N, C, D, H, W] or [C, D, H, W]; weight [out, in/groups, kd, kh, kw]. */
export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvModuleOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, opts);
  }
}
