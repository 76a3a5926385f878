/**
 * Max and average pooling as views + one reduction: pad (with -inf for max, 0 for average), take sliding
 * windows (`unfold` per spatial axis, see windows.ts), reduce the window axes. The result is a single
 * reduction kernel over [N, C, OH, OW, kh, kw] reading the input through index arithmetic; elementwise work
 * before it (a ReLU) and after it fuses into that kernel.
 *
 * Average pooling divides by PyTorch's per-window count: with countIncludePad the window clipped to the
 * padded input, without it the window clipped to the input. Where every window has the same count the
 * divisor is one constant; otherwise it is built from `iota` (elementwise, no data), one factor per axis.
 */
import { build, DTypeError, fmtShape, isFloat, numel, ShapeError, ValueError, type DType, type Node } from '../../ir/index.js';
import { applyOp, type Tensor } from '../../tensor/index.js';
import { checkTensorArg, scalarName, tupleArg, sizeArg } from './util.js';
import { bool, defineOptions, int, type OptionsChecker } from '../../tensor/options.js';
import { windows } from './windows.js';

export interface MaxPoolOptions {
  /** Default: the kernel size. */
  stride?: number | readonly number[] | null;
  padding?: number | readonly number[];
  dilation?: number | readonly number[];
  ceilMode?: boolean;
}

export interface AvgPoolOptions {
  stride?: number | readonly number[] | null;
  padding?: number | readonly number[];
  ceilMode?: boolean;
  /** Count padding zeros in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size. */
  divisorOverride?: number | null;
}

