/**
 * The arithmetic the VJP rules are written in: thin wrappers over src/ir/build.ts that fold the cases that
 * are free and exact (x + 0, x * 1, 0 * x, a constant op a constant, a `where` on a constant condition).
 * Backward programs are full of them (the cotangent of a sum is a constant 1, the exponent of `x**2` is a
 * constant 2), and folding them here keeps the printed backward program readable and the second
 * derivative's graph small. Everything else is left to the compiler's simplify pass.
 *
 * Note on `0 * x -> 0`: IEEE says 0 * inf = NaN. Folding it means a zero cotangent stays zero even where the
 * forward value is infinite, which is what PyTorch does for gradients it knows are zero (it skips them).
 */
import { build, castScalar, isFloat, scalarIs, type DType, type Node, type Scalar, type Shape } from '../../ir/index.js';

export const isConst = (n: Node): boolean => n.op === 'const';
const constValue = (n: Node): Scalar => n.arg as Scalar;
/** Whether n is the constant v (compared as `===` compares numbers: 0 and -0 are equal). */
export function isConstOf(n: Node, v: number): boolean {
  if (n.op !== 'const') return false;
  const x = constValue(n);
  return typeof x === 'bigint' ? scalarIs(x, v) : x === v;
}

/** A constant shaped and typed like `like`. */
export const constLike = (like: Node, v: Scalar): Node => build.constant(v, like.dtype, like.shape);
export const zerosLike = (like: Node): Node => constLike(like, 0);
export const zeros = (dtype: DType, shape: Shape): Node => build.constant(0, dtype, shape);

/** Fold a binary op of two constants when JS doubles give the exact IEEE result for the dtype. */
function foldConsts(op: 'add' | 'sub' | 'mul' | 'div', a: Node, b: Node): Node | null {
  if (!isConst(a) || !isConst(b)) return null;
  // Only floats: doubles round +,-,*,/ of float32 values correctly after one more rounding to float32.
  // (Gradients are floats; integer constants are left to the compiler's folding.)
  if (!isFloat(a.dtype)) return null;
  const x = constValue(a) as number;
  const y = constValue(b) as number;
  const v = op === 'add' ? x + y : op === 'sub' ? x - y : op === 'mul' ? x * y : x / y;
  return build.constant(castScalar(v, a.dtype), a.dtype, a.shape);
}

export function add(a: Node, b: Node): Node {
  if (isConstOf(a, 0)) return b;
  if (isConstOf(b, 0)) return a;
  return foldConsts('add', a, b) ?? build.binary('add', a, b);
}

export function sub(a: Node, b: Node): Node {
  if (isConstOf(b, 0)) return a;
  if (isConstOf(a, 0)) return neg(b);
  return foldConsts('sub', a, b) ?? build.binary('sub', a, b);
}

export function mul(a: Node, b: Node): Node {
  if (isConstOf(a, 0)) return a;
  if (isConstOf(b, 0)) return b;
  if (isConstOf(a, 1)) return b;
  if (isConstOf(b, 1)) return a;
  if (isConstOf(a, -1)) return neg(b);
  if (isConstOf(b, -1)) return neg(a);
  return foldConsts('mul', a, b) ?? build.binary('mul', a, b);
}

export function div(a: Node, b: Node): Node {
  if (isConstOf(a, 0)) return a;
  if (isConstOf(b, 1)) return a;
  return foldConsts('div', a, b) ?? build.binary('div', a, b);
}

export function neg(a: Node): Node {
  if (isConst(a)) return constLike(a, -constValue(a));
  if (a.op === 'neg') return a.srcs[0]!;
  return build.unary('neg', a);
}

/** x ** y with the free cases folded (y = 1, y = 0). */
export function pow(x: Node, y: Node): Node {
  if (isConstOf(y, 1)) return x;
  if (isConstOf(y, 0)) return constLike(x, 1);
  return build.binary('pow', x, y);
}

/** The constant `v` broadcast to x's shape and dtype, times x. */
export const scale = (x: Node, v: number): Node => mul(x, constLike(x, v));

/** Comparison with constant folding (for masks such as `exponent == 0` on a constant exponent). */
export function cmp(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: Node, b: Node): Node {
  if (isConst(a) && isConst(b)) {
    const x = constValue(a);
    const y = constValue(b);
    const r = op === 'eq' ? x === y : op === 'ne' ? x !== y : op === 'lt' ? x < y : op === 'le' ? x <= y : op === 'gt' ? x > y : x >= y;
    return build.constant(r ? 1 : 0, 'bool', a.shape);
  }
  return build.binary(op, a, b);
}

export function and(a: Node, b: Node): Node {
  if (isConstOf(a, 0) || isConstOf(b, 1)) return a;
  if (isConstOf(b, 0) || isConstOf(a, 1)) return b;
  return build.binary('and', a, b);
}

/** where(c, a, b), choosing a branch outright when the condition is a constant. */
export function where(c: Node, a: Node, b: Node): Node {
  if (isConst(c)) return constValue(c) ? a : b;
  if (a === b) return a;
  return build.where(c, a, b);
}

/** Sum over `axes`, keeping them as size 1 (the IR's reduce convention). */
export function sumKeep(x: Node, axes: readonly number[]): Node {
  if (axes.length === 0) return x;
  if (isConst(x)) {
    // A sum of a constant is the constant times the count, exact when the count is small enough.
    const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
    const v = constValue(x);
    if (typeof v === 'bigint') return build.reduce(x, 'sum', axes);
    if (v === 0) return build.constant(0, x.dtype, x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
    if (x.dtype !== 'float32' || count <= 1 << 24) {
      return build.constant(castScalar(v * count, x.dtype), x.dtype, x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
    }
  }
  return build.reduce(x, 'sum', axes);
}

/** Undo broadcasting: sum `g` (shaped like an expand's output) down to `shape` (same rank, 1s where expanded). */
export function unexpand(g: Node, shape: Shape): Node {
  const axes: number[] = [];
  shape.forEach((d, i) => {
    if (d !== g.shape[i]) axes.push(i);
  });
  return sumKeep(g, axes);
}
