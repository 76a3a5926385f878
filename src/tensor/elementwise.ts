/**
 * Elementwise operations: PyTorch's type promotion and broadcasting, then explicit casts and expands in IR.
 * Each op exists as `torch.op(a, b, {out})`, as a method `a.op(b)` and, where PyTorch has one, in place
 * as `a.op_(b)`.
 */
import { z } from 'zod';
import {
  ArgumentError,
  build,
  checkedScalar,
  DEFAULT_INT,
  DTypeError,
  isFloat,
  resultType,
  broadcastAll,
  broadcastShapes,
  shapeEq,
  DEFAULT_FLOAT,
  ValueError,
  ZeroDivisionError,
  ShapeError,
  fmtShape,
  type BinaryOp,
  type DType,
  type Node,
  type Shape,
  type UnaryOp,
} from '../ir/index.js';
import { nonzero } from './masked.js';
import { custom, defineOptions, describeValue, finite, int, real, tensorArg, type OptionsChecker } from './options.js';
import { applyOp, commitInPlace, Tensor, type TensorLike } from './tensor.js';

export interface OutOptions {
  out?: Tensor;
}

/**
 * @internal Turn an operand into a node of the given dtype and shape. Scalars become constants and must fit
 * the dtype: `int32Tensor.add(3e9)` is a ValueError, never a wrapped constant.
 */
