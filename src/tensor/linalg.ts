/**
 * Matrix products with PyTorch's shape rules and messages: matmul (1-D, 2-D and broadcast batched operands),
 * mm, bmm, mv, dot, addmm, and outer/ger. Every product is the canonical contraction of `contract.ts`.
 * As in PyTorch, products do not promote: both operands must have one dtype.
 */
import { broadcastShapes, build, DTypeError, numel, resultType, ShapeError, type DType, type Node, type Shape } from '../ir/index.js';
import { contract } from './contract.js';
import { withOut, type OutOptions } from './elementwise.js';
import { defineOptions, real, tensorArg } from './options.js';
import { checkTensor, scalarTypeName } from './reduce-args.js';
import { applyOp, Tensor } from './tensor.js';

/** PyTorch's lower-case C++ type names (`float != double`). */
const cName = (d: DType): string =>
  ({
    float32: 'float', float64: 'double', int32: 'int', int64: 'long int', bool: 'bool',
    float16: 'c10::Half', bfloat16: 'c10::BFloat16', uint8: 'unsigned char', int8: 'signed char', int16: 'short int',
  })[d];

function checkDTypes(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`${op}: expected m1 and m2 to have the same dtype, but got: ${cName(a.dtype)} != ${cName(b.dtype)}`);
  }
  if (a.dtype === 'bool') throw new DTypeError(`${op}: "addmm_impl_cpu_" not implemented for 'Bool'`);
}

const mat = (s: Shape): string => s.join('x');
const mmMismatch = (op: string, a: Shape, b: Shape): ShapeError =>
  new ShapeError(`${op}: mat1 and mat2 shapes cannot be multiplied (${mat(a)} and ${mat(b)})`);
const mvMismatch = (op: string, a: Shape, k: number): ShapeError =>
  new ShapeError(`${op}: size mismatch, got input (${a[0]}), mat (${mat(a)}), vec (${k})`);
const dotMismatch = (op: string, n: number, m: number): ShapeError =>
  new ShapeError(`${op}: inconsistent tensor size, expected tensor [${n}] and src [${m}] to have the same number of elements, but got ${n} and ${m} elements respectively`);

/**
 * torch.matmul with PyTorch's rules: 1-D x 1-D is the dot product (0-d); a 1-D first operand is a row [1, K]
 * whose axis is removed afterwards, a 1-D second operand a column [K, 1] likewise; two 2-D operands are mm;
 * with more dims the leading (batch) dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor, opts?: OutOptions): Tensor {
  LINALG_OPTIONS.matmul.check(opts);
  checkTensor('matmul', a);
  checkTensor('matmul', b, 'other');
  const da = a.dim();
  const db = b.dim();
  if (da === 0 || db === 0) throw new ShapeError(`matmul: both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  if (da === 1 && db === 1) return withOut('matmul', dot(a, b), opts);
  checkDTypes('matmul', a, b);
  const as = a.shape;
  const bs = b.shape;
  const K = as[da - 1]!;
  const Kb = db === 1 ? bs[0]! : bs[db - 2]!;
  const M = da === 1 ? 1 : as[da - 2]!;
  const N = db === 1 ? 1 : bs[db - 1]!;
  const batch = broadcastShapes(as.slice(0, Math.max(0, da - 2)), bs.slice(0, Math.max(0, db - 2)), 'matmul');
  if (K !== Kb) {
    // The message of the kernel PyTorch's matmul would call for these ranks (folding batch dims of a 3-D+
    // first operand into rows when the second is 1-D or 2-D).
    if (da <= 2 && db === 1) throw mvMismatch('matmul', [M, K], Kb);
    if (da <= 2 && db === 2) throw mmMismatch('matmul', [M, K], [Kb, N]);
    if (db <= 2) {
      const rows = numel(as.slice(0, -1));
      throw db === 1 ? mvMismatch('matmul', [rows, K], Kb) : mmMismatch('matmul', [rows, K], [Kb, N]);
    }
    const bb = numel(batch);
    throw new ShapeError(`matmul: Expected size for first two dimensions of batch2 tensor to be: [${bb}, ${K}] but got: [${bb}, ${Kb}].`);
  }
  const outShape = [...batch, ...(da === 1 ? [] : [M]), ...(db === 1 ? [] : [N])];
  const name = da === 2 && db === 2 ? 'MmBackward0' : da === 2 && db === 1 ? 'MvBackward0' : da === 1 && db === 2 ? 'SqueezeBackward4' : 'UnsafeViewBackward0';
  const result = applyOp(name, [a, b], ([na, nb]) => {
    const am = da === 1 ? build.reshape(na!, [1, K]) : na!;
    const bm = db === 1 ? build.reshape(nb!, [K, 1]) : nb!;
    return build.reshape(contract(am, bm, batch), outShape);
  });
  return withOut('matmul', result, opts);
}

/** torch.mm: [M, K] x [K, N] -> [M, N]; both operands 2-D. */
export function mm(a: Tensor, b: Tensor, opts?: OutOptions): Tensor {
  LINALG_OPTIONS.mm.check(opts);
  checkTensor('mm', a);
  checkTensor('mm', b, 'mat2');
  if (a.dim() !== 2) throw new ShapeError(`mm: self must be a matrix (got a ${a.dim()}-D tensor of shape [${a.shape.join(', ')}])`);
  if (b.dim() !== 2) throw new ShapeError(`mm: mat2 must be a matrix (got a ${b.dim()}-D tensor of shape [${b.shape.join(', ')}])`);
  checkDTypes('mm', a, b);
  if (a.shape[1] !== b.shape[0]) throw mmMismatch('mm', a.shape, b.shape);
  return withOut('mm', applyOp('MmBackward0', [a, b], ([na, nb]) => contract(na!, nb!, [])), opts);
}

