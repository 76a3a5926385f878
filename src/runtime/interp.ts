/**
 * The reference device: evaluates an IR graph node by node in JS with typed arrays. It is the oracle every
 * compiled backend is tested against. With `float64: true` every float node is computed and kept in double
 * precision (no rounding to float32 between ops), which is the truth that float32 kernels are compared with.
 */
import {
  allocArray,
  contiguousStrides,
  IndexError,
  isFloat,
  numel,
  randAt,
  randKey,
  stridedCopy,
  toposort,
  type DType,
  type Node,
  type TypedArray,
} from '../ir/index.js';
import { Buffer } from './buffer.js';
import { HostDevice } from './host-device.js';
import { BINARY, UNARY } from './scalar-math.js';

export interface InterpOptions {
  /** Compute float32 nodes in float64 (no intermediate rounding). */
  float64?: boolean;
}

type Arr = TypedArray | Float64Array;

function storageOf(dtype: DType, n: number, f64: boolean): Arr {
  return f64 && isFloat(dtype) ? new Float64Array(n) : allocArray(dtype, n);
}

/** Convert a double to the value a dtype holds (C-like casts: float to int truncates). */
function toDType(x: number, dtype: DType): number {
  if (dtype === 'bool') return x !== 0 ? 1 : 0;
  if (dtype === 'int32') return Number.isFinite(x) ? Math.trunc(x) | 0 : 0;
  return x;
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
    case 'const':
      out.fill(n.arg as number);
      return out;
    case 'iota':
      for (let i = 0; i < out.length; i++) out[i] = i;
      return out;
    case 'rand': {
      const seed = ins[0]!;
      const key = randKey(seed[0]! >>> 0, seed[1]! >>> 0, (a as { salt: number }).salt);
      for (let i = 0; i < out.length; i++) out[i] = randAt(key, i);
      return out;
    }
    case 'buffer':
    case 'contiguous':
    case 'detach':
    case 'reshape':
      return ins.length ? ins[0]! : out;
    case 'cast': {
      const x = ins[0]!;
      for (let i = 0; i < out.length; i++) out[i] = toDType(x[i]!, n.dtype);
      return out;
    }
    case 'where': {
      const [c, x, y] = ins as [Arr, Arr, Arr];
      for (let i = 0; i < out.length; i++) out[i] = c[i] ? x[i]! : y[i]!;
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
      const { pads, value } = a as { pads: [number, number][]; value: number };
      const src = n.srcs[0]!;
      const st = contiguousStrides(src.shape);
      const x = ins[0]!;
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
        out[i++] = ok ? x[p]! : value;
      }
      return out;
    }
    case 'reduce': {
      const { op, axes } = a as { op: string; axes: number[] };
      const src = n.srcs[0]!;
      const x = ins[0]!;
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
      for (let j = 0; j < out.length; j++) out[j] = toDType(wrapInt(acc[j]!, n.dtype, op), n.dtype);
      return out;
    }
    case 'cumsum': {
      const axis = (a as { axis: number }).axis;
      const x = ins[0]!;
      const st = contiguousStrides(n.shape);
      const len = n.shape[axis]!;
      const s = st[axis]!;
      for (let i = 0; i < out.length; i++) {
        const pos = Math.floor(i / s) % len;
        const v = x[i]!;
        out[i] = pos === 0 ? v : n.dtype === 'int32' ? (out[i - s]! + v) | 0 : out[i - s]! + v;
      }
      if (isFloat(n.dtype) && !(out instanceof Float64Array)) {
        // Recompute with a double accumulator so float32 results round once, as the oracle should.
        const acc = new Float64Array(out.length);
        for (let i = 0; i < out.length; i++) {
          const pos = Math.floor(i / s) % len;
          acc[i] = pos === 0 ? x[i]! : acc[i - s]! + x[i]!;
        }
        out.set(acc);
      }
      return out;
    }
    case 'gather': {
      const axis = (a as { axis: number }).axis;
      const [x, index] = ins as [Arr, Arr];
      const src = n.srcs[0]!;
      const sst = contiguousStrides(src.shape);
      const lim = src.shape[axis]!;
      let i = 0;
      for (const idx of indices(n.shape)) {
        const j = index[i]!;
        if (j < 0 || j >= lim) throw new IndexError(`gather: index ${j} is out of bounds for dimension ${axis} with size ${lim}`);
        let p = 0;
        for (let k = 0; k < idx.length; k++) p += (k === axis ? j : idx[k]!) * sst[k]!;
        out[i++] = x[p]!;
      }
      return out;
    }
    case 'scatterAdd': {
      const axis = (a as { axis: number }).axis;
      const [base, index, vals] = ins as [Arr, Arr, Arr];
      const ost = contiguousStrides(n.shape);
      const lim = n.shape[axis]!;
      const acc = Float64Array.from(base);
      let i = 0;
      for (const idx of indices(n.srcs[1]!.shape)) {
        const j = index[i]!;
        if (j < 0 || j >= lim) throw new IndexError(`scatter_add: index ${j} is out of bounds for dimension ${axis} with size ${lim}`);
        let p = 0;
        for (let k = 0; k < idx.length; k++) p += (k === axis ? j : idx[k]!) * ost[k]!;
        acc[p] = acc[p]! + vals[i++]!;
      }
      for (let j = 0; j < out.length; j++) out[j] = toDType(acc[j]!, n.dtype);
      return out;
    }
    case 'assign':
      return ins[1]!;
    default:
      break;
  }
  const un = UNARY[n.op];
  if (un) {
    const x = ins[0]!;
    const d = n.srcs[0]!.dtype;
    for (let i = 0; i < out.length; i++) out[i] = un(x[i]!, d);
    return out;
  }
  const bin = BINARY[n.op];
  if (bin) {
    const [x, y] = ins as [Arr, Arr];
    const d = n.srcs[0]!.dtype;
    for (let i = 0; i < out.length; i++) out[i] = bin(x[i]!, y[i]!, d);
    return out;
  }
  throw new Error(`interp: no rule for op ${n.op}`);
}

