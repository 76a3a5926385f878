/**
 * The VJP rules: one entry per primitive of the op table (src/ir/ops.ts), all in this one table.
 *
 * A rule receives the forward node, its inputs and the cotangent `g` (shaped and typed like the node) and
 * returns, for each input, either `null` (no gradient flows into that input: comparisons, indices,
 * conditions, seeds, detach) or a thunk building the input's cotangent as IR nodes. Thunks let the engine
 * build only the gradients it needs. The engine calls a rule only for float nodes, and drops the gradients
 * of inputs that are not float (integer and bool paths carry no gradient).
 *
 * Ops whose gradient is zero almost everywhere (floor, ceil, round, trunc, sign, floor division) return a
 * zero cotangent rather than `null`: the input *was* used, and `autograd.grad` must say so, as PyTorch does.
 *
 * Choices where PyTorch has a convention (documented here once):
 * - reduce max/min: the gradient is split evenly among the positions equal to the extremum, as PyTorch's
 *   `amax`/`amin` and full `max()`/`min()` backward do (`evenly_distribute_backward`). PyTorch's `max(dim)`
 *   (values and indices) sends it to the one returned index instead; graft's `max(dim)` is built on reduce
 *   max, so its gradient is the even split too (equal to PyTorch's wherever there are no ties).
 * - binary max/min (torch.maximum/minimum): where the operands are equal each gets half the gradient.
 * - pow: d/dx x^y = y x^(y-1), masked to 0 where y == 0; d/dy x^y = x^y log(x), masked to 0 where x == 0 and
 *   y >= 0 (PyTorch's pow_backward_self / pow_backward_exponent; x < 0 gives NaN there, as in PyTorch).
 * - abs: g * sign(x), so 0 at x = 0. sqrt: g / (2 sqrt(x)). prod: exact with zeros in the input (the
 *   product of the other elements), without dividing by zero.
 */
import { build, type Node, type Op, type ReduceOp } from '../../ir/index.js';
import * as A from './algebra.js';

/** What a rule sees. */
export interface VjpContext {
  /** The forward node. */
  readonly node: Node;
  /** Its inputs (node.srcs). */
  readonly srcs: readonly Node[];
  /** The cotangent of the node (same shape and dtype). */
  readonly g: Node;
}

/** Builds one input's cotangent. */
export type GradThunk = () => Node;
export type VjpRule = (c: VjpContext) => readonly (GradThunk | null)[];

/** Inputs that receive no gradient (null for each of `n` inputs). */
const none = (n: number): VjpRule => () => new Array<null>(n).fill(null);
/** A unary op whose gradient is zero wherever it exists. */
const zeroGrad: VjpRule = ({ srcs }) => [() => A.zerosLike(srcs[0]!)];

const x0 = (c: VjpContext): Node => c.srcs[0]!;
const x1 = (c: VjpContext): Node => c.srcs[1]!;

/** Inverse of a permutation. */
function invertPerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/**
 * The transpose of a strided slice along one axis: put the `size` elements of `g` back at positions
 * start, start+step, ... of an axis of length n, zeros elsewhere. Spreading by `step` is reshape [m, 1] ->
 * pad to [m, step] -> reshape [m*step]; then pad (or trim) to n. Only views and pads: no scatter.
 */
function unsliceAxis(g: Node, ax: number, start: number, step: number, n: number): Node {
  const shp = g.shape;
  const size = shp[ax]!;
  let y = g;
  let len = size;
  if (step > 1 && size > 0) {
    const split = [...shp.slice(0, ax), size, 1, ...shp.slice(ax + 1)];
    y = build.reshape(y, split);
    y = build.pad(
      y,
      split.map((_, i) => (i === ax + 1 ? ([0, step - 1] as const) : ([0, 0] as const))),
    );
    len = size * step;
    y = build.reshape(y, [...shp.slice(0, ax), len, ...shp.slice(ax + 1)]);
  }
  const after = n - start - len;
  if (after < 0) {
    const sizes = [...y.shape];
    sizes[ax] = len + after;
    y = build.slice(y, y.shape.map(() => 0), sizes);
  }
  return build.pad(
    y,
    y.shape.map((_, i) => (i === ax ? ([start, Math.max(after, 0)] as const) : ([0, 0] as const))),
  );
}