export function operandNode(x: Node | number | bigint | boolean, dtype: DType, shape: Shape, op = 'operand'): Node {
  if (typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean') return build.constant(checkedScalar(x, dtype, op), dtype, shape);
  return build.broadcastTo(build.cast(x, dtype), shape);
}

const operandInfo = (x: TensorLike): { dtype: DType; dim: number } | number | bigint | boolean =>
  x instanceof Tensor ? { dtype: x.dtype, dim: x.dim() } : x;

/** @internal Finish an op: write into `out` when given. */
export function withOut(op: string, result: Tensor, opts?: OutOptions): Tensor {
  // Ops whose options are not declared elsewhere (exp2, erfinv, ...) reach here unchecked: `out` must be a Tensor.
  if (opts?.out && !(opts.out instanceof Tensor)) throw new ArgumentError(`${op}(): argument 'out' must be Tensor, not ${describeValue(opts.out)}`);
  if (opts?.out) return commitInPlace(op, opts.out, result, { out: true });
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Binary ops

/** How a binary op chooses the dtype it computes in and the dtype it returns. */
type Promote = 'same' | 'float' | 'compare' | 'logical' | 'bitwise';

interface BinarySpec {
  ir: BinaryOp;
  grad: string;
  promote: Promote;
}

const BINARY_SPECS = {
  add: { ir: 'add', grad: 'AddBackward0', promote: 'same' },
  sub: { ir: 'sub', grad: 'SubBackward0', promote: 'same' },
  mul: { ir: 'mul', grad: 'MulBackward0', promote: 'same' },
  div: { ir: 'div', grad: 'DivBackward0', promote: 'float' },
  floorDivide: { ir: 'idiv', grad: 'FloorDivideBackward0', promote: 'same' },
  remainder: { ir: 'mod', grad: 'RemainderBackward0', promote: 'same' },
  pow: { ir: 'pow', grad: 'PowBackward1', promote: 'same' },
  maximum: { ir: 'max', grad: 'MaximumBackward0', promote: 'same' },
  minimum: { ir: 'min', grad: 'MinimumBackward0', promote: 'same' },
  eq: { ir: 'eq', grad: 'EqBackward0', promote: 'compare' },
  ne: { ir: 'ne', grad: 'NeBackward0', promote: 'compare' },
  lt: { ir: 'lt', grad: 'LtBackward0', promote: 'compare' },
  le: { ir: 'le', grad: 'LeBackward0', promote: 'compare' },
  gt: { ir: 'gt', grad: 'GtBackward0', promote: 'compare' },
  ge: { ir: 'ge', grad: 'GeBackward0', promote: 'compare' },
  logicalAnd: { ir: 'and', grad: 'LogicalAndBackward0', promote: 'logical' },
  logicalOr: { ir: 'or', grad: 'LogicalOrBackward0', promote: 'logical' },
  logicalXor: { ir: 'xor', grad: 'LogicalXorBackward0', promote: 'logical' },
  bitwiseAnd: { ir: 'and', grad: 'BitwiseAndBackward0', promote: 'bitwise' },
  bitwiseOr: { ir: 'or', grad: 'BitwiseOrBackward0', promote: 'bitwise' },
  bitwiseXor: { ir: 'xor', grad: 'BitwiseXorBackward0', promote: 'bitwise' },
} as const satisfies Record<string, BinarySpec>;

export type BinaryName = keyof typeof BINARY_SPECS;

/** @internal An operand must be a Tensor, a number, a bigint or a boolean (JS callers can pass anything). */
export function checkOperand(op: string, arg: string, x: unknown): asserts x is TensorLike {
  if (!(x instanceof Tensor) && typeof x !== 'number' && typeof x !== 'bigint' && typeof x !== 'boolean') {
    throw new ArgumentError(`${op}(): argument '${arg}' must be a Tensor, a number, a bigint or a boolean, not ${describeValue(x)}`);
  }
}

/** Check integer divisors that are known now (scalars, realized tensors) for zero. */
function checkIntDivisor(name: string, b: TensorLike, dtype: DType): void {
  if (isFloat(dtype)) return;
  if (typeof b === 'number' || typeof b === 'bigint' || typeof b === 'boolean') {
    if (Number(b) === 0) throw new ZeroDivisionError(`${name}: ZeroDivisionError (integer division by zero)`);
  }
}

/** PyTorch names the backward of pow and remainder by which operands are tensors (its overloads). */
function gradNameFor(spec: BinarySpec, a: TensorLike, b: TensorLike): string {
  if (spec.ir === 'pow') return !(b instanceof Tensor) ? 'PowBackward0' : !(a instanceof Tensor) ? 'PowBackward2' : 'PowBackward1';
  if (spec.ir === 'mod') return b instanceof Tensor ? 'RemainderBackward1' : 'RemainderBackward0';
  return spec.grad;
}

/** @internal The one implementation behind every binary elementwise op. */
export function binary(
  name: BinaryName,
  a: TensorLike,
  b: TensorLike,
  opts?: OutOptions & { gradName?: string; then?: (n: Node) => Node },
): Tensor {
  const spec: BinarySpec = BINARY_SPECS[name];
  checkOperand(name, 'input', a);
  checkOperand(name, 'other', b);
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new DTypeError(`${name}(): expected at least one argument to be a Tensor, got ${typeof a} and ${typeof b}`);
  }
  // A float tensor with a JS number computes in the tensor's dtype (the common case: no promotion table).
  let computeType =
    a instanceof Tensor && typeof b === 'number' && isFloat(a.dtype) ? a.dtype : resultType(operandInfo(a), operandInfo(b));
  let outType = computeType;
  switch (spec.promote) {
    case 'float':
      if (!isFloat(computeType)) computeType = outType = DEFAULT_FLOAT;
      break;
    case 'compare':
      outType = 'bool';
      break;
    case 'logical':
      computeType = outType = 'bool';
      break;
    case 'bitwise':
      if (isFloat(computeType)) throw new DTypeError(`${name}: "bitwise_${spec.ir}_cpu" not implemented for floating point dtype ${computeType}`);
      break;
    case 'same':
      if (computeType === 'bool' && (spec.ir === 'add' || spec.ir === 'mul' || spec.ir === 'max' || spec.ir === 'min')) {
        // PyTorch: bool + bool is logical or, bool * bool logical and.
        computeType = outType = 'bool';
      } else if (computeType === 'bool') {
        if (spec.ir === 'sub') {
          throw new DTypeError(`${name}: Subtraction, the \`-\` operator, with two bool tensors is not supported. Use the \`^\` or \`logical_xor()\` operator instead.`);
        }
        computeType = outType = DEFAULT_INT;
      }
      break;
  }
  if (spec.ir === 'idiv' || spec.ir === 'mod') checkIntDivisor(name, b, computeType);
  if (spec.ir === 'pow' && !isFloat(computeType) && (typeof b === 'number' || typeof b === 'bigint') && b < 0) {
    throw new ValueError(`${name}: Integers to negative integer powers are not allowed.`);
  }
  const sa = a instanceof Tensor ? a._shape : null;
  const sb = b instanceof Tensor ? b._shape : null;
  const tensors = sa === null ? [b as Tensor] : sb === null ? [a as Tensor] : [a as Tensor, b as Tensor];
  const shape = sa === null ? sb! : sb === null || shapeEq(sa, sb) ? sa : broadcastShapes(sa, sb, name);
  // Scalars are checked against the dtype now, before anything is built (operandNode converts them again:
  // the check is what may throw, here, before any node exists).
  if (sa === null) checkedScalar(a as number, computeType, name);
  if (sb === null) checkedScalar(b as number, computeType, name);
  let irOp: BinaryOp = spec.ir;
  if (computeType === 'bool') {
    if (irOp === 'add' || irOp === 'max') irOp = 'or';
    else if (irOp === 'mul' || irOp === 'min') irOp = 'and';
  }
  const gradName = opts?.gradName ?? gradNameFor(spec, a, b);
  const result = applyOp(gradName, tensors, (nodes) => {
    let k = 0;
    const na = a instanceof Tensor ? nodes[k++]! : a;
    const nb = b instanceof Tensor ? nodes[k++]! : b;
    const r = build.binary(irOp, operandNode(na, computeType, shape, name), operandNode(nb, computeType, shape, name));
    return opts?.then ? opts.then(r) : r;
  });
  if (spec.promote !== 'compare' && result.dtype !== outType) throw new Error(`internal: ${name} gave ${result.dtype}`);
  return withOut(name, result, opts);
}

// Options of each public op, checked per call (options.ts: nothing when none are given, ~30 ns when some are).
const outOnly = (name: string): OptionsChecker => defineOptions(name, { out: tensorArg.optional() });
const ALPHA_OPTIONS = { add: defineOptions('add', { out: tensorArg.optional(), alpha: real.optional() }), sub: defineOptions('sub', { out: tensorArg.optional(), alpha: real.optional() }) };
const DIV_OPTIONS = defineOptions('div', { out: tensorArg.optional(), roundingMode: z.enum(['trunc', 'floor']).nullable().optional() });
const OUT_OPTIONS: Record<string, OptionsChecker> = {};
for (const name of Object.keys(BINARY_SPECS)) if (!(name in ALPHA_OPTIONS) && name !== 'div') OUT_OPTIONS[name] = outOnly(name);

/** A binary op with only an `out` option. */
function outBinary(name: BinaryName) {
  const spec = OUT_OPTIONS[name]!;
  return (a: TensorLike, b: TensorLike, opts?: OutOptions): Tensor => {
    spec.check(opts);
    return binary(name, a, b, opts);
  };
}

export const add = (a: TensorLike, b: TensorLike, opts?: OutOptions & { alpha?: number }): Tensor => {
  ALPHA_OPTIONS.add.check(opts);
  return binary('add', a, opts?.alpha !== undefined && opts.alpha !== 1 ? scaled(b, opts.alpha) : b, opts);
};
export const sub = (a: TensorLike, b: TensorLike, opts?: OutOptions & { alpha?: number }): Tensor => {
  ALPHA_OPTIONS.sub.check(opts);
  return binary('sub', a, opts?.alpha !== undefined && opts.alpha !== 1 ? scaled(b, opts.alpha) : b, opts);
};
export const mul = outBinary('mul');
export const div = (a: TensorLike, b: TensorLike, opts?: OutOptions & { roundingMode?: 'trunc' | 'floor' | null }): Tensor => {
  DIV_OPTIONS.check(opts);
  // PyTorch's div with a rounding mode is one op (DivBackward2), whatever the operands.
  if (opts?.roundingMode === 'floor') return binary('floorDivide', a, b, { ...opts, gradName: 'DivBackward2' });
  if (opts?.roundingMode === 'trunc') {
    const t = binary('div', a, b, { gradName: 'DivBackward2', then: (q) => build.unary('trunc', q) });
    const dt = resultType(operandInfo(a), operandInfo(b));
    return withOut('div', isFloat(dt) ? t : t.to(dt), opts);
  }
  return binary('div', a, b, opts);
};
export const floorDivide = outBinary('floorDivide');
export const remainder = outBinary('remainder');
export const pow = outBinary('pow');
export const maximum = outBinary('maximum');
export const minimum = outBinary('minimum');
export const eq = outBinary('eq');
export const ne = outBinary('ne');
export const lt = outBinary('lt');
export const le = outBinary('le');
export const gt = outBinary('gt');
export const ge = outBinary('ge');
export const logicalAnd = outBinary('logicalAnd');
export const logicalOr = outBinary('logicalOr');
export const logicalXor = outBinary('logicalXor');

function scaled(b: TensorLike, alpha: number): TensorLike {
  if (b instanceof Tensor) return binary('mul', b, alpha);
  if (typeof b === 'bigint' && Number.isInteger(alpha)) return b * BigInt(alpha);
  return Number(b) * alpha;
}

// ---------------------------------------------------------------------------------------------------------
// Unary ops

interface UnarySpec {
  grad: string;
  /** 'float': ints and bools are computed as float32 (exp, sin, ...); 'keep': the dtype stays (abs, neg). */
  kind: 'float' | 'keep';
  build: (x: Node) => Node;
  /** Reject bool input with this message. */
  noBool?: string;
}

const isNan = (x: Node): Node => build.binary('ne', x, x);

/**
 * @internal sigmoid(x) = where(x >= 0, 1, e) / (1 + e) with e = exp(-|x|): exp never overflows, so the
 * gradient stays finite where 1 / (1 + exp(-x)) would differentiate through exp(-x) = inf (x < -88: NaN).
 * The exponent takes each branch's own sign at 0, so the derivative there is the true 1/4.
 */
export function sigmoidNode(x: Node): Node {
  const zero = build.constant(0, x.dtype, x.shape);
  const nonneg = build.binary('ge', x, zero);
  const e = build.unary('exp', build.where(nonneg, build.unary('neg', x), x));
  return build.binary('div', build.where(nonneg, build.constant(1, x.dtype, x.shape), e), build.binary('add', build.constant(1, x.dtype, x.shape), e));
}

const c = (x: Node, v: number): Node => build.constant(v, x.dtype, x.shape);
const u = (op: UnaryOp) => (x: Node): Node => build.unary(op, x);

const UNARY_SPECS = {
  neg: { grad: 'NegBackward0', kind: 'keep', build: u('neg'), noBool: 'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.' },
  abs: { grad: 'AbsBackward0', kind: 'keep', build: u('abs'), noBool: `"abs_cpu" not implemented for 'Bool'` },
  // PyTorch: sign(NaN) = 0 (graft's IR sign keeps NaN, as NumPy's does).
  sign: {
    grad: 'SignBackward0',
    kind: 'keep',
    build: (x) => (isFloat(x.dtype) ? build.where(isNan(x), c(x, 0), build.unary('sign', x)) : build.unary('sign', x)),
  },
  exp: { grad: 'ExpBackward0', kind: 'float', build: u('exp') },
  log: { grad: 'LogBackward0', kind: 'float', build: u('log') },
  log2: { grad: 'Log2Backward0', kind: 'float', build: (x) => build.binary('mul', build.unary('log', x), c(x, 1 / Math.LN2)) },
  log10: { grad: 'Log10Backward0', kind: 'float', build: (x) => build.binary('mul', build.unary('log', x), c(x, 1 / Math.LN10)) },
  log1p: { grad: 'Log1PBackward0', kind: 'float', build: (x) => build.unary('log', build.binary('add', x, c(x, 1))) },
  expm1: { grad: 'Expm1Backward0', kind: 'float', build: (x) => build.binary('sub', build.unary('exp', x), c(x, 1)) },
  sqrt: { grad: 'SqrtBackward0', kind: 'float', build: u('sqrt') },
  rsqrt: { grad: 'RsqrtBackward0', kind: 'float', build: (x) => build.unary('recip', build.unary('sqrt', x)) },
  sin: { grad: 'SinBackward0', kind: 'float', build: u('sin') },
  cos: { grad: 'CosBackward0', kind: 'float', build: u('cos') },
  tan: { grad: 'TanBackward0', kind: 'float', build: (x) => build.binary('div', build.unary('sin', x), build.unary('cos', x)) },
  tanh: { grad: 'TanhBackward0', kind: 'float', build: u('tanh') },
  erf: { grad: 'ErfBackward0', kind: 'float', build: u('erf') },
  sigmoid: { grad: 'SigmoidBackward0', kind: 'float', build: (x) => sigmoidNode(x) },
  reciprocal: { grad: 'ReciprocalBackward0', kind: 'float', build: u('recip') },
  floor: { grad: 'FloorBackward0', kind: 'keep', build: u('floor'), noBool: `"floor_vml_cpu" not implemented for 'Bool'` },
  ceil: { grad: 'CeilBackward0', kind: 'keep', build: u('ceil'), noBool: `"ceil_vml_cpu" not implemented for 'Bool'` },
  round: { grad: 'RoundBackward0', kind: 'keep', build: u('round'), noBool: `"round_vml_cpu" not implemented for 'Bool'` },
  trunc: { grad: 'TruncBackward0', kind: 'keep', build: u('trunc'), noBool: `"trunc_vml_cpu" not implemented for 'Bool'` },
  // x <= 0 ? 0 : x: NaN stays NaN (PyTorch's relu is clamp_min), and the gradient at 0 is 0.
  relu: { grad: 'ReluBackward0', kind: 'keep', build: (x) => build.where(build.binary('le', x, c(x, 0)), c(x, 0), x), noBool: 'Boolean inputs not supported for relu' },
  // square(bool) is pow(bool, 2): an integer, as in PyTorch.
  square: { grad: 'PowBackward0', kind: 'keep', build: (x) => build.binary('mul', x, x) },
} as const satisfies Record<string, UnarySpec>;

export type UnaryName = keyof typeof UNARY_SPECS;

const UNARY_OPTIONS = Object.fromEntries(Object.keys(UNARY_SPECS).map((name) => [name, outOnly(name)])) as Record<UnaryName, OptionsChecker>;

/** @internal The one implementation behind every unary elementwise op. */
export function unaryOp(name: UnaryName, x: Tensor, opts?: OutOptions): Tensor {
  const spec: UnarySpec = UNARY_SPECS[name];
  if (!(x instanceof Tensor)) throw new DTypeError(`${name}(): argument 'input' must be a Tensor, not ${typeof x}`);
  UNARY_OPTIONS[name].check(opts);
  if (x.dtype === 'bool' && spec.noBool) throw new DTypeError(`${name}: ${spec.noBool}`);
  let dtype = x.dtype;
  if (spec.kind === 'float' && !isFloat(dtype)) dtype = DEFAULT_FLOAT;
  if (name === 'square' && dtype === 'bool') dtype = DEFAULT_INT;
  const result = applyOp(spec.grad, [x], ([n]) => {
    const inNode = build.cast(n!, dtype);
    if (!isFloat(dtype) && (name === 'floor' || name === 'ceil' || name === 'round' || name === 'trunc')) return inNode;
    if (dtype === 'bool' && name === 'sign') return inNode;
    return spec.build(inNode);
  });
  return withOut(name, result, opts);
}

export const neg = (x: Tensor, o?: OutOptions): Tensor => unaryOp('neg', x, o);
export const abs = (x: Tensor, o?: OutOptions): Tensor => unaryOp('abs', x, o);
export const sign = (x: Tensor, o?: OutOptions): Tensor => unaryOp('sign', x, o);
export const exp = (x: Tensor, o?: OutOptions): Tensor => unaryOp('exp', x, o);
export const log = (x: Tensor, o?: OutOptions): Tensor => unaryOp('log', x, o);
export const log2 = (x: Tensor, o?: OutOptions): Tensor => unaryOp('log2', x, o);
export const log10 = (x: Tensor, o?: OutOptions): Tensor => unaryOp('log10', x, o);
export const log1p = (x: Tensor, o?: OutOptions): Tensor => unaryOp('log1p', x, o);
export const expm1 = (x: Tensor, o?: OutOptions): Tensor => unaryOp('expm1', x, o);
export const sqrt = (x: Tensor, o?: OutOptions): Tensor => unaryOp('sqrt', x, o);
export const rsqrt = (x: Tensor, o?: OutOptions): Tensor => unaryOp('rsqrt', x, o);
export const sin = (x: Tensor, o?: OutOptions): Tensor => unaryOp('sin', x, o);
export const cos = (x: Tensor, o?: OutOptions): Tensor => unaryOp('cos', x, o);
export const tan = (x: Tensor, o?: OutOptions): Tensor => unaryOp('tan', x, o);
export const tanh = (x: Tensor, o?: OutOptions): Tensor => unaryOp('tanh', x, o);
export const erf = (x: Tensor, o?: OutOptions): Tensor => unaryOp('erf', x, o);
export const sigmoid = (x: Tensor, o?: OutOptions): Tensor => unaryOp('sigmoid', x, o);
export const reciprocal = (x: Tensor, o?: OutOptions): Tensor => unaryOp('reciprocal', x, o);
export const floor = (x: Tensor, o?: OutOptions): Tensor => unaryOp('floor', x, o);
export const ceil = (x: Tensor, o?: OutOptions): Tensor => unaryOp('ceil', x, o);
/**
 * torch.round: halves to even; with `decimals`, as PyTorch computes it: round(x * 10^d) / 10^d (for d < 0:
 * round(x / 10^-d) * 10^-d), in the tensor's dtype.
 */
const ROUND_OPTIONS = defineOptions('round', { out: tensorArg.optional(), decimals: int.optional() });
export function round(x: Tensor, o?: OutOptions & { decimals?: number }): Tensor {
  ROUND_OPTIONS.check(o);
  const d = o?.decimals ?? 0;
  if (d === 0 || !(x instanceof Tensor) || !isFloat(x.dtype)) return unaryOp('round', x, o && { out: o.out });
  if (!Number.isInteger(d)) throw new DTypeError(`round(): argument 'decimals' must be int, not ${d}`);
  const scale = 10 ** Math.abs(d);
  const [pre, post] = d > 0 ? (['mul', 'div'] as const) : (['div', 'mul'] as const);
  const result = applyOp('RoundBackward1', [x], ([n]) => {
    const k = build.constant(scale, x.dtype, x.shape);
    return build.binary(post, build.unary('round', build.binary(pre, n!, k)), k);
  });
  return withOut('round', result, o);
}
export const trunc = (x: Tensor, o?: OutOptions): Tensor => unaryOp('trunc', x, o);
export const relu = (x: Tensor, o?: OutOptions): Tensor => unaryOp('relu', x, o);
export const square = (x: Tensor, o?: OutOptions): Tensor => unaryOp('square', x, o);

/** torch.logical_not: bool result. */
const LOGICAL_NOT_OPTIONS = outOnly('logicalNot');
export function logicalNot(x: Tensor, opts?: OutOptions): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`logicalNot(): argument 'input' must be a Tensor, not ${describeValue(x)}`);
  LOGICAL_NOT_OPTIONS.check(opts);
  return withOut('logicalNot', applyOp('LogicalNotBackward0', [x], ([n]) => build.unary('not', n!)), opts);
}

