/**
 * Group and instance normalization, on the same two-pass statistics as batch/layer norm (normalization.ts):
 *
 *   groupNorm:    x [N, C, *] viewed as [N, G, C/G * prod(*)], normalized over the last axis, then the
 *                 per-channel affine.
 *   instanceNorm: x [N, C, *] normalized over the spatial axes * per (n, c); with running statistics it
 *                 updates them as PyTorch does (batch norm of [1, N*C, *] with the running stats repeated N
 *                 times, then averaged over N): running = (1-m) running + m mean_n(statistic of (n, c)),
 *                 the variance unbiased. Without input statistics (eval) it normalizes with the running ones.
 */
import { ArgumentError, build, DTypeError, fmtShape, isFloat, numel, ShapeError, ValueError, type Node } from '../../ir/index.js';
import { applyOp, Tensor } from '../../tensor/index.js';
import { bool, checked, custom, defineOptions, describeValue, real } from '../../tensor/options.js';
import { affine, channelNorm, normalize, updateRunning } from './normalization.js';
import { checkTensorArg, constLike, scalarName, tensorOrNull } from './util.js';

export interface GroupNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

const GROUP_NORM_OPTIONS = defineOptions('groupNorm', { weight: tensorOrNull.optional(), bias: tensorOrNull.optional(), eps: real.optional() });

/** F.groupNorm: x [N, C, *], numGroups dividing C; weight/bias [C]. */
export function groupNorm(x: Tensor, numGroups: number, opts: GroupNormOptions = {}): Tensor {
  const op = 'group_norm';
  GROUP_NORM_OPTIONS.check(opts);
  checkTensorArg(op, x);
  if (!Number.isSafeInteger(numGroups)) throw new DTypeError(`group_norm(): argument 'num_groups' must be int, not ${typeof numGroups}`);
  if (x.dim() < 2) throw new ShapeError(`${op}: Expected at least 2 dimensions for input tensor but received ${x.dim()}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: "GroupNormKernelImpl" not implemented for '${scalarName(x.dtype)}' (graft: ${x.dtype}); use a float tensor`);
  const [N, C] = x.shape as [number, number];
  if (numGroups <= 0 || C % numGroups !== 0) {
    throw new ShapeError(`${op}: Expected number of channels in input to be divisible by num_groups, but got input of shape ${fmtShape(x.shape)} and num_groups=${numGroups}`);
  }
  const weight = opts.weight ?? null;
  const bias = opts.bias ?? null;
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t === null) continue;
    checkTensorArg(op, t, name);
    if (t.dim() !== 1 || t.numel() !== C) {
      throw new ShapeError(`${op}: Expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape ${fmtShape(t.shape)} and input of shape ${fmtShape(x.shape)}`);
    }
  }
  const eps = opts.eps ?? 1e-5;
  const inner = numel(x.shape) / Math.max(1, N * numGroups);
  const paramShape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const params = [weight, bias].filter((t): t is Tensor => t !== null);
  return applyOp('NativeGroupNormBackward0', [x, ...params], (nodes) => {
    const nx = nodes[0]!;
    const nw = weight ? nodes[1] : undefined;
    const nb = bias ? nodes[weight ? 2 : 1] : undefined;
    const grouped = build.reshape(nx, [N, numGroups, inner]);
    const y = build.reshape(normalize(grouped, [2], eps).y, x.shape);
    return affine(y, nw, nb, paramShape);
  });
}

export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize with this input's statistics (default true); false: with the running ones. */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

const INSTANCE_NORM_OPTIONS = defineOptions('instanceNorm', {
  runningMean: tensorOrNull.optional(),
  runningVar: tensorOrNull.optional(),
  weight: tensorOrNull.optional(),
  bias: tensorOrNull.optional(),
  useInputStats: bool.optional(),
  momentum: custom<number>('a number', (v) => typeof v === 'number' && !Number.isNaN(v)).optional(),
  eps: real.optional(),
});

