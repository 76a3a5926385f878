/**
 * What every reduction shares: parsing `(dim?, opts?)` the way PyTorch's keyword arguments read, resolving
 * dims to axes, and the IR shape of a reduction (the `reduce` primitive keeps reduced axes as size 1; the
 * tensor layer drops them with a reshape unless `keepdim`).
 */
import { ArgumentError, build, DTypeError, normDims, type DType, type Node, type ReduceOp, type Shape } from '../ir/index.js';
import { noGrad } from './grad-mode.js';
import { describeValue, type OptionsChecker } from './options.js';
import { applyOp, Tensor } from './tensor.js';

/** A dim or a list of dims (negative counts from the end). */
export type Dims = number | readonly number[];

export interface DimOptions {
  dim?: Dims | null;
  keepdim?: boolean;
}

/** An options object (not a dim, a list of dims, a tensor or null). */
export const isOptionsObject = (x: unknown): x is object =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Tensor);

const NO_OPTIONS = Object.freeze({});

const isDims = (d: unknown): d is Dims => Number.isSafeInteger(d) || (Array.isArray(d) && d.every((x) => Number.isSafeInteger(x)));

/**
 * Split `(dim?, opts?)` or `(opts)` into the dims (null: every dim) and the options, checked against the op's
 * options `spec` (whose name is the op's in errors). An empty list means every dim, as in PyTorch's
 * `sum(dim=[])`. Dims must be integers; whether they are in range is the op's check.
 */
export function dimArgs<O extends DimOptions>(spec: OptionsChecker, dimOrOpts: Dims | O | null | undefined, opts: O | undefined): [Dims | null, O] {
  let d: unknown;
  let o: O;
  if (isOptionsObject(dimOrOpts)) {
    if (opts !== undefined) throw new ArgumentError(`${spec.fn}(): options given twice (an options object in place of dim, and another after it)`);
    spec.check(dimOrOpts);
    o = dimOrOpts as O;
    d = o.dim ?? null;
  } else {
    spec.check(opts);
    o = opts ?? (NO_OPTIONS as O);
    if (dimOrOpts !== undefined && dimOrOpts !== null && o.dim !== undefined && o.dim !== null) {
      throw new ArgumentError(`${spec.fn}() got multiple values for argument 'dim'`);
    }
    d = dimOrOpts ?? o.dim ?? null;
  }
  if (d === null) return [null, o];
  if (!isDims(d)) throw new ArgumentError(`${spec.fn}(): argument 'dim' must be an integer or a list of integers, not ${describeValue(d)}`);
  return [typeof d === 'number' || d.length > 0 ? d : null, o];
}

/** `(dim, opts?)` or `(opts)` for ops whose dim is one required integer (cumsum, softmax). */
export function requiredDimArgs<O extends { dim?: number | null }>(spec: OptionsChecker, dimOrOpts: number | O | undefined, opts: O | undefined): [number, O] {
  const [d, o] = dimArgs(spec, dimOrOpts as Dims | O | undefined, opts);
  if (d === null) throw new ArgumentError(`${spec.fn}() missing required argument 'dim'`);
  if (typeof d !== 'number') throw new ArgumentError(`${spec.fn}(): argument 'dim' must be an integer, not a list`);
  return [d, o];
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The axes a reduction covers, in increasing order (a 0-d tensor has none; dim 0 and -1 are still valid). */
export function reduceAxes(op: string, shape: Shape, dims: Dims | null): number[] {
  if (dims === null) return range(shape.length);
  const axes = normDims(dims, shape.length, op);
  return shape.length === 0 ? [] : axes;
}

/** The shape after reducing `axes`. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** How many elements each output element of a reduction over `axes` combines. */
export function countOver(shape: Shape, axes: readonly number[]): number {
  return axes.reduce((n, a) => n * shape[a]!, 1);
}

/** `reduce` over axes, then drop them unless keepdim. */
export function reduceNode(x: Node, op: ReduceOp, axes: readonly number[], keepdim: boolean): Node {
  const r = build.reduce(x, op, axes);
  return keepdim ? r : build.reshape(r, reducedShape(x.shape, axes, false));
}

/** Expand a keepdim-shaped reduction result back over the input's shape. */
export const spread = (r: Node, shape: Shape): Node => build.expand(r, shape);

/** A constant shaped like `x`. */
export const like = (x: Node, v: number): Node => build.constant(v, x.dtype, x.shape);

/** PyTorch's ScalarType names, as its error messages print them (`Got: Int`). */
export function scalarTypeName(d: DType): string {
  return {
    float32: 'Float', float64: 'Double', int32: 'Int', int64: 'Long', bool: 'Bool', float16: 'Half', bfloat16: 'BFloat16', uint8: 'Byte', int8: 'Char', int16: 'Short',
  }[d];
}

/** @internal Check that an argument is a Tensor (JS callers can pass anything). */
export function checkTensor(op: string, x: unknown, arg = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}(): argument '${arg}' must be Tensor, not ${describeValue(x)}`);
}

/**
 * @internal An op whose result carries no gradient (indices, booleans, counts): inputs that require grad are
 * read through `detach`, and the result is not tracked, as in PyTorch.
 */
export function untrackedOp(inputs: readonly Tensor[], fn: (nodes: Node[]) => Node, device?: string): Tensor {
  return noGrad(() => applyOp('', inputs, fn, device));
}
