/**
 * Elementwise ops built from the IR's primitives (issue 14): exp2, isnan/isinf/isfinite, nanToNum, isclose,
 * allclose, equal, logaddexp, lerp, hypot, atan2, erfinv. Each is one fused expression; gradients come from the
 * autodiff of that expression (written so that the branch a `where` drops never makes the gradient NaN).
 * Accuracy: atan2, hypot and erfinv of float32 inputs are computed in float64 and rounded once.
 */
import { ArgumentError, broadcastShapes, build, DEFAULT_FLOAT, ValueError, DTypeError, isFloat, resultType, shapeEq, type DType, type Node, type Shape } from '../ir/index.js';
import { checkOperand, withOut, type OutOptions } from './elementwise.js';
import { bool, defineOptions, real, tensorArg } from './options.js';
import { argsOf } from './positional.js';
import { checkTensor, scalarTypeName, untrackedOp } from './reduce-args.js';
import { applyOp, commitInPlace, Tensor, type TensorLike } from './tensor.js';
import { hostValues } from './convert.js';

const k = (x: Node, v: number): Node => build.constant(v, x.dtype, x.shape);
const add = (a: Node, b: Node): Node => build.binary('add', a, b);
const sub = (a: Node, b: Node): Node => build.binary('sub', a, b);
const mul = (a: Node, b: Node): Node => build.binary('mul', a, b);
const div = (a: Node, b: Node): Node => build.binary('div', a, b);
const abs = (a: Node): Node => build.unary('abs', a);
const not = (a: Node): Node => build.unary('not', a);
const and = (a: Node, b: Node): Node => build.binary('and', a, b);
const or = (a: Node, b: Node): Node => build.binary('or', a, b);
const isNanNode = (x: Node): Node => build.binary('ne', x, x);
const isInfNode = (x: Node): Node => build.binary('eq', abs(x), k(x, Infinity));
const floatOf = (d: DType): DType => (isFloat(d) ? d : DEFAULT_FLOAT);

/** Inputs of a binary op: promoted dtype, broadcast shape, and nodes in that dtype and shape. */
function operands(name: string, a: TensorLike, b: TensorLike, float: boolean): { dtype: DType; shape: Shape; tensors: Tensor[]; nodes: (ns: Node[]) => [Node, Node] } {
  checkOperand(name, 'input', a);
  checkOperand(name, 'other', b);
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) throw new DTypeError(`${name}(): expected at least one argument to be a Tensor`);
  const info = (x: TensorLike) => (x instanceof Tensor ? { dtype: x.dtype, dim: x.dim() } : x);
  let dtype = resultType(info(a), info(b));
  if (float) dtype = floatOf(dtype);
  const sa = a instanceof Tensor ? a.shape : [];
  const sb = b instanceof Tensor ? b.shape : [];
  const shape = shapeEq(sa, sb) ? sa : broadcastShapes(sa, sb, name);
  const tensors = [a, b].filter((x): x is Tensor => x instanceof Tensor);
  const nodes = (ns: Node[]): [Node, Node] => {
    let i = 0;
    const one = (x: TensorLike): Node => (x instanceof Tensor ? build.broadcastTo(build.cast(ns[i++]!, dtype), shape) : build.constant(Number(x), dtype, shape));
    const na = one(a);
    return [na, one(b)];
  };
  return { dtype, shape, tensors, nodes };
}

// ---------------------------------------------------------------------------------------------------------

/** torch.exp2: 2^x (ints compute in float32). */
export function exp2(x: Tensor, opts?: OutOptions): Tensor {
  checkTensor('exp2', x);
  const dtype = floatOf(x.dtype);
  const r = applyOp('Exp2Backward0', [x], ([n]) => {
    const v = build.cast(n!, dtype);
    return build.binary('pow', k(v, 2), v);
  });
  return withOut('exp2', r, opts);
}

/** torch.isnan / isinf / isfinite: bool masks (integers are never NaN or infinite). */
export function isnan(x: Tensor): Tensor {
  checkTensor('isnan', x);
  return untrackedOp([x], ([n]) => (isFloat(n!.dtype) ? isNanNode(n!) : build.constant(0, 'bool', n!.shape)));
}
export function isinf(x: Tensor): Tensor {
  checkTensor('isinf', x);
  return untrackedOp([x], ([n]) => (isFloat(n!.dtype) ? isInfNode(n!) : build.constant(0, 'bool', n!.shape)));
}
export function isfinite(x: Tensor): Tensor {
  checkTensor('isfinite', x);
  return untrackedOp([x], ([n]) => (isFloat(n!.dtype) ? not(or(isNanNode(n!), isInfNode(n!))) : build.constant(1, 'bool', n!.shape)));
}