const WHERE_OPTIONS = outOnly('where');

/** torch.where(cond, a, b); `torch.where(cond)` alone is `nonzero(cond, { asTuple: true })`. */
export function where(cond: Tensor): Tensor[];
export function where(cond: Tensor, a: TensorLike, b: TensorLike, opts?: OutOptions): Tensor;
export function where(cond: Tensor, a?: TensorLike, b?: TensorLike, opts?: OutOptions): Tensor | Tensor[] {
  if (a === undefined && b === undefined && cond instanceof Tensor) return nonzero(cond, { asTuple: true });
  if (a === undefined || b === undefined) throw new ValueError('where: expected both x and y (or neither) after the condition');
  checkOperand('where', 'input', a);
  checkOperand('where', 'other', b);
  WHERE_OPTIONS.check(opts);
  if (!(cond instanceof Tensor) || cond.dtype !== 'bool') {
    throw new DTypeError(`where: expected condition to be a boolean tensor, but got a tensor with dtype ${cond instanceof Tensor ? cond.dtype : typeof cond}`);
  }
  const dtype = resultType(operandInfo(a), operandInfo(b));
  const shape = broadcastAll([cond.shape, a instanceof Tensor ? a.shape : [], b instanceof Tensor ? b.shape : []], 'where');
  for (const x of [a, b]) if (!(x instanceof Tensor)) checkedScalar(x, dtype, 'where');
  const tensors = [cond, a, b].filter((x): x is Tensor => x instanceof Tensor);
  const result = applyOp('WhereBackward0', tensors, (nodes) => {
    let k = 1;
    const na = a instanceof Tensor ? nodes[k++]! : a;
    const nb = b instanceof Tensor ? nodes[k++]! : b;
    return build.where(operandNode(nodes[0]!, 'bool', shape), operandNode(na, dtype, shape, 'where'), operandNode(nb, dtype, shape, 'where'));
  });
  return withOut('where', result, opts);
}

