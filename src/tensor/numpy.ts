/**
 * The NumPy bridge: `t.numpy()` and `torch.fromNumpy(arr)` share memory with JS, both ways.
 *
 * - `t.numpy()` computes `t` and returns an NDArray over the very memory of `t`'s storage (its base's, for a
 *   view, with the view's strides and offset). An in-place op on the tensor writes into that memory at once
 *   (Tensor._rebind), and a write into `nd.data` is seen by the tensor.
 * - `torch.fromNumpy(arr)` wraps a typed array (or an ndarray-like `{ data, shape, stride?, offset? }`) without
 *   copying: Float64Array gives float64 (NumPy's default), Float32Array float32, Int32Array int32,
 *   BigInt64Array int64, Int8Array int8, Int16Array int16 and Uint8Array bool (values must be 0 or 1); an
 *   ndarray-like `{ data, dtype }` names the dtype (a Uint8Array as 'uint8', a Uint16Array of half bits as
 *   'float16' or 'bfloat16'), which is how `t.numpy()` of those dtypes comes back.
 *
 * graft is lazy, graft-side mutation is copy-on-write, and JS writes are invisible to graft until it reads:
 * - results pending when the tensor is mutated in place keep the values from before (as in PyTorch);
 * - a result computed (realized) before a JS write keeps its values; a result still pending when JS writes is
 *   computed from what the memory holds when it is read: call `realize()` on it first to pin it.
 */
import { ArgumentError, checkDType, checkedScalar, scalarToJS, float16Bits, bfloat16Bits, float16ToNumber, bfloat16ToNumber, type Scalar, contiguousStrides, DTYPE_INFO, dtypeOfArray, IndexError, numel, ValueError, AutogradError, DeviceError, build, type DType, type TypedArray } from '../ir/index.js';
import { getDevice } from '../runtime/index.js';
import { fromValues } from './creation.js';
import { bool, defineOptions, describeValue } from './options.js';
import { fromNode, makeView, Tensor, type ViewOp } from './tensor.js';

/**
 * An n-dimensional strided view of a typed array, shaped like the `ndarray` package's objects (`data`,
 * `shape`, `stride`, `offset`, `size`, `dimension`, `order`, `get`, `set`, `index`), so code that reads those
 * can take it (ndarray's slicing methods `lo`/`hi`/`step`/`pick`/`transpose` are not provided).
 * Element (i, j, ...) is `data[offset + i * stride[0] + j * stride[1] + ...]`.
 */
export class NDArray<T extends TypedArray = TypedArray> {
  constructor(
    /** The memory (shared with the tensor it came from). */
    readonly data: T,
    readonly shape: number[],
    /** Strides in elements (not bytes, unlike NumPy; as ndarray). */
    readonly stride: number[],
    readonly offset: number,
    /**
     * graft's dtype: 'float32', 'float64', 'int32', 'int64' (a BigInt64Array), 'bool' (0/1 in a Uint8Array),
     * 'uint8', 'int8', 'int16', or 'float16'/'bfloat16' (the 16 bits of each value in a Uint16Array: `get`,
     * `set` and `tolist` convert, `data` holds the bits).
     */
    readonly dtype: DType,
  ) {
    const ints = (v: unknown): boolean => Array.isArray(v) && v.every((d) => Number.isSafeInteger(d));
    if (!ArrayBuffer.isView(data) || !ints(shape) || !ints(stride) || shape.length !== stride.length || !Number.isSafeInteger(offset)) {
      throw new ArgumentError('NDArray: expected (data: a typed array, shape: integers, stride: integers of the same count, offset: an integer, dtype); use tensor.numpy() to make one');
    }
  }

