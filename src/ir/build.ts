/**
 * Builders for IR nodes. They check the IR conventions (equal shapes and dtypes for elementwise ops,
 * valid axes, ...) and apply the rewrites that are always free: identity movements vanish, movements of a
 * constant are a constant, a reshape of a reshape is one reshape. User-facing checks with PyTorch's
 * messages happen earlier, in the tensor layer; a failure here is a bug in graft.
 */
import { type DType, isFloat, isInt } from './dtype.js';
import { makeNode, type Node, type BufferRef } from './node.js';
import { castScalar, type Scalar } from './scalar.js';
import { OPS, type Op, type OpInfo, type ReduceOp, type UnaryOp, type BinaryOp } from './ops.js';
import { type Shape, shapeEq, numel } from './shape.js';

/** An IR invariant broken (a graft bug). The message is made only then: no closure per check on the hot path. */
function fail(msg: () => string): never {
  throw new Error(`internal IR error: ${msg()}`);
}

const sh = (s: Shape): string => `[${s.join(',')}]`;

/** A constant: `value` converted to the dtype as a cast would (callers check user values first). */
export function constant(value: Scalar | boolean, dtype: DType, shape: Shape = []): Node {
  return makeNode('const', dtype, shape, [], castScalar(value, dtype));
}

export function buffer(ref: BufferRef, shape: Shape = [ref.size]): Node {
  if (!(numel(shape) === ref.size)) fail(() => `buffer of ${ref.size} elements viewed as ${sh(shape)}`);
  return makeNode('buffer', ref.dtype, shape, [], { ref });
}

export function iota(n: number, dtype: DType = 'int32'): Node {
  return makeNode('iota', dtype, [n], [], null);
}

/** Uniform [0, 1) numbers from a counter-based generator keyed by the seed buffer (int32[2]) and salt. */
export function rand(seed: Node, salt: number, dtype: DType, shape: Shape): Node {
  if (!(seed.dtype === 'int32' && seed.numel === 2)) fail(() => 'rand seed must be int32[2]');
  if (!(isFloat(dtype))) fail(() => `rand of ${dtype}`);
  return makeNode('rand', dtype, shape, [seed], { salt });
}

export function unary(op: UnaryOp, x: Node): Node {
  if (!(OPS[op].cat === 'unary' && op !== 'cast')) fail(() => `${op} is not a unary op`);
  if (!(OPS[op] as OpInfo).ints && !isFloat(x.dtype)) fail(() => `${op} of ${x.dtype}`);
  const dtype = op === 'not' ? 'bool' : x.dtype;
  if (x.op === 'const') {
    // Leave folding of math to the compiler's simplify pass (it knows each device's rounding).
  }
  return makeNode(op, dtype, x.shape, [x], null);
}

export function cast(x: Node, dtype: DType): Node {
  if (x.dtype === dtype) return x;
  if (x.op === 'const') return constant(x.arg as Scalar, dtype, x.shape);
  return makeNode('cast', dtype, x.shape, [x], null);
}

export function binary(op: BinaryOp, a: Node, b: Node): Node {
  const info = OPS[op] as OpInfo;
  if (a.shape !== b.shape && !shapeEq(a.shape, b.shape)) fail(() => `${op} of shapes ${sh(a.shape)} and ${sh(b.shape)}`);
  if (a.dtype !== b.dtype) fail(() => `${op} of dtypes ${a.dtype} and ${b.dtype}`);
  if (!info.ints && !isFloat(a.dtype)) fail(() => `${op} of ${a.dtype}`);
  return makeNode(op, info.cat === 'compare' ? 'bool' : a.dtype, a.shape, [a, b], null);
}

export function where(c: Node, a: Node, b: Node): Node {
  if (!(c.dtype === 'bool')) fail(() => `where condition of ${c.dtype}`);
  if (!(shapeEq(c.shape, a.shape) && shapeEq(a.shape, b.shape))) fail(() => `where of ${sh(c.shape)} ${sh(a.shape)} ${sh(b.shape)}`);
  if (!(a.dtype === b.dtype)) fail(() => `where of ${a.dtype} and ${b.dtype}`);
  return makeNode('where', a.dtype, a.shape, [c, a, b], null);
}

