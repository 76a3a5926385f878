/**
 * Random IR graphs for differential testing: `gen(shape, dtype)` builds an expression of exactly that shape
 * from random buffers through random views (reshape, permute, expand, slice, pad, flip), broadcasts,
 * elementwise ops, reductions (also broadcast back: x - mean(x)), contractions, prefix sums, gathers and
 * casts. Values stay bounded (every op is chosen so float32 and float64 results stay close) and ops that are
 * discontinuous (sign, floor, comparisons) only ever see buffer values, which both precisions read exactly.
 */
import { build, type DType, type Node } from '../../src/ir/index.js';
import { getDevice } from '../../src/runtime/index.js';

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    // mulberry32
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export class GraphGen {
  constructor(
    readonly r: Rng,
    readonly device = 'cpu',
  ) {}

  buffer(shape: readonly number[], dtype: DType): Node {
    const n = numel(shape);
    const dev = getDevice(this.device);
    let data;
    if (dtype === 'float32') data = Float32Array.from({ length: n }, () => this.r.next() * 4 - 2);
    else if (dtype === 'float64') data = Float64Array.from({ length: n }, () => this.r.next() * 4 - 2);
    else if (dtype === 'int32') data = Int32Array.from({ length: n }, () => this.r.int(-6, 6));
    else data = Uint8Array.from({ length: n }, () => (this.r.chance(0.5) ? 1 : 0));
    return build.buffer(dev.fromHost(dtype, data), shape);
  }

  /** A leaf of the shape, often seen through a view of another buffer. */
  leaf(shape: readonly number[], dtype: DType): Node {
    const r = this.r;
    const k = r.int(0, 6);
    if (k === 1 && shape.length >= 2) {
      const perm = shuffle(r, shape.map((_, i) => i));
      const inv = new Array<number>(perm.length);
      perm.forEach((p, i) => (inv[p] = i));
      const src = this.buffer(inv.map((p) => shape[p]!), dtype);
      return build.permute(src, perm);
    }
    if (k === 2) {
      const start = shape.map(() => r.int(0, 2));
      const step = shape.map(() => r.int(1, 2));
      const big = shape.map((d, i) => start[i]! + (d - 1) * step[i]! + 1 + r.int(0, 1));
      return build.slice(this.buffer(big, dtype), start, shape, step);
    }
    if (k === 3 && shape.some((d) => d > 1)) {
      const small = shape.map((d) => (d > 1 && r.chance(0.5) ? 1 : d));
      return build.expand(this.buffer(small, dtype), shape);
    }
    if (k === 4) return build.reshape(this.buffer([numel(shape)], dtype), shape);
    if (k === 5) {
      const axes = shape.map((_, i) => i).filter(() => r.chance(0.5));
      return build.flip(this.buffer(shape, dtype), axes);
    }
    if (k === 6 && shape.some((d) => d > 2)) {
      const pads = shape.map((d) => (d > 2 ? ([r.int(0, 1), r.int(0, 1)] as const) : ([0, 0] as const)));
      const inner = shape.map((d, i) => d - pads[i]![0] - pads[i]![1]);
      return build.pad(this.buffer(inner, dtype), pads, dtype === 'bool' ? 1 : r.int(-1, 1));
    }
    return this.buffer(shape, dtype);
  }

  /** A float expression of exactly `shape`. */
  float(shape: readonly number[], depth: number, dtype: DType = 'float32'): Node {
    const r = this.r;
    if (depth <= 0 || r.chance(0.15)) return this.leaf(shape, dtype);
    const c = (v: number): Node => build.constant(v, dtype, shape);
    const sub = (s: readonly number[] = shape): Node => this.float(s, depth - 1, dtype);
    switch (r.int(0, 17)) {
      case 0:
      case 1: {
        const x = sub();
        const op = r.pick(['neg', 'abs', 'tanh', 'sin', 'cos', 'erf'] as const);
        return build.unary(op, x);
      }
      case 2: {
        const x = sub();
        switch (r.int(0, 4)) {
          case 0:
            return build.unary('exp', build.unary('tanh', x));
          case 1:
            return build.unary('log', build.binary('add', build.unary('abs', x), c(1)));
          case 2:
            return build.unary('sqrt', build.binary('add', build.unary('abs', x), c(1)));
          case 3:
            return build.unary('recip', build.binary('add', build.unary('abs', x), c(1)));
          default:
            return build.binary('pow', build.binary('add', build.unary('abs', x), c(0.5)), c(r.pick([2, 0.5, 1.5, -1])));
        }
      }
      case 3:
      case 4:
      case 5: {
        const op = r.pick(['add', 'sub', 'mul', 'max', 'min'] as const);
        return build.binary(op, sub(), sub());
      }
      case 6:
        return build.binary('div', sub(), build.binary('add', build.unary('abs', sub()), c(1)));
      case 7: {
        // broadcast: a value with some axes of size 1, expanded
        if (!shape.some((d) => d > 1)) return sub();
        const small = shape.map((d) => (d > 1 && r.chance(0.5) ? 1 : d));
        return build.expand(sub(small), shape);
      }
      case 8:
      case 9:
        return this.reduction(shape, depth, dtype);
      case 10: {
        if (shape.length < 2) return sub();
        const perm = shuffle(r, shape.map((_, i) => i));
        const inv = new Array<number>(perm.length);
        perm.forEach((p, i) => (inv[p] = i));
        return build.permute(sub(inv.map((p) => shape[p]!)), perm);
      }
      case 11: {
        const other = refactor(r, shape);
        return build.reshape(sub(other), shape);
      }
      case 12: {
        const start = shape.map(() => r.int(0, 1));
        const step = shape.map(() => r.int(1, 2));
        const big = shape.map((d, i) => start[i]! + (d - 1) * step[i]! + 1);
        return build.slice(sub(big), start, shape, step);
      }
      case 13: {
        if (!shape.some((d) => d > 1)) return sub();
        const pads = shape.map((d) => (d > 1 ? ([r.int(0, 1), 0] as const) : ([0, 0] as const)));
        const inner = shape.map((d, i) => d - pads[i]![0]);
        return build.pad(sub(inner), pads, r.pick([0, 1.5]));
      }
      case 14:
        return build.flip(sub(), shape.map((_, i) => i).filter(() => r.chance(0.5)));
      case 15: {
        if (shape.length === 0) return sub();
        const axis = r.int(0, shape.length - 1);
        return this.meanIfSum(build.cumsum(build.unary('tanh', sub()), axis), 'sum', shape[axis]!);
      }
      case 16:
        return this.contraction(shape, depth, dtype);
      default: {
        if (r.chance(0.5)) {
          const cond = build.binary('gt', this.leaf(shape, 'float32'), this.leaf(shape, 'float32'));
          return build.where(cond, sub(), sub());
        }
        if (shape.length === 0) return sub();
        const axis = r.int(0, shape.length - 1);
        const size = r.int(1, 4);
        const srcShape = shape.map((d, i) => (i === axis ? size : d));
        const idx = build.buffer(
          getDevice(this.device).fromHost('int32', Int32Array.from({ length: numel(shape) }, () => r.int(0, size - 1))),
          shape,
        );
        return build.gather(sub(srcShape), idx, axis);
      }
    }
  }

  /** Sums are scaled to means so values stay of order 1 (float32 rounding then stays well inside tolerance). */
  private meanIfSum(x: Node, op: string, count: number): Node {
    return op === 'sum' ? build.binary('mul', x, build.constant(1 / count, x.dtype, x.shape)) : x;
  }

  private reduction(shape: readonly number[], depth: number, dtype: DType): Node {
    const r = this.r;
    if (shape.length === 0) return this.float(shape, depth - 1, dtype);
    const axis = r.int(0, shape.length - 1);
    const op = r.pick(['sum', 'sum', 'max', 'min', 'prod'] as const);
    if (shape[axis] === 1) {
      const k = op === 'prod' ? r.int(2, 3) : r.int(2, 7);
      const src = shape.map((d, i) => (i === axis ? k : d));
      let x = this.float(src, depth - 1, dtype);
      if (op === 'prod') x = build.unary('tanh', x);
      return this.meanIfSum(build.reduce(x, op, [axis]), op, k);
    }
    // reduce and broadcast back: x - mean(x) style
    const x = this.float(shape, depth - 1, dtype);
    const red = this.meanIfSum(build.reduce(op === 'prod' ? build.unary('tanh', x) : x, op === 'prod' ? 'max' : op, [axis]), op, shape[axis]!);
    const back = build.expand(red, shape);
    return build.binary(r.pick(['sub', 'add', 'mul'] as const), x, back);
  }

  private contraction(shape: readonly number[], depth: number, dtype: DType): Node {
    const r = this.r;
    if (shape.length < 2) return this.float(shape, depth - 1, dtype);
    const m = shape[shape.length - 2]!;
    const n = shape[shape.length - 1]!;
    const batch = shape.slice(0, -2);
    const k = r.int(1, m * n > 400 ? 40 : 9);
    const a = this.float([...batch, m, k], depth - 1, dtype);
    const b = this.float([...batch, k, n], depth - 1, dtype);
    const full = [...batch, m, k, n];
    const ae = build.expand(build.reshape(a, [...batch, m, k, 1]), full);
    const be = build.expand(build.reshape(b, [...batch, 1, k, n]), full);
    const s = build.reduce(build.binary('mul', ae, be), 'sum', [batch.length + 1]);
    return build.reshape(this.meanIfSum(s, 'sum', k), shape);
  }

  /** An int32 expression of exactly `shape` (exact arithmetic: compared bit for bit). */
  int(shape: readonly number[], depth: number): Node {
    const r = this.r;
    if (depth <= 0 || r.chance(0.2)) return this.leaf(shape, 'int32');
    const sub = (s: readonly number[] = shape): Node => this.int(s, depth - 1);
    const c = (v: number): Node => build.constant(v, 'int32', shape);
    switch (r.int(0, 9)) {
      case 0:
        return build.unary(r.pick(['neg', 'abs', 'sign'] as const), sub());
      case 1:
      case 2:
        return build.binary(r.pick(['add', 'sub', 'mul', 'max', 'min', 'and', 'or', 'xor'] as const), sub(), sub());
      case 3:
        return build.binary(r.pick(['idiv', 'mod'] as const), sub(), c(r.pick([-3, -2, 2, 3, 7])));
      case 4: {
        // divisor that is never zero: |y| + 1
        return build.binary(r.pick(['idiv', 'mod'] as const), sub(), build.binary('add', build.unary('abs', sub()), c(1)));
      }
      case 5: {
        if (shape.length === 0) return sub();
        const axis = r.int(0, shape.length - 1);
        if (shape[axis] !== 1) return build.cumsum(sub(), axis);
        const src = shape.map((d, i) => (i === axis ? r.int(2, 5) : d));
        return build.reduce(sub(src), r.pick(['sum', 'max', 'min'] as const), [axis]);
      }
      case 6:
        return build.cast(build.binary('mul', this.leaf(shape, 'float32'), build.constant(3, 'float32', shape)), 'int32');
      case 7: {
        const cond = build.binary('lt', this.leaf(shape, 'int32'), this.leaf(shape, 'int32'));
        return build.where(cond, sub(), sub());
      }
      case 8: {
        if (shape.length < 2) return sub();
        const perm = shuffle(r, shape.map((_, i) => i));
        const inv = new Array<number>(perm.length);
        perm.forEach((p, i) => (inv[p] = i));
        return build.permute(sub(inv.map((p) => shape[p]!)), perm);
      }
      default:
        return build.binary('pow', sub(), c(r.int(0, 3)));
    }
  }

  /** A bool expression (comparisons and logic over buffers). */
  bool(shape: readonly number[], depth: number): Node {
    const r = this.r;
    if (depth <= 0 || r.chance(0.3)) {
      return r.chance(0.5) ? this.leaf(shape, 'bool') : build.binary(r.pick(['lt', 'le', 'eq', 'ne', 'gt', 'ge'] as const), this.leaf(shape, 'int32'), this.leaf(shape, 'int32'));
    }
    const sub = (s: readonly number[] = shape): Node => this.bool(s, depth - 1);
    switch (r.int(0, 3)) {
      case 0:
        return build.unary('not', sub());
      case 1:
        return build.binary(r.pick(['and', 'or', 'xor'] as const), sub(), sub());
      case 2: {
        if (shape.length === 0) return sub();
        const axis = r.int(0, shape.length - 1);
        if (shape[axis] !== 1) return sub();
        const src = shape.map((d, i) => (i === axis ? r.int(2, 4) : d));
        return build.reduce(sub(src), r.pick(['max', 'min', 'sum'] as const), [axis]);
      }
      default:
        return build.where(sub(), sub(), sub());
    }
  }

  shape(maxRank = 3, maxDim = 5): number[] {
    const rank = this.r.int(0, maxRank);
    return Array.from({ length: rank }, () => this.r.int(1, maxDim));
  }
}

function shuffle<T>(r: Rng, xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Another shape with the same number of elements. */
function refactor(r: Rng, shape: readonly number[]): number[] {
  const n = numel(shape);
  const out: number[] = [];
  let rest = n;
  while (rest > 1 && out.length < 3) {
    const divs: number[] = [];
    for (let d = 2; d <= rest; d++) if (rest % d === 0) divs.push(d);
    const d = r.pick(divs);
    out.push(d);
    rest /= d;
  }
  if (rest > 1) out.push(rest);
  if (r.chance(0.3)) out.splice(r.int(0, out.length), 0, 1);
  return out;
}
