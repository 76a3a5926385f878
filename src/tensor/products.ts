/**
 * Products beyond the matrix products of linalg.ts: baddbmm (a batched addmm on `contract`), kron (an outer
 * product of interleaved views, reshaped) and cdist (pairwise p-norm distances of rows, one fused reduction).
 */
import { ArgumentError, broadcastShapes, build, DTypeError, isFloat, resultType, ShapeError, ValueError, type Node } from '../ir/index.js';
import { contract } from './contract.js';
import { withOut, type OutOptions } from './elementwise.js';
import { defineOptions, real, str, tensorArg } from './options.js';
import { argsOf } from './positional.js';
import { checkTensor, like, scalarTypeName } from './reduce-args.js';
import { applyOp, commitInPlace, Tensor } from './tensor.js';

export interface BaddbmmOptions extends OutOptions {
  beta?: number;
  alpha?: number;
}
const BADDBMM_OPTIONS = defineOptions('baddbmm', { beta: real.optional(), alpha: real.optional(), out: tensorArg.optional() });

/** torch.baddbmm: beta * input + alpha * (batch1 @ batch2); input broadcasts to [B, N, P]; beta = 0 ignores it. */
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, opts?: BaddbmmOptions): Tensor {
  BADDBMM_OPTIONS.check(opts);
  checkTensor('baddbmm', input);
  checkTensor('baddbmm', batch1, 'batch1');
  checkTensor('baddbmm', batch2, 'batch2');
  if (batch1.dim() !== 3) throw new ShapeError(`baddbmm: batch1 must be a 3D tensor`);
  if (batch2.dim() !== 3) throw new ShapeError(`baddbmm: batch2 must be a 3D tensor`);
  if (batch1.dtype !== batch2.dtype || input.dtype !== batch1.dtype) {
    throw new DTypeError(`baddbmm: expected scalar type ${scalarTypeName(input.dtype)} but found ${scalarTypeName(input.dtype !== batch1.dtype ? batch1.dtype : batch2.dtype)}`);
  }
  const [B, N, K] = batch1.shape as [number, number, number];
  if (batch2.shape[0] !== B || batch2.shape[1] !== K) {
    throw new ShapeError(`baddbmm: Expected size for first two dimensions of batch2 tensor to be: [${B}, ${K}] but got: [${batch2.shape[0]}, ${batch2.shape[1]}].`);
  }
  const shape = [B, N, batch2.shape[2]!];
  const bshape = broadcastShapes(input.shape, shape, 'baddbmm');
  if (bshape.length !== 3 || bshape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`baddbmm: the input of shape [${input.shape.join(', ')}] cannot be broadcast to the result shape [${shape.join(', ')}]`);
  }
  const alpha = opts?.alpha ?? 1;
  const beta = opts?.beta ?? 1;
  const r = applyOp('BaddbmmBackward0', [input, batch1, batch2], ([ni, n1, n2]) => {
    const scale = (x: Node, s: number): Node => (s === 1 ? x : build.binary('mul', x, like(x, s)));
    const prod = scale(contract(n1!, n2!, [B]), alpha);
    if (beta === 0) return prod;
    return build.binary('add', scale(build.broadcastTo(ni!, shape), beta), prod);
  });
  return withOut('baddbmm', r, opts);
}

