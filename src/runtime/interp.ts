/**
 * The reference device: evaluates an IR graph node by node in JS with typed arrays. It is the oracle every
 * compiled backend is tested against. With `float64: true` every float node is computed and kept in double
 * precision (no rounding to float32 between ops), which is the truth that float32 kernels are compared with.
 * int64 nodes are BigInt64Arrays computed with bigints: exact over the whole range, in both modes.
 */
import {
  allocArray,
  bigintToFloat32,
  castScalar,
  checkBufferSize,
  contiguousStrides,
  IndexError,
  isFloat,
  isHalf,
  numel,
  randAt,
  randKey,
  setElements,
  stridedCopy,
  toposort,
  type DType,
  type Node,
  type Scalar,
  type TypedArray,
} from '../ir/index.js';
import { Buffer } from './buffer.js';
import { HostDevice } from './host-device.js';
import { hostArray, zeroedHostArray } from './host-memory.js';
import { binaryFn, unaryFn } from './scalar-math.js';
import { decodeHalf, encodeHalf, roundBFloat16, roundFloat16 } from '../ir/half.js';

export interface InterpOptions {
  /** Compute float32 nodes in float64 (no intermediate rounding). */
  float64?: boolean;
}

/**
 * Values of one node. Elements are read as Scalars and written back in the node's own representation
 * (bigints into BigInt64Arrays): `Arr` names the union, `Elems` the element-level view of it.
 */
type Arr = TypedArray;
type Elems = { [i: number]: Scalar; readonly length: number };
const el = (a: Arr): Elems => a as unknown as Elems;

/**
 * float16/bfloat16 nodes are computed as float32 values (a Float32Array, in both modes: half is what they
 * hold) rounded to half after every node, as PyTorch's CPU rounds after every op; their buffers hold the
 * bits (Uint16Array) and are decoded when read and encoded when written. uint8/int8/int16 nodes live in
 * their own typed arrays, whose stores wrap to the width as the kernels' casts from int32 do.
 */
function storageOf(dtype: DType, n: number, f64: boolean): Arr {
  checkBufferSize(f64 && isFloat(dtype) ? 'float64' : dtype, n, `interp: a buffer of ${n} ${dtype} elements`);
  if (isHalf(dtype)) return new Float32Array(n);
  return f64 && isFloat(dtype) ? new Float64Array(n) : allocArray(dtype, n);
}

/** Round every value of a half node's compute form to half (idempotent on values already half). */
function roundToHalf(a: Arr, dtype: DType): void {
  const f = dtype === 'float16' ? roundFloat16 : roundBFloat16;
  const o = a as Float32Array;
  for (let i = 0; i < o.length; i++) o[i] = f(o[i]!);
}

/** A host buffer's values in the form the interpreter computes with (half bits decoded). */
function computeForm(host: TypedArray, dtype: DType, f64: boolean): Arr {
  if (isHalf(dtype)) return decodeHalf(host as Uint16Array, dtype as 'float16' | 'bfloat16');
  return f64 && isFloat(dtype) && !(host instanceof Float64Array) ? Float64Array.from(host as Float32Array) : host;
}

/** Values in the compute form written into storage of the dtype (half values encoded to bits). */
export function storeValues(dst: TypedArray, v: Arr, dtype: DType): void {
  if (isHalf(dtype)) encodeHalf(v as Float32Array, dtype as 'float16' | 'bfloat16', dst as Uint16Array);
  else setElements(dst, v);
}

/**
 * Convert a value to what a node of `dtype` holds (C-like casts: float to int truncates and wraps). Float
 * results stay doubles (a Float32Array rounds them once on store), except an int64 becoming a float32, which
 * is rounded here in one step (a double first would round twice).
 */
function toDType(x: Scalar, dtype: DType): Scalar {
  if (typeof x === 'bigint' && dtype === 'float32') return bigintToFloat32(x);
  if (isHalf(dtype)) return castScalar(x, dtype);
  if (isFloat(dtype)) return Number(x);
  return castScalar(x, dtype);
}

