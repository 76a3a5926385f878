/**
 * Statistics built from reductions: var, std (with Bessel's `correction`) and vector norms.
 */
import { ArgumentError, build, checkDType, DTypeError, isFloat, ValueError, type DType, type Node } from '../ir/index.js';
import { withOut, type OutOptions } from './elementwise.js';
import { checkTensor, countOver, dimArgs, like, reduceAxes, reduceNode, scalarTypeName, spread, type DimOptions, type Dims } from './reduce-args.js';
import { applyOp, Tensor } from './tensor.js';
import { z } from 'zod';
import { bool, checked, defineOptions, describeValue, dims as dimsArg, dtypeArg, real, tensorArg } from './options.js';

const momentShape = { dim: dimsArg.nullable().optional(), keepdim: bool.optional(), out: tensorArg.optional(), correction: real.optional(), unbiased: bool.optional() };
const MOMENT_OPTIONS = { var: defineOptions('var', momentShape), std: defineOptions('std', momentShape) };
const NORM_OPTIONS = defineOptions('norm', {
  p: z.union([real, z.literal('fro')]).nullable().optional(),
  dim: dimsArg.nullable().optional(),
  keepdim: bool.optional(),
  dtype: dtypeArg.optional(),
  out: tensorArg.optional(),
});

/**
 * sqrt whose gradient at 0 is 0 rather than 0 * inf = NaN (PyTorch's std and norm backward do this): the
 * sqrt branch reads 1 where v is 0, so the unused branch's derivative stays finite and is masked to 0.
 */
function safeSqrt(v: Node): Node {
  const zero = build.binary('eq', v, like(v, 0));
  return build.where(zero, like(v, 0), build.unary('sqrt', build.where(zero, like(v, 1), v)));
}

export interface VarOptions extends DimOptions, OutOptions {
  /** Divide by N - correction (default 1: the unbiased estimate). */
  correction?: number;
  /** Legacy form of correction: true is 1, false is 0. */
  unbiased?: boolean;
}

/** The variance over `axes` (keepdim as asked), two-pass: the mean first, then the mean square deviation. */
function varianceNode(x: Node, axes: readonly number[], keepdim: boolean, correction: number): Node {
  const count = countOver(x.shape, axes);
  const s = build.reduce(x, 'sum', axes);
  const mean = build.binary('div', s, build.constant(count, x.dtype, s.shape));
  const dev = build.binary('sub', x, spread(mean, x.shape));
  const ss = reduceNode(build.binary('mul', dev, dev), 'sum', axes, keepdim);
  // PyTorch divides by max(0, N - correction): 0/0 = NaN and x/0 = inf where there are too few elements.
  return build.binary('div', ss, build.constant(Math.max(0, count - correction), x.dtype, ss.shape));
}