/** torch.kron: the Kronecker product (ranks padded with leading 1s; dtypes promote). */
export function kron(a: Tensor, b: Tensor, opts?: OutOptions): Tensor {
  checkTensor('kron', a);
  checkTensor('kron', b, 'other');
  const r = Math.max(a.dim(), b.dim());
  const pad = (s: readonly number[]): number[] => [...Array<number>(r - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const dtype = resultType({ dtype: a.dtype, dim: a.dim() }, { dtype: b.dtype, dim: b.dim() });
  const full = sa.flatMap((d, i) => [d, sb[i]!]);
  const res = applyOp('UnsafeViewBackward0', [a, b], ([na, nb]) => {
    const x = build.expand(build.reshape(build.cast(na!, dtype), sa.flatMap((d) => [d, 1])), full);
    const y = build.expand(build.reshape(build.cast(nb!, dtype), sb.flatMap((d) => [1, d])), full);
    const op = dtype === 'bool' ? 'and' : 'mul';
    return build.reshape(build.binary(op, x, y), sa.map((d, i) => d * sb[i]!));
  });
  return withOut('kron', res, opts);
}

export interface CdistOptions {
  p?: number;
  computeMode?: string;
}
const CDIST_OPTIONS = defineOptions('cdist', { p: real.optional(), computeMode: str.optional() });

/**
 * torch.cdist(x1 [*, P, M], x2 [*, R, M], p = 2): [*, P, R] distances ||x1_i - x2_j||_p (batch dims
 * broadcast). One reduction over M of the [*, P, R, M] differences; the gradient at distance 0 is 0.
 */
export function cdist(x1: Tensor, x2: Tensor, ...args: [p?: number | CdistOptions, opts?: CdistOptions]): Tensor {
  checkTensor('cdist', x1, 'x1');
  checkTensor('cdist', x2, 'x2');
  const o = argsOf<CdistOptions>(CDIST_OPTIONS, ['p'], args);
  const p = o.p ?? 2;
  if (o.computeMode !== undefined && !['use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist', 'donot_use_mm_for_euclid_dist'].includes(o.computeMode)) {
    throw new ValueError(`cdist(): ${o.computeMode} is not a valid value for compute_mode`);
  }
  if (x1.dim() < 2) throw new ShapeError(`cdist: cdist only supports at least 2D tensors, X1 got: ${x1.dim()}D`);
  if (x2.dim() < 2) throw new ShapeError(`cdist: cdist only supports at least 2D tensors, X2 got: ${x2.dim()}D`);
  const M = x1.shape[x1.dim() - 1]!;
  if (x2.shape[x2.dim() - 1] !== M) throw new ShapeError(`cdist: X1 and X2 must have the same number of columns. X1: ${M} X2: ${x2.shape[x2.dim() - 1]}`);
  if (!isFloat(x1.dtype) || !isFloat(x2.dtype)) throw new DTypeError(`cdist: cdist only supports floating-point dtypes, X1 got: ${scalarTypeName(x1.dtype)}`);
  if (x1.dtype !== x2.dtype) throw new DTypeError(`cdist: expected scalar type ${scalarTypeName(x1.dtype)} but found ${scalarTypeName(x2.dtype)}`);
  if (!(p >= 0)) throw new ValueError('cdist: cdist only supports non-negative p values');
  const P = x1.shape[x1.dim() - 2]!;
  const R = x2.shape[x2.dim() - 2]!;
  const batch = broadcastShapes(x1.shape.slice(0, -2), x2.shape.slice(0, -2), 'cdist');
  const full = [...batch, P, R, M];
  return applyOp('CdistBackward0', [x1, x2], ([a, b]) => {
    const lead = (n: Node): number[] => Array<number>(batch.length - (n.shape.length - 2)).fill(1);
    const xa = build.expand(build.reshape(a!, [...lead(a!), ...a!.shape.slice(0, -1), 1, M]), full);
    const xb = build.expand(build.reshape(b!, [...lead(b!), ...b!.shape.slice(0, -2), 1, R, M]), full);
    const d = build.binary('sub', xa, xb);
    const ad = build.unary('abs', d);
    const red = (x: Node, op: 'sum' | 'max'): Node => build.reshape(build.reduce(x, op, [full.length - 1]), [...batch, P, R]);
    if (M === 0) return build.constant(0, a!.dtype, [...batch, P, R]);
    if (p === 0) return red(build.cast(build.binary('ne', d, like(d, 0)), d.dtype), 'sum');
    if (p === 1) return red(ad, 'sum');
    if (p === Infinity) return red(ad, 'max');
    if (p === 2) {
      const s = red(build.binary('mul', d, d), 'sum');
      const zero = build.binary('eq', s, like(s, 0));
      return build.where(zero, like(s, 0), build.unary('sqrt', build.where(zero, like(s, 1), s)));
    }
    const s = red(build.binary('pow', ad, like(ad, p)), 'sum');
    const zero = build.binary('eq', s, like(s, 0));
    return build.where(zero, like(s, 0), build.binary('pow', build.where(zero, like(s, 1), s), like(s, 1 / p)));
  });
}

declare module './tensor.js' {
  interface Tensor {
    baddbmm(batch1: Tensor, batch2: Tensor, opts?: BaddbmmOptions): Tensor;
    baddbmm_(batch1: Tensor, batch2: Tensor, opts?: { beta?: number; alpha?: number }): this;
    kron(other: Tensor): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
P.baddbmm = function (this: Tensor, b1: Tensor, b2: Tensor, opts?: BaddbmmOptions) {
  return baddbmm(this, b1, b2, opts);
};
P.baddbmm_ = function (this: Tensor, b1: Tensor, b2: Tensor, opts?: { beta?: number; alpha?: number }) {
  if (opts !== null && typeof opts === 'object' && 'out' in opts) throw new ArgumentError('baddbmm_(): out= is not an option of an in-place op');
  return commitInPlace('baddbmm_', this, baddbmm(this, b1, b2, opts));
};
P.kron = function (this: Tensor, other: Tensor) {
  return kron(this, other);
};