/** Cotangent of a reduce over `axes` (kept as size 1). */
function reduceVjp(c: VjpContext): readonly (GradThunk | null)[] {
  const { op, axes } = c.node.arg as { op: ReduceOp; axes: number[] };
  const x = x0(c);
  const gx = (): Node => build.expand(c.g, x.shape);
  switch (op) {
    case 'sum':
      return [gx];
    case 'max':
    case 'min':
      return [
        () => {
          // Even split among the positions equal to the extremum (ties share the gradient).
          const mask = build.binary('eq', x, build.expand(c.node, x.shape));
          const count = A.sumKeep(build.cast(mask, x.dtype), axes);
          // A NaN extremum matches nothing: count 0 -> 1 keeps the (unused) share finite.
          const safe = A.where(build.binary('eq', count, A.zerosLike(count)), A.constLike(count, 1), count);
          return A.where(mask, build.expand(A.div(c.g, safe), x.shape), A.zerosLike(x));
        },
      ];
    case 'prod':
      return [
        () => {
          // d prod / d x_i = product of the other elements. Without division by zero: count the zeros z of each
          // reduced group and take P = product of the non-zero elements. z = 0: P / x_i; z = 1: P at the zero,
          // 0 elsewhere; z >= 2: 0.
          const isZero = build.binary('eq', x, A.zerosLike(x));
          const one = A.constLike(x, 1);
          const nonzero = A.where(isZero, one, x);
          const p = build.expand(build.reduce(nonzero, 'prod', axes), x.shape);
          const z = build.expand(A.sumKeep(build.cast(isZero, x.dtype), axes), x.shape);
          const others = A.where(
            build.binary('eq', z, A.zerosLike(z)),
            A.div(p, nonzero),
            A.where(A.and(isZero, build.binary('eq', z, one)), p, A.zerosLike(x)),
          );
          return A.mul(build.expand(c.g, x.shape), others);
        },
      ];
  }
}

/** PyTorch's maximum/minimum backward: the larger (smaller) operand gets g, a tie gives each g/2. */
function extremumVjp(wins: 'gt' | 'lt'): VjpRule {
  return (c) => {
    const [a, b] = c.srcs as [Node, Node];
    const half = (): Node => A.scale(c.g, 0.5);
    const share = (self: Node, other: Node) => (): Node =>
      A.where(build.binary('eq', self, other), half(), A.where(build.binary(wins, self, other), c.g, A.zerosLike(c.g)));
    return [share(a, b), share(b, a)];
  };
}

