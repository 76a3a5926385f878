/**
 * Reductions: sum, mean, prod, amax/amin, max/min (values and indices), argmax/argmin, all/any, countNonzero,
 * and the scan cumsum. Each is the `reduce` primitive (reduced axes kept as size 1 in IR) plus a reshape
 * that drops the reduced axes unless `keepdim`. Gradients come from the autodiff rules of the primitives;
 * the gradFn names are PyTorch's.
 */
import {
  ArgumentError,
  build,
  checkDType,
  DTypeError,
  IndexError,
  isFloat,
  normDim,
  ShapeError,
  type DType,
  type Node,
  type ReduceOp,
} from '../ir/index.js';
import { maximum, minimum, withOut, type OutOptions } from './elementwise.js';
import {
  checkTensor,
  countOver,
  dimArgs,
  reduceAxes,
  requiredDimArgs,
  reducedShape,
  reduceNode,
  scalarTypeName,
  spread,
  untrackedOp,
  type DimOptions,
  type Dims,
} from './reduce-args.js';
import { applyOp, Tensor } from './tensor.js';
import { bool, defineOptions, dims as dimsArg, dtypeArg, int, tensorArg } from './options.js';

export interface SumOptions extends DimOptions, OutOptions {
  /** Compute and return in this dtype (the input is cast first). */
  dtype?: DType;
}
export type ReduceOptions = DimOptions & OutOptions;

// Options of each reduction (checked per call; see options.ts for the cost).
const dimsField = { dim: dimsArg.nullable().optional(), keepdim: bool.optional(), out: tensorArg.optional() };
const intDimField = { dim: int.nullable().optional(), keepdim: bool.optional() };
const SUM_OPTIONS = defineOptions('sum', { ...dimsField, dtype: dtypeArg.optional() });
const MEAN_OPTIONS = defineOptions('mean', { ...dimsField, dtype: dtypeArg.optional() });
const PROD_OPTIONS = defineOptions('prod', { ...intDimField, dtype: dtypeArg.optional(), out: tensorArg.optional() });
const EXTREME_OPTIONS = { amax: defineOptions('amax', dimsField), amin: defineOptions('amin', dimsField) };
const MAX_MIN_OPTIONS = { max: defineOptions('max', { ...intDimField, out: tensorArg.optional() }), min: defineOptions('min', { ...intDimField, out: tensorArg.optional() }) };
const ARG_OPTIONS = { argmax: defineOptions('argmax', intDimField), argmin: defineOptions('argmin', intDimField) };
const LOGICAL_OPTIONS = { all: defineOptions('all', dimsField), any: defineOptions('any', dimsField) };
const COUNT_NONZERO_OPTIONS = defineOptions('countNonzero', { dim: dimsArg.nullable().optional() });
const CUMSUM_OPTIONS = defineOptions('cumsum', { dim: int.optional(), dtype: dtypeArg.optional(), out: tensorArg.optional() });

/** sum/prod/cumsum: integers and bools accumulate in int64, as in PyTorch. */
function accumulateType(op: string, x: Tensor, dtype: DType | undefined): DType {
  if (dtype !== undefined) return checkDType(dtype, op);
  return isFloat(x.dtype) ? x.dtype : 'int64';
}

/** Whether a dim argument was given (PyTorch's dim overloads have their own gradFn, `sum(x, [])` included). */
function dimGiven(dim: Dims | SumOptions | null | undefined): boolean {
  if (dim === null || dim === undefined) return false;
  if (typeof dim === 'number' || Array.isArray(dim)) return true;
  const d = (dim as SumOptions).dim;
  return d !== null && d !== undefined;
}

/** torch.sum: over every element, or over `dim` (a dim or a list) with `keepdim`. Ints and bools sum to int64. */
export function sum(x: Tensor, dim?: Dims | SumOptions | null, opts?: SumOptions): Tensor {
  checkTensor('sum', x);
  const [dims, o] = dimArgs(SUM_OPTIONS, dim, opts);
  const axes = reduceAxes('sum', x.shape, dims);
  const dtype = accumulateType('sum', x, o.dtype);
  const result = applyOp(dimGiven(dim) ? 'SumBackward1' : 'SumBackward0', [x], ([n]) =>
    reduceNode(build.cast(n!, dtype), 'sum', axes, o.keepdim ?? false),
  );
  return withOut('sum', result, o);
}

