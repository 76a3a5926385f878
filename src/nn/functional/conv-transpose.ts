/**
 * Transposed convolution (conv_transpose1d/2d/3d), the gradient of a convolution with respect to its input,
 * built as a convolution of the spread input (the same canonical contraction as `convNd`, see conv.ts):
 *
 *   xs  = x with stride-1 zeros between neighbours along each spatial axis      [N, Cin, (S-1)s+1]
 *   xp  = xs padded by d(k-1)-p before and d(k-1)-p+outputPadding after (a crop where negative)
 *   w'  = weight [Cin, Cout/g, k] regrouped to [Cout, Cin/g, k], spatially flipped
 *   out = convNode(xp, w', bias, stride 1, dilation d, groups)       [N, Cout, (S-1)s - 2p + d(k-1) + op + 1]
 *
 * Everything before the contraction is a view (reshape, pad, slice, flip, permute), so it fuses like conv2d.
 */
import { build, DTypeError, fmtShape, isFloat, ShapeError, ValueError, type Node } from '../../ir/index.js';
import { applyOp, Tensor } from '../../tensor/index.js';
import { checked, defineOptions, int, describeValue } from '../../tensor/options.js';
import { ArgumentError } from '../../ir/index.js';
import { convNode } from './conv.js';
import { checkTensorArg, sizeArg, tupleArg } from './util.js';

export interface ConvTransposeOptions {
  stride?: number | readonly number[];
  padding?: number | readonly number[];
  /** Extra size added to one side of each output axis (smaller than the stride or the dilation). */
  outputPadding?: number | readonly number[];
  groups?: number;
  dilation?: number | readonly number[];
}

const cName = (d: string): string => ({ float32: 'float', float64: 'double', int32: 'int', int64: 'long int', bool: 'bool' })[d] ?? d;
const AXES = ['height', 'width'];

/** Along `axis`: `s - 1` zeros between neighbours, then `before`/`after` zeros (a crop where negative). */
function spread(x: Node, axis: number, s: number, before: number, after: number): Node {
  let y = x;
  const L = x.shape[axis]!;
  if (s > 1 && L > 0) {
    const sh = [...y.shape];
    y = build.reshape(y, [...sh.slice(0, axis + 1), 1, ...sh.slice(axis + 1)]);
    y = build.pad(y, y.shape.map((_, i) => (i === axis + 1 ? ([0, s - 1] as const) : ([0, 0] as const))), 0);
    y = build.reshape(y, [...sh.slice(0, axis), L * s, ...sh.slice(axis + 1)]);
    after -= s - 1; // the last element's trailing zeros are not part of the spread input
  }
  const len = y.shape[axis]!;
  const cutBefore = Math.max(0, -before);
  const cutAfter = Math.max(0, -after);
  if (cutBefore > 0 || cutAfter > 0) {
    y = build.slice(y, y.shape.map((_, i) => (i === axis ? cutBefore : 0)), y.shape.map((v, i) => (i === axis ? len - cutBefore - cutAfter : v)));
  }
  if (before > 0 || after > 0) y = build.pad(y, y.shape.map((_, i) => (i === axis ? ([Math.max(0, before), Math.max(0, after)] as const) : ([0, 0] as const))), 0);
  return y;
}

