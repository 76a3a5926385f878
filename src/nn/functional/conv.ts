/**
 * Convolution (conv1d, conv2d, conv3d; the shapes below for 2-D) as views + one canonical contraction:
 *
 *   xp   = pad(x, zeros)                                   [N, C, H+ph, W+pw]
 *   win  = windows(xp)  (unfold per spatial axis,
 *          dilation = stepped slice of the window axis)    [N, C, OH, OW, kh, kw]
 *   cols = reshape(permute(win), [N, g, C/g*kh*kw, OH*OW])  (a view: no im2col buffer in the IR)
 *   out  = contract(weight [g, O/g, C/g*kh*kw], cols)        [N, g, O/g, OH*OW] -> [N, O, OH, OW]
 *
 * The contraction's layout is [..., M, K, N] = [N, g, O/g, C/g*kh*kw, OH*OW]: the weight is the left
 * operand (broadcast over the batch, as a matrix reused for every image), the windows the right one, and the
 * output comes out directly in NCHW order — no permute after the product, and the innermost axis (output
 * pixels) walks the input rows with the stride of the convolution.
 */
import { ArgumentError, build, DTypeError, fmtShape, isFloat, numel, ShapeError, ValueError, type Node } from '../../ir/index.js';
import { contract } from '../../tensor/contract.js';
import { applyOp, Tensor } from '../../tensor/index.js';
import { checkTensorArg, sizeArg, tupleArg } from './util.js';
import { checked, custom, defineOptions, describeValue, int } from '../../tensor/options.js';
import { windows, windowCount } from './windows.js';

export type Padding = number | readonly number[] | 'same' | 'valid';

export interface ConvOptions {
  stride?: number | readonly number[];
  padding?: Padding;
  dilation?: number | readonly number[];
  groups?: number;
}

const cName = (d: string): string => ({ float32: 'float', float64: 'double', int32: 'int', int64: 'long int', bool: 'bool' })[d] ?? d;

/** Resolve padding to [before, after] per spatial axis (PyTorch's 'same': the extra element goes after). */
function resolvePadding(op: string, padding: Padding, k: number[], s: number[], d: number[]): [number, number][] {
  const n = k.length;
  if (typeof padding === 'string') {
    if (padding === 'valid') return k.map(() => [0, 0]);
    if (padding !== 'same') throw new ValueError(`${op}: Invalid padding string '${padding}', should be one of ['valid', 'same']`);
    if (s.some((v) => v !== 1)) throw new ValueError(`${op}: padding='same' is not supported for strided convolutions`);
    return k.map((kk, i) => {
      const total = d[i]! * (kk - 1);
      const before = Math.floor(total / 2);
      return [before, total - before];
    });
  }
  const p = tupleArg(op, 'padding', padding, n);
  if (p.some((v) => v < 0)) throw new ValueError(`${op}: negative padding is not supported`);
  return p.map((v) => [v, v]);
}

/** Convolution over the trailing `n` spatial axes (n = 1, 2 or 3), with PyTorch's checks and messages. */
export function convNd(op: string, n: number, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvOptions): Tensor {
  checkTensorArg(op, x);
  checkTensorArg(op, weight, 'weight');
  if (bias !== undefined && bias !== null) checkTensorArg(op, bias, 'bias');
  const rank = x.dim();
  if (rank !== n + 1 && rank !== n + 2) {
    throw new ShapeError(`${op}: Expected ${n + 1}D (unbatched) or ${n + 2}D (batched) input to ${op}, but got input of size: ${fmtShape(x.shape)}`);
  }
  const batched = rank === n + 2;
  const xs = batched ? x.shape : [1, ...x.shape];
  if (weight.dim() !== n + 2) {
    throw new ShapeError(`${op}: Expected ${n + 2}-dimensional weight for ${n + 2}-dimensional input ${fmtShape(xs)}, but got ${weight.dim()}-dimensional weight of size ${fmtShape(weight.shape)} instead`);
  }
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: "slow_conv2d_cpu" not implemented for '${x.dtype === 'bool' ? 'Bool' : 'Long'}' (graft: ${x.dtype}); convolution needs float tensors`);
  if (weight.dtype !== x.dtype) throw new DTypeError(`${op}: Input type (${cName(x.dtype)}) and weight type (${cName(weight.dtype)}) should be the same`);
  if (bias && bias.dtype !== x.dtype) throw new DTypeError(`${op}: Input type (${cName(x.dtype)}) and bias type (${cName(bias.dtype)}) should be the same`);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups <= 0) throw new ValueError(`${op}: non-positive groups is not supported`);
  const k = weight.shape.slice(2);
  const s = tupleArg(op, 'stride', opts.stride ?? 1, n);
  const d = tupleArg(op, 'dilation', opts.dilation ?? 1, n);
  if (s.some((v) => v <= 0)) throw new ValueError(`${op}: non-positive stride is not supported`);
  if (d.some((v) => v <= 0)) throw new ValueError(`${op}: dilation should be greater than zero`);
  const pads = resolvePadding(op, opts.padding ?? 0, k, s, d);
  const [O, Cg] = weight.shape as [number, number];
  const [N, C] = xs as [number, number];
  if (O % groups !== 0) {
    throw new ShapeError(`${op}: Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${fmtShape(weight.shape)} instead`);
  }
  if (C !== Cg * groups) {
    throw new ShapeError(
      `${op}: Given groups=${groups}, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(xs)} to have ${Cg * groups} channels, but got ${C} channels instead`,
    );
  }
  if (bias && (bias.dim() !== 1 || bias.shape[0] !== O)) {
    throw new ShapeError(`${op}: Given weight of size ${fmtShape(weight.shape)}, expected bias to be 1-dimensional with ${O} elements, but got bias of size ${fmtShape(bias.shape)} instead`);
  }
  const spatial = xs.slice(2);
  const padded = spatial.map((v, i) => v + pads[i]![0] + pads[i]![1]);
  const span = k.map((kk, i) => d[i]! * (kk - 1) + 1);
  if (padded.some((v, i) => v < span[i]!)) {
    throw new ShapeError(
      `${op}: Calculated padded input size per channel: (${padded.join(' x ')}). Kernel size: (${span.join(' x ')}). Kernel size can't be greater than actual input size`,
    );
  }
  const outSpatial = padded.map((v, i) => windowCount(v, k[i]!, s[i]!, d[i]!));
  const outShape = batched ? [N, O, ...outSpatial] : [O, ...outSpatial];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  // PyTorch convolves an unbatched input as a batch of one and squeezes the batch dim away.
  return applyOp(batched ? 'ConvolutionBackward0' : 'SqueezeBackward1', inputs, ([nx, nw, nb]) => {
    const xp = build.pad(build.reshape(nx!, xs), [[0, 0], [0, 0], ...pads]);
    return build.reshape(convNode(xp, nw!, nb, s, d, groups), outShape);
  });
}