export interface NanToNumOptions extends OutOptions {
  nan?: number;
  posinf?: number | null;
  neginf?: number | null;
}
const NAN_TO_NUM_OPTIONS = defineOptions('nanToNum', { nan: real.optional(), posinf: real.nullable().optional(), neginf: real.nullable().optional(), out: tensorArg.optional() });
const FLOAT_MAX: Record<string, number> = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE, float16: 65504, bfloat16: 3.3895313892515355e38 };

/** torch.nan_to_num(x, nan = 0, posinf = the dtype's max, neginf = its lowest): the gradient passes where x is finite. */
export function nanToNum(x: Tensor, ...args: [nan?: number | NanToNumOptions, posinf?: number | null | NanToNumOptions, neginf?: number | null | NanToNumOptions, opts?: NanToNumOptions]): Tensor {
  checkTensor('nanToNum', x);
  const o = argsOf<NanToNumOptions>(NAN_TO_NUM_OPTIONS, ['nan', 'posinf', 'neginf'], args);
  if (!isFloat(x.dtype)) return withOut('nanToNum', applyOp('NanToNumBackward0', [x], ([n]) => n!), o);
  const max = FLOAT_MAX[x.dtype]!;
  const r = applyOp('NanToNumBackward0', [x], ([n]) => {
    const v = n!;
    const c = (val: number): Node => k(v, x.dtype === 'float32' ? Math.fround(Math.max(-max, Math.min(max, val))) : val);
    const pos = build.binary('eq', v, k(v, Infinity));
    const neg = build.binary('eq', v, k(v, -Infinity));
    return build.where(isNanNode(v), c(o.nan ?? 0), build.where(pos, c(o.posinf ?? max), build.where(neg, c(o.neginf ?? -max), v)));
  });
  return withOut('nanToNum', r, o);
}

export interface IscloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}
const ISCLOSE_OPTIONS = defineOptions('isclose', { rtol: real.optional(), atol: real.optional(), equalNan: bool.optional() });
const ALLCLOSE_OPTIONS = defineOptions('allclose', { rtol: real.optional(), atol: real.optional(), equalNan: bool.optional() });

function closeNode(name: string, a: Tensor, b: Tensor, o: IscloseOptions): { tensors: Tensor[]; fn: (ns: Node[]) => Node } {
  checkTensor(name, a);
  checkTensor(name, b, 'other');
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`${name}(): ${scalarTypeName(a.dtype)} did not match ${scalarTypeName(b.dtype)}`);
  }
  const rtol = o.rtol ?? 1e-5;
  const atol = o.atol ?? 1e-8;
  if (rtol < 0) throw new ValueError(`${name}(): rtol must be greater than or equal to zero, but got ${rtol}`);
  if (atol < 0) throw new ValueError(`${name}(): atol must be greater than or equal to zero, but got ${atol}`);
  const shape = broadcastShapes(a.shape, b.shape, name);
  return {
    tensors: [a, b],
    fn: ([na, nb]) => {
      const dt = floatOf(a.dtype);
      const x = build.broadcastTo(build.cast(na!, dt), shape);
      const y = build.broadcastTo(build.cast(nb!, dt), shape);
      const same = build.binary('eq', x, y);
      const within = build.binary('le', abs(sub(x, y)), add(k(x, atol), mul(k(x, rtol), abs(y))));
      // Infinities are close only to themselves (inf - inf is NaN, so `within` is false there).
      let r = or(same, and(within, not(or(isInfNode(x), isInfNode(y)))));
      if (o.equalNan) r = or(r, and(isNanNode(x), isNanNode(y)));
      return r;
    },
  };
}

/** torch.isclose(a, b, rtol = 1e-5, atol = 1e-8, equalNan = false): |a - b| <= atol + rtol |b|, elementwise. */
export function isclose(a: Tensor, b: Tensor, ...args: [rtol?: number | IscloseOptions, atol?: number | IscloseOptions, equalNan?: boolean | IscloseOptions, opts?: IscloseOptions]): Tensor {
  const o = argsOf<IscloseOptions>(ISCLOSE_OPTIONS, ['rtol', 'atol', 'equalNan'], args);
  const { tensors, fn } = closeNode('isclose', a, b, o);
  return untrackedOp(tensors, fn);
}

