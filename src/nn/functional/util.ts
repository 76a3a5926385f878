/**
 * What the functional ops share: argument normalization with PyTorch's rules and messages, small IR
 * helpers, and reading values that are already known (realized on a host device) without forcing compute.
 */
import { ArgumentError, build, DTypeError, ValueError, type DType, type Node, type TypedArray } from '../../ir/index.js';
import { Tensor } from '../../tensor/index.js';
import { custom, describeValue } from '../../tensor/options.js';
import { scalarTypeName } from '../../tensor/reduce-args.js';

// Option fields shared by the functional ops and the modules (see tensor/options.ts).
/** An int or a list of ints (kernel sizes, strides, paddings); the op checks the count and the values. */
export const sizeArg = custom<number | number[]>('an integer or a list of integers', (v) => Number.isSafeInteger(v) || (Array.isArray(v) && v.every((x) => Number.isSafeInteger(x))));
/** A Tensor or null (weights, biases). */
export const tensorOrNull = custom<Tensor | null>('a Tensor or null', (v) => v === null || v instanceof Tensor);
/** A reduction name; its value is checked by checkReduction (PyTorch's message). */
export const reductionArg = custom<Reduction>("'mean', 'sum' or 'none'", (v) => typeof v === 'string');

/** A number argument (a slope, a probability, ...): NaN and non-numbers are ArgumentErrors. */
export function checkNumberArg(op: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new ArgumentError(`${op}(): argument '${name}' must be a number, not ${describeValue(v)}`);
}

/** `(value, opts?)` or `(opts)`: a leading scalar argument that may also be given as the option `name`. */
export function scalarOrOptions<O extends object>(op: string, name: keyof O & string, v: number | O | undefined, opts: O | undefined): [number | undefined, O | undefined] {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor)) {
    if (opts !== undefined) throw new ArgumentError(`${op}(): options given twice`);
    return [(v as Record<string, unknown>)[name] as number | undefined, v];
  }
  if (opts === null) throw new ArgumentError(`${op}(): expected an options object, got null`);
  if (v !== undefined && opts !== undefined && (opts as Record<string, unknown>)[name] !== undefined) {
    throw new ArgumentError(`${op}() got multiple values for argument '${name}'`);
  }
  return [(v as number | undefined) ?? ((opts as Record<string, unknown> | undefined)?.[name] as number | undefined), opts];
}

/** A constant shaped and typed like `x`. */
export const constLike = (x: Node, v: number): Node => build.constant(v, x.dtype, x.shape);

/** PyTorch's names of dtypes in messages (`Float`, `Double`, `Int`, `Long`, `Bool`). */
export const scalarName = (d: DType): string => scalarTypeName(d);

/** Check that an argument is a Tensor (JS callers can pass anything). */
export function checkTensorArg(op: string, x: unknown, arg = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}(): argument '${arg}' must be Tensor, not ${describeValue(x)}`);
}

/** Expand an int or an n-tuple to n ints, checking they are integers. */
export function tupleArg(op: string, name: string, v: number | readonly number[], n: number): number[] {
  const ok = typeof v === 'number' || Array.isArray(v);
  const out = typeof v === 'number' ? Array<number>(n).fill(v) : ok ? [...v] : [];
  if (!ok || out.length !== n || !out.every((x) => Number.isSafeInteger(x))) {
    throw new ArgumentError(`${op}(): argument '${name}' must be an int or a tuple of ${n} ints, but got ${Array.isArray(v) ? `[${v.map((x) => describeValue(x)).join(', ')}]` : describeValue(v)}`);
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
