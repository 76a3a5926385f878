/**
 * logsumexp, softmax and logSoftmax, numerically stable: the maximum along the reduced axes is subtracted
 * before `exp`, so exp never overflows. The maximum is `detach`ed: the results do not depend on it
 * mathematically (it cancels), so its gradient is zero and autodiff need not differentiate through it.
 */
import { build, checkDType, DEFAULT_FLOAT, DTypeError, isFloat, normDim, type DType, type Node } from '../ir/index.js';
import { withOut, type OutOptions } from './elementwise.js';
import { bool, defineOptions, dims as dimsArg, dtypeArg, int, tensorArg } from './options.js';
import { checkTensor, dimArgs, like, reduceAxes, reducedShape, requiredDimArgs, scalarTypeName, spread, type Dims } from './reduce-args.js';
import { applyOp, Tensor } from './tensor.js';

const LOGSUMEXP_OPTIONS = defineOptions('logsumexp', { dim: dimsArg.optional(), keepdim: bool.optional(), out: tensorArg.optional() });
const SOFTMAX_OPTIONS = defineOptions('softmax', { dim: int.nullable().optional(), dtype: dtypeArg.optional() });
const LOG_SOFTMAX_OPTIONS = defineOptions('logSoftmax', { dim: int.nullable().optional(), dtype: dtypeArg.optional() });

export interface SoftmaxOptions {
  dim?: number | null;
  dtype?: DType;
}

/** The maximum over `axes` (keepdim shape), detached, with ±inf replaced by 0 so that x - max stays finite. */
function stableShift(x: Node, axes: readonly number[]): Node {
  const m = build.detach(build.reduce(x, 'max', axes));
  const inf = build.binary('eq', build.unary('abs', m), like(m, Infinity));
  return build.where(inf, like(m, 0), m);
}

export interface LogsumexpOptions extends OutOptions {
  dim?: Dims;
  keepdim?: boolean;
}

/**
 * torch.logsumexp: log(sum(exp(x))) over `dim`, as max + log(sum(exp(x - max))); ints compute in float32.
 * Over nothing it is -inf; where every element is -inf, -inf; where one is +inf, +inf.
 */
export function logsumexp(x: Tensor, dim: Dims | LogsumexpOptions, opts?: LogsumexpOptions): Tensor {
  checkTensor('logsumexp', x);
  const [dims, o] = dimArgs<LogsumexpOptions>(LOGSUMEXP_OPTIONS, dim, opts);
  const axes = reduceAxes('logsumexp', x.shape, dims);
  const dtype = isFloat(x.dtype) ? x.dtype : DEFAULT_FLOAT;
  const keepdim = o.keepdim ?? false;
  const result = applyOp('LogsumexpBackward0', [x], ([n]) => {
    const v = build.cast(n!, dtype);
    const m = stableShift(v, axes);
    const s = build.reduce(build.unary('exp', build.binary('sub', v, spread(m, v.shape))), 'sum', axes);
    const r = build.binary('add', build.unary('log', s), m);
    return keepdim ? r : build.reshape(r, reducedShape(v.shape, axes, false));
  });
  return withOut('logsumexp', result, o);
}

function softmaxInput(op: 'softmax' | 'logSoftmax', x: Tensor, dimOrOpts: number | SoftmaxOptions, opts: SoftmaxOptions | undefined): { axis: number; dtype: DType } {
  checkTensor(op, x);
  const [dim, o] = requiredDimArgs(op === 'softmax' ? SOFTMAX_OPTIONS : LOG_SOFTMAX_OPTIONS, dimOrOpts, opts);
  const axis = normDim(dim, x.dim(), op);
  const dt = o.dtype !== undefined ? checkDType(o.dtype, op) : x.dtype;
  if (!isFloat(dt)) throw new DTypeError(`${op}(): "${op === 'softmax' ? 'softmax' : 'log_softmax'}_lastdim_kernel_impl" not implemented for '${scalarTypeName(dt)}'`);
  return { axis, dtype: dt };
}

/** Run `f` on x viewed with at least one axis (a 0-d tensor as shape [1]), and shape the result back. */
function atLeast1d(x: Node, f: (v: Node) => Node): Node {
  if (x.shape.length > 0) return f(x);
  return build.reshape(f(build.reshape(x, [1])), []);
}

/** torch.softmax: exp(x - max) / sum(exp(x - max)) along `dim`. A row of all -inf gives NaN, as in PyTorch. */
export function softmax(x: Tensor, dim: number | SoftmaxOptions, opts?: SoftmaxOptions): Tensor {
  const { axis, dtype } = softmaxInput('softmax', x, dim, opts);
  return applyOp('SoftmaxBackward0', [x], ([n]) =>
    atLeast1d(build.cast(n!, dtype), (v) => {
      const m = build.detach(build.reduce(v, 'max', [axis]));
      const e = build.unary('exp', build.binary('sub', v, spread(m, v.shape)));
      return build.binary('div', e, spread(build.reduce(e, 'sum', [axis]), v.shape));
    }),
  );
}

/** torch.log_softmax: x - max - log(sum(exp(x - max))) along `dim`. */
export function logSoftmax(x: Tensor, dim: number | SoftmaxOptions, opts?: SoftmaxOptions): Tensor {
  const { axis, dtype } = softmaxInput('logSoftmax', x, dim, opts);
  return applyOp('LogSoftmaxBackward0', [x], ([n]) =>
    atLeast1d(build.cast(n!, dtype), (v) => {
      const m = build.detach(build.reduce(v, 'max', [axis]));
      const shifted = build.binary('sub', v, spread(m, v.shape));
      const lse = build.unary('log', build.reduce(build.unary('exp', shifted), 'sum', [axis]));
      return build.binary('sub', shifted, spread(lse, v.shape));
    }),
  );
}

declare module './tensor.js' {
  interface Tensor {
    logsumexp(dim: Dims | LogsumexpOptions, opts?: LogsumexpOptions): Tensor;
    softmax(dim: number | SoftmaxOptions, opts?: SoftmaxOptions): Tensor;
    logSoftmax(dim: number | SoftmaxOptions, opts?: SoftmaxOptions): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
P.logsumexp = function (this: Tensor, dim: Dims | LogsumexpOptions, opts?: LogsumexpOptions) {
  return logsumexp(this, dim, opts);
};
P.softmax = function (this: Tensor, dim: number | SoftmaxOptions, opts?: SoftmaxOptions) {
  return softmax(this, dim, opts);
};
P.logSoftmax = function (this: Tensor, dim: number | SoftmaxOptions, opts?: SoftmaxOptions) {
  return logSoftmax(this, dim, opts);
};