/**
 * F.instanceNorm: x [N, C, *]: each (n, c) normalized over *; running stats, weight and bias [C]. As PyTorch's
 * F.instance_norm(input, running_mean, running_var, ...): `instanceNorm(x, runningMean, runningVar, opts)`, or
 * everything as options: `instanceNorm(x, { runningMean, runningVar, weight, ... })`.
 */
export function instanceNorm(x: Tensor, runningMean?: Tensor | null | InstanceNormOptions, runningVar?: Tensor | null, options?: InstanceNormOptions): Tensor {
  const op = 'instance_norm';
  const opts = splitArgs(runningMean, runningVar, options);
  checkTensorArg(op, x);
  const useInput = opts.useInputStats ?? true;
  const spatialCount = numel(x.shape.slice(2));
  if (useInput && (x.dim() < 3 || spatialCount <= 1)) {
    throw new ValueError(`${op}: Expected more than 1 spatial element when training, got input size torch.Size([${x.shape.join(', ')}])`);
  }
  if (x.dim() < 2) throw new ShapeError(`${op}: Expected 2D or more input (got ${x.dim()}D input)`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: "batch_norm" not implemented for '${scalarName(x.dtype)}' (graft: ${x.dtype}); use a float tensor`);
  const [N, C] = x.shape as [number, number];
  const rMean = opts.runningMean ?? null;
  const rVar = opts.runningVar ?? null;
  const weight = opts.weight ?? null;
  const bias = opts.bias ?? null;
  for (const [name, t] of [['weight', weight], ['bias', bias], ['running_mean', rMean], ['running_var', rVar]] as const) {
    if (t === null) continue;
    checkTensorArg(op, t, name);
    // PyTorch repeats them N times for a batch norm over N*C channels; its message counts that way.
    if (t.numel() !== C) throw new ShapeError(`${op}: ${name} should contain ${N * C} elements not ${N * t.numel()}`);
  }
  if (!useInput && (rMean === null || rVar === null)) {
    throw new ValueError(`${op}: Expected running_mean and running_var to be defined when use_input_stats is false`);
  }
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  const axes = x.shape.map((_, i) => i).filter((i) => i >= 2);
  const { out, stats } = channelNorm('ViewBackward0', x, weight, bias, useInput ? null : [rMean!, rVar!], axes, eps);
  if (stats !== null) {
    const { mean, variance } = stats;
    // per-(n, c) statistics [N, C, 1...] -> their average over the batch [C]
    const overBatch = (v: Node): Node => build.binary('div', build.reduce(build.reshape(v, [N, C]), 'sum', [0]), build.constant(N, v.dtype, [1, C]));
    const unbiased = build.binary('mul', variance, constLike(variance, spatialCount / (spatialCount - 1)));
    if (rMean) updateRunning(rMean, overBatch(mean), momentum);
    if (rVar) updateRunning(rVar, overBatch(unbiased), momentum);
  }
  return out;
}

/** `(runningMean?, runningVar?, opts?)` or `(opts)`, checked. */
function splitArgs(a: Tensor | null | InstanceNormOptions | undefined, b: Tensor | null | undefined, opts: InstanceNormOptions | undefined): InstanceNormOptions {
  const op = 'instanceNorm';
  if (a !== undefined && a !== null && !(a instanceof Tensor)) {
    if (typeof a !== 'object' || Array.isArray(a) || b !== undefined || opts !== undefined) {
      throw new ArgumentError(`${op}(): argument 'running_mean' must be a Tensor or null, not ${describeValue(a)}`);
    }
    return checked(INSTANCE_NORM_OPTIONS, a);
  }
  const o = checked(INSTANCE_NORM_OPTIONS, opts);
  if (b !== undefined && b !== null && !(b instanceof Tensor)) throw new ArgumentError(`${op}(): argument 'running_var' must be a Tensor or null, not ${describeValue(b)}`);
  if ((a !== undefined && o.runningMean !== undefined) || (b !== undefined && o.runningVar !== undefined)) {
    throw new ArgumentError(`${op}() got multiple values for the running statistics`);
  }
  return { ...o, runningMean: a ?? o.runningMean ?? null, runningVar: b ?? o.runningVar ?? null };
}