/** Transposed convolution over the trailing `n` spatial axes, with PyTorch's checks and messages. */
export function convTransposeNd(op: string, n: number, x: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvTransposeOptions): Tensor {
  checkTensorArg(op, x);
  checkTensorArg(op, weight, 'weight');
  if (bias !== null) checkTensorArg(op, bias, 'bias');
  const rank = x.dim();
  if (rank !== n + 1 && rank !== n + 2) {
    throw new ShapeError(`${op}: Expected ${n + 1}D (unbatched) or ${n + 2}D (batched) input to ${op}, but got input of size: ${fmtShape(x.shape)}`);
  }
  const batched = rank === n + 2;
  const xs = batched ? x.shape : [1, ...x.shape];
  if (weight.dim() !== n + 2) {
    throw new ShapeError(`${op}: Expected ${n + 2}-dimensional weight for ${n + 2}-dimensional input ${fmtShape(xs)}, but got ${weight.dim()}-dimensional weight of size ${fmtShape(weight.shape)} instead`);
  }
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: "slow_conv_transpose2d_out_cpu" not implemented for '${x.dtype === 'bool' ? 'Bool' : 'Long'}' (graft: ${x.dtype}); convolution needs float tensors`);
  if (weight.dtype !== x.dtype) throw new DTypeError(`${op}: Input type (${cName(x.dtype)}) and weight type (${cName(weight.dtype)}) should be the same`);
  if (bias && bias.dtype !== x.dtype) throw new DTypeError(`${op}: Input type (${cName(x.dtype)}) and bias type (${cName(bias.dtype)}) should be the same`);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups <= 0) throw new ValueError(`${op}: non-positive groups is not supported`);
  const k = weight.shape.slice(2);
  const s = tupleArg(op, 'stride', opts.stride ?? 1, n);
  const p = tupleArg(op, 'padding', opts.padding ?? 0, n);
  const op2 = tupleArg(op, 'output_padding', opts.outputPadding ?? 0, n);
  const d = tupleArg(op, 'dilation', opts.dilation ?? 1, n);
  if (s.some((v) => v <= 0)) throw new ValueError(`${op}: non-positive stride is not supported`);
  if (d.some((v) => v <= 0)) throw new ValueError(`${op}: dilation should be greater than zero`);
  if (p.some((v) => v < 0)) throw new ValueError(`${op}: negative padding is not supported`);
  if (op2.some((v) => v < 0)) throw new ValueError(`${op}: negative output_padding is not supported`);
  if (op2.some((v, i) => v >= s[i]! && v >= d[i]!)) {
    const names = n === 2 ? AXES : n === 1 ? ['width'] : ['depth', ...AXES];
    const part = (what: string, vs: number[]): string => vs.map((v, i) => `${what}_${names[i]}: ${v}`).join(' ');
    throw new ValueError(`${op}: output padding must be smaller than either stride or dilation, but got ${part('output_padding', op2)} ${part('stride', s)} ${part('dilation', d)}`);
  }
  const [Cin, Cog] = weight.shape as [number, number];
  const C = xs[1]!;
  if (Cin % groups !== 0) {
    throw new ShapeError(`${op}: Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${fmtShape(weight.shape)} instead`);
  }
  if (C !== Cin) {
    throw new ShapeError(`${op}: Given transposed=1, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(xs)} to have ${Cin} channels, but got ${C} channels instead`);
  }
  const O = Cog * groups;
  if (bias && (bias.dim() !== 1 || bias.shape[0] !== O)) {
    throw new ShapeError(`${op}: Given transposed=1, weight of size ${fmtShape(weight.shape)}, expected bias to be 1-dimensional with ${O} elements, but got bias of size ${fmtShape(bias.shape)} instead`);
  }
  const spatial = xs.slice(2);
  const outSpatial = spatial.map((L, i) => (L - 1) * s[i]! - 2 * p[i]! + d[i]! * (k[i]! - 1) + op2[i]! + 1);
  if (outSpatial.some((v) => v <= 0)) {
    throw new ShapeError(`${op}: Given input size per channel: (${spatial.join(' x ')}). Calculated output size per channel: (${outSpatial.join(' x ')}). Output size is too small`);
  }
  const N = xs[0]!;
  const outShape = batched ? [N, O, ...outSpatial] : [O, ...outSpatial];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return applyOp(batched ? 'ConvolutionBackward0' : 'SqueezeBackward1', inputs, ([nx, nw, nb]) => {
    let xp = build.reshape(nx!, xs);
    for (let i = 0; i < n; i++) {
      const edge = d[i]! * (k[i]! - 1) - p[i]!;
      xp = spread(xp, 2 + i, s[i]!, edge, edge + op2[i]!);
    }
    // [Cin, Cout/g, ...k] -> [g, Cin/g, Cout/g, ...k] -> [g, Cout/g, Cin/g, ...k] -> [Cout, Cin/g, ...k], flipped
    const Cig = Cin / groups;
    const sp = k.map((_, i) => 3 + i);
    let w = build.reshape(nw!, [groups, Cig, Cog, ...k]);
    w = build.permute(w, [0, 2, 1, ...sp]);
    w = build.reshape(w, [O, Cig, ...k]);
    w = build.flip(w, k.map((_, i) => 2 + i));
    return build.reshape(convNode(xp, w, nb, k.map(() => 1), d, groups), outShape);
  });
}

const SHAPE = { stride: sizeArg.optional(), padding: sizeArg.optional(), outputPadding: sizeArg.optional(), groups: int.optional(), dilation: sizeArg.optional() };
const OPTIONS = {
  conv_transpose1d: defineOptions('convTranspose1d', SHAPE),
  conv_transpose2d: defineOptions('convTranspose2d', SHAPE),
  conv_transpose3d: defineOptions('convTranspose3d', SHAPE),
};

/** `(bias?, opts?)` or `(opts)` with bias as an option. */
function args(op: keyof typeof OPTIONS, b?: Tensor | null | ConvTransposeOptions, opts?: ConvTransposeOptions): [Tensor | null, ConvTransposeOptions] {
  if (b instanceof Tensor || b === null || b === undefined) return [b ?? null, checked(OPTIONS[op], opts)];
  if (typeof b !== 'object' || Array.isArray(b) || opts !== undefined) throw new ArgumentError(`${op}(): argument 'bias' must be a Tensor or null, not ${describeValue(b)}`);
  const { bias, ...rest } = b as ConvTransposeOptions & { bias?: Tensor | null };
  if (bias !== undefined && bias !== null && !(bias instanceof Tensor)) throw new ArgumentError(`${op}(): option 'bias' must be a Tensor or null, not ${describeValue(bias)}`);
  return [bias ?? null, checked(OPTIONS[op], rest)];
}

/** F.convTranspose1d: input [N, Cin, L] or [Cin, L], weight [Cin, Cout/groups, k], bias [Cout]. */
export function convTranspose1d(x: Tensor, weight: Tensor, bias?: Tensor | null | ConvTransposeOptions, opts?: ConvTransposeOptions): Tensor {
  const [b, o] = args('conv_transpose1d', bias, opts);
  return convTransposeNd('conv_transpose1d', 1, x, weight, b, o);
}

/** F.convTranspose2d: input [N, Cin, H, W] or [Cin, H, W], weight [Cin, Cout/groups, kh, kw], bias [Cout]. */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null | ConvTransposeOptions, opts?: ConvTransposeOptions): Tensor {
  const [b, o] = args('conv_transpose2d', bias, opts);
  return convTransposeNd('conv_transpose2d', 2, x, weight, b, o);
}

/** F.convTranspose3d: input [N, Cin, D, H, W] or [Cin, D, H, W], weight [Cin, Cout/groups, kd, kh, kw], bias [Cout]. */
export function convTranspose3d(x: Tensor, weight: Tensor, bias?: Tensor | null | ConvTransposeOptions, opts?: ConvTransposeOptions): Tensor {
  const [b, o] = args('conv_transpose3d', bias, opts);
  return convTransposeNd('conv_transpose3d', 3, x, weight, b, o);
}
