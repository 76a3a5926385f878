/**
 * Rewrite rules of the simplifier, one function per family. Each takes a node whose inputs are already
 * simplified and returns an equivalent node (or the same one). Equivalent means bit-identical results:
 * `x + 0.0` is not folded for floats (it turns -0 into +0), `x * 0` only for integers (NaN * 0 is NaN).
 */
import * as build from '../../ir/build.js';
import { isFloat } from '../../ir/dtype.js';
import type { Node } from '../../ir/node.js';
import { OPS, type ReduceOp } from '../../ir/ops.js';
import { castScalar, scalarIs, type Scalar } from '../../ir/scalar.js';
import { binaryFn, unaryFn } from '../../ir/scalar-math.js';

const constOf = (n: Node): Scalar | null => (n.op === 'const' ? (n.arg as Scalar) : null);
const isConst = (n: Node, v: number): boolean => n.op === 'const' && scalarIs(n.arg as Scalar, v);

/** Elementwise ops of constants are constants, rounded to the node's dtype as a kernel would store them. */
export function foldConstants(n: Node): Node {
  const cat = OPS[n.op].cat;
  if (!(cat === 'unary' || cat === 'binary' || cat === 'compare' || cat === 'ternary')) return n;
  if (n.op === 'where') {
    const c = constOf(n.srcs[0]!);
    if (c !== null) return c !== 0 ? n.srcs[1]! : n.srcs[2]!;
    if (n.srcs[1] === n.srcs[2]) return n.srcs[1]!;
    return n;
  }
  if (!n.srcs.every((s) => s.op === 'const')) return n;
  const xs = n.srcs.map((s) => s.arg as Scalar);
  const srcType = n.srcs[0]!.dtype;
  let r: Scalar;
  try {
    if (n.op === 'cast') r = xs[0]!;
    else if (n.srcs.length === 1) r = unaryFn(n.op, srcType)!(xs[0]!);
    else r = binaryFn(n.op, srcType)!(xs[0]!, xs[1]!);
  } catch {
    return n; // integer division by zero: the kernel raises it when run
  }
  return build.constant(castScalar(r, n.dtype), n.dtype, n.shape);
}

/** x*1, 1*x, x/1, x-0, x+(-0), int x+0 and x*0, neg(neg x), pow(x, 1|2|0), max(x,x), ... */
export function identities(n: Node): Node {
  const [a, b] = n.srcs as [Node, Node];
  const f = isFloat(n.dtype);
  switch (n.op) {
    case 'mul':
      if (isConst(b, 1) || (n.dtype === 'bool' && isConst(b, 1))) return a;
      if (isConst(a, 1)) return b;
      if (!f && (isConst(a, 0) || isConst(b, 0))) return build.constant(0, n.dtype, n.shape);
      return n;
    case 'add':
      if (f ? isConst(b, -0) : isConst(b, 0)) return a;
      if (f ? isConst(a, -0) : isConst(a, 0)) return b;
      return n;
    case 'sub':
      if (isConst(b, 0)) return a;
      return n;
    case 'div':
      if (isConst(b, 1)) return a;
      return n;
    case 'idiv':
      if (!f && isConst(b, 1)) return a;
      return n;
    case 'neg':
      if (a.op === 'neg') return a.srcs[0]!;
      return n;
    case 'pow':
      if (isConst(b, 1)) return a;
      if (isConst(b, 2)) return build.binary('mul', a, a);
      if (isConst(b, 0)) return build.constant(1, n.dtype, n.shape);
      return n;
    case 'max':
    case 'min':
    case 'and':
    case 'or':
      return a === b ? a : n;
    case 'contiguous':
      // A realized value already is a buffer of its own.
      return a.realized ? a : n;
    case 'detach':
      return a;
    case 'cumsum':
      return a.shape[(n.arg as { axis: number }).axis] === 1 ? a : n;
    case 'reduce':
      return reduceRule(n);
    default:
      return n;
  }
}

function reduceRule(n: Node): Node {
  const src = n.srcs[0]!;
  const { op, axes } = n.arg as { op: ReduceOp; axes: number[] };
  if (axes.every((ax) => src.shape[ax] === 1)) return src;
  const count = axes.reduce((p, ax) => p * src.shape[ax]!, 1);
  if (count === 0) {
    // The reference's value of an empty reduction, converted to the dtype.
    const v = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
    return build.constant(castScalar(v, n.dtype), n.dtype, n.shape);
  }
  const c = constOf(src);
  if (c !== null && (op === 'max' || op === 'min')) return build.constant(c, n.dtype, n.shape);
  if (c !== null && op === 'sum' && n.dtype !== 'bool') {
    // Integers: the exact product, wrapped to the width by the cast (as the kernel's wrapping sum).
    const s = isFloat(n.dtype) ? (c as number) * count : BigInt(c) * BigInt(count);
    return build.constant(castScalar(s, n.dtype), n.dtype, n.shape);
  }
  return n;
}