/** Integer reductions wrap like int32 arithmetic. */
function wrapInt(x: number, dtype: DType, op: string): number {
  if (dtype !== 'int32' || op === 'max' || op === 'min') return x;
  if (op === 'sum') return Number(BigInt.asIntN(32, BigInt(Math.round(x))));
  return x;
}

/**
 * Evaluate `roots` and return their values (typed arrays; Float64Array for float nodes in float64 mode).
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
      const v = f64 && isFloat(n.dtype) && !(host instanceof Float64Array) ? Float64Array.from(host) : host;
      vals.set(n, v);
      continue;
    }
    const v = evalNode(n, n.srcs.map((s) => vals.get(s)!), f64);
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
    target.host!.set(v);
  }
  return results;
}

/** A node whose value is read from memory (a buffer, a realized node): a leaf of the evaluation. */
const isComputed = (n: Node): boolean => n.op === 'buffer' || n.realized !== null;

/** The `interp` device: host memory, graphs evaluated by `interpret`. */
export class InterpDevice extends HostDevice {
  constructor(name = 'interp') {
    super(name);
  }
  protected zeroed(dtype: DType, size: number): TypedArray {
    return allocArray(dtype, size);
  }
  execute(roots: readonly Node[]): Buffer[] {
    const vals = interpret(roots);
    return roots.map((r, i) => {
      if (r.op === 'assign') return (r.srcs[0]!.arg as { ref: Buffer }).ref;
      if (r.op === 'buffer') return (r.arg as { ref: Buffer }).ref;
      if (r.realized) return r.realized as Buffer;
      const v = vals[i]!;
      // Results that alias an input (reshape of a buffer, ...) are copied: every realized node owns its memory.
      const own = order_owns(r) ? v : v.slice();
      return new Buffer(this.name, r.dtype, r.numel, own as TypedArray);
    });
  }
}

/** Whether evaluating this node produced fresh memory (rather than passing an input's through). */
function order_owns(n: Node): boolean {
  return !(n.op === 'reshape' || n.op === 'contiguous' || n.op === 'detach');
}
