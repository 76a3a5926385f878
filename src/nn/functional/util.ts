/**
 * What the functional ops share: argument normalization with PyTorch's rules and messages, small IR
 * helpers, and reading values that are already known (realized on a host device) without forcing compute.
 */
import { build, DTypeError, ValueError, type DType, type Node, type TypedArray } from '../../ir/index.js';
import { Tensor } from '../../tensor/index.js';

/** A constant shaped and typed like `x`. */
export const constLike = (x: Node, v: number): Node => build.constant(v, x.dtype, x.shape);

/** PyTorch's names of dtypes in messages (`Float`, `Double`, `Int`, `Long`, `Bool`). */
export const scalarName = (d: DType): string => ({ float32: 'Float', float64: 'Double', int32: 'Int', int64: 'Long', bool: 'Bool' })[d];

/** Check that an argument is a Tensor (JS callers can pass anything). */
export function checkTensorArg(op: string, x: unknown, arg = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}(): argument '${arg}' (position 1) must be Tensor, not ${x === null ? 'null' : typeof x}`);
}

/** Expand an int or an n-tuple to n ints, checking they are integers. */
export function tupleArg(op: string, name: string, v: number | readonly number[], n: number): number[] {
  const out = typeof v === 'number' ? Array<number>(n).fill(v) : [...v];
  if (out.length !== n || !out.every((x) => Number.isInteger(x))) {
    throw new ValueError(`${op}(): argument '${name}' must be an int or a tuple of ${n} ints, but got ${JSON.stringify(v)}`);
  }
  return out;
}

/** Loss reductions, as PyTorch names them. */
export type Reduction = 'mean' | 'sum' | 'none';

export function checkReduction(op: string, r: unknown): Reduction {
  if (r === undefined) return 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new ValueError(`${op}: ${String(r)} is not a valid value for reduction`);
  return r;
}

/** Reduce a per-element loss node as `reduction` says (the mean of an empty tensor is NaN, as in PyTorch). */
export function reduceLoss(x: Node, reduction: Reduction): Node {
  if (reduction === 'none') return x;
  const all = x.shape.map((_, i) => i);
  const s = build.reshape(build.reduce(x, 'sum', all), []);
  return reduction === 'sum' ? s : build.binary('div', s, build.constant(x.numel, x.dtype, []));
}

/**
 * The values of a tensor when they are known without computing anything: it is a realized buffer on a host
 * device. Used to check labels and indices early (PyTorch's messages) without forcing a sync.
 */
export function knownValues(t: Tensor): TypedArray | null {
  const n = t.node;
  const ref = (n.op === 'buffer' ? (n.arg as { ref: unknown }).ref : n.realized) as { host?: TypedArray | null; size: number } | null;
  if (!ref || !ref.host || ref.size !== n.numel) return null;
  return ref.host;
}