function moment(op: 'var' | 'std', x: Tensor, dim: Dims | VarOptions | boolean | null | undefined, opts: VarOptions | undefined): Tensor {
  checkTensor(op, x);
  const [dims, o] = typeof dim === 'boolean' ? [null, { ...checked(MOMENT_OPTIONS[op], opts), unbiased: dim }] : dimArgs(MOMENT_OPTIONS[op], dim, opts);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}(): std and var only support floating point and complex dtypes, got ${scalarTypeName(x.dtype)}`);
  if (o.correction !== undefined && o.unbiased !== undefined) throw new ValueError(`${op}(): cannot specify both correction and unbiased`);
  const correction = o.correction ?? (o.unbiased === false ? 0 : 1);
  const axes = reduceAxes(op, x.shape, dims);
  const result = applyOp(op === 'var' ? 'VarBackward0' : 'StdBackward0', [x], ([n]) => {
    const v = varianceNode(n!, axes, o.keepdim ?? false, correction);
    return op === 'var' ? v : safeSqrt(v);
  });
  return withOut(op, result, o);
}

/** torch.var (exported as `var`): unbiased by default (`correction: 1`). */
const variance = (x: Tensor, dim?: Dims | VarOptions | boolean | null, opts?: VarOptions): Tensor => moment('var', x, dim, opts);
/** torch.std: the square root of var. */
export const std = (x: Tensor, dim?: Dims | VarOptions | boolean | null, opts?: VarOptions): Tensor => moment('std', x, dim, opts);
export { variance as var };

export type NormOrd = number | 'fro';
export interface NormOptions extends DimOptions, OutOptions {
  p?: NormOrd | null;
  dtype?: DType;
}

/**
 * torch.norm / torch.linalg.vector_norm over all elements or `dim`: p = 2 (default, also 'fro'), 1, Infinity,
 * -Infinity, 0 (the count of nonzeros) or any other p as (sum |x|^p)^(1/p).
 */
export function norm(x: Tensor, p?: NormOrd | NormOptions | null, dim?: Dims | null, opts?: NormOptions): Tensor {
  checkTensor('norm', x);
  if (p !== null && typeof p === 'object' && (dim !== undefined || opts !== undefined)) throw new ArgumentError('norm(): options given twice');
  const o: NormOptions = p !== null && typeof p === 'object' ? checked(NORM_OPTIONS, p) : { ...checked(NORM_OPTIONS, opts), p: p ?? opts?.p, dim: dim ?? opts?.dim };
  const ord = o.p === undefined || o.p === null || o.p === 'fro' ? 2 : o.p;
  if (typeof ord !== 'number' || Number.isNaN(ord)) throw new ValueError(`norm(): unsupported norm type ${describeValue(ord)}`);
  const dtype = o.dtype !== undefined ? checkDType(o.dtype, 'norm') : x.dtype;
  if (!isFloat(dtype)) throw new DTypeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${scalarTypeName(dtype)}`);
  const [dims] = dimArgs(NORM_OPTIONS, o.dim, undefined);
  const axes = reduceAxes('norm', x.shape, dims);
  const keepdim = o.keepdim ?? false;
  if (!Number.isFinite(ord) && countOver(x.shape, axes) === 0) {
    throw new ValueError(`linalg.vector_norm cannot compute the ${ord > 0 ? 'inf' : '-inf'} norm on an empty tensor because the operation does not have an identity`);
  }
  const result = applyOp('LinalgVectorNormBackward0', [x], ([n]) => {
    const v = build.cast(n!, dtype);
    const a = build.unary('abs', v);
    if (ord === 2) return safeSqrt(reduceNode(build.binary('mul', v, v), 'sum', axes, keepdim));
    if (ord === 1) return reduceNode(a, 'sum', axes, keepdim);
    if (ord === Infinity) return reduceNode(a, 'max', axes, keepdim);
    if (ord === -Infinity) return reduceNode(a, 'min', axes, keepdim);
    if (ord === 0) return reduceNode(build.cast(build.binary('ne', v, like(v, 0)), dtype), 'sum', axes, keepdim);
    const s = reduceNode(build.binary('pow', a, like(a, ord)), 'sum', axes, keepdim);
    return build.binary('pow', s, like(s, 1 / ord));
  });
  return withOut('norm', result, o);
}

declare module './tensor.js' {
  interface Tensor {
    var(dim?: Dims | VarOptions | boolean | null, opts?: VarOptions): Tensor;
    std(dim?: Dims | VarOptions | boolean | null, opts?: VarOptions): Tensor;
    norm(p?: NormOrd | NormOptions | null, dim?: Dims | null, opts?: NormOptions): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
P.var = function (this: Tensor, dim?: Dims | VarOptions | boolean | null, opts?: VarOptions) {
  return variance(this, dim, opts);
};
P.std = function (this: Tensor, dim?: Dims | VarOptions | boolean | null, opts?: VarOptions) {
  return std(this, dim, opts);
};
P.norm = function (this: Tensor, p?: NormOrd | NormOptions | null, dim?: Dims | null, opts?: NormOptions) {
  return norm(this, p, dim, opts);
};