/** Iterate multi-indices of a shape in row-major order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = numel(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    yield idx;
    for (let k = shape.length - 1; k >= 0; k--) {
      idx[k]!++;
      if (idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
}

function evalNode(n: Node, ins: Arr[], f64: boolean): Arr {
  const out = storageOf(n.dtype, n.numel, f64);
  const a = n.arg as never;
  switch (n.op) {
    case 'const': {
      const v = n.arg as Scalar;
      const o = el(out);
      for (let i = 0; i < o.length; i++) o[i] = v;
      return out;
    }
    case 'iota': {
      const o = el(out);
      const big = n.dtype === 'int64';
      for (let i = 0; i < o.length; i++) o[i] = big ? BigInt(i) : i;
      return out;
    }
    case 'rand': {
      const seed = ins[0]! as Int32Array;
      const key = randKey(seed[0]! >>> 0, seed[1]! >>> 0, (a as { salt: number }).salt);
      const o = out as Float32Array | Float64Array;
      for (let i = 0; i < o.length; i++) o[i] = randAt(key, i);
      return out;
    }
    case 'buffer':
    case 'contiguous':
    case 'detach':
    case 'reshape':
      return ins.length ? ins[0]! : out;
    case 'cast': {
      const x = el(ins[0]!);
      const o = el(out);
      for (let i = 0; i < o.length; i++) o[i] = toDType(x[i]!, n.dtype);
      return out;
    }
    case 'where': {
      const c = ins[0]! as Uint8Array;
      const [x, y] = [el(ins[1]!), el(ins[2]!)];
      const o = el(out);
      for (let i = 0; i < o.length; i++) o[i] = c[i] ? x[i]! : y[i]!;
      return out;
    }
    case 'permute': {
      const perm = (a as { perm: number[] }).perm;
      const st = contiguousStrides(n.srcs[0]!.shape);
      stridedCopy(ins[0]!, out, n.shape, perm.map((p) => st[p]!), 0);
      return out;
    }
    case 'expand': {
      const src = n.srcs[0]!;
      const st = contiguousStrides(src.shape);
      stridedCopy(ins[0]!, out, n.shape, src.shape.map((d, i) => (d === n.shape[i] ? st[i]! : 0)), 0);
      return out;
    }
    case 'slice': {
      const { start, step } = a as { start: number[]; step: number[] };
      const st = contiguousStrides(n.srcs[0]!.shape);
      stridedCopy(ins[0]!, out, n.shape, st.map((s, i) => s * step[i]!), start.reduce((acc, s0, i) => acc + s0 * st[i]!, 0));
      return out;
    }
    case 'flip': {
      const axes = (a as { axes: number[] }).axes;
      const st = contiguousStrides(n.shape);
      let off = 0;
      const strides = st.map((s, i) => {
        if (!axes.includes(i)) return s;
        off += (n.shape[i]! - 1) * s;
        return -s;
      });
      stridedCopy(ins[0]!, out, n.shape, strides, off);
      return out;
    }
    case 'unfold': {
      const { axis, size, step } = a as { axis: number; size: number; step: number };
      const st = contiguousStrides(n.srcs[0]!.shape);
      const strides = [...st.map((s0, i) => (i === axis ? s0 * step : s0)), st[axis]!];
      void size;
      stridedCopy(ins[0]!, out, n.shape, strides, 0);
      return out;
    }
    case 'pad': {
      const { pads, value } = a as { pads: [number, number][]; value: Scalar };
      const src = n.srcs[0]!;
      const st = contiguousStrides(src.shape);
      const x = el(ins[0]!);
      const o = el(out);
      let i = 0;
      for (const idx of indices(n.shape)) {
        let p = 0;
        let ok = true;
        for (let k = 0; k < idx.length; k++) {
          const j = idx[k]! - pads[k]![0];
          if (j < 0 || j >= src.shape[k]!) {
            ok = false;
            break;
          }
          p += j * st[k]!;
        }
        o[i++] = ok ? x[p]! : value;
      }
      return out;
    }
    case 'reduce': {
      const { op, axes } = a as { op: string; axes: number[] };
      if (n.dtype === 'int64') return reduceInt64(n, el(ins[0]!), out as BigInt64Array, op, axes);
      const src = n.srcs[0]!;
      const x = ins[0]! as Exclude<Arr, BigInt64Array>;
      const ost = contiguousStrides(n.shape);
      const acc = new Float64Array(out.length).fill(op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity);
      let i = 0;
      for (const idx of indices(src.shape)) {
        let o = 0;
        for (let k = 0; k < idx.length; k++) if (!axes.includes(k)) o += idx[k]! * ost[k]!;
        const v = x[i++]!;
        const c = acc[o]!;
        if (op === 'sum') acc[o] = c + v;
        else if (op === 'prod') acc[o] = c * v;
        else if (Number.isNaN(v) || Number.isNaN(c)) acc[o] = NaN;
        else acc[o] = op === 'max' ? Math.max(c, v) : Math.min(c, v);
      }
      const o = el(out);
      for (let j = 0; j < o.length; j++) o[j] = toDType(wrapInt(acc[j]!, n.dtype, op), n.dtype);
      return out;
    }
    case 'cumsum': {
      const axis = (a as { axis: number }).axis;
      const x = el(ins[0]!);
      const o = el(out);
      const st = contiguousStrides(n.shape);
      const len = n.shape[axis]!;
      const s = st[axis]!;
      const add = binaryFn('add', n.dtype)!;
      for (let i = 0; i < o.length; i++) {
        const pos = Math.floor(i / s) % len;
        o[i] = pos === 0 ? x[i]! : add(o[i - s]!, x[i]!);
      }
      if (isFloat(n.dtype) && !(out instanceof Float64Array)) {
        // Recompute with a double accumulator so float32 results round once, as the oracle should.
        const xf = x as unknown as Float32Array;
        const acc = new Float64Array(out.length);
        for (let i = 0; i < out.length; i++) {
          const pos = Math.floor(i / s) % len;
          acc[i] = pos === 0 ? xf[i]! : acc[i - s]! + xf[i]!;
        }
        (out as Float32Array).set(acc);
      }
      return out;
    }
    case 'argsort': {
      const { axis, descending } = a as { axis: number; descending: boolean };
      const x = el(ins[0]!);
      const o = el(out) as BigInt64Array;
      const st = contiguousStrides(n.shape);
      const len = n.shape[axis]!;
      const s = st[axis]!;
      const nan = (v: number | bigint): boolean => typeof v === 'number' && Number.isNaN(v);
      // NaN above every number; Array.prototype.sort is stable.
      const cmp = (p: number | bigint, q: number | bigint): number => {
        if (nan(p) || nan(q)) return nan(p) ? (nan(q) ? 0 : 1) : -1;
        return p < q ? -1 : p > q ? 1 : 0;
      };
      const pos = Array.from({ length: len }, (_, k) => k);
      for (let i = 0; i < o.length; i++) {
        if (Math.floor(i / s) % len !== 0) continue;
        const keys = pos.map((k) => x[i + k * s]!);
        const order = [...pos].sort((p, q) => (descending ? -cmp(keys[p]!, keys[q]!) : cmp(keys[p]!, keys[q]!)));
        order.forEach((k, r) => (o[i + r * s] = BigInt(k)));
      }
      return out;
    }
    case 'gather': {
      const axis = (a as { axis: number }).axis;
      const [x, index] = [el(ins[0]!), el(ins[1]!)];
      const o = el(out);
      const src = n.srcs[0]!;
      const sst = contiguousStrides(src.shape);
      const lim = src.shape[axis]!;
      let i = 0;
      for (const idx of indices(n.shape)) {
        const j = checkedIndex(index[i]!, lim, axis, 'gather');
        let p = 0;
        for (let k = 0; k < idx.length; k++) p += (k === axis ? j : idx[k]!) * sst[k]!;
        o[i++] = x[p]!;
      }
      return out;
    }
    case 'scatterAdd': {
      const axis = (a as { axis: number }).axis;
      const [base, index, vals] = [el(ins[0]!), el(ins[1]!), el(ins[2]!)];
      const ost = contiguousStrides(n.shape);
      const lim = n.shape[axis]!;
      // Floats add in double and round once; integers add in their own wrapping arithmetic.
      const acc: Elems = isFloat(n.dtype) ? Float64Array.from(base as ArrayLike<number>) : el(out);
      if (!isFloat(n.dtype)) for (let j = 0; j < acc.length; j++) acc[j] = base[j]!;
      const add = isFloat(n.dtype) ? (p: Scalar, q: Scalar): Scalar => (p as number) + (q as number) : binaryFn(n.dtype === 'bool' ? 'or' : 'add', n.dtype)!;
      let i = 0;
      for (const idx of indices(n.srcs[1]!.shape)) {
        const j = checkedIndex(index[i]!, lim, axis, 'scatter_add');
        let p = 0;
        for (let k = 0; k < idx.length; k++) p += (k === axis ? j : idx[k]!) * ost[k]!;
        acc[p] = add(acc[p]!, vals[i++]!);
      }
      const o = el(out);
      if (acc !== o) for (let j = 0; j < o.length; j++) o[j] = toDType(acc[j]!, n.dtype);
      return out;
    }
    case 'assign':
      return ins[1]!;
    default:
      break;
  }
  const un = unaryFn(n.op, n.srcs[0]!.dtype);
  if (un) {
    const x = el(ins[0]!);
    const o = el(out);
    for (let i = 0; i < o.length; i++) o[i] = un(x[i]!);
    return out;
  }
  const bin = binaryFn(n.op, n.srcs[0]!.dtype);
  if (bin) {
    const [x, y] = [el(ins[0]!), el(ins[1]!)];
    const o = el(out);
    for (let i = 0; i < o.length; i++) o[i] = bin(x[i]!, y[i]!);
    return out;
  }
  throw new Error(`interp: no rule for op ${n.op}`);
}

/** An index value as a position along an axis of `size`, or the IndexError a kernel reports. */
function checkedIndex(v: Scalar, size: number, axis: number, op: string): number {
  const j = Number(v);
  if (!(j >= 0 && j < size)) throw new IndexError(`${op}: index ${v} is out of bounds for dimension ${axis} with size ${size}`);
  return j;
}

