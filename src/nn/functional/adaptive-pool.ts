/**
 * Adaptive average pooling with PyTorch's window rule: output index o of an axis of length L pooled to
 * size S averages input indices [floor(o L / S), ceil((o + 1) L / S)).
 *
 * Each axis is pooled on its own (the windows are separable):
 * - S == L: nothing to do;
 * - L divisible by S: the windows tile the axis, so it is a reshape [.., S, L/S, ..] and a sum (when every
 *   pooled axis divides, one reduction covers all of them);
 * - otherwise windows overlap or vary in size: a product with the pooling matrix P [S, L],
 *   P[o, i] = [start_o <= i < end_o] / (end_o - start_o), built from `iota` (no data uploaded) and applied
 *   with the canonical contraction over that axis.
 */
import { build, DTypeError, fmtShape, isFloat, ShapeError, ValueError, type DType, type Node } from '../../ir/index.js';
import { contract } from '../../tensor/contract.js';
import { applyOp, type Tensor } from '../../tensor/index.js';
import { checkTensorArg, scalarName } from './util.js';
import { describeValue } from '../../tensor/options.js';

/** P [S, L] as above, of a float dtype. */
function poolingMatrix(len: number, size: number, dtype: DType): Node {
  const shape = [size, len];
  const i32 = (v: number): Node => build.constant(v, 'int32', shape);
  const o = build.expand(build.reshape(build.iota(size), [size, 1]), shape);
  const i = build.expand(build.reshape(build.iota(len), [1, len]), shape);
  const start = build.binary('idiv', build.binary('mul', o, i32(len)), i32(size));
  const end = build.binary('idiv', build.binary('add', build.binary('mul', build.binary('add', o, i32(1)), i32(len)), i32(size - 1)), i32(size));
  const inside = build.binary('and', build.binary('ge', i, start), build.binary('lt', i, end));
  const weight = build.binary('div', build.constant(1, dtype, shape), build.cast(build.binary('sub', end, start), dtype));
  return build.where(inside, weight, build.constant(0, dtype, shape));
}

/** Pool one of the two last axes of x (axis = rank-2 or rank-1) with the pooling matrix. */
function poolByMatrix(x: Node, axis: number, size: number): Node {
  const r = x.shape.length;
  const batch = x.shape.slice(0, -2);
  const P = poolingMatrix(x.shape[axis]!, size, x.dtype);
  return axis === r - 1 ? contract(x, build.permute(P, [1, 0]), batch) : contract(P, x, batch);
}

/** Pool the trailing axes of x to `sizes`. */
function adaptiveAvg(x: Node, sizes: readonly number[]): Node {
  const n = sizes.length;
  const r = x.shape.length;
  const first = r - n;
  const lens = x.shape.slice(first);
  const tiled = lens.map((len, i) => len % sizes[i]! === 0);
  let y = x;
  // Tiled axes: split each into [S, L/S] and sum the L/S parts in one reduction.
  if (tiled.some((t, i) => t && lens[i] !== sizes[i])) {
    const split: number[] = [...x.shape.slice(0, first)];
    const sumAxes: number[] = [];
    let count = 1;
    lens.forEach((len, i) => {
      if (tiled[i]) {
        split.push(sizes[i]!, len / sizes[i]!);
        sumAxes.push(split.length - 1);
        count *= len / sizes[i]!;
      } else split.push(len);
    });
    const s = build.reduce(build.reshape(y, split), 'sum', sumAxes);
    const merged = [...x.shape.slice(0, first), ...lens.map((len, i) => (tiled[i] ? sizes[i]! : len))];
    y = build.reshape(build.binary('div', s, build.constant(count, s.dtype, s.shape)), merged);
  }
  // The other axes: a product with the pooling matrix each.
  lens.forEach((_, i) => {
    if (!tiled[i]) y = poolByMatrix(y, first + i, sizes[i]!);
  });
  return y;
}

export type AdaptiveSize = number | readonly (number | null)[];

export function adaptiveAvgPoolNd(op: string, n: number, grad: string, x: Tensor, outputSize: AdaptiveSize): Tensor {
  checkTensorArg(op, x);
  const rank = x.dim();
  if (rank !== n + 1 && rank !== n + 2) throw new ShapeError(`${op}(): Expected ${n + 1}D or ${n + 2}D tensor, but got ${fmtShape(x.shape)}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: "${op}" not implemented for '${scalarName(x.dtype)}' (graft: ${x.dtype}); pooling needs float tensors`);
  x.shape.forEach((d, i) => {
    if (d === 0 && (rank === n + 1 || i > 0)) {
      throw new ShapeError(`${op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${fmtShape(x.shape)} with dimension ${i} being empty`);
    }
  });
  const spatial = x.shape.slice(-n);
  const ok = typeof outputSize === 'number' || (Array.isArray(outputSize) && outputSize.every((s) => s === null || typeof s === 'number'));
  const raw = typeof outputSize === 'number' ? Array<number | null>(n).fill(outputSize) : ok ? [...outputSize] : [];
  if (!ok || raw.length !== n) throw new ValueError(`${op}: output_size must be ${n} ints, got ${Array.isArray(outputSize) ? `[${outputSize.map((s) => describeValue(s)).join(', ')}]` : describeValue(outputSize)}`);
  const sizes = raw.map((s, i) => (s === null ? spatial[i]! : s));
  if (sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ValueError(`${op}: elements of output_size must be greater than or equal to 0 but received {${sizes.join(', ')}}`);
  }
  if (sizes.some((s) => s === 0)) throw new ValueError(`${op}: output_size must be positive, got {${sizes.join(', ')}}`);
  const outShape = [...x.shape.slice(0, -n), ...sizes];
  // PyTorch computes a 2-D adaptive pooling to 1x1 as a mean over the last two dims (MeanBackward1).
  const name = n === 2 && sizes.every((v) => v === 1) ? 'MeanBackward1' : grad;
  return applyOp(name, [x], ([nx]) => build.reshape(adaptiveAvg(nx!, sizes), outShape));
}

/** F.adaptiveAvgPool2d: input [N, C, H, W] or [C, H, W]; outputSize an int, or [h, w] (null keeps that size). */
export const adaptiveAvgPool2d = (x: Tensor, outputSize: AdaptiveSize): Tensor =>
  adaptiveAvgPoolNd('adaptive_avg_pool2d', 2, 'AdaptiveAvgPool2DBackward0', x, outputSize);
/** F.adaptiveAvgPool1d: input [N, C, L] or [C, L]. */
export const adaptiveAvgPool1d = (x: Tensor, outputSize: AdaptiveSize): Tensor =>
  adaptiveAvgPoolNd('adaptive_avg_pool1d', 1, 'SqueezeBackward1', x, outputSize);
