/**
 * F.interpolate (and nn.Upsample): resampling of the spatial axes of [N, C, *] one axis at a time, each a
 * `gather` along that axis with indices computed in the IR from `iota` (no host data, nothing baked per
 * value), with PyTorch 1.13's index arithmetic:
 *
 *   nearest        src = min(floor(float32(dst * scale)), in - 1)
 *                  (PyTorch's channels-last kernel, which a C = 1 input takes, special-cases out = in and
 *                  out = 2 in whatever the scale, and so does its nearest backward; graft follows the
 *                  contiguous forward kernel, and its gradient is the gradient of that forward)
 *   nearest-exact  src = min(floor(float32((dst + 0.5) * scale)), in - 1)
 *   linear modes   alignCorners: src = dst * (in - 1) / (out - 1); else max(0, (dst + 0.5) * scale - 0.5);
 *                  y = x[i0] * (1 - l) + x[i0 + (i0 < in - 1)] * l with i0 = floor(src), l = src - i0;
 *                  an axis whose size does not change is copied, whatever the scale (as PyTorch's kernels)
 *
 *   bicubic        4 taps with the cubic convolution weights (A = -0.75), indices clamped (cubicAxis)
 *
 * scale is 1 / scaleFactor when a scale factor is given (and not recomputed), else in / out. 'area' is
 * adaptive average pooling, as in PyTorch. antialias is not implemented.
 */
import { build, DTypeError, isFloat, ShapeError, ValueError, type DType, type Node } from '../../ir/index.js';
import { applyOp, type Tensor } from '../../tensor/index.js';
import { bool, custom, defineOptions, str } from '../../tensor/options.js';
import { adaptiveAvgPoolNd } from './adaptive-pool.js';
import { checkTensorArg, scalarName } from './util.js';

export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area';

export interface InterpolateOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

const sizes = custom<number | number[] | null>('an integer, a list of integers or null', (v) => v === null || Number.isSafeInteger(v) || (Array.isArray(v) && v.every((x) => Number.isSafeInteger(x))));
const scales = custom<number | number[] | null>('a number, a list of numbers or null', (v) => v === null || (typeof v === 'number' && !Number.isNaN(v)) || (Array.isArray(v) && v.every((x) => typeof x === 'number' && !Number.isNaN(x))));
export const INTERPOLATE_SHAPE = {
  size: sizes.optional(),
  scaleFactor: scales.optional(),
  mode: str.optional(),
  alignCorners: bool.nullable().optional(),
  recomputeScaleFactor: bool.nullable().optional(),
};
const INTERPOLATE_OPTIONS = defineOptions('interpolate', INTERPOLATE_SHAPE);

const LINEAR: Record<string, number> = { linear: 1, bilinear: 2, bicubic: 2, trilinear: 3 };
const GRAD: Record<string, string> = { nearest: 'Nearest', 'nearest-exact': 'NearestExact', linear: 'Linear', bilinear: 'Bilinear', bicubic: 'Bicubic', trilinear: 'Trilinear' };
const AXIS_NAMES = [['W'], ['H', 'W'], ['D', 'H', 'W']];

const fconst = (v: number, dtype: DType, shape: readonly number[]): Node => build.constant(v, dtype, shape);

/** x gathered along `axis` at idx [M] (int64): [..., M, ...]. */
function take(x: Node, axis: number, idx: Node): Node {
  const shape = x.shape.map((d, i) => (i === axis ? idx.shape[0]! : d));
  const view = x.shape.map((_, i) => (i === axis ? idx.shape[0]! : 1));
  return build.gather(x, build.expand(build.reshape(idx, view), shape), axis);
}