export const VJP_RULES = {
  // sources: nothing below them
  const: none(0),
  buffer: none(0),
  iota: none(0),
  rand: none(1),
  // unary elementwise
  neg: (c) => [() => A.neg(c.g)],
  abs: (c) => [() => A.mul(c.g, build.unary('sign', x0(c)))],
  sign: zeroGrad,
  not: none(1),
  exp: (c) => [() => A.mul(c.g, c.node)],
  log: (c) => [() => A.div(c.g, x0(c))],
  sin: (c) => [() => A.mul(c.g, build.unary('cos', x0(c)))],
  cos: (c) => [() => A.neg(A.mul(c.g, build.unary('sin', x0(c))))],
  tanh: (c) => [() => A.mul(c.g, A.sub(A.constLike(c.node, 1), A.mul(c.node, c.node)))],
  erf: (c) => [
    () => {
      const x = x0(c);
      return A.mul(c.g, A.scale(build.unary('exp', A.neg(A.mul(x, x))), 2 / Math.sqrt(Math.PI)));
    },
  ],
  sqrt: (c) => [() => A.div(c.g, A.scale(c.node, 2))],
  recip: (c) => [() => A.neg(A.mul(c.g, A.mul(c.node, c.node)))],
  floor: zeroGrad,
  ceil: zeroGrad,
  round: zeroGrad,
  trunc: zeroGrad,
  // float -> float casts carry the gradient back in the input's dtype; from int/bool there is none
  // (the engine drops gradients into non-float inputs).
  cast: (c) => [() => build.cast(c.g, x0(c).dtype)],
  // binary elementwise
  add: (c) => [() => c.g, () => c.g],
  sub: (c) => [() => c.g, () => A.neg(c.g)],
  mul: (c) => [() => A.mul(c.g, x1(c)), () => A.mul(c.g, x0(c))],
  // d/db a/b = -g * ((a / b) / b), in PyTorch's order: b * b overflows (float16: b > 256) where this does not.
  div: (c) => [() => A.div(c.g, x1(c)), () => A.neg(A.mul(c.g, A.div(A.div(x0(c), x1(c)), x1(c))))],
  idiv: (c) => [() => A.zerosLike(x0(c)), () => A.zerosLike(x1(c))],
  // remainder(a, b) = a - floor(a / b) * b
  mod: (c) => [() => c.g, () => A.neg(A.mul(c.g, build.binary('idiv', x0(c), x1(c))))],
  pow: (c) => {
    const [x, y] = c.srcs as [Node, Node];
    return [
      () => A.where(A.cmp('eq', y, A.zerosLike(y)), A.zerosLike(x), A.mul(c.g, A.mul(y, A.pow(x, A.sub(y, A.constLike(y, 1)))))),
      () =>
        A.where(
          A.and(A.cmp('eq', x, A.zerosLike(x)), A.cmp('ge', y, A.zerosLike(y))),
          A.zerosLike(y),
          A.mul(c.g, A.mul(c.node, build.unary('log', x))),
        ),
    ];
  },
  max: extremumVjp('gt'),
  min: extremumVjp('lt'),
  and: none(2),
  or: none(2),
  xor: none(2),
  // comparisons: bool results, no gradient
  lt: none(2),
  le: none(2),
  gt: none(2),
  ge: none(2),
  eq: none(2),
  ne: none(2),
  // ternary
  where: (c) => {
    const cond = x0(c);
    const z = A.zerosLike(c.g);
    return [null, () => A.where(cond, c.g, z), () => A.where(cond, z, c.g)];
  },
  reduce: reduceVjp,
  // cumsum's transpose is the reversed cumsum
  cumsum: (c) => [
    () => {
      const { axis } = c.node.arg as { axis: number };
      return build.flip(build.cumsum(build.flip(c.g, [axis]), axis), [axis]);
    },
  ],
  // integer positions: no gradient
  argsort: none(1),
  // movement: each view's transpose
  reshape: (c) => [() => build.reshape(c.g, x0(c).shape)],
  permute: (c) => [() => build.permute(c.g, invertPerm((c.node.arg as { perm: number[] }).perm))],
  expand: (c) => [() => A.unexpand(c.g, x0(c).shape)],
  pad: (c) => [
    () => {
      const { pads } = c.node.arg as { readonly pads: readonly (readonly [number, number])[] };
      return build.slice(c.g, pads.map(([b]) => b), x0(c).shape);
    },
  ],
  slice: (c) => [
    () => {
      const { start, step } = c.node.arg as { start: number[]; step: number[] };
      const x = x0(c);
      let g = c.g;
      for (let ax = 0; ax < x.shape.length; ax++) {
        if (start[ax] === 0 && step[ax] === 1 && g.shape[ax] === x.shape[ax]) continue;
        g = unsliceAxis(g, ax, start[ax]!, step[ax]!, x.shape[ax]!);
      }
      return g;
    },
  ],
  flip: (c) => [() => build.flip(c.g, (c.node.arg as { axes: number[] }).axes)],
  // unfold's transpose sums the overlapping windows back: window element k of window o came from position
  // o*step + k, so each k contributes g[..., :, ..., k] spread by `step` from offset k (pads and adds only).
  unfold: (c) => [
    () => {
      const { axis, size, step } = c.node.arg as { axis: number; size: number; step: number };
      const x = x0(c);
      const g = c.g;
      const last = g.shape.length - 1;
      let acc: Node | null = null;
      for (let k = 0; k < size; k++) {
        const start = g.shape.map((_, i) => (i === last ? k : 0));
        const sizes = g.shape.map((d, i) => (i === last ? 1 : d));
        const gk = build.reshape(build.slice(g, start, sizes), g.shape.slice(0, last));
        const term = unsliceAxis(gk, axis, k, step, x.shape[axis]!);
        acc = acc === null ? term : build.binary('add', acc, term);
      }
      return acc!;
    },
  ],
  // data-dependent indexing: gather and scatterAdd are each other's transpose
  gather: (c) => [() => build.scatterAdd(A.zerosLike(x0(c)), x1(c), c.g, (c.node.arg as { axis: number }).axis), null],
  scatterAdd: (c) => [() => c.g, null, () => build.gather(c.g, x1(c), (c.node.arg as { axis: number }).axis)],
  // memory
  contiguous: (c) => [() => c.g],
  detach: none(1),
  assign: (c) => [null, () => c.g],
} as const satisfies Record<Op, VjpRule>;

/** The rule of an op. */
export const vjpRule = (op: Op): VjpRule => VJP_RULES[op];