export interface ClampOptions extends OutOptions {
  min?: TensorLike | null;
  max?: TensorLike | null;
}

const bound = custom<TensorLike | null>('a number, a Tensor or null', (v) => v === null || v instanceof Tensor || typeof v === 'number' || typeof v === 'boolean');
const CLAMP_OPTIONS = defineOptions('clamp', { min: bound.optional(), max: bound.optional(), out: tensorArg.optional() });

const isOptions = (v: unknown): v is object => typeof v === 'object' && v !== null && !(v instanceof Tensor) && !Array.isArray(v);

/**
 * clamp's arguments as PyTorch reads them: `(min, max?, opts?)`, `(min, opts)` or `(opts)` with min/max as
 * keyword options (`x.clamp({ min: 0 })`).
 */
function clampArgs(
  minOrOpts: TensorLike | null | ClampOptions | undefined,
  maxOrOpts: TensorLike | null | ClampOptions | undefined,
  opts: ClampOptions | undefined,
): [TensorLike | null | undefined, TensorLike | null | undefined, ClampOptions | undefined] {
  let min = minOrOpts as TensorLike | null | undefined;
  let max = maxOrOpts as TensorLike | null | undefined;
  let o = opts;
  if (isOptions(minOrOpts)) {
    if (maxOrOpts !== undefined || opts !== undefined) throw new ArgumentError('clamp(): options given twice');
    o = minOrOpts as ClampOptions;
    min = max = undefined;
  } else if (isOptions(maxOrOpts)) {
    if (opts !== undefined) throw new ArgumentError('clamp(): options given twice');
    o = maxOrOpts as ClampOptions;
    max = undefined;
  }
  CLAMP_OPTIONS.check(o);
  for (const [name, positional] of [['min', min], ['max', max]] as const) {
    const keyword = o?.[name];
    if (positional !== undefined && keyword !== undefined) throw new ArgumentError(`clamp() got multiple values for argument '${name}'`);
    if (positional !== undefined && !bound.safeParse(positional).success) {
      throw new ArgumentError(`clamp(): argument '${name}' must be a number, a Tensor or null, not ${describeValue(positional)}`);
    }
  }
  return [min ?? o?.min, max ?? o?.max, o];
}

