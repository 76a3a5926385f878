/**
 * What every reduction shares: parsing `(dim?, opts?)` the way PyTorch's keyword arguments read, resolving
 * dims to axes, and the IR shape of a reduction (the `reduce` primitive keeps reduced axes as size 1; the
 * tensor layer drops them with a reshape unless `keepdim`).
 */
import { build, DTypeError, normDims, type DType, type Node, type ReduceOp, type Shape } from '../ir/index.js';
import { noGrad } from './grad-mode.js';
import { applyOp, Tensor } from './tensor.js';

/** A dim or a list of dims (negative counts from the end). */
export type Dims = number | readonly number[];

export interface DimOptions {
  dim?: Dims | null;
  keepdim?: boolean;
}

/**
 * Split `(dim?, opts?)` or `(opts)` into the dims (null: every dim) and the options. An empty list means every
 * dim, as in PyTorch's `sum(dim=[])`.
 */
export function dimArgs<O extends DimOptions>(dimOrOpts: Dims | O | null | undefined, opts: O | undefined): [Dims | null, O] {
  if (dimOrOpts !== null && dimOrOpts !== undefined && typeof dimOrOpts === 'object' && !Array.isArray(dimOrOpts)) {
    const o = dimOrOpts as O;
    return [o.dim ?? null, o];
  }
  const o = opts ?? ({} as O);
  const d = (dimOrOpts as Dims | null | undefined) ?? o.dim ?? null;
  return [typeof d === 'number' || d === null || d.length > 0 ? d : null, o];
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
  return { float32: 'Float', float64: 'Double', int32: 'Int', int64: 'Long', bool: 'Bool' }[d];
}

/** @internal Check that an argument is a Tensor (JS callers can pass anything). */
export function checkTensor(op: string, x: unknown, arg = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}(): argument '${arg}' must be Tensor, not ${x === null ? 'null' : typeof x}`);
}

/**
 * @internal An op whose result carries no gradient (indices, booleans, counts): inputs that require grad are
 * read through `detach`, and the result is not tracked, as in PyTorch.
 */
export function untrackedOp(inputs: readonly Tensor[], fn: (nodes: Node[]) => Node, device?: string): Tensor {
  return noGrad(() => applyOp('', inputs, fn, device));
}
