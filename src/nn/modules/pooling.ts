import { ArgumentError } from '../../ir/index.js';
import type { Tensor } from '../../tensor/index.js';
import { adaptiveAvgPoolNd, type AdaptiveSize } from '../functional/adaptive-pool.js';
import { avgPoolNd, maxPoolNd } from '../functional/pooling.js';
import { bool, defineOptions, describeValue, int, type OptionsChecker } from '../../tensor/options.js';
import { sizeArg, tupleArg } from '../functional/util.js';
import { Module } from '../module.js';
import { pyBool, pyInts } from './repr.js';

const maxShape = { stride: sizeArg.nullable().optional(), padding: sizeArg.optional(), dilation: sizeArg.optional(), ceilMode: bool.optional() };
const avgShape = { stride: sizeArg.nullable().optional(), padding: sizeArg.optional(), ceilMode: bool.optional(), countIncludePad: bool.optional(), divisorOverride: int.nullable().optional() };
const POOL_OPTIONS: Record<string, OptionsChecker> = {
  MaxPool1d: defineOptions('MaxPool1d', maxShape),
  MaxPool2d: defineOptions('MaxPool2d', maxShape),
  AvgPool1d: defineOptions('AvgPool1d', avgShape),
  AvgPool2d: defineOptions('AvgPool2d', avgShape),
};

/** Check a pooling module's options and its window sizes when it is made (not at its first forward). */
function checkPool(name: string, n: number, kernelSize: Size, opts: object): void {
  POOL_OPTIONS[name]?.check(opts);
  tupleArg(name, 'kernel_size', kernelSize, n);
  for (const key of ['stride', 'padding', 'dilation'] as const) {
    const v = (opts as Record<string, Size | null | undefined>)[key];
    if (v !== undefined && v !== null) tupleArg(name, key, v, n);
  }
}

type Size = number | readonly number[];

export interface MaxPoolModuleOptions {
  stride?: Size | null;
  padding?: Size;
  dilation?: Size;
  ceilMode?: boolean;
}

abstract class MaxPoolNd extends Module {
  readonly stride: Size;
  readonly padding: Size;
  readonly dilation: Size;
  readonly ceilMode: boolean;
  constructor(
    private readonly _n: number,
    readonly kernelSize: Size,
    opts: MaxPoolModuleOptions,
  ) {
    super();
    checkPool(new.target.name, _n, kernelSize, opts);
    // As PyTorch: a missing stride is the kernel size (and prints as such).
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.ceilMode = opts.ceilMode ?? false;
  }
  override forward(x: Tensor): Tensor {
    const [op, grad] = this._n === 2 ? ['max_pool2d', 'MaxPool2DWithIndicesBackward0'] : ['max_pool1d', 'SqueezeBackward1'];
    return maxPoolNd(op, this._n, grad, x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
  override extraRepr(): string {
    return `kernel_size=${pyInts(this.kernelSize)}, stride=${pyInts(this.stride)}, padding=${pyInts(this.padding)}, dilation=${pyInts(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** Max over kh x kw windows: input [N, C, H, W] or [C, H, W]. */
export class MaxPool2d extends MaxPoolNd {
  constructor(kernelSize: Size, opts: MaxPoolModuleOptions = {}) {
    super(2, kernelSize, opts);
  }
}
/** Max over windows of length k: input [N, C, L] or [C, L]. */
export class MaxPool1d extends MaxPoolNd {
  constructor(kernelSize: Size, opts: MaxPoolModuleOptions = {}) {
    super(1, kernelSize, opts);
  }
}

export interface AvgPoolModuleOptions {
  stride?: Size | null;
  padding?: Size;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

abstract class AvgPoolNd extends Module {
  readonly stride: Size;
  readonly padding: Size;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(
    private readonly _n: number,
    readonly kernelSize: Size,
    opts: AvgPoolModuleOptions,
  ) {
    super();
    checkPool(new.target.name, _n, kernelSize, opts);
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }
  override forward(x: Tensor): Tensor {
    const [op, grad] = this._n === 2 ? ['avg_pool2d', 'AvgPool2DBackward0'] : ['avg_pool1d', 'SqueezeBackward1'];
    return avgPoolNd(op, this._n, grad, x, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }
  override extraRepr(): string {
    return `kernel_size=${pyInts(this.kernelSize)}, stride=${pyInts(this.stride)}, padding=${pyInts(this.padding)}`;
  }
}

/** Average over kh x kw windows: input [N, C, H, W] or [C, H, W]. */
export class AvgPool2d extends AvgPoolNd {
  constructor(kernelSize: Size, opts: AvgPoolModuleOptions = {}) {
    super(2, kernelSize, opts);
  }
}
/** Average over windows of length k: input [N, C, L] or [C, L]. */
export class AvgPool1d extends AvgPoolNd {
  constructor(kernelSize: Size, opts: AvgPoolModuleOptions = {}) {
    super(1, kernelSize, opts);
  }
}

const isSizeOrNone = (v: unknown): boolean => v === null || (Number.isSafeInteger(v) && (v as number) >= 0);
function checkAdaptive(name: string, outputSize: unknown): void {
  if (!(isSizeOrNone(outputSize) || (Array.isArray(outputSize) && outputSize.every(isSizeOrNone)))) {
    throw new ArgumentError(`${name}(): argument 'output_size' must be a non-negative integer or a list of them (null keeps a size), not ${describeValue(outputSize)}`);
  }
}

/** Average pooling to a fixed output size, PyTorch's window rule. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
    checkAdaptive('AdaptiveAvgPool2d', outputSize);
  }
  override forward(x: Tensor): Tensor {
    return adaptiveAvgPoolNd('adaptive_avg_pool2d', 2, 'AdaptiveAvgPool2DBackward0', x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pyInts(this.outputSize)}`;
  }
}

export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
    checkAdaptive('AdaptiveAvgPool1d', outputSize);
  }
  override forward(x: Tensor): Tensor {
    return adaptiveAvgPoolNd('adaptive_avg_pool1d', 1, 'SqueezeBackward1', x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pyInts(this.outputSize)}`;
  }
}