/** Integer reductions wrap like int32 arithmetic (int32 sums stay below 2^53 in doubles: exact before wrapping). */
function wrapInt(x: number, dtype: DType, op: string): number {
  if (dtype !== 'int32' || op === 'max' || op === 'min') return x;
  if (op === 'sum') return Number(BigInt.asIntN(32, BigInt(Math.round(x))));
  return x;
}

/** int64 reductions in bigints (exact, wrapping), whatever the values. */
function reduceInt64(n: Node, x: Elems, out: BigInt64Array, op: string, axes: readonly number[]): BigInt64Array {
  const ost = contiguousStrides(n.shape);
  const f = binaryFn(op === 'sum' ? 'add' : op === 'prod' ? 'mul' : op, 'int64')! as (a: bigint, b: bigint) => bigint;
  const init = op === 'sum' ? 0n : op === 'prod' ? 1n : op === 'max' ? -(2n ** 63n) : 2n ** 63n - 1n;
  out.fill(init);
  let i = 0;
  for (const idx of indices(n.srcs[0]!.shape)) {
    let o = 0;
    for (let k = 0; k < idx.length; k++) if (!axes.includes(k)) o += idx[k]! * ost[k]!;
    out[o] = f(out[o]!, x[i++]! as bigint);
  }
  return out;
}