/** torch.bmm: [B, M, K] x [B, K, N] -> [B, M, N]; equal batch sizes, no broadcasting. */
export function bmm(a: Tensor, b: Tensor, opts?: OutOptions): Tensor {
  LINALG_OPTIONS.bmm.check(opts);
  checkTensor('bmm', a);
  checkTensor('bmm', b, 'mat2');
  if (a.dim() !== 3) throw new ShapeError(`bmm: batch1 must be a 3D tensor (got ${a.dim()}-D)`);
  if (b.dim() !== 3) throw new ShapeError(`bmm: batch2 must be a 3D tensor (got ${b.dim()}-D)`);
  checkDTypes('bmm', a, b);
  const [B, , K] = a.shape as [number, number, number];
  if (b.shape[0] !== B || b.shape[1] !== K) {
    throw new ShapeError(`bmm: Expected size for first two dimensions of batch2 tensor to be: [${B}, ${K}] but got: [${b.shape[0]}, ${b.shape[1]}].`);
  }
  return withOut('bmm', applyOp('BmmBackward0', [a, b], ([na, nb]) => contract(na!, nb!, [B])), opts);
}

/** torch.mv: [M, K] x [K] -> [M]. */
export function mv(a: Tensor, v: Tensor, opts?: OutOptions): Tensor {
  LINALG_OPTIONS.mv.check(opts);
  checkTensor('mv', a);
  checkTensor('mv', v, 'vec');
  if (a.dim() !== 2 || v.dim() !== 1) throw new ShapeError(`mv: vector + matrix @ vector expected, got 1, ${a.dim()}, ${v.dim()}`);
  checkDTypes('mv', a, v);
  const [M, K] = a.shape as [number, number];
  if (v.shape[0] !== K) throw mvMismatch('mv', a.shape, v.shape[0]!);
  return withOut('mv', applyOp('MvBackward0', [a, v], ([na, nv]) => build.reshape(contract(na!, build.reshape(nv!, [K, 1]), []), [M])), opts);
}

/** torch.dot: the inner product of two 1-D tensors of equal length (0-d result). */
export function dot(a: Tensor, b: Tensor, opts?: OutOptions): Tensor {
  LINALG_OPTIONS.dot.check(opts);
  checkTensor('dot', a);
  checkTensor('dot', b, 'tensor');
  if (a.dim() !== 1 || b.dim() !== 1) throw new ShapeError(`dot: 1D tensors expected, but got ${a.dim()}D and ${b.dim()}D tensors`);
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`dot: expected both vectors to have same dtype, but found ${scalarTypeName(a.dtype)} and ${scalarTypeName(b.dtype)}`);
  }
  if (a.dtype === 'bool') throw new DTypeError(`dot: "dot" not implemented for 'Bool'`);
  const n = a.shape[0]!;
  if (b.shape[0] !== n) throw dotMismatch('dot', n, b.shape[0]!);
  const result = applyOp('DotBackward0', [a, b], ([na, nb]) => build.reshape(contract(build.reshape(na!, [1, n]), build.reshape(nb!, [n, 1]), []), []));
  return withOut('dot', result, opts);
}
/** torch.inner for 1-D tensors is dot; vdot is dot for real tensors. */
export const vdot = dot;