/**
 * torch.clamp(x, min?, max?) or clamp(x, { min, max }): gradient passes where min <= x <= max, as in
 * PyTorch.
 */
export function clamp(x: Tensor, minOrOpts?: TensorLike | null | ClampOptions, maxOrOpts?: TensorLike | null | ClampOptions, opts?: ClampOptions): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`clamp(): argument 'input' must be a Tensor, not ${describeValue(x)}`);
  const [min, max, o] = clampArgs(minOrOpts, maxOrOpts, opts);
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new ValueError("clamp: At least one of 'min' or 'max' must not be None");
  }
  let dtype = x.dtype;
  for (const bound of [min, max]) if (bound !== undefined && bound !== null) dtype = resultType({ dtype, dim: x.dim() }, operandInfo(bound));
  const bounds = [min, max].filter((v): v is Tensor => v instanceof Tensor);
  const shape = broadcastAll([x.shape, ...bounds.map((t) => t.shape)], 'clamp');
  for (const v of [min, max]) if (v !== undefined && v !== null && !(v instanceof Tensor)) checkedScalar(v, dtype, 'clamp');
  // PyTorch: ClampBackward1 for number bounds, ClampBackward0 when a bound is a tensor.
  const result = applyOp(bounds.length ? 'ClampBackward0' : 'ClampBackward1', [x, ...bounds], (nodes) => {
    let k = 1;
    const xn = operandNode(nodes[0]!, dtype, shape);
    let y = xn;
    if (min !== undefined && min !== null) {
      const lo = operandNode(min instanceof Tensor ? nodes[k++]! : min, dtype, shape, 'clamp');
      y = build.where(build.binary('lt', y, lo), lo, y);
    }
    if (max !== undefined && max !== null) {
      const hi = operandNode(max instanceof Tensor ? nodes[k++]! : max, dtype, shape, 'clamp');
      y = build.where(build.binary('gt', y, hi), hi, y);
    }
    return y;
  });
  return withOut('clamp', result, o);
}

