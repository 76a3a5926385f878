/**
 * Collation: turning a list of samples into one batch (torch.utils.data.default_collate).
 *
 * Batches are built on the host in one pass: every sample's values are copied into one new typed array, which
 * becomes one tensor, instead of stacking per-sample tensors through the graph.
 */
import { allocArray, ArgumentError, DTypeError, DeviceError, fmtShape, IndexError, numel, setElements, shapeEq, ShapeError, ValueError, type DType, type TypedArray } from '../ir/index.js';
import { fromValues, hostValues, tensor, Tensor } from '../tensor/index.js';

/** The batch that default collation makes of samples of type S. */
export type Collated<S> = S extends Tensor
  ? Tensor
  : S extends number | bigint | boolean
    ? Tensor
    : S extends string
      ? string[]
      : S extends readonly unknown[]
        ? { -readonly [K in keyof S]: Collated<S[K]> }
        : S extends object
          ? { -readonly [K in keyof S]: Collated<S[K]> }
          : never;

/** Check an index against a length (negative indices count from the end); returns it non-negative. */
export function checkIndex(i: number, n: number, what = 'index'): number {
  if (!Number.isInteger(i)) throw new IndexError(`${what} ${i} is not an integer`);
  if (i < -n || i >= n) throw new IndexError(`${what} ${i} is out of bounds for dimension 0 with size ${n}`);
  return i < 0 ? i + n : i;
}

/** Rows `indices` of row-major `values` (rows of `rowSize` elements) copied into one new array. */
export function gatherRows(values: TypedArray, rowSize: number, indices: readonly number[], dtype: DType): TypedArray {
  const out = allocArray(dtype, indices.length * rowSize);
  if (rowSize === 1) {
    const o = out as unknown as { [i: number]: number | bigint };
    for (let k = 0; k < indices.length; k++) o[k] = values[indices[k]!]!;
  } else {
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      setElements(out, values.subarray(i * rowSize, (i + 1) * rowSize), k * rowSize);
    }
  }
  return out;
}

/** Stack same-shaped tensors along a new first dimension, copying their values once into one buffer. */
export function stackOnHost(ts: readonly Tensor[]): Tensor {
  const first = ts[0]!;
  const shape = first.shape;
  const n = numel(shape);
  for (let k = 1; k < ts.length; k++) {
    const t = ts[k]!;
    if (!shapeEq(t.shape, shape)) {
      throw new ShapeError(`stack expects each tensor to be equal size, but got ${fmtShape(shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${k}`);
    }
    if (t.dtype !== first.dtype) throw new DTypeError(`stack expects each tensor to have the same dtype, but got ${first.dtype} at entry 0 and ${t.dtype} at entry ${k}`);
    if (t.device !== first.device) {
      throw new DeviceError(`stack: Expected all tensors to be on the same device, but found at least two devices, ${first.device} and ${t.device}!`);
    }
  }
  const out = allocArray(first.dtype, ts.length * n);
  ts.forEach((t, k) => setElements(out, hostValues(t), k * n));
  return fromValues(out, [ts.length, ...shape], first.dtype, first.device);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return x.constructor?.name ?? 'object';
  return typeof x;
}

/**
 * torch.utils.data.default_collate: tensors are stacked along a new dimension 0; numbers, bigints and booleans
 * become one tensor: bool if all are booleans, int64 if all are integers (integral numbers or bigints: labels,
 * as PyTorch collates Python ints), else float32; strings stay a list; arrays (tuples) and plain objects are
 * collated position by position / key by key.
 */
export function defaultCollate<S>(samples: readonly S[]): Collated<S> {
  return collate(samples, 0);
}

/** Samples nested deeper than this are refused (the collation is recursive). */
const MAX_DEPTH = 1000;

function collate<S>(samples: readonly S[], depth: number): Collated<S> {
  if (depth > MAX_DEPTH) throw new ValueError(`default_collate: samples nested more than ${MAX_DEPTH} levels deep`);
  if (!Array.isArray(samples)) throw new ArgumentError(`default_collate: expected a list of samples, got ${describe(samples)}`);
  if (samples.length === 0) throw new ValueError('default_collate: the batch is empty');
  const first = samples[0] as unknown;
  const kindError = (k: number): never => {
    throw new ValueError(`default_collate: sample ${k} is a ${describe(samples[k])} but sample 0 is a ${describe(first)}`);
  };
  if (first instanceof Tensor) {
    samples.forEach((s, k) => s instanceof Tensor || kindError(k));
    return stackOnHost(samples as readonly Tensor[]) as Collated<S>;
  }
  if (typeof first === 'number' || typeof first === 'bigint' || typeof first === 'boolean') {
    const numeric = (s: unknown): boolean => typeof s === 'number' || typeof s === 'bigint';
    samples.forEach((s, k) => (typeof first === 'boolean' ? typeof s === 'boolean' : numeric(s)) || kindError(k));
    const integral = samples.every((s) => typeof s === 'bigint' || Number.isInteger(s));
    const dtype = typeof first === 'boolean' ? 'bool' : integral ? 'int64' : 'float32';
    return tensor(samples as unknown as number[], { dtype }) as Collated<S>;
  }
  if (typeof first === 'string') {
    samples.forEach((s, k) => typeof s === 'string' || kindError(k));
    return [...samples] as Collated<S>;
  }
  if (Array.isArray(first)) {
    const len = first.length;
    samples.forEach((s, k) => {
      if (!Array.isArray(s)) kindError(k);
      if ((s as unknown[]).length !== len) throw new ValueError('default_collate: each element in list of batch should be of equal size');
    });
    return first.map((_, j) => collate(samples.map((s) => (s as unknown[])[j]), depth + 1)) as Collated<S>;
  }
  if (typeof first === 'object' && first !== null && [Object.prototype, null].includes(Object.getPrototypeOf(first))) {
    const keys = Object.keys(first);
    samples.forEach((s, k) => (typeof s === 'object' && s !== null && !Array.isArray(s)) || kindError(k));
    return Object.fromEntries(keys.map((key) => [key, collate(samples.map((s) => (s as Record<string, unknown>)[key]), depth + 1)])) as unknown as Collated<S>;
  }
  throw new ValueError(`default_collate: batch must contain tensors, numbers, booleans, strings, arrays or plain objects; found ${describe(first)}`);
}