/** Reduce over axes, keeping them as size 1. */
export function reduce(x: Node, op: ReduceOp, axes: readonly number[]): Node {
  const ax = [...new Set(axes)].sort((p, q) => p - q);
  if (!(ax.every((a) => a >= 0 && a < x.shape.length))) fail(() => `reduce axes ${ax} of rank ${x.shape.length}`);
  if (ax.length === 0) return x;
  const shape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  return makeNode('reduce', x.dtype, shape, [x], { op, axes: ax });
}

export function cumsum(x: Node, axis: number): Node {
  if (!(axis >= 0 && axis < x.shape.length)) fail(() => `cumsum axis ${axis}`);
  return makeNode('cumsum', x.dtype, x.shape, [x], { axis });
}

/** Stable argsort along `axis`: int64 positions (see the op table). */
export function argsort(x: Node, axis: number, descending: boolean): Node {
  if (!(axis >= 0 && axis < x.shape.length)) fail(() => `argsort axis ${axis}`);
  return makeNode('argsort', 'int64', x.shape, [x], { axis, descending });
}

export function reshape(x: Node, shape: Shape): Node {
  if (!(numel(shape) === x.numel)) fail(() => `reshape ${sh(x.shape)} to ${sh(shape)}`);
  if (shapeEq(x.shape, shape)) return x;
  if (x.op === 'const') return constant(x.arg as Scalar, x.dtype, shape);
  if (x.op === 'reshape') return reshape(x.srcs[0]!, shape);
  return makeNode('reshape', x.dtype, shape, [x], null);
}

export function permute(x: Node, perm: readonly number[]): Node {
  if (!(perm.length === x.shape.length && [...perm].sort((a, b) => a - b).every((p, i) => p === i))) fail(() => `permute ${perm} of rank ${x.shape.length}`);
  if (perm.every((p, i) => p === i)) return x;
  const shape = perm.map((p) => x.shape[p]!);
  if (x.op === 'const') return constant(x.arg as Scalar, x.dtype, shape);
  if (x.op === 'permute') {
    const inner = (x.arg as { perm: number[] }).perm;
    return permute(x.srcs[0]!, perm.map((p) => inner[p]!));
  }
  return makeNode('permute', x.dtype, shape, [x], { perm: [...perm] });
}

export function expand(x: Node, shape: Shape): Node {
  if (x.shape === shape || shapeEq(x.shape, shape)) return x;
  if (!(shape.length === x.shape.length && x.shape.every((d, i) => d === shape[i] || d === 1))) fail(() => `expand ${sh(x.shape)} to ${sh(shape)}`);
  if (x.op === 'const') return constant(x.arg as Scalar, x.dtype, shape);
  return makeNode('expand', x.dtype, shape, [x], null);
}

/** Pad each axis with [before, after] elements of `value` (amounts >= 0). */
export function pad(x: Node, pads: readonly (readonly [number, number])[], value: Scalar = 0): Node {
  if (!(pads.length === x.shape.length && pads.every(([b, a]) => b >= 0 && a >= 0))) fail(() => `pad ${JSON.stringify(pads)} of ${sh(x.shape)}`);
  if (pads.every(([b, a]) => b === 0 && a === 0)) return x;
  const shape = x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
  const v = castScalar(value, x.dtype);
  if (x.op === 'const' && argEquals(x.arg as Scalar, v)) return constant(v, x.dtype, shape);
  return makeNode('pad', x.dtype, shape, [x], { pads: pads.map(([b, a]) => [b, a] as const), value: v });
}