/**
 * Evaluate `roots` and return their values (typed arrays; Float64Array for float nodes in float64 mode;
 * float16/bfloat16 values as a Float32Array of their values, not bits).
 * Buffers and realized nodes are read through their host memory.
 */
export function interpret(roots: readonly Node[], opts: InterpOptions = {}): Arr[] {
  const f64 = opts.float64 ?? false;
  const order = toposort(roots, true);
  const vals = new Map<Node, Arr>();
  const assigns: [Node, Arr][] = [];
  // Readers still to evaluate per node: a value is dropped after its last reader, so a chain of a million
  // ops holds a few arrays at a time, not a million.
  const pending = new Map<Node, number>();
  const keep = new Set(roots);
  for (const n of order) if (!isComputed(n)) for (const s of n.srcs) pending.set(s, (pending.get(s) ?? 0) + 1);
  for (const n of order) {
    const ref = n.op === 'buffer' ? (n.arg as { ref: Buffer }).ref : (n.realized as Buffer | null);
    if (ref) {
      const host = ref.host;
      if (!host) throw new Error(`interp: buffer ${ref.id} on ${ref.device} has no host memory`);
      vals.set(n, computeForm(host, n.dtype, f64));
      continue;
    }
    let v: Arr;
    try {
      v = evalNode(n, n.srcs.map((s) => vals.get(s)!), f64);
      if (isHalf(n.dtype) && n.op !== 'assign' && v !== vals.get(n.srcs[0]!)) roundToHalf(v, n.dtype);
    } catch (e) {
      if (typeof e === 'object' && e !== null && !failingNodes.has(e)) failingNodes.set(e, n);
      throw e;
    }
    vals.set(n, v);
    if (n.op === 'assign') assigns.push([n, v]);
    for (const s of n.srcs) {
      const left = pending.get(s)! - 1;
      pending.set(s, left);
      if (left === 0 && !keep.has(s)) vals.delete(s);
    }
  }
  const results = roots.map((r) => vals.get(r)!);
  // Writes happen after every read, so a program never reads a value it overwrote.
  for (const [n, v] of assigns) {
    const target = (n.srcs[0]!.arg as { ref: Buffer }).ref;
    storeValues(target.host!, v, n.dtype);
  }
  return results;
}