/** torch.allclose: whether every element is close (a JS boolean; computes the values). */
export function allclose(a: Tensor, b: Tensor, ...args: [rtol?: number | IscloseOptions, atol?: number | IscloseOptions, equalNan?: boolean | IscloseOptions, opts?: IscloseOptions]): boolean {
  const o = argsOf<IscloseOptions>(ALLCLOSE_OPTIONS, ['rtol', 'atol', 'equalNan'], args);
  const { tensors, fn } = closeNode('allclose', a, b, o);
  const all = untrackedOp(tensors, (ns) => {
    const c = fn(ns);
    return c.shape.length === 0 ? c : build.reshape(build.reduce(c, 'min', c.shape.map((_, i) => i)), []);
  });
  return a.numel() === 0 && b.numel() === 0 ? true : Boolean(hostValues(all)[0]);
}

/** torch.equal: same shape and the same values (NaN is not equal to itself); a JS boolean. */
export function equal(a: Tensor, b: Tensor): boolean {
  checkTensor('equal', a);
  checkTensor('equal', b, 'other');
  if (!shapeEq(a.shape, b.shape)) return false;
  if (a.numel() === 0) return true;
  const dt = resultType({ dtype: a.dtype, dim: 1 }, { dtype: b.dtype, dim: 1 });
  const all = untrackedOp([a, b], ([na, nb]) => {
    const e = build.binary('eq', build.cast(na!, dt), build.cast(nb!, dt));
    return e.shape.length === 0 ? e : build.reshape(build.reduce(e, 'min', e.shape.map((_, i) => i)), []);
  });
  return Boolean(hostValues(all)[0]);
}

/** torch.logaddexp: log(exp(a) + exp(b)) = max + log1p(exp(-|a - b|)), exact for infinities of one sign. */
export function logaddexp(a: TensorLike, b: TensorLike, opts?: OutOptions): Tensor {
  const p = operands('logaddexp', a, b, false);
  if (!isFloat(p.dtype)) throw new DTypeError(`logaddexp(): "logaddexp_cpu" not implemented for '${scalarTypeName(p.dtype)}'`);
  const r = applyOp('LogaddexpBackward0', p.tensors, (ns) => {
    const [x, y] = p.nodes(ns);
    const bothInf = and(build.binary('eq', x, y), isInfNode(x));
    // The dropped branch reads 0 where both are the same infinity, so its gradient stays finite.
    const xs = build.where(bothInf, k(x, 0), x);
    const ys = build.where(bothInf, k(y, 0), y);
    const m = build.binary('max', xs, ys);
    const soft = build.unary('log', add(k(x, 1), build.unary('exp', build.unary('neg', abs(sub(xs, ys))))));
    return build.where(bothInf, x, add(m, soft));
  });
  return withOut('logaddexp', r, opts);
}

/** torch.lerp(start, end, weight): start + weight (end - start), as PyTorch evaluates it (from `end` for weight >= 0.5). */
export function lerp(start: Tensor, end: Tensor, weight: TensorLike, opts?: OutOptions): Tensor {
  checkTensor('lerp', start);
  checkTensor('lerp', end, 'end');
  checkOperand('lerp', 'weight', weight);
  if (start.dtype !== end.dtype || (weight instanceof Tensor && weight.dtype !== start.dtype)) {
    throw new DTypeError(`lerp(): expected dtype ${start.dtype} for \`end\`${weight instanceof Tensor ? ' and `weight`' : ''} but got dtype ${end.dtype !== start.dtype ? end.dtype : (weight as Tensor).dtype}`);
  }
  if (!isFloat(start.dtype)) throw new DTypeError(`lerp(): "lerp_kernel_scalar" not implemented for '${scalarTypeName(start.dtype)}'`);
  const shape = broadcastShapes(broadcastShapes(start.shape, end.shape, 'lerp'), weight instanceof Tensor ? weight.shape : [], 'lerp');
  const ins = weight instanceof Tensor ? [start, end, weight] : [start, end];
  const r = applyOp(weight instanceof Tensor ? 'LerpBackward1' : 'LerpBackward0', ins, ([s, e, w]) => {
    const a = build.broadcastTo(s!, shape);
    const b = build.broadcastTo(e!, shape);
    const wt = w ? build.broadcastTo(w, shape) : build.constant(Number(weight), a.dtype, shape);
    const d = sub(b, a);
    const low = build.binary('lt', abs(wt), k(a, 0.5));
    return build.where(low, add(a, mul(wt, d)), sub(b, mul(d, sub(k(a, 1), wt))));
  });
  return withOut('lerp', r, opts);
}