/** Resample x along `axis` from L to M elements. */
function resampleAxis(x: Node, axis: number, M: number, mode: string, alignCorners: boolean, scale: number | null): Node {
  const L = x.shape[axis]!;
  const dst = build.iota(M, 'int64');
  if (mode === 'nearest' || mode === 'nearest-exact') {
    const sc = Math.fround(scale !== null ? 1 / scale : L / M);
    let pos: Node;
    if (mode === 'nearest') pos = build.binary('mul', build.cast(dst, 'float32'), fconst(sc, 'float32', [M]));
    else pos = build.cast(build.binary('mul', build.binary('add', build.cast(dst, 'float64'), fconst(0.5, 'float64', [M])), fconst(sc, 'float64', [M])), 'float32');
    const idx = build.binary('min', build.cast(build.unary('floor', pos), 'int64'), fconst(L - 1, 'int64', [M]));
    return take(x, axis, idx);
  }
  if (mode === 'bicubic') return cubicAxis(x, axis, M, alignCorners, scale);
  if (M === L) return x;
  const dt = x.dtype;
  const sc = alignCorners ? (M > 1 ? (L - 1) / (M - 1) : 0) : scale !== null ? 1 / scale : L / M;
  const d = build.cast(dst, dt);
  let src: Node;
  if (alignCorners) src = build.binary('mul', d, fconst(sc, dt, [M]));
  else {
    src = build.binary('sub', build.binary('mul', build.binary('add', d, fconst(0.5, dt, [M])), fconst(sc, dt, [M])), fconst(0.5, dt, [M]));
    src = build.binary('max', src, fconst(0, dt, [M]));
  }
  const i0 = build.cast(build.unary('floor', src), 'int64');
  const i1 = build.binary('min', build.binary('add', i0, fconst(1, 'int64', [M])), fconst(L - 1, 'int64', [M]));
  let l1 = build.binary('sub', src, build.cast(i0, dt));
  l1 = build.binary('min', build.binary('max', l1, fconst(0, dt, [M])), fconst(1, dt, [M]));
  const l0 = build.binary('sub', fconst(1, dt, [M]), l1);
  const view = x.shape.map((_, i) => (i === axis ? M : 1));
  const shape = x.shape.map((v, i) => (i === axis ? M : v));
  const w = (l: Node): Node => build.expand(build.reshape(l, view), shape);
  return build.binary('add', build.binary('mul', take(x, axis, i0), w(l0)), build.binary('mul', take(x, axis, i1), w(l1)));
}

/**
 * Bicubic along one axis (PyTorch's upsample_bicubic2d, A = -0.75): src as the linear modes but not clamped at
 * 0, i = floor(src), t = src - i, y = sum_j x[clamp(i - 1 + j)] * c_j(t) with the cubic convolution weights
 * c = [w2(t + 1), w1(t), w1(1 - t), w2(2 - t)].
 */
function cubicAxis(x: Node, axis: number, M: number, alignCorners: boolean, scale: number | null): Node {
  const L = x.shape[axis]!;
  const dt = x.dtype;
  const c = (v: number): Node => fconst(v, dt, [M]);
  const sc = alignCorners ? (M > 1 ? (L - 1) / (M - 1) : 0) : scale !== null ? 1 / scale : L / M;
  const d = build.cast(build.iota(M, 'int64'), dt);
  const src = alignCorners ? build.binary('mul', d, c(sc)) : build.binary('sub', build.binary('mul', build.binary('add', d, c(0.5)), c(sc)), c(0.5));
  const fl = build.unary('floor', src);
  const t = build.binary('sub', src, fl);
  const i0 = build.cast(fl, 'int64');
  const A = -0.75;
  const mul = (a: Node, b: Node): Node => build.binary('mul', a, b);
  const add = (a: Node, b: Node): Node => build.binary('add', a, b);
  const sub = (a: Node, b: Node): Node => build.binary('sub', a, b);
  // w1(u) = ((A + 2) u - (A + 3)) u² + 1 for |u| <= 1; w2(u) = ((A u - 5A) u + 8A) u - 4A for 1 < |u| < 2
  const w1 = (u: Node): Node => add(mul(mul(sub(mul(c(A + 2), u), c(A + 3)), u), u), c(1));
  const w2 = (u: Node): Node => sub(mul(add(mul(sub(mul(c(A), u), c(5 * A)), u), c(8 * A)), u), c(4 * A));
  const weights = [w2(add(t, c(1))), w1(t), w1(sub(c(1), t)), w2(sub(c(2), t))];
  const view = x.shape.map((_, i) => (i === axis ? M : 1));
  const shape = x.shape.map((v, i) => (i === axis ? M : v));
  let y: Node | null = null;
  weights.forEach((w, j) => {
    const idx = build.binary('max', build.binary('min', build.binary('add', i0, fconst(j - 1, 'int64', [M])), fconst(L - 1, 'int64', [M])), fconst(0, 'int64', [M]));
    const term = mul(take(x, axis, idx), build.expand(build.reshape(w, view), shape));
    y = y === null ? term : add(y, term);
  });
  return y!;
}