/** A node whose value is read from memory (a buffer, a realized node): a leaf of the evaluation. */
const isComputed = (n: Node): boolean => n.op === 'buffer' || n.realized !== null;

/**
 * The node whose evaluation raised an error (an index out of range, a division by zero), for errors thrown
 * by `interpret`: the tensor layer uses it to tell which values a failed program could not compute.
 */
export const failingNodes = new WeakMap<object, Node>();

/** The `interp` device: host memory, graphs evaluated by `interpret`. */
export class InterpDevice extends HostDevice {
  constructor(name = 'interp') {
    super(name);
  }
  protected zeroed(dtype: DType, size: number): TypedArray {
    return zeroedHostArray(dtype, size, this.name);
  }
  execute(roots: readonly Node[]): Buffer[] {
    const vals = interpret(roots);
    return roots.map((r, i) => {
      if (r.op === 'assign') return (r.srcs[0]!.arg as { ref: Buffer }).ref;
      if (r.op === 'buffer') return (r.arg as { ref: Buffer }).ref;
      if (r.realized) return r.realized as Buffer;
      // Results go to counted host memory of their own (a result may also alias an input: reshape of a buffer).
      const own = hostArray(r.dtype, r.numel, this.name);
      storeValues(own, vals[i]!, r.dtype);
      return new Buffer(this.name, r.dtype, r.numel, own);
    });
  }
}