/** torch.mean: floating point only (or with `dtype`); the mean of nothing is NaN. */
export function mean(x: Tensor, dim?: Dims | SumOptions | null, opts?: SumOptions): Tensor {
  checkTensor('mean', x);
  const [dims, o] = dimArgs(MEAN_OPTIONS, dim, opts);
  const dtype = o.dtype !== undefined ? checkDType(o.dtype, 'mean') : x.dtype;
  if (!isFloat(dtype)) {
    throw new DTypeError(
      `mean(): could not infer output dtype. ${o.dtype !== undefined ? 'Optional' : 'Input'} dtype must be either a floating point or complex dtype. Got: ${scalarTypeName(dtype)}`,
    );
  }
  const axes = reduceAxes('mean', x.shape, dims);
  const count = countOver(x.shape, axes);
  const result = applyOp(dimGiven(dim) ? 'MeanBackward1' : 'MeanBackward0', [x], ([n]) => {
    const s = reduceNode(build.cast(n!, dtype), 'sum', axes, o.keepdim ?? false);
    return build.binary('div', s, build.constant(count, dtype, s.shape));
  });
  return withOut('mean', result, o);
}

/** torch.prod: the product of nothing is 1. Ints and bools multiply in int64. */
export function prod(x: Tensor, dim?: number | (SumOptions & { dim?: number | null }) | null, opts?: SumOptions): Tensor {
  checkTensor('prod', x);
  const [dims, o] = dimArgs(PROD_OPTIONS, dim, opts);
  if (dims !== null && typeof dims !== 'number') throw new DTypeError(`prod(): argument 'dim' must be int, not a list`);
  const axes = reduceAxes('prod', x.shape, dims);
  const dtype = accumulateType('prod', x, o.dtype);
  const result = applyOp(dims === null ? 'ProdBackward0' : 'ProdBackward1', [x], ([n]) =>
    reduceNode(build.cast(n!, dtype), 'prod', axes, o.keepdim ?? false),
  );
  return withOut('prod', result, o);
}

/** A reduction with no identity (max, min) refuses empty reductions, with PyTorch's messages. */
function checkNonEmptyAxes(op: string, shape: readonly number[], axes: readonly number[]): void {
  for (const a of axes) {
    if (shape[a] === 0) throw new IndexError(`${op}(): Expected reduction dim ${a} to have non-zero size.`);
  }
}

function checkNonEmpty(op: string, x: Tensor): void {
  if (x.numel() === 0) {
    throw new ShapeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  }
}

/** amax/amin: the extreme over dims (a list allowed); NaN propagates. Gradient: evenly between ties. */
function extremeOver(op: 'amax' | 'amin', x: Tensor, dim: Dims | ReduceOptions | null | undefined, opts: ReduceOptions | undefined): Tensor {
  checkTensor(op, x);
  const [dims, o] = dimArgs(EXTREME_OPTIONS[op], dim, opts);
  const axes = reduceAxes(op, x.shape, dims);
  checkNonEmptyAxes(op, x.shape, axes);
  const irOp: ReduceOp = op === 'amax' ? 'max' : 'min';
  const result = applyOp(op === 'amax' ? 'AmaxBackward0' : 'AminBackward0', [x], ([n]) => reduceNode(n!, irOp, axes, o.keepdim ?? false));
  return withOut(op, result, o);
}
export const amax = (x: Tensor, dim?: Dims | ReduceOptions | null, opts?: ReduceOptions): Tensor => extremeOver('amax', x, dim, opts);
export const amin = (x: Tensor, dim?: Dims | ReduceOptions | null, opts?: ReduceOptions): Tensor => extremeOver('amin', x, dim, opts);

/**
 * The index (int64, keepdim shape) of the first occurrence of the extreme along `axis`, from primitives:
 * the extreme by `reduce`, the positions that equal it by `eq` (a NaN counts as the extreme, as in PyTorch:
 * the extreme is then NaN and only `x != x` finds it), then the smallest such position by `reduce(min)` of
 * `where(hit, iota, n)`. Positions are int32 while they fit (cheaper kernels), cast to int64 at the end.
 */
function argExtremeNode(x: Node, which: 'max' | 'min', axis: number): Node {
  const m = build.reduce(x, which, [axis]);
  let hit = build.binary('eq', x, spread(m, x.shape));
  if (isFloat(x.dtype)) hit = build.binary('or', hit, build.binary('ne', x, x));
  const n = x.shape[axis]!;
  const t = n < 2 ** 31 - 1 ? 'int32' : 'int64';
  const pos = spread(build.reshape(build.iota(n, t), x.shape.map((d, i) => (i === axis ? n : 1))), x.shape);
  return build.cast(build.reduce(build.where(hit, pos, build.constant(n, t, x.shape)), 'min', [axis]), 'int64');
}

/** torch.return_types.max / min: named values and indices, also destructurable as `[values, indices]`. */
export class ValuesIndices {
  constructor(
    readonly values: Tensor,
    readonly indices: Tensor,
  ) {}
  *[Symbol.iterator](): Generator<Tensor, void, undefined> {
    yield this.values;
    yield this.indices;
  }
  toString(): string {
    return `torch.return_types(\nvalues=${String(this.values)},\nindices=${String(this.indices)})`;
  }
}

