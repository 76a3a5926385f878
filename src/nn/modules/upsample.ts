import type { Tensor } from '../../tensor/index.js';
import { defineOptions, int } from '../../tensor/options.js';
import { interpolate, INTERPOLATE_SHAPE, type InterpolateMode } from '../functional/interpolate.js';
import { pixelShuffle, pixelUnshuffle } from '../functional/pixel-shuffle.js';
import { Module } from '../module.js';
import { moduleArgs } from './args.js';
import { pyFloat, pyInts } from './repr.js';

const UPSAMPLE_OPTIONS = defineOptions('Upsample', INTERPOLATE_SHAPE);
const { size, scaleFactor } = INTERPOLATE_SHAPE;
const UPSAMPLING_OPTIONS = {
  UpsamplingNearest2d: defineOptions('UpsamplingNearest2d', { size, scaleFactor }),
  UpsamplingBilinear2d: defineOptions('UpsamplingBilinear2d', { size, scaleFactor }),
};

export interface UpsampleModuleOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

/** F.interpolate as a module: Upsample(size?, scaleFactor?, mode = 'nearest', alignCorners?, recomputeScaleFactor?). */
export class Upsample extends Module {
  readonly size: number | number[] | null;
  readonly scaleFactor: number | number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;
  constructor(size?: number | readonly number[] | null | UpsampleModuleOptions, scaleFactor?: number | readonly number[] | null | UpsampleModuleOptions, mode?: InterpolateMode | UpsampleModuleOptions, ...rest: unknown[]) {
    super();
    const o = moduleArgs(UPSAMPLE_OPTIONS, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor'], [size, scaleFactor, mode, ...rest]);
    this.size = o.size === undefined || o.size === null ? null : Array.isArray(o.size) ? [...o.size] : (o.size as number);
    this.scaleFactor = o.scaleFactor === undefined || o.scaleFactor === null ? null : Array.isArray(o.scaleFactor) ? [...o.scaleFactor] : (o.scaleFactor as number);
    this.mode = (o.mode ?? 'nearest') as InterpolateMode;
    this.alignCorners = o.alignCorners ?? null;
    this.recomputeScaleFactor = o.recomputeScaleFactor ?? null;
  }
  override forward(x: Tensor): Tensor {
    return interpolate(x, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor });
  }
  override extraRepr(): string {
    const sf = this.scaleFactor;
    const what = sf !== null ? `scale_factor=${typeof sf === 'number' ? pyFloat(sf) : `(${sf.map(pyFloat).join(', ')}${sf.length === 1 ? ',' : ''})`}` : `size=${pyInts(this.size)}`;
    return `${what}, mode=${this.mode}`;
  }
}

/** Upsample with mode 'nearest' (PyTorch's deprecated UpsamplingNearest2d). */
export class UpsamplingNearest2d extends Upsample {
  constructor(size?: number | readonly number[] | null | { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null }, scaleFactor?: number | readonly number[] | null) {
    const o = moduleArgs(UPSAMPLING_OPTIONS.UpsamplingNearest2d, ['size', 'scaleFactor'], [size, scaleFactor]);
    super({ size: o.size ?? null, scaleFactor: o.scaleFactor ?? null, mode: 'nearest' });
  }
}

/** Upsample with mode 'bilinear' and alignCorners (PyTorch's deprecated UpsamplingBilinear2d). */
export class UpsamplingBilinear2d extends Upsample {
  constructor(size?: number | readonly number[] | null | { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null }, scaleFactor?: number | readonly number[] | null) {
    const o = moduleArgs(UPSAMPLING_OPTIONS.UpsamplingBilinear2d, ['size', 'scaleFactor'], [size, scaleFactor]);
    super({ size: o.size ?? null, scaleFactor: o.scaleFactor ?? null, mode: 'bilinear', alignCorners: true });
  }
}

const PIXEL_SHUFFLE_OPTIONS = defineOptions('PixelShuffle', { upscaleFactor: int });
const PIXEL_UNSHUFFLE_OPTIONS = defineOptions('PixelUnshuffle', { downscaleFactor: int });

/** [*, C·r², H, W] -> [*, C, H·r, W·r]. */
export class PixelShuffle extends Module {
  readonly upscaleFactor: number;
  constructor(upscaleFactor: number | { upscaleFactor: number }) {
    super();
    ({ upscaleFactor: this.upscaleFactor } = moduleArgs(PIXEL_SHUFFLE_OPTIONS, ['upscaleFactor'], [upscaleFactor]));
  }
  override forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/** [*, C, H·r, W·r] -> [*, C·r², H, W]. */
export class PixelUnshuffle extends Module {
  readonly downscaleFactor: number;
  constructor(downscaleFactor: number | { downscaleFactor: number }) {
    super();
    ({ downscaleFactor: this.downscaleFactor } = moduleArgs(PIXEL_UNSHUFFLE_OPTIONS, ['downscaleFactor'], [downscaleFactor]));
  }
  override forward(x: Tensor): Tensor {
    return pixelUnshuffle(x, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}