/**
 * The convolution of an already padded input xp [N, C, ...S] with weight w [O, C/groups, ...k] (bias b [O]):
 * [N, O, ...out]. Shared by convNd and the transposed convolutions (which build their own xp and w).
 */
export function convNode(xp: Node, w: Node, b: Node | undefined, s: readonly number[], d: readonly number[], groups: number): Node {
  const n = s.length;
  const N = xp.shape[0]!;
  const [O, Cg] = w.shape as [number, number];
  const k = w.shape.slice(2);
  const outSpatial = xp.shape.slice(2).map((v, i) => windowCount(v, k[i]!, s[i]!, d[i]!));
  const P = numel(outSpatial);
  const K = Cg * numel(k);
  const Og = O / groups;
    const win = windows(xp, k, s, d); // [N, C, ...O, ...k]
  // [N, C, ...k, ...O]: the reduced axes (C, k) together, the output pixels last.
  const perm = [0, 1, ...k.map((_, i) => 2 + n + i), ...k.map((_, i) => 2 + i)];
  const colsShape = groups === 1 ? [N, K, P] : [N, groups, K, P];
  const cols = build.reshape(build.permute(win, perm), colsShape);
  const wm = build.reshape(w, groups === 1 ? [O, K] : [groups, Og, K]);
  let y: Node = contract(wm, cols, groups === 1 ? [N] : [N, groups]);
  y = build.reshape(y, [N, O, ...outSpatial]);
  if (b) y = build.binary('add', y, build.expand(build.reshape(b, [1, O, ...outSpatial.map(() => 1)]), y.shape));
  return y;
}

const convShape = {
  stride: sizeArg.optional(),
  padding: custom<Padding>("an integer, a list of integers, 'same' or 'valid'", (v) => typeof v === 'string' || sizeArg.safeParse(v).success).optional(),
  dilation: sizeArg.optional(),
  groups: int.optional(),
};
const CONV_OPTIONS = { conv1d: defineOptions('conv1d', convShape), conv2d: defineOptions('conv2d', convShape), conv3d: defineOptions('conv3d', convShape) };

/** Split `(bias?, opts?)` / `(opts)` arguments (bias may also be an option). */
export function convArgs(op: keyof typeof CONV_OPTIONS, b?: Tensor | null | ConvOptions, opts?: ConvOptions): [Tensor | null, ConvOptions] {
  if (b instanceof Tensor || b === null || b === undefined) return [b ?? null, checked(CONV_OPTIONS[op], opts)];
  if (typeof b !== 'object' || Array.isArray(b) || opts !== undefined) throw new ArgumentError(`${op}(): argument 'bias' must be a Tensor or null, not ${describeValue(b)}`);
  const { bias, ...rest } = b as ConvOptions & { bias?: Tensor | null };
  if (bias !== undefined && bias !== null && !(bias instanceof Tensor)) throw new ArgumentError(`${op}(): option 'bias' must be a Tensor or null, not ${describeValue(bias)}`);
  return [bias ?? null, checked(CONV_OPTIONS[op], rest)];
}

/** F.conv2d: input [N, C, H, W] or [C, H, W], weight [O, C/groups, kh, kw], bias [O]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null | ConvOptions, opts?: ConvOptions): Tensor {
  const [b, o] = convArgs('conv2d', bias, opts);
  return convNd('conv2d', 2, x, weight, b, o);
}

/** F.conv1d: input [N, C, L] or [C, L], weight [O, C/groups, k], bias [O]. */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null | ConvOptions, opts?: ConvOptions): Tensor {
  const [b, o] = convArgs('conv1d', bias, opts);
  return convNd('conv1d', 1, x, weight, b, o);
}

/** F.conv3d: input [N, C, D, H, W] or [C, D, H, W], weight [O, C/groups, kd, kh, kw], bias [O]. */
export function conv3d(x: Tensor, weight: Tensor, bias?: Tensor | null | ConvOptions, opts?: ConvOptions): Tensor {
  const [b, o] = convArgs('conv3d', bias, opts);
  return convNd('conv3d', 3, x, weight, b, o);
}
