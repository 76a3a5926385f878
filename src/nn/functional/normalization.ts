/**
 * Batch and layer normalization: y = (x - mean) * rsqrt(var + eps) * weight + bias, with the biased variance
 * (two-pass: the mean, then the mean of squared deviations — stable where E[x²] - E[x]² is not).
 *
 * batchNorm in training mode also updates the running statistics, in place and outside autograd, as
 * PyTorch does: running = (1 - momentum) * running + momentum * batch statistic, with the unbiased variance
 * (n / (n - 1)). The update reuses the forward's mean and variance nodes (behind `detach`), so the
 * statistics are computed once, and is scheduled with the next realization (see `realizeWithNext`): the
 * running buffers never hold a graph that grows from step to step.
 */
import { ArgumentError, build, DTypeError, fmtShape, isFloat, numel, ShapeError, ValueError, type Node } from '../../ir/index.js';
import { applyOp, fromNode, noGrad, realizeWithNext, Tensor } from '../../tensor/index.js';
import { checkTensorArg, constLike, scalarName, sizeArg, tensorOrNull } from './util.js';
import { bool, custom, defineOptions, describeValue, real } from '../../tensor/options.js';

/** mean and biased variance of x over `axes` (kept as size 1), and the normalized x. */
export function normalize(x: Node, axes: readonly number[], eps: number): { mean: Node; variance: Node; y: Node } {
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  const total = build.reduce(x, 'sum', axes);
  const mean = build.binary('div', total, constLike(total, count));
  const centered = build.binary('sub', x, build.expand(mean, x.shape));
  const ss = build.reduce(build.binary('mul', centered, centered), 'sum', axes);
  const variance = build.binary('div', ss, constLike(ss, count));
  const invstd = build.unary('recip', build.unary('sqrt', build.binary('add', variance, constLike(variance, eps))));
  return { mean, variance, y: build.binary('mul', centered, build.expand(invstd, x.shape)) };
}

/** y * weight + bias with weight/bias broadcast along `shape` (their shape is `paramShape` inside it). */
export function affine(y: Node, w: Node | undefined, b: Node | undefined, paramShape: readonly number[]): Node {
  let out = y;
  if (w) out = build.binary('mul', out, build.expand(build.reshape(build.cast(w, y.dtype), paramShape), y.shape));
  if (b) out = build.binary('add', out, build.expand(build.reshape(build.cast(b, y.dtype), paramShape), y.shape));
  return out;
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Use batch statistics (and update the running ones); default false, as F.batch_norm. */
  training?: boolean;
  /** Weight of the new batch statistic in the running update (default 0.1); a 0-d tensor is allowed. */
  momentum?: number | Tensor;
  eps?: number;
}

/** F.batchNorm: input [N, C, ...]; running stats and weight/bias [C]. */
const BATCH_NORM_OPTIONS = defineOptions('batchNorm', {
  weight: tensorOrNull.optional(),
  bias: tensorOrNull.optional(),
  training: bool.optional(),
  momentum: custom<number | Tensor>('a number or a 0-d Tensor', (v) => (typeof v === 'number' && !Number.isNaN(v)) || v instanceof Tensor).optional(),
  eps: real.optional(),
});
const LAYER_NORM_OPTIONS = defineOptions('layerNorm', { weight: tensorOrNull.optional(), bias: tensorOrNull.optional(), eps: real.optional() });