  /** Number of elements. */
  get size(): number {
    return numel(this.shape);
  }
  /** Number of dimensions (ndarray's name; `ndim` is NumPy's). */
  get dimension(): number {
    return this.shape.length;
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** Axes from the smallest stride to the largest (ndarray's `order`: [1, 0] is row-major 2-D). */
  get order(): number[] {
    return this.shape.map((_, i) => i).sort((a, b) => Math.abs(this.stride[a]!) - Math.abs(this.stride[b]!));
  }

  /** The position in `data` of element (i, j, ...); negative indices count from the end, as NumPy. */
  index(...idx: number[]): number {
    if (!idx.every((i) => typeof i === 'number')) throw new IndexError(`NDArray: indices must be integers, got ${idx.map((i) => describeValue(i)).join(', ')}`);
    if (idx.length !== this.shape.length) {
      throw new IndexError(`NDArray: ${idx.length} indices for an array of ${this.shape.length} dimensions`);
    }
    let p = this.offset;
    for (let d = 0; d < idx.length; d++) {
      const size = this.shape[d]!;
      let i = idx[d]!;
      if (!Number.isInteger(i) || i < -size || i >= size) {
        throw new IndexError(`NDArray: index ${i} is out of bounds for axis ${d} with size ${size}`);
      }
      if (i < 0) i += size;
      p += i * this.stride[d]!;
    }
    return p;
  }
  /** Element (i, j, ...): a number (bools as 0 or 1, half floats decoded), a bigint for int64. */
  get(...idx: number[]): number | bigint {
    return this.decode(this.data[this.index(...idx)]!);
  }

  private decode(x: number | bigint): number | bigint {
    if (this.dtype === 'float16') return float16ToNumber(x as number);
    if (this.dtype === 'bfloat16') return bfloat16ToNumber(x as number);
    return x;
  }
  /**
   * Set element (i, j, ...) to the last argument (a number or bigint, converted to the dtype; a value that
   * does not fit an integer dtype is a ValueError); returns the value.
   */
  set(...args: (number | bigint)[]): number | bigint {
    const v = args.pop()!;
    if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean') {
      throw new ArgumentError(`NDArray.set: the value (the last argument) must be a number or bigint, not ${describeValue(v)}`);
    }
    const i = this.index(...(args as number[]));
    const c = checkedScalar(v, this.dtype, 'NDArray.set');
    const bits = this.dtype === 'float16' ? float16Bits(c as number) : this.dtype === 'bfloat16' ? bfloat16Bits(c as number) : c;
    (this.data as unknown as { [i: number]: Scalar })[i] = bits;
    return v;
  }
  /** The elements as nested arrays (booleans for bool, as NumPy's tolist; int64 as in Tensor.tolist). */
  tolist(): unknown {
    const conv = this.dtype === 'bool' ? (x: number | bigint): unknown => x !== 0 : (x: number | bigint): unknown => scalarToJS(this.decode(x));
    const walk = (p: number, d: number): unknown => {
      if (d === this.shape.length) return conv(this.data[p]!);
      return Array.from({ length: this.shape[d]! }, (_, i) => walk(p + i * this.stride[d]!, d + 1));
    };
    return walk(this.offset, 0);
  }
}

/** What torch.fromNumpy takes besides a bare typed array: an ndarray-like strided view. */
export interface NDArrayLike {
  data: TypedArray;
  shape: readonly number[];
  /** Strides in elements; row-major when left out. */
  stride?: readonly number[];
  offset?: number;
  /** The dtype of `data` when its array type does not say it: 'uint8' (Uint8Array), 'float16'/'bfloat16' (Uint16Array of bits). */
  dtype?: DType;
}

export interface NumpyOptions {
  /** As PyTorch's numpy(force=True): detach and copy to the host first if needed (may not share memory). */
  force?: boolean;
}

declare module './tensor.js' {
  interface Tensor {
    /**
     * This tensor as an NDArray sharing its memory: in-place ops on the tensor show in the array, and writes
     * into the array show in the tensor. Computes the tensor.
     */
    numpy(opts?: NumpyOptions): NDArray;
  }
}

const NUMPY_OPTIONS = defineOptions('numpy', { force: bool.optional() });

(Tensor.prototype as unknown as { numpy: (this: Tensor, opts?: NumpyOptions) => NDArray }).numpy = function (this: Tensor, opts?: NumpyOptions): NDArray {
  NUMPY_OPTIONS.check(opts);
  let t: Tensor = this;
  if (opts?.force) {
    t = t.detach();
    if (!t._device.host) t = t.cpu();
  }
  if (t.requiresGrad) throw new AutogradError("numpy: Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
  if (!t._device.host) {
    throw new DeviceError(`numpy: can't convert ${t.device} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.`);
  }
  const buf = t._share();
  return new NDArray(buf.host!, t.shape, t.stride(), t.storageOffset(), t.dtype);
};

/**
 * torch.from_numpy: a CPU tensor over the memory of a typed array (1-D) or of an ndarray-like strided view,
 * without copying. A strided view is shared when its strides are a permutation of a row-major layout (a
 * transpose, Fortran order): the tensor is then a non-contiguous view. Other layouts (gaps, negative or zero
 * strides) are copied, and the tensor does not share memory with the array.
 */
export function fromNumpy(arr: TypedArray | NDArrayLike): Tensor {
  if (typeof arr !== 'object' || arr === null) throw new ArgumentError(`fromNumpy(): expected a typed array or an ndarray-like object, not ${describeValue(arr)}`);
  const like: NDArrayLike = ArrayBuffer.isView(arr) ? { data: arr as TypedArray } as NDArrayLike : (arr as NDArrayLike);
  const data = like.data;
  if (!ArrayBuffer.isView(data)) throw new ValueError('fromNumpy: expected a typed array or an object with a typed array `data`');
  const dtype = like.dtype !== undefined ? checkDType(like.dtype, 'fromNumpy') : dtypeOfArray(data);
  if (!(data instanceof DTYPE_INFO[dtype].array)) {
    throw new ArgumentError(`fromNumpy(): dtype ${dtype} is stored in a ${DTYPE_INFO[dtype].array.name}, not a ${data.constructor.name}`);
  }
  for (const key of ['shape', 'stride'] as const) {
    const v = like[key];
    if (v !== undefined && (!Array.isArray(v) || !v.every((d) => Number.isSafeInteger(d)))) {
      throw new ArgumentError(`fromNumpy(): ${key} must be a list of integers, not ${describeValue(v)}`);
    }
  }
  const shape = like.shape === undefined ? [data.length] : [...like.shape];
  if (!shape.every((d) => d >= 0)) throw new ValueError(`fromNumpy: bad shape [${shape.join(', ')}]`);
  const stride = like.stride === undefined ? contiguousStrides(shape) : [...like.stride];
  const offset = like.offset ?? 0;
  if (stride.length !== shape.length || !stride.every(Number.isInteger) || !Number.isInteger(offset)) {
    throw new ValueError(`fromNumpy: stride [${stride.join(', ')}] and offset ${offset} do not fit shape [${shape.join(', ')}]`);
  }
  const n = numel(shape);
  if (n === 0) return fromValues(new DTYPE_INFO[dtype].array(0), shape, dtype, 'cpu');
  let lo = offset;
  let hi = offset;
  shape.forEach((d, i) => (stride[i]! < 0 ? (lo += stride[i]! * (d - 1)) : (hi += stride[i]! * (d - 1))));
  if (lo < 0 || hi >= data.length) {
    throw new IndexError(`fromNumpy: shape [${shape.join(', ')}], stride [${stride.join(', ')}] and offset ${offset} reach outside an array of ${data.length} elements`);
  }
  // Axes that matter (size > 1), outermost first by stride: shareable when they are row-major in that order.
  const axes = shape.map((_, i) => i).filter((i) => shape[i]! > 1);
  const order = [...axes].sort((a, b) => stride[b]! - stride[a]!);
  let expected = 1;
  let shareable = true;
  for (let k = order.length - 1; k >= 0; k--) {
    if (stride[order[k]!] !== expected) shareable = false;
    expected *= shape[order[k]!]!;
  }
  if (!shareable) return fromValues(gather(data, shape, stride, offset), shape, dtype, 'cpu');

  const device = getDevice('cpu');
  const memory = offset === 0 && n === data.length ? data : (data.subarray(offset, offset + n) as TypedArray);
  const buf = device.fromHost(dtype, memory);
  buf.jsShared = true;
  if (order.every((a, k) => a === axes[k])) {
    const t = fromNode(build.buffer(buf, shape), 'cpu');
    t._shared = buf;
    return t;
  }
  // The base holds the memory in its row-major order; the tensor is a permuted view of it.
  const base = fromNode(build.buffer(buf, order.map((a) => shape[a]!)), 'cpu');
  base._shared = buf;
  const ops: ViewOp[] = [{ kind: 'permute', perm: axes.map((a) => order.indexOf(a)) }];
  if (axes.length !== shape.length) ops.push({ kind: 'reshape', shape });
  return makeView('fromNumpy', base, ops);
}

/** A row-major copy of a strided view. */
function gather(data: TypedArray, shape: readonly number[], stride: readonly number[], offset: number): TypedArray {
  const out = new (data.constructor as { new (n: number): TypedArray })(numel(shape));
  let k = 0;
  const walk = (p: number, d: number): void => {
    if (d === shape.length) {
      out[k++] = data[p]!;
      return;
    }
    for (let i = 0; i < shape[d]!; i++) walk(p + i * stride[d]!, d + 1);
  };
  walk(offset, 0);
  return out;
}
