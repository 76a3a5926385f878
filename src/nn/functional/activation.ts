/**
 * Activation functions of torch.nn.functional. relu, sigmoid, tanh, softmax and logSoftmax are the tensor
 * layer's; the others are composites of IR primitives here, each with PyTorch's gradFn name.
 */
import { ArgumentError, build, DTypeError, isFloat, type DType, type Node } from '../../ir/index.js';
import { describeValue } from '../../tensor/options.js';
import { applyOp, logSoftmax as tLogSoftmax, sigmoidNode, softmax as tSoftmax, type Tensor } from '../../tensor/index.js';
import { z } from 'zod';
import { checked, defineOptions, dtypeArg, int, real } from '../../tensor/options.js';
import { checkNumberArg, checkTensorArg, constLike, scalarName, scalarOrOptions } from './util.js';

const GELU_OPTIONS = defineOptions('gelu', { approximate: z.string().optional() });
const SOFTPLUS_OPTIONS = defineOptions('softplus', { beta: real.optional(), threshold: real.optional() });
const LEAKY_RELU_OPTIONS = defineOptions('leakyRelu', { negativeSlope: real.optional() });
const ELU_OPTIONS = defineOptions('elu', { alpha: real.optional() });
const SOFTMAX_OPTIONS = { softmax: defineOptions('F.softmax', { dim: int.nullable().optional(), dtype: dtypeArg.optional() }), logSoftmax: defineOptions('F.logSoftmax', { dim: int.nullable().optional(), dtype: dtypeArg.optional() }) };

export { relu, sigmoid, tanh } from '../../tensor/index.js';

/** An elementwise function of a float tensor as one op (PyTorch has no integer kernels for these). */
function floatUnary(op: string, grad: string, x: Tensor, f: (v: Node) => Node): Tensor {
  checkTensorArg(op, x);
  if (!isFloat(x.dtype)) {
    throw new DTypeError(`${op}: "${op}" not implemented for '${scalarName(x.dtype)}' (graft: ${x.dtype}); use a float tensor`);
  }
  return applyOp(grad, [x], ([n]) => f(n!));
}

