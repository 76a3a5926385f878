/**
 * The op table: one entry per IR primitive. Everything else in graft (the Tensor API, nn, autodiff of
 * composite functions) is built from these. Later stages keep their own per-op tables keyed by these
 * names (VJP rules, the interpreter's kernels, C/CUDA spellings) and tests check that every table covers
 * every op here.
 *
 * IR conventions (the tensor layer makes them hold):
 * - elementwise ops take operands of equal shape and, except where noted, equal dtype:
 *   broadcasting is explicit (reshape + expand), promotion is explicit (cast);
 * - reductions keep the reduced axes as size 1 (the tensor layer reshapes them away).
 */
export type OpCategory =
  | 'source' // no inputs (or only a seed): const, iota, buffer, rand
  | 'unary'
  | 'binary'
  | 'compare' // binary, result bool
  | 'ternary'
  | 'reduce'
  | 'scan'
  | 'movement' // views: no data moves, only index arithmetic
  | 'gather'
  | 'scatter'
  | 'memory'; // contiguous, detach, assign: identities with a meaning for scheduling or autodiff

export interface OpInfo {
  readonly cat: OpCategory;
  /** Number of inputs. */
  readonly arity: number;
  /** For unary/binary ops: whether integer/bool inputs are allowed (else the tensor layer casts to float). */
  readonly ints?: boolean;
  /** For unary ops: whether bool inputs are allowed. */
  readonly bools?: boolean;
}

export const OPS = {
  // sources
  const: { cat: 'source', arity: 0 }, // arg: the value (a number); any shape: every element is the value
  buffer: { cat: 'source', arity: 0 }, // arg: { ref } a realized buffer on some device
  iota: { cat: 'source', arity: 0 }, // shape [n]: element i is i
  rand: { cat: 'source', arity: 1 }, // src: seed buffer int32[2]; arg: { salt }; uniform [0, 1)
  // unary elementwise
  neg: { cat: 'unary', arity: 1, ints: true },
  abs: { cat: 'unary', arity: 1, ints: true },
  sign: { cat: 'unary', arity: 1, ints: true },
  not: { cat: 'unary', arity: 1, ints: true, bools: true }, // logical not, result bool
  exp: { cat: 'unary', arity: 1 },
  log: { cat: 'unary', arity: 1 },
  sin: { cat: 'unary', arity: 1 },
  cos: { cat: 'unary', arity: 1 },
  tanh: { cat: 'unary', arity: 1 },
  erf: { cat: 'unary', arity: 1 },
  sqrt: { cat: 'unary', arity: 1 },
  recip: { cat: 'unary', arity: 1 },
  floor: { cat: 'unary', arity: 1, ints: true },
  ceil: { cat: 'unary', arity: 1, ints: true },
  round: { cat: 'unary', arity: 1, ints: true }, // half to even, as torch.round
  trunc: { cat: 'unary', arity: 1, ints: true },
  cast: { cat: 'unary', arity: 1, ints: true, bools: true }, // to node.dtype
  // binary elementwise (equal dtypes)
  add: { cat: 'binary', arity: 2, ints: true },
  sub: { cat: 'binary', arity: 2, ints: true },
  mul: { cat: 'binary', arity: 2, ints: true },
  div: { cat: 'binary', arity: 2 }, // true division (floats)
  idiv: { cat: 'binary', arity: 2, ints: true }, // floor division (ints; divisor 0 is an error)
  mod: { cat: 'binary', arity: 2, ints: true }, // Python-style remainder, sign of the divisor
  pow: { cat: 'binary', arity: 2, ints: true },
  max: { cat: 'binary', arity: 2, ints: true },
  min: { cat: 'binary', arity: 2, ints: true },
  and: { cat: 'binary', arity: 2, ints: true }, // bool operands
  or: { cat: 'binary', arity: 2, ints: true },
  xor: { cat: 'binary', arity: 2, ints: true },
  // comparisons (equal dtypes, result bool)
  lt: { cat: 'compare', arity: 2, ints: true },
  le: { cat: 'compare', arity: 2, ints: true },
  gt: { cat: 'compare', arity: 2, ints: true },
  ge: { cat: 'compare', arity: 2, ints: true },
  eq: { cat: 'compare', arity: 2, ints: true },
  ne: { cat: 'compare', arity: 2, ints: true },
  // ternary
  where: { cat: 'ternary', arity: 3, ints: true }, // (cond bool, a, b), a and b of node.dtype
  // reductions: arg { op: 'sum' | 'max' | 'min' | 'prod', axes } (axes kept as size 1)
  reduce: { cat: 'reduce', arity: 1, ints: true },
  // scans: arg { axis }: inclusive prefix sum
  cumsum: { cat: 'scan', arity: 1, ints: true },
  // stable sort along an axis: arg { axis, descending }; result int64, the source position of each sorted
  // element (NaN sorts above every number, as in PyTorch: last ascending, first descending). Integer-valued:
  // no gradient (values come from gather).
  argsort: { cat: 'scan', arity: 1, ints: true },
  // movement (views)
  reshape: { cat: 'movement', arity: 1 }, // to node.shape
  permute: { cat: 'movement', arity: 1 }, // arg: perm
  expand: { cat: 'movement', arity: 1 }, // to node.shape (size-1 axes grow)
  pad: { cat: 'movement', arity: 1 }, // arg: { pads: [before, after][], value }
  slice: { cat: 'movement', arity: 1 }, // arg: { start[], step[] } (step > 0); size from node.shape
  flip: { cat: 'movement', arity: 1 }, // arg: { axes }
  // sliding windows (torch.Tensor.unfold): arg { axis, size, step }; the axis becomes the window count
  // O = (D - size) / step + 1 and a new last axis of `size` is appended: out[.., o, .., k] = in[.., o*step + k, ..]
  unfold: { cat: 'movement', arity: 1 },
  // data-dependent indexing
  gather: { cat: 'gather', arity: 2 }, // (src, index int32) arg { axis }: out[i] = src[i with i[axis] = index[i]]
  scatterAdd: { cat: 'scatter', arity: 3 }, // (base, index int32, values) arg { axis }: base + values scattered
  // memory and autodiff markers (identities for the value)
  contiguous: { cat: 'memory', arity: 1 }, // materialize here
  detach: { cat: 'memory', arity: 1 }, // gradients stop here
  assign: { cat: 'memory', arity: 2 }, // (target buffer, value): write value into the target buffer
} as const satisfies Record<string, OpInfo>;

export type Op = keyof typeof OPS;
export const OP_NAMES = Object.keys(OPS) as Op[];

export type ReduceOp = 'sum' | 'max' | 'min' | 'prod';

export const opInfo = (op: Op): OpInfo => OPS[op];
export const isElementwise = (op: Op): boolean => {
  const c = OPS[op].cat;
  return c === 'unary' || c === 'binary' || c === 'compare' || c === 'ternary';
};
export const isMovement = (op: Op): boolean => OPS[op].cat === 'movement';

export type UnaryOp = { [K in Op]: (typeof OPS)[K]['cat'] extends 'unary' ? K : never }[Op];
export type BinaryOp = { [K in Op]: (typeof OPS)[K]['cat'] extends 'binary' | 'compare' ? K : never }[Op];