/** F.interpolate: x [N, C, d1..dk] (k = 1..3) resized to `size` or by `scaleFactor`. */
export function interpolate(x: Tensor, opts: InterpolateOptions = {}): Tensor {
  const op = 'interpolate';
  INTERPOLATE_OPTIONS.check(opts);
  checkTensorArg(op, x);
  const mode = opts.mode ?? 'nearest';
  const n = x.dim() - 2;
  const size = opts.size ?? null;
  const scaleFactor = opts.scaleFactor ?? null;
  if (size !== null && scaleFactor !== null) throw new ValueError(`${op}: only one of size or scale_factor should be defined`);
  if (size === null && scaleFactor === null) throw new ValueError(`${op}: either size or scale_factor should be defined`);
  const spatial = x.shape.slice(2);
  if (Array.isArray(size) && size.length !== n) {
    throw new ValueError(
      `${op}: Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [${spatial.join(', ')}] and output size of [${size.join(', ')}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`,
    );
  }
  if (Array.isArray(scaleFactor) && scaleFactor.length !== n) {
    throw new ValueError(
      `${op}: Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [${spatial.join(', ')}] and scale_factor of shape [${scaleFactor.join(', ')}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`,
    );
  }
  const alignCorners = opts.alignCorners ?? null;
  const interpolating = mode in LINEAR;
  if (alignCorners !== null && !interpolating) {
    throw new ValueError(`${op}: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear`);
  }
  const known = mode in GRAD || mode === 'area';
  if (n < 1 || n > 3 || !known) {
    throw new ValueError(
      `${op}: Input Error: Only 3D, 4D and 5D input Tensors supported (got ${x.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`,
    );
  }
  if (interpolating && LINEAR[mode] !== n) throw new ValueError(`${op}: Got ${x.dim()}D input, but ${mode} mode needs ${LINEAR[mode]! + 2}D input`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: "upsample_${mode}" not implemented for '${scalarName(x.dtype)}' (graft: ${x.dtype}); use a float tensor`);
  const factors = scaleFactor === null ? null : typeof scaleFactor === 'number' ? Array<number>(n).fill(scaleFactor) : [...scaleFactor];
  const out = size !== null ? (typeof size === 'number' ? Array<number>(n).fill(size) : [...size]) : spatial.map((v, i) => Math.floor(v * factors![i]!));
  if (out.some((v) => v <= 0) || spatial.some((v) => v <= 0)) {
    const names = AXIS_NAMES[n - 1]!;
    const fmt = (vs: number[]): string => vs.map((v, i) => `${names[i]}: ${v}`).join(', ');
    throw new ShapeError(`${op}: Input and output sizes should be greater than 0, but got input (${fmt(spatial)}) output (${fmt(out)})`);
  }
  if (factors && factors.some((f) => !(f > 0) || !Number.isFinite(f))) throw new ValueError(`${op}: scale_factor must be positive and finite, got [${factors.join(', ')}]`);
  if (mode === 'area') return adaptiveAvgPoolNd(`adaptive_avg_pool${n}d`, n, ['SqueezeBackward1', 'AdaptiveAvgPool2DBackward0', 'AdaptiveAvgPool3DBackward0'][n - 1]!, x, out);
  const useScales = factors !== null && opts.recomputeScaleFactor !== true;
  const ac = alignCorners ?? false;
  return applyOp(`Upsample${GRAD[mode]}${n}DBackward1`, [x], ([nx]) => {
    let y = nx!;
    for (let i = 0; i < n; i++) y = resampleAxis(y, 2 + i, out[i]!, mode, ac, useScales ? factors![i]! : null);
    return y;
  });
}