export interface MaxDimOptions {
  dim?: number;
  keepdim?: boolean;
}

function maxMin(op: 'max' | 'min', x: Tensor, arg?: number | Tensor | MaxDimOptions | null, opts?: MaxDimOptions & OutOptions): Tensor | ValuesIndices {
  checkTensor(op, x);
  if (arg instanceof Tensor) return op === 'max' ? maximum(x, arg, opts) : minimum(x, arg, opts);
  const [dim, o] = dimArgs(MAX_MIN_OPTIONS[op], arg, opts);
  if (dim !== null && (o as OutOptions).out !== undefined) throw new ArgumentError(`${op}(): out= is not supported with dim (the result is values and indices)`);
  const irOp: ReduceOp = op;
  if (dim === null) {
    checkNonEmpty(op, x);
    const grad = op === 'max' ? 'MaxBackward1' : 'MinBackward1';
    return applyOp(grad, [x], ([n]) => reduceNode(n!, irOp, reduceAxes(op, x.shape, null), false));
  }
  if (typeof dim !== 'number') throw new DTypeError(`${op}(): argument 'dim' must be int, not a list`);
  const rank = x.dim();
  const axis = normDim(dim, rank, op);
  const keepdim = o.keepdim ?? false;
  if (rank === 0) {
    // A 0-d tensor is its own maximum, at index 0.
    const values = applyOp(op === 'max' ? 'MaxBackward0' : 'MinBackward0', [x], ([n]) => n!);
    return new ValuesIndices(values, untrackedOp([], () => build.constant(0, 'int64', []), x.device));
  }
  checkNonEmptyAxes(op, x.shape, [axis]);
  const outShape = reducedShape(x.shape, [axis], keepdim);
  const values = applyOp(op === 'max' ? 'MaxBackward0' : 'MinBackward0', [x], ([n]) => reduceNode(n!, irOp, [axis], keepdim));
  const indices = untrackedOp([x], ([n]) => build.reshape(argExtremeNode(n!, op, axis), outShape));
  return new ValuesIndices(values, indices);
}

/**
 * torch.max: `max(x)` the largest element (0-d; NaN if any is NaN); `max(x, dim, {keepdim})` the values and
 * the indices of their first occurrence; `max(x, other)` the elementwise maximum.
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, other: Tensor, opts?: OutOptions): Tensor;
export function max(x: Tensor, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function max(x: Tensor, opts: { dim: number; keepdim?: boolean }): ValuesIndices;
export function max(x: Tensor, arg?: number | Tensor | MaxDimOptions | null, opts?: MaxDimOptions & OutOptions): Tensor | ValuesIndices {
  return maxMin('max', x, arg, opts);
}

/** torch.min: as torch.max, for the smallest. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, other: Tensor, opts?: OutOptions): Tensor;
export function min(x: Tensor, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function min(x: Tensor, opts: { dim: number; keepdim?: boolean }): ValuesIndices;
export function min(x: Tensor, arg?: number | Tensor | MaxDimOptions | null, opts?: MaxDimOptions & OutOptions): Tensor | ValuesIndices {
  return maxMin('min', x, arg, opts);
}

function argExtreme(op: 'argmax' | 'argmin', x: Tensor, dim: number | MaxDimOptions | null | undefined, opts: MaxDimOptions | undefined): Tensor {
  checkTensor(op, x);
  const [d, o] = dimArgs(ARG_OPTIONS[op], dim, opts);
  const which = op === 'argmax' ? 'max' : 'min';
  const keepdim = o.keepdim ?? false;
  if (d === null) {
    if (x.numel() === 0) throw new ShapeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
    // Over the flattened tensor; keepdim keeps every dim as size 1.
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return untrackedOp([x], ([n]) => build.reshape(argExtremeNode(build.reshape(n!, [x.numel()]), which, 0), shape));
  }
  if (typeof d !== 'number') throw new DTypeError(`${op}(): argument 'dim' must be int, not a list`);
  const axis = normDim(d, x.dim(), op);
  if (x.dim() === 0) return untrackedOp([], () => build.constant(0, 'int64', []), x.device);
  checkNonEmptyAxes(op, x.shape, [axis]);
  return untrackedOp([x], ([n]) => build.reshape(argExtremeNode(n!, which, axis), reducedShape(x.shape, [axis], keepdim)));
}
/** torch.argmax: the index of the first largest element (NaN counts as largest), over all elements or `dim`. */
export const argmax = (x: Tensor, dim?: number | MaxDimOptions | null, opts?: MaxDimOptions): Tensor => argExtreme('argmax', x, dim, opts);
/** torch.argmin: the index of the first smallest element (NaN counts as smallest). */
export const argmin = (x: Tensor, dim?: number | MaxDimOptions | null, opts?: MaxDimOptions): Tensor => argExtreme('argmin', x, dim, opts);