/** Compute `f` in float64 for float32 values (rounded once at the end). */
const wide = (x: Node, f: (...v: Node[]) => Node, ...more: Node[]): Node => {
  if (x.dtype === 'float64') return f(x, ...more);
  return build.cast(f(build.cast(x, 'float64'), ...more.map((m) => build.cast(m, 'float64'))), x.dtype);
};

/** torch.hypot: sqrt(a^2 + b^2) (float32 in float64, so no overflow). */
export function hypot(a: Tensor, b: Tensor, opts?: OutOptions): Tensor {
  checkTensor('hypot', a);
  checkTensor('hypot', b, 'other');
  const p = operands('hypot', a, b, false);
  if (!isFloat(p.dtype)) throw new DTypeError(`hypot(): "hypot_cpu" not implemented for '${scalarTypeName(p.dtype)}'`);
  const r = applyOp('HypotBackward0', p.tensors, (ns) => {
    const [x, y] = p.nodes(ns);
    return wide(x, (u, v) => {
      const s = add(mul(u, u), mul(v, v));
      // sqrt's gradient at 0 would be 0 * inf: read 1 there and put 0 back.
      const zero = build.binary('eq', s, k(s, 0));
      return build.where(zero, k(s, 0), build.unary('sqrt', build.where(zero, k(s, 1), s)));
    }, y);
  });
  return withOut('hypot', r, opts);
}

/**
 * atan(t) for t in [0, 1], in float64: two argument halvings atan(t) = 2 atan(t / (1 + sqrt(1 + t^2))) bring t
 * below 0.1, then the odd series to u^17 (relative error below 1e-17).
 */
function atan01(t: Node): Node {
  let u = t;
  for (let i = 0; i < 2; i++) u = div(u, add(k(u, 1), build.unary('sqrt', add(k(u, 1), mul(u, u)))));
  const u2 = mul(u, u);
  // atan(u) = u sum_n (-1)^n u^(2n) / (2n + 1), n = 0..8, by Horner from the highest term.
  let s = k(u, 1 / 17);
  for (let n = 7; n >= 0; n--) s = add(k(u, (n % 2 === 0 ? 1 : -1) / (2 * n + 1)), mul(s, u2));
  return mul(k(u, 4), mul(u, s));
}

/** torch.atan2(y, x): the angle of (x, y) in (-pi, pi], with C's rules for zeros and infinities. */
export function atan2(y: TensorLike, x: TensorLike, opts?: OutOptions): Tensor {
  const p = operands('atan2', y, x, true);
  const r = applyOp('Atan2Backward0', p.tensors, (ns) => {
    const [yn, xn] = p.nodes(ns);
    return wide(yn, (Y, X) => {
      const ay = abs(Y);
      const ax = abs(X);
      const swap = build.binary('gt', ay, ax);
      const hi = build.where(swap, ay, ax);
      const lo = build.where(swap, ax, ay);
      // t = lo / hi in [0, 1]; 1 where both are infinite, 0 where both are zero (read safely).
      const bothInf = and(isInfNode(Y), isInfNode(X));
      const zero = build.binary('eq', hi, k(hi, 0));
      const safeHi = build.where(or(zero, bothInf), k(hi, 1), hi);
      const safeLo = build.where(zero, k(lo, 0), build.where(bothInf, k(lo, 1), lo));
      let a = atan01(div(safeLo, safeHi));
      a = build.where(swap, sub(k(a, Math.PI / 2), a), a);
      const xNeg = or(build.binary('lt', X, k(X, 0)), and(build.binary('eq', X, k(X, 0)), build.binary('lt', build.unary('recip', X), k(X, 0))));
      a = build.where(xNeg, sub(k(a, Math.PI), a), a);
      const yNeg = or(build.binary('lt', Y, k(Y, 0)), and(build.binary('eq', Y, k(Y, 0)), build.binary('lt', build.unary('recip', Y), k(Y, 0))));
      a = build.where(yNeg, build.unary('neg', a), a);
      return build.where(or(isNanNode(X), isNanNode(Y)), add(X, Y), a);
    }, xn);
  });
  return withOut('atan2', r, opts);
}

const GILES_LOW = [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941];
const GILES_HIGH = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682];
const horner = (cs: readonly number[], w: Node): Node => cs.slice(1).reduce((p, c) => add(k(w, c), mul(p, w)), k(w, cs[0]!));