export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  const op = 'batch_norm';
  BATCH_NORM_OPTIONS.check(opts);
  checkTensorArg(op, x);
  if (x.dim() < 2) throw new ShapeError(`${op}: Expected 2D or more input (got ${x.dim()}D input)`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: "batch_norm" not implemented for '${scalarName(x.dtype)}' (graft: ${x.dtype}); use a float tensor`);
  const training = opts.training ?? false;
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  const C = x.shape[1]!;
  const weight = opts.weight ?? null;
  const bias = opts.bias ?? null;
  for (const [name, t] of [['running_mean', runningMean], ['running_var', runningVar], ['weight', weight], ['bias', bias]] as const) {
    if (t === null) continue;
    checkTensorArg(op, t, name);
    if (t.numel() !== C) throw new ShapeError(`${op}: ${name} should contain ${C} elements not ${t.numel()}`);
  }
  if (!training && (runningMean === null || runningVar === null)) {
    throw new ValueError(`${op}: running_mean and running_var must be defined in evaluation mode (training=False)`);
  }
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const count = numel(x.shape) / Math.max(C, 1);
  if (training && count <= 1) {
    throw new ValueError(`${op}: Expected more than 1 value per channel when training, got input size torch.Size([${x.shape.join(', ')}])`);
  }
  const { out, stats } = channelNorm('NativeBatchNormBackward0', x, weight, bias, training ? null : [runningMean!, runningVar!], axes, eps);
  if (stats !== null) {
    const { mean, variance } = stats;
    const unbiased = build.binary('mul', variance, constLike(variance, count / (count - 1)));
    if (runningMean) updateRunning(runningMean, mean, momentum);
    if (runningVar) updateRunning(runningVar, unbiased, momentum);
  }
  return out;
}

/**
 * Normalization over `axes` with per-channel (axis 1) weight and bias, as batch and instance norm compute it:
 * with the statistics of the input (returned, for the running update), or with `running` [mean, var] ([C]).
 */
export function channelNorm(
  name: string,
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  running: readonly [Tensor, Tensor] | null,
  axes: readonly number[],
  eps: number,
): { out: Tensor; stats: { mean: Node; variance: Node } | null } {
  const paramShape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const params = [weight, bias].filter((t): t is Tensor => t !== null);
  let stats: { mean: Node; variance: Node } | null = null;
  const out = applyOp(name, [x, ...params, ...(running ?? [])], (nodes) => {
    const nx = nodes[0]!;
    const nw = weight ? nodes[1] : undefined;
    const nb = bias ? nodes[weight ? 2 : 1] : undefined;
    if (running === null) {
      const { mean, variance, y } = normalize(nx, axes, eps);
      stats = { mean, variance };
      return affine(y, nw, nb, paramShape);
    }
    const [rm, rv] = nodes.slice(1 + params.length).map((n) => build.expand(build.reshape(build.cast(n, nx.dtype), paramShape), nx.shape)) as [Node, Node];
    const invstd = build.unary('recip', build.unary('sqrt', build.binary('add', rv, constLike(rv, eps))));
    return affine(build.binary('mul', build.binary('sub', nx, rm), invstd), nw, nb, paramShape);
  });
  return { out, stats };
}

/** running <- (1 - m) * running + m * stat, in place, outside autograd; computed with the next realization. */
export function updateRunning(running: Tensor, stat: Node, momentum: number | Tensor): void {
  noGrad(() => {
    const s = build.cast(build.reshape(build.detach(stat), running.shape), running.dtype);
    const m = momentum instanceof Tensor ? build.broadcastTo(build.cast(build.detach(momentum.node), running.dtype), s.shape) : constLike(s, momentum);
    const keep = build.binary('sub', constLike(s, 1), m);
    const value = build.binary('add', build.binary('mul', s, m), build.binary('mul', running.node, keep));
    running.copy_(fromNode(value, running.device));
  });
  realizeWithNext(running);
}

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** F.layerNorm: normalize over the trailing dims given by normalizedShape (weight/bias of that shape). */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], opts: LayerNormOptions = {}): Tensor {
  const op = 'layer_norm';
  LAYER_NORM_OPTIONS.check(opts);
  if (!sizeArg.safeParse(normalizedShape).success) {
    throw new ArgumentError(`layerNorm(): argument 'normalized_shape' must be an integer or a list of integers, not ${describeValue(normalizedShape)}`);
  }
  checkTensorArg(op, x);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: "LayerNormKernelImpl" not implemented for '${scalarName(x.dtype)}' (graft: ${x.dtype}); use a float tensor`);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  const r = x.dim();
  if (k === 0 || k > r || ns.some((d, i) => d !== x.shape[r - k + i])) {
    throw new ShapeError(`${op}: Given normalized_shape=${fmtShape(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size${fmtShape(x.shape)}`);
  }
  const weight = opts.weight ?? null;
  const bias = opts.bias ?? null;
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t === null) continue;
    checkTensorArg(op, t, name);
    if (t.shape.length !== k || t.shape.some((d, i) => d !== ns[i])) {
      throw new ShapeError(`${op}: Expected ${name} to be of same shape as normalized_shape, but got ${name} of shape ${fmtShape(t.shape)} and normalized_shape = ${fmtShape(ns)}`);
    }
  }
  const eps = opts.eps ?? 1e-5;
  const axes = ns.map((_, i) => r - k + i);
  const paramShape = x.shape.map((d, i) => (i >= r - k ? d : 1));
  const params = [weight, bias].filter((t): t is Tensor => t !== null);
  return applyOp('NativeLayerNormBackward0', [x, ...params], (nodes) => {
    const nx = nodes[0]!;
    const nw = weight ? nodes[1] : undefined;
    const nb = bias ? nodes[weight ? 2 : 1] : undefined;
    return affine(normalize(nx, axes, eps).y, nw, nb, paramShape);
  });
}