/**
 * all/any: a reduction of `x != 0` by min/max. An empty reduction is known from shapes alone (all: true,
 * any: false), so it is a constant rather than relying on a `reduce` identity for bool.
 */
function logical(op: 'all' | 'any', x: Tensor, dim: Dims | ReduceOptions | null | undefined, opts: ReduceOptions | undefined): Tensor {
  checkTensor(op, x);
  const [dims, o] = dimArgs(LOGICAL_OPTIONS[op], dim, opts);
  const axes = reduceAxes(op, x.shape, dims);
  const keepdim = o.keepdim ?? false;
  const result = untrackedOp([x], ([n]) => {
    if (countOver(x.shape, axes) === 0) return build.constant(op === 'all' ? 1 : 0, 'bool', reducedShape(x.shape, axes, keepdim));
    return reduceNode(build.cast(n!, 'bool'), op === 'all' ? 'min' : 'max', axes, keepdim);
  });
  return withOut(op, result, o);
}
/** torch.all: whether every element is nonzero (bool). */
export const all = (x: Tensor, dim?: Dims | ReduceOptions | null, opts?: ReduceOptions): Tensor => logical('all', x, dim, opts);
/** torch.any: whether some element is nonzero (bool). */
export const any = (x: Tensor, dim?: Dims | ReduceOptions | null, opts?: ReduceOptions): Tensor => logical('any', x, dim, opts);

/** torch.count_nonzero: the number of nonzero elements (int64), over all or `dim`. */
export function countNonzero(x: Tensor, dim?: Dims | { dim?: Dims | null } | null): Tensor {
  checkTensor('countNonzero', x);
  const [dims] = dimArgs(COUNT_NONZERO_OPTIONS, dim, undefined);
  const axes = reduceAxes('count_nonzero', x.shape, dims);
  return untrackedOp([x], ([n]) => reduceNode(build.cast(build.cast(n!, 'bool'), 'int64'), 'sum', axes, false));
}

export interface CumsumOptions extends OutOptions {
  dim?: number;
  dtype?: DType;
}

/** torch.cumsum: inclusive prefix sums along `dim` (given first or as an option). Ints and bools accumulate in int64. */
export function cumsum(x: Tensor, dim: number | CumsumOptions, opts?: CumsumOptions): Tensor {
  checkTensor('cumsum', x);
  const [d, o] = requiredDimArgs(CUMSUM_OPTIONS, dim, opts);
  const axis = normDim(d, x.dim(), 'cumsum');
  const dtype = accumulateType('cumsum', x, o.dtype);
  const result = applyOp('CumsumBackward0', [x], ([n]) => {
    const v = build.cast(n!, dtype);
    if (v.shape.length === 0) return build.reshape(build.cumsum(build.reshape(v, [1]), 0), []);
    return build.cumsum(v, axis);
  });
  return withOut('cumsum', result, o);
}

// ---------------------------------------------------------------------------------------------------------
// Methods

declare module './tensor.js' {
  interface Tensor {
    sum(dim?: Dims | SumOptions | null, opts?: SumOptions): Tensor;
    mean(dim?: Dims | SumOptions | null, opts?: SumOptions): Tensor;
    prod(dim?: number | (SumOptions & { dim?: number | null }) | null, opts?: SumOptions): Tensor;
    amax(dim?: Dims | ReduceOptions | null, opts?: ReduceOptions): Tensor;
    amin(dim?: Dims | ReduceOptions | null, opts?: ReduceOptions): Tensor;
    max(): Tensor;
    max(other: Tensor): Tensor;
    max(dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
    max(opts: { dim: number; keepdim?: boolean }): ValuesIndices;
    min(): Tensor;
    min(other: Tensor): Tensor;
    min(dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
    min(opts: { dim: number; keepdim?: boolean }): ValuesIndices;
    argmax(dim?: number | MaxDimOptions | null, opts?: MaxDimOptions): Tensor;
    argmin(dim?: number | MaxDimOptions | null, opts?: MaxDimOptions): Tensor;
    all(dim?: Dims | DimOptions | null, opts?: DimOptions): Tensor;
    any(dim?: Dims | DimOptions | null, opts?: DimOptions): Tensor;
    countNonzero(dim?: Dims | { dim?: Dims | null } | null): Tensor;
    cumsum(dim: number | CumsumOptions, opts?: CumsumOptions): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const methods: Record<string, (x: Tensor, ...args: never[]) => unknown> = {
  sum, mean, prod, amax, amin, max, min, argmax, argmin, all, any, countNonzero, cumsum,
};
for (const [name, fn] of Object.entries(methods)) {
  P[name] = function (this: Tensor, ...args: never[]) {
    return fn(this, ...args);
  };
}