/**
 * erfinv in float64: Giles' single-precision approximation as the start (detached), then two Newton steps
 * r -= (erf(r) - x) / (2/sqrt(pi) exp(-r^2)). The last step's derivative is 1 / erf'(r) = sqrt(pi)/2 exp(r^2),
 * the exact gradient. +-1 give +-inf, |x| > 1 NaN.
 */
function erfinvNode(x: Node): Node {
  const one = build.binary('eq', abs(x), k(x, 1));
  const out = build.binary('gt', abs(x), k(x, 1));
  const xs = build.where(or(one, out), k(x, 0), x);
  const d = build.detach(xs);
  const w = build.unary('neg', build.unary('log', mul(sub(k(d, 1), d), add(k(d, 1), d))));
  const low = build.binary('lt', w, k(w, 5));
  const wl = sub(build.where(low, w, k(w, 2.5)), k(w, 2.5));
  const wh = sub(build.unary('sqrt', build.where(low, k(w, 5), w)), k(w, 3));
  let r: Node = build.detach(mul(build.where(low, horner(GILES_LOW, wl), horner(GILES_HIGH, wh)), d));
  for (let i = 0; i < 2; i++) {
    const slope = mul(k(r, 2 / Math.sqrt(Math.PI)), build.unary('exp', build.unary('neg', mul(r, r))));
    r = sub(r, div(sub(build.unary('erf', r), xs), slope));
    if (i === 0) r = build.detach(r);
  }
  const inf = build.where(build.binary('lt', x, k(x, 0)), k(x, -Infinity), k(x, Infinity));
  return build.where(one, inf, build.where(out, k(x, Number.NaN), r));
}

/** torch.erfinv: the inverse error function (ints compute in float32). */
export function erfinv(x: Tensor, opts?: OutOptions): Tensor {
  checkTensor('erfinv', x);
  const dtype = floatOf(x.dtype);
  const r = applyOp('ErfinvBackward0', [x], ([n]) => wide(build.cast(n!, dtype), erfinvNode));
  return withOut('erfinv', r, opts);
}

// ---------------------------------------------------------------------------------------------------------
// Methods and in-place variants

declare module './tensor.js' {
  interface Tensor {
    exp2(): Tensor;
    exp2_(): this;
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;
    nanToNum(nan?: number | NanToNumOptions, posinf?: number | null | NanToNumOptions, neginf?: number | null | NanToNumOptions, opts?: NanToNumOptions): Tensor;
    nanToNum_(nan?: number | NanToNumOptions, posinf?: number | null | NanToNumOptions, neginf?: number | null | NanToNumOptions, opts?: NanToNumOptions): this;
    isclose(other: Tensor, rtol?: number | IscloseOptions, atol?: number | IscloseOptions, equalNan?: boolean | IscloseOptions, opts?: IscloseOptions): Tensor;
    allclose(other: Tensor, rtol?: number | IscloseOptions, atol?: number | IscloseOptions, equalNan?: boolean | IscloseOptions, opts?: IscloseOptions): boolean;
    equal(other: Tensor): boolean;
    logaddexp(other: TensorLike): Tensor;
    lerp(end: Tensor, weight: TensorLike): Tensor;
    lerp_(end: Tensor, weight: TensorLike): this;
    hypot(other: Tensor): Tensor;
    hypot_(other: Tensor): this;
    atan2(other: TensorLike): Tensor;
    atan2_(other: TensorLike): this;
    arctan2(other: TensorLike): Tensor;
    erfinv(): Tensor;
    erfinv_(): this;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const methods: Record<string, (x: Tensor, ...args: never[]) => unknown> = {
  exp2, isnan, isinf, isfinite, nanToNum, isclose, allclose, equal, logaddexp, lerp, hypot, atan2, arctan2: atan2, erfinv,
};
for (const [name, fn] of Object.entries(methods)) {
  P[name] = function (this: Tensor, ...args: never[]) {
    return fn(this, ...args);
  };
}
for (const name of ['exp2', 'nanToNum', 'lerp', 'hypot', 'atan2', 'erfinv']) {
  const fn = methods[name]! as (x: Tensor, ...args: never[]) => Tensor;
  P[name + '_'] = function (this: Tensor, ...args: never[]) {
    for (const a of args as unknown[]) if (a !== null && typeof a === 'object' && !(a instanceof Tensor) && 'out' in a) throw new ArgumentError(`${name}_(): out= is not an option of an in-place op`);
    return commitInPlace(name + '_', this, fn(this, ...args));
  };
}
export { atan2 as arctan2 };
