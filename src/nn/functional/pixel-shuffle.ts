/**
 * Pixel shuffle and unshuffle: a reshape, a permute and a reshape (views; they fuse into their consumer).
 *   shuffle   [*, C r², H, W] -> [*, C, r, r, H, W] -> [*, C, H, r, W, r] -> [*, C, H r, W r]
 *   unshuffle [*, C, H r, W r] -> [*, C, H, r, W, r] -> [*, C, r, r, H, W] -> [*, C r², H, W]
 */
import { build, DTypeError, ShapeError, ValueError } from '../../ir/index.js';
import { applyOp, type Tensor } from '../../tensor/index.js';
import { describeValue } from '../../tensor/options.js';
import { checkTensorArg } from './util.js';

function factorArg(op: string, name: string, r: unknown): number {
  if (!Number.isSafeInteger(r)) throw new DTypeError(`${op}(): argument '${name}' must be int, not ${describeValue(r)}`);
  if ((r as number) <= 0) throw new ValueError(`${op}: ${op} expects a positive ${name}, but got ${r as number}`);
  return r as number;
}

/** F.pixelShuffle: [*, C·r², H, W] -> [*, C, H·r, W·r]. */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  const op = 'pixel_shuffle';
  checkTensorArg(op, x);
  const r = factorArg(op, 'upscale_factor', upscaleFactor);
  if (x.dim() < 3) throw new ShapeError(`${op}: ${op} expects input to have at least 3 dimensions, but got input with ${x.dim()} dimension(s)`);
  const lead = x.shape.slice(0, -3);
  const [C, H, W] = x.shape.slice(-3) as [number, number, number];
  if (C % (r * r) !== 0) {
    throw new ShapeError(`${op}: ${op} expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${C} is not divisible by ${r * r}`);
  }
  const Co = C / (r * r);
  const b = lead.length;
  return applyOp('PixelShuffleBackward0', [x], ([nx]) => {
    const split = build.reshape(nx!, [...lead, Co, r, r, H, W]);
    const perm = [...lead.keys(), b, b + 3, b + 1, b + 4, b + 2];
    return build.reshape(build.permute(split, perm), [...lead, Co, H * r, W * r]);
  });
}

/** F.pixelUnshuffle: [*, C, H·r, W·r] -> [*, C·r², H, W]. */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  const op = 'pixel_unshuffle';
  checkTensorArg(op, x);
  const r = factorArg(op, 'downscale_factor', downscaleFactor);
  if (x.dim() < 3) throw new ShapeError(`${op}: ${op} expects input to have at least 3 dimensions, but got input with ${x.dim()} dimension(s)`);
  const lead = x.shape.slice(0, -3);
  const [C, H, W] = x.shape.slice(-3) as [number, number, number];
  if (H % r !== 0) throw new ShapeError(`${op}: ${op} expects height to be divisible by downscale_factor, but input.size(-2)=${H} is not divisible by ${r}`);
  if (W % r !== 0) throw new ShapeError(`${op}: ${op} expects width to be divisible by downscale_factor, but input.size(-1)=${W} is not divisible by ${r}`);
  const b = lead.length;
  return applyOp('PixelUnshuffleBackward0', [x], ([nx]) => {
    const split = build.reshape(nx!, [...lead, C, H / r, r, W / r, r]);
    const perm = [...lead.keys(), b, b + 2, b + 4, b + 1, b + 3];
    return build.reshape(build.permute(split, perm), [...lead, C * r * r, H / r, W / r]);
  });
}