export interface GeluOptions {
  /** 'none' (default): x * Φ(x) with the exact erf; 'tanh': PyTorch's tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/** GELU: 0.5 x (1 + erf(x / √2)), or with approximate 'tanh' 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))). */
export function gelu(x: Tensor, opts?: GeluOptions): Tensor {
  const approx = checked(GELU_OPTIONS, opts).approximate ?? 'none';
  if (approx !== 'none' && approx !== 'tanh') throw new DTypeError(`gelu: approximate argument must be either none or tanh, got ${String(approx)}`);
  return floatUnary('gelu', 'GeluBackward0', x, (v) => {
    const half = build.binary('mul', v, constLike(v, 0.5));
    let inner: Node;
    if (approx === 'tanh') {
      const cube = build.binary('mul', build.binary('mul', v, v), v);
      const arg = build.binary('mul', constLike(v, Math.sqrt(2 / Math.PI)), build.binary('add', v, build.binary('mul', cube, constLike(v, 0.044715))));
      inner = build.unary('tanh', arg);
    } else {
      inner = build.unary('erf', build.binary('mul', v, constLike(v, Math.SQRT1_2)));
    }
    return build.binary('mul', half, build.binary('add', constLike(v, 1), inner));
  });
}

/** SiLU (swish): x * sigmoid(x), with the sigmoid whose gradient stays finite for large |x|. */
export function silu(x: Tensor): Tensor {
  return floatUnary('silu', 'SiluBackward0', x, (v) => build.binary('mul', v, sigmoidNode(v)));
}

/**
 * `x` where `keep` holds, else `fill`: the input of a branch that `where` discards, so that branch cannot
 * overflow (exp(100) = inf) and turn the discarded gradient 0 * inf into NaN.
 */
const tame = (keep: Node, x: Node, fill: number): Node => build.where(keep, x, constLike(x, fill));

/** Leaky ReLU: x where x > 0, else negativeSlope * x. */
export function leakyRelu(x: Tensor, slopeOrOpts?: number | { negativeSlope?: number }, opts?: { negativeSlope?: number }): Tensor {
  const [slope, o] = scalarOrOptions('leakyRelu', 'negativeSlope', slopeOrOpts, opts);
  LEAKY_RELU_OPTIONS.check(o);
  if (slope !== undefined) checkNumberArg('leakyRelu', 'negativeSlope', slope);
  const negativeSlope = slope ?? 0.01;
  return floatUnary('leakyRelu', 'LeakyReluBackward0', x, (v) =>
    build.where(build.binary('gt', v, constLike(v, 0)), v, build.binary('mul', v, constLike(v, negativeSlope))),
  );
}

/** ELU: x where x > 0, else alpha * (exp(x) - 1). */
export function elu(x: Tensor, alphaOrOpts?: number | { alpha?: number }, opts?: { alpha?: number }): Tensor {
  const [a, o] = scalarOrOptions('elu', 'alpha', alphaOrOpts, opts);
  ELU_OPTIONS.check(o);
  if (a !== undefined) checkNumberArg('elu', 'alpha', a);
  const alpha = a ?? 1;
  return floatUnary('elu', 'EluBackward0', x, (v) => {
    const pos = build.binary('gt', v, constLike(v, 0));
    const neg = build.binary('mul', constLike(v, alpha), build.binary('sub', build.unary('exp', tame(build.unary('not', pos), v, 0)), constLike(v, 1)));
    return build.where(pos, v, neg);
  });
}

/** Softplus: log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch). */
export function softplus(x: Tensor, opts?: { beta?: number; threshold?: number }): Tensor {
  opts = checked(SOFTPLUS_OPTIONS, opts);
  const beta = opts.beta ?? 1;
  const threshold = opts.threshold ?? 20;
  return floatUnary('softplus', 'SoftplusBackward0', x, (v) => {
    const bx = build.binary('mul', v, constLike(v, beta));
    const linear = build.binary('gt', bx, constLike(v, threshold));
    const soft = build.binary('div', build.unary('log', build.binary('add', constLike(v, 1), build.unary('exp', tame(build.unary('not', linear), bx, 0)))), constLike(v, beta));
    return build.where(linear, v, soft);
  });
}

/** PyTorch's implicit softmax dim (a deprecated default): 0 for 0-, 1- and 3-d input, else 1. */
function implicitDim(x: Tensor): number {
  const d = x.dim();
  return d === 0 || d === 1 || d === 3 ? 0 : 1;
}

export interface SoftmaxOptions {
  dim?: number | null;
  dtype?: DType;
}

/** `(dim, opts)` or `(opts)`, as F.softmax(x, 1) and F.softmax(x, dim=1) read. */
function softmaxArgs(op: 'softmax' | 'logSoftmax', x: Tensor, dim: number | null | SoftmaxOptions | undefined, opts: SoftmaxOptions | undefined): [number, SoftmaxOptions | undefined] {
  if (dim !== null && typeof dim === 'object' && opts !== undefined) throw new ArgumentError(`F.${op}(): options given twice`);
  const o = dim !== null && typeof dim === 'object' ? dim : opts;
  SOFTMAX_OPTIONS[op].check(o);
  if (dim !== null && dim !== undefined && typeof dim !== 'object' && !Number.isSafeInteger(dim)) throw new ArgumentError(`F.${op}(): argument 'dim' must be an integer, not ${describeValue(dim)}`);
  const d = typeof dim === 'number' ? dim : o?.dim;
  return [d ?? implicitDim(x), o?.dtype !== undefined ? { dtype: o.dtype } : undefined];
}

/** Softmax along `dim` (PyTorch's implicit dim when omitted). */
export function softmax(x: Tensor, dim?: number | null | SoftmaxOptions, opts?: SoftmaxOptions): Tensor {
  checkTensorArg('softmax', x);
  const [d, o] = softmaxArgs('softmax', x, dim, opts);
  return tSoftmax(x, d, o);
}

/** Log-softmax along `dim` (PyTorch's implicit dim when omitted). */
export function logSoftmax(x: Tensor, dim?: number | null | SoftmaxOptions, opts?: SoftmaxOptions): Tensor {
  checkTensorArg('logSoftmax', x);
  const [d, o] = softmaxArgs('logSoftmax', x, dim, opts);
  return tLogSoftmax(x, d, o);
}