// ---------------------------------------------------------------------------------------------------------
// Methods and in-place variants

declare module './tensor.js' {
  interface Tensor {
    add(other: TensorLike, opts?: { alpha?: number }): Tensor;
    sub(other: TensorLike, opts?: { alpha?: number }): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike, opts?: { roundingMode?: 'trunc' | 'floor' | null }): Tensor;
    floorDivide(other: TensorLike): Tensor;
    remainder(other: TensorLike): Tensor;
    pow(exponent: TensorLike): Tensor;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    logicalAnd(other: TensorLike): Tensor;
    logicalOr(other: TensorLike): Tensor;
    logicalXor(other: TensorLike): Tensor;
    logicalNot(): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    log2(): Tensor;
    log10(): Tensor;
    log1p(): Tensor;
    expm1(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    tanh(): Tensor;
    erf(): Tensor;
    sigmoid(): Tensor;
    reciprocal(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(opts?: { decimals?: number }): Tensor;
    trunc(): Tensor;
    relu(): Tensor;
    square(): Tensor;
    clamp(min?: TensorLike | null | ClampOptions, max?: TensorLike | null | ClampOptions): Tensor;
    clip(min?: TensorLike | null | ClampOptions, max?: TensorLike | null | ClampOptions): Tensor;
    where(cond: Tensor, other: TensorLike): Tensor;

    add_(other: TensorLike, opts?: { alpha?: number }): this;
    sub_(other: TensorLike, opts?: { alpha?: number }): this;
    mul_(other: TensorLike): this;
    div_(other: TensorLike, opts?: { roundingMode?: 'trunc' | 'floor' | null }): this;
    pow_(exponent: TensorLike): this;
    remainder_(other: TensorLike): this;
    floorDivide_(other: TensorLike): this;
    neg_(): this;
    abs_(): this;
    exp_(): this;
    log_(): this;
    sqrt_(): this;
    sin_(): this;
    cos_(): this;
    tanh_(): this;
    sigmoid_(): this;
    reciprocal_(): this;
    floor_(): this;
    ceil_(): this;
    round_(): this;
    trunc_(): this;
    relu_(): this;
    clamp_(min?: TensorLike | null | ClampOptions, max?: TensorLike | null | ClampOptions): this;
    clip_(min?: TensorLike | null | ClampOptions, max?: TensorLike | null | ClampOptions): this;
    zero_(): this;
    fill_(value: TensorLike): this;
    copy_(src: Tensor): this;
  }
}

type AnyFn = (...args: never[]) => Tensor;
const P = Tensor.prototype as unknown as Record<string, unknown>;

const binaryMethods: Record<string, AnyFn> = {
  add, sub, mul, div, floorDivide, remainder, pow, maximum, minimum, eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalXor,
};
for (const [name, fn] of Object.entries(binaryMethods)) {
  P[name] = function (this: Tensor, other: TensorLike, opts?: object) {
    return (fn as (a: TensorLike, b: TensorLike, o?: object) => Tensor)(this, other, opts);
  };
}
for (const name of Object.keys(UNARY_SPECS) as UnaryName[]) {
  P[name] = function (this: Tensor) {
    return unaryOp(name, this);
  };
}
P.round = function (this: Tensor, opts?: { decimals?: number }) {
  return round(this, opts);
};
P.logicalNot = function (this: Tensor) {
  return logicalNot(this);
};
P.clamp = P.clip = function (this: Tensor, min?: TensorLike | null | ClampOptions, max?: TensorLike | null | ClampOptions) {
  return clamp(this, min, max);
};
P.where = function (this: Tensor, cond: Tensor, other: TensorLike) {
  return where(cond, this, other);
};

/** In place: compute the out-of-place result, then write it into `this` (checks first, so errors change nothing). */
function inPlace(name: string, compute: (t: Tensor, ...args: never[]) => Tensor) {
  return function (this: Tensor, ...args: never[]) {
    return commitInPlace(name + '_', this, compute(this, ...args));
  };
}

for (const name of ['add', 'sub', 'mul', 'div', 'pow', 'remainder', 'floorDivide'] as const) {
  P[name + '_'] = inPlace(name, (t: Tensor, other: TensorLike, opts?: object) =>
    (binaryMethods[name] as (a: TensorLike, b: TensorLike, o?: object) => Tensor)(t, other, opts),
  );
}
for (const name of ['neg', 'abs', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'reciprocal', 'floor', 'ceil', 'round', 'trunc', 'relu'] as const) {
  P[name + '_'] = inPlace(name, (t: Tensor) => unaryOp(name, t));
}
P.clamp_ = P.clip_ = inPlace('clamp', (t: Tensor, min?: TensorLike | null | ClampOptions, max?: TensorLike | null | ClampOptions) => {
  if (isOptions(min) && (min as ClampOptions).out !== undefined) throw new ArgumentError('clamp_(): out= is not an option of an in-place op');
  return clamp(t, min, max);
});

P.zero_ = function (this: Tensor) {
  return commitInPlace('zero_', this, applyOp('ZeroBackward0', [], () => build.constant(0, this.dtype, this.shape), this.device));
};
P.fill_ = function (this: Tensor, value: TensorLike) {
  if (value instanceof Tensor) {
    if (value.dim() !== 0) throw new ValueError(`fill_ only supports 0-dimension value tensor but got tensor with ${value.dim()} dimensions.`);
    return commitInPlace('fill_', this, applyOp('FillBackward1', [value], ([n]) => build.broadcastTo(build.cast(n!, this.dtype), this.shape), this.device));
  }
  checkOperand('fill_', 'value', value);
  const v = checkedScalar(value, this.dtype, 'fill_');
  return commitInPlace('fill_', this, applyOp('FillBackward0', [], () => build.constant(v, this.dtype, this.shape), this.device));
};
P.copy_ = function (this: Tensor, src: Tensor) {
  if (!(src instanceof Tensor)) throw new DTypeError(`copy_(): argument 'src' must be Tensor, not ${typeof src}`);
  const shape = broadcastAll([this.shape, src.shape], 'copy_');
  if (shape.length !== this.shape.length || shape.some((d, i) => d !== this.shape[i])) {
    throw new ShapeError(`copy_: output with shape ${fmtShape(this.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
  }
  const moved = src.device === this.device ? src : src.to(this.device);
  // copy_ converts to the destination's dtype whatever it is (unlike add_), so the cast happens here.
  const value = applyOp('CopyBackwards', [moved], ([n]) => build.broadcastTo(build.cast(n!, this.dtype), this.shape));
  return commitInPlace('copy_', this, value);
};