/** PyTorch's pooling_output_shape. */
function pooledSize(len: number, k: number, p: number, s: number, d: number, ceil: boolean): number {
  let out = Math.floor((len + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  // In ceil mode the last window must start inside the input or its left padding.
  if (ceil && (out - 1) * s >= len + p) out--;
  return out;
}

interface PoolGeometry {
  n: number;
  batched: boolean;
  /** The input as [N, C, ...spatial]. */
  shape4: number[];
  k: number[];
  s: number[];
  p: number[];
  d: number[];
  out: number[];
  outShape: number[];
}

function poolGeometry(op: string, n: number, x: Tensor, kernel: number | readonly number[], o: { stride?: number | readonly number[] | null; padding?: number | readonly number[]; ceilMode?: boolean }, dilation: number | readonly number[], kind: 'max' | 'avg'): PoolGeometry {
  checkTensorArg(op, x);
  const rank = x.dim();
  if ((rank !== n + 1 && rank !== n + 2) || x.numel() === 0) {
    throw new ShapeError(`${op}: Expected ${n + 1}D or ${n + 2}D (batch mode) tensor with optional 0 dim batch size for input, but got: ${fmtShape(x.shape)}`);
  }
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: "${op}" not implemented for '${scalarName(x.dtype)}' (graft: ${x.dtype}); pooling needs float tensors`);
  const k = tupleArg(op, 'kernel_size', kernel, n);
  const s = o.stride === undefined || o.stride === null ? [...k] : tupleArg(op, 'stride', o.stride, n);
  const p = tupleArg(op, 'padding', o.padding ?? 0, n);
  const d = tupleArg(op, 'dilation', dilation, n);
  const axes = n === 2 ? ['H', 'W'] : ['W'];
  const show = (name: string, v: number[]): string => v.map((x, i) => `${name}${axes[i]}: ${x}`).join(' ');
  if (k.some((v) => v <= 0)) throw new ValueError(`${op}: kernel_size must be greater than zero, but got ${show('k', k)}`);
  if (s.some((v) => v <= 0)) throw new ValueError(`${op}: stride should be greater than zero, but got ${show('d', s)}`);
  if (d.some((v) => v <= 0)) throw new ValueError(`${op}: dilation should be greater than zero, but got ${show('dilation', d)}`);
  if (p.some((v) => v < 0)) throw new ValueError(`${op}: pad must be non-negative, but got pad: ${p.join(', ')}`);
  p.forEach((pp, i) => {
    const eff = kind === 'max' ? (k[i]! - 1) * d[i]! + 1 : k[i]!;
    if (pp > eff / 2) {
      throw new ValueError(
        kind === 'max'
          ? `${op}: pad should be at most half of effective kernel size, but got pad=${pp}, kernel_size=${k[i]} and dilation=${d[i]}`
          : `${op}: pad should be at most half of kernel size, but got pad=${pp} and kernel_size=${k[i]}`,
      );
    }
  });
  const batched = rank === n + 2;
  const shape4 = batched ? x.shape : [1, ...x.shape];
  const spatial = shape4.slice(2);
  const out = spatial.map((len, i) => pooledSize(len, k[i]!, p[i]!, s[i]!, d[i]!, o.ceilMode ?? false));
  if (out.some((v) => v < 1)) {
    const lead = x.shape.slice(0, -n).slice(-1);
    throw new ShapeError(
      `${op}: Given input size: (${[...lead, ...spatial].join('x')}). Calculated output size: (${[...lead, ...out].join('x')}). Output size is too small`,
    );
  }
  const outShape = [...x.shape.slice(0, -n), ...out];
  return { n, batched, shape4, k, s, p, d, out, outShape };
}

/**
 * The windows of x [N, C, ...spatial] padded with `value` on the left by p and on the right as far as the
 * last window needs (ceil mode may need more than p): [N, C, ...out, ...k].
 */
function pooledWindows(x: Node, g: PoolGeometry, value: number): Node {
  const spatial = g.shape4.slice(2);
  const pads = spatial.map((len, i) => {
    const need = (g.out[i]! - 1) * g.s[i]! + g.d[i]! * (g.k[i]! - 1) + 1;
    return [g.p[i]!, Math.max(g.p[i]!, need - len - g.p[i]!)] as [number, number];
  });
  const xp = build.pad(build.reshape(x, g.shape4), [[0, 0], [0, 0], ...pads], value);
  let w = windows(xp, g.k, g.s, g.d);
  // Extra right padding can give more windows than the output has: keep the first `out`.
  const size = w.shape.map((v, i) => (i >= 2 && i < 2 + g.n ? g.out[i - 2]! : v));
  if (size.some((v, i) => v !== w.shape[i])) w = build.slice(w, w.shape.map(() => 0), size);
  return w;
}

const windowAxes = (g: PoolGeometry): number[] => g.k.map((_, i) => 2 + g.n + i);

const poolShape = { stride: sizeArg.nullable().optional(), padding: sizeArg.optional(), ceilMode: bool.optional() };
const POOL_OPTIONS: Record<string, OptionsChecker> = {
  max_pool1d: defineOptions('maxPool1d', { ...poolShape, dilation: sizeArg.optional() }),
  max_pool2d: defineOptions('maxPool2d', { ...poolShape, dilation: sizeArg.optional() }),
  avg_pool1d: defineOptions('avgPool1d', { ...poolShape, countIncludePad: bool.optional() }),
  avg_pool2d: defineOptions('avgPool2d', { ...poolShape, countIncludePad: bool.optional(), divisorOverride: int.nullable().optional() }),
};

export function maxPoolNd(op: string, n: number, grad: string, x: Tensor, kernelSize: number | readonly number[], opts: MaxPoolOptions = {}): Tensor {
  POOL_OPTIONS[op]?.check(opts);
  const g = poolGeometry(op, n, x, kernelSize, opts, opts.dilation ?? 1, 'max');
  return applyOp(grad, [x], ([nx]) => {
    const w = pooledWindows(nx!, g, -Infinity);
    return build.reshape(build.reduce(w, 'max', windowAxes(g)), g.outShape);
  });
}

/** The number of input (or padded-input) elements each window covers along one axis, per output index. */
function windowCounts(len: number, k: number, s: number, p: number, out: number, includePad: boolean): number[] {
  return Array.from({ length: out }, (_, o) => {
    const start = o * s - p;
    return includePad ? Math.min(start + k, len + p) - start : Math.min(start + k, len) - Math.max(start, 0);
  });
}

/** The same counts as an IR node [out] of `dtype`, from iota (so no data is uploaded). */
function windowCountsNode(len: number, k: number, s: number, p: number, out: number, includePad: boolean, dtype: DType): Node {
  const i = (v: number): Node => build.constant(v, 'int32', [out]);
  const start = build.binary('sub', build.binary('mul', build.iota(out), i(s)), i(p));
  const end = build.binary('min', build.binary('add', start, i(k)), i(includePad ? len + p : len));
  const begin = includePad ? start : build.binary('max', start, i(0));
  return build.cast(build.binary('sub', end, begin), dtype);
}

export function avgPoolNd(op: string, n: number, grad: string, x: Tensor, kernelSize: number | readonly number[], opts: AvgPoolOptions = {}): Tensor {
  POOL_OPTIONS[op]?.check(opts);
  const g = poolGeometry(op, n, x, kernelSize, opts, 1, 'avg');
  const override = opts.divisorOverride ?? null;
  if (override !== null && (!Number.isFinite(override) || override === 0)) throw new ValueError(`${op}: divisor must be not zero`);
  const includePad = opts.countIncludePad ?? true;
  const spatial = g.shape4.slice(2);
  return applyOp(grad, [x], ([nx]) => {
    const w = pooledWindows(nx!, g, 0);
    const sum = build.reduce(w, 'sum', windowAxes(g)); // [N, C, ...out, 1...]
    const shape = sum.shape;
    let divisor: Node;
    if (override !== null) divisor = build.constant(override, sum.dtype, shape);
    else {
      const counts = spatial.map((len, i) => windowCounts(len, g.k[i]!, g.s[i]!, g.p[i]!, g.out[i]!, includePad));
      if (counts.every((c) => c.every((v) => v === c[0]))) divisor = build.constant(numel(counts.map((c) => c[0]!)), sum.dtype, shape);
      else {
        divisor = build.constant(1, sum.dtype, shape);
        spatial.forEach((len, i) => {
          const c = windowCountsNode(len, g.k[i]!, g.s[i]!, g.p[i]!, g.out[i]!, includePad, sum.dtype);
          const along = shape.map((v, j) => (j === 2 + i ? v : 1));
          divisor = build.binary('mul', divisor, build.expand(build.reshape(c, along), shape));
        });
      }
    }
    return build.reshape(build.binary('div', sum, divisor), g.outShape);
  });
}

/** F.maxPool2d: input [N, C, H, W] or [C, H, W]; stride defaults to the kernel size; padding is -inf. */
export const maxPool2d = (x: Tensor, kernelSize: number | readonly number[], opts?: MaxPoolOptions): Tensor =>
  maxPoolNd('max_pool2d', 2, 'MaxPool2DWithIndicesBackward0', x, kernelSize, opts);
/** F.maxPool1d: input [N, C, L] or [C, L]. */
export const maxPool1d = (x: Tensor, kernelSize: number | readonly number[], opts?: MaxPoolOptions): Tensor =>
  maxPoolNd('max_pool1d', 1, 'SqueezeBackward1', x, kernelSize, opts);
/** F.avgPool2d: input [N, C, H, W] or [C, H, W]; countIncludePad defaults to true, as PyTorch. */
export const avgPool2d = (x: Tensor, kernelSize: number | readonly number[], opts?: AvgPoolOptions): Tensor =>
  avgPoolNd('avg_pool2d', 2, 'AvgPool2DBackward0', x, kernelSize, opts);
/** F.avgPool1d: input [N, C, L] or [C, L]. */
export const avgPool1d = (x: Tensor, kernelSize: number | readonly number[], opts?: AvgPoolOptions): Tensor =>
  avgPoolNd('avg_pool1d', 1, 'SqueezeBackward1', x, kernelSize, opts);