/** torch.outer: [N] x [M] -> [N, M], a broadcast product (dtypes promote, as PyTorch's mul). */
export function outer(a: Tensor, b: Tensor, opts?: OutOptions): Tensor {
  LINALG_OPTIONS.outer.check(opts);
  checkTensor('outer', a);
  checkTensor('outer', b, 'vec2');
  if (a.dim() !== 1 || b.dim() !== 1) throw new ShapeError(`outer: expected 1-D tensors, but got ${a.dim()}-D and ${b.dim()}-D`);
  const dtype = resultType({ dtype: a.dtype, dim: 1 }, { dtype: b.dtype, dim: 1 });
  const shape = [a.shape[0]!, b.shape[0]!];
  const result = applyOp('MulBackward0', [a, b], ([na, nb]) => {
    const x = build.expand(build.reshape(build.cast(na!, dtype), [shape[0]!, 1]), shape);
    const y = build.expand(build.reshape(build.cast(nb!, dtype), [1, shape[1]!]), shape);
    return build.binary(dtype === 'bool' ? 'and' : 'mul', x, y);
  });
  return withOut('outer', result, opts);
}
/** torch.ger: the old name of outer. */
export const ger = outer;

const outShape = { out: tensorArg.optional() };
const LINALG_OPTIONS = {
  matmul: defineOptions('matmul', outShape),
  mm: defineOptions('mm', outShape),
  bmm: defineOptions('bmm', outShape),
  mv: defineOptions('mv', outShape),
  dot: defineOptions('dot', outShape),
  outer: defineOptions('outer', outShape),
  addmm: defineOptions('addmm', { ...outShape, alpha: real.optional(), beta: real.optional() }),
};

export interface AddmmOptions extends OutOptions {
  beta?: number;
  alpha?: number;
}

/** torch.addmm: beta * input + alpha * (m1 @ m2); input broadcasts to [M, N]; beta = 0 ignores input (NaN too). */
export function addmm(input: Tensor, m1: Tensor, m2: Tensor, opts?: AddmmOptions): Tensor {
  LINALG_OPTIONS.addmm.check(opts);
  checkTensor('addmm', input);
  checkTensor('addmm', m1, 'mat1');
  checkTensor('addmm', m2, 'mat2');
  if (m1.dim() !== 2) throw new ShapeError(`addmm: mat1 must be a matrix, got ${m1.dim()}-D tensor`);
  if (m2.dim() !== 2) throw new ShapeError(`addmm: mat2 must be a matrix, got ${m2.dim()}-D tensor`);
  checkDTypes('addmm', m1, m2);
  if (input.dtype !== m1.dtype) {
    throw new DTypeError(`addmm: self and mat2 must have the same dtype, but got ${cName(input.dtype)} and ${cName(m1.dtype)}`);
  }
  if (m1.shape[1] !== m2.shape[0]) throw mmMismatch('addmm', m1.shape, m2.shape);
  const shape = [m1.shape[0]!, m2.shape[1]!];
  const bshape = broadcastShapes(input.shape, shape, 'addmm');
  if (bshape.length !== 2 || bshape[0] !== shape[0] || bshape[1] !== shape[1]) {
    throw new ShapeError(`addmm: the input of shape [${input.shape.join(', ')}] cannot be broadcast to the result shape [${shape.join(', ')}]`);
  }
  const alpha = opts?.alpha ?? 1;
  const beta = opts?.beta ?? 1;
  const result = applyOp('AddmmBackward0', [input, m1, m2], ([ni, n1, n2]) => {
    const scale = (x: Node, s: number): Node => (s === 1 ? x : build.binary('mul', x, build.constant(s, x.dtype, x.shape)));
    const prod = scale(contract(n1!, n2!, []), alpha);
    if (beta === 0) return prod;
    return build.binary('add', scale(build.broadcastTo(ni!, shape), beta), prod);
  });
  return withOut('addmm', result, opts);
}

declare module './tensor.js' {
  interface Tensor {
    matmul(other: Tensor): Tensor;
    mm(mat2: Tensor): Tensor;
    bmm(mat2: Tensor): Tensor;
    mv(vec: Tensor): Tensor;
    dot(other: Tensor): Tensor;
    vdot(other: Tensor): Tensor;
    outer(vec2: Tensor): Tensor;
    ger(vec2: Tensor): Tensor;
    addmm(mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const binaryMethods: Record<string, (a: Tensor, b: Tensor) => Tensor> = { matmul, mm, bmm, mv, dot, vdot, outer, ger };
for (const [name, fn] of Object.entries(binaryMethods)) {
  P[name] = function (this: Tensor, other: Tensor) {
    return fn(this, other);
  };
}
P.addmm = function (this: Tensor, m1: Tensor, m2: Tensor, opts?: { beta?: number; alpha?: number }) {
  return addmm(this, m1, m2, opts);
};