/** Elements start[i], start[i]+step[i], ... (size[i] of them) along each axis; step > 0. */
export function slice(x: Node, start: readonly number[], size: readonly number[], step?: readonly number[]): Node {
  const st = step ?? x.shape.map(() => 1);
  const ok =
    start.length === x.shape.length &&
    size.length === x.shape.length &&
    st.length === x.shape.length &&
    x.shape.every((d, i) => st[i]! > 0 && start[i]! >= 0 && size[i]! >= 0 && (size[i] === 0 || start[i]! + (size[i]! - 1) * st[i]! < d));
  if (!ok) fail(() => `slice start ${start} size ${size} step ${st} of ${sh(x.shape)}`);
  if (x.shape.every((d, i) => start[i] === 0 && size[i] === d && (st[i] === 1 || d <= 1))) return x;
  if (x.op === 'const') return constant(x.arg as Scalar, x.dtype, size);
  return makeNode('slice', x.dtype, size, [x], { start: [...start], step: st.map((s, i) => (size[i]! <= 1 ? 1 : s)) });
}

export function flip(x: Node, axes: readonly number[]): Node {
  const ax = [...new Set(axes)].filter((a) => x.shape[a]! > 1).sort((a, b) => a - b);
  if (ax.length === 0) return x;
  if (x.op === 'const') return x;
  return makeNode('flip', x.dtype, x.shape, [x], { axes: ax });
}

/** Sliding windows along `axis` (torch.Tensor.unfold): see the op table. */
export function unfold(x: Node, axis: number, size: number, step: number): Node {
  const d = x.shape[axis]!;
  if (!(axis >= 0 && axis < x.shape.length && size >= 1 && step >= 1 && size <= d)) fail(() => `unfold axis ${axis} size ${size} step ${step} of ${sh(x.shape)}`);
  const count = Math.floor((d - size) / step) + 1;
  const shape = [...x.shape.slice(0, axis), count, ...x.shape.slice(axis + 1), size];
  if (x.op === 'const') return constant(x.arg as Scalar, x.dtype, shape);
  return makeNode('unfold', x.dtype, shape, [x], { axis, size, step });
}

/** Whether two values of one dtype are the same value (NaN is NaN; -0 is not 0). */
const argEquals = (a: Scalar, b: Scalar): boolean => (typeof a === 'bigint' ? a === b : Object.is(a, b));

/** Indices are int32 or int64 (kernels bounds-check them in 64 bits). */
export function gather(src: Node, index: Node, axis: number): Node {
  if (!(isInt(index.dtype))) fail(() => `gather index of ${index.dtype}`);
  if (!(index.shape.length === src.shape.length)) fail(() => `gather index rank ${index.shape.length} vs ${src.shape.length}`);
  return makeNode('gather', src.dtype, index.shape, [src, index], { axis });
}

export function scatterAdd(base: Node, index: Node, values: Node, axis: number): Node {
  if (!(isInt(index.dtype) && shapeEq(index.shape, values.shape))) fail(() => `scatterAdd index ${index.dtype}${sh(index.shape)} values ${sh(values.shape)}`);
  if (!(base.dtype === values.dtype && base.shape.length === values.shape.length)) fail(() => `scatterAdd base ${base.dtype}${sh(base.shape)}`);
  return makeNode('scatterAdd', base.dtype, base.shape, [base, index, values], { axis });
}

export function contiguous(x: Node): Node {
  if (x.op === 'buffer' || x.op === 'contiguous') return x;
  return makeNode('contiguous', x.dtype, x.shape, [x], null);
}

export function detach(x: Node): Node {
  // A buffer may be a leaf that requires grad: detaching it must stay visible to autodiff.
  if (x.op === 'detach' || x.op === 'const' || x.op === 'iota') return x;
  return makeNode('detach', x.dtype, x.shape, [x], null);
}

export function assign(target: Node, value: Node): Node {
  if (!(target.op === 'buffer')) fail(() => 'assign target must be a buffer');
  if (!(target.dtype === value.dtype && shapeEq(target.shape, value.shape))) fail(() => 'assign of a different dtype or shape');
  return makeNode('assign', value.dtype, value.shape, [target, value], null);
}

/** Broadcast a node to a shape the way PyTorch does (leading 1s, then expand). */
export function broadcastTo(x: Node, shape: Shape): Node {
  let y = x;
  if (y.shape.length < shape.length) y = reshape(y, [...Array<number>(shape.length - y.shape.length).fill(1), ...y.shape]);
  return expand(y, shape);
}

export type { Op };
