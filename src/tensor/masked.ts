/**
 * Boolean masks: maskedFill (a lazy `where`), and the data-dependent ones whose result shape depends on
 * the values — maskedSelect, nonzero, argwhere — which realize the mask and turn it into coordinates.
 */
import { broadcastAll, build, checkedScalar, DTypeError, fmtShape, shapeEq, ShapeError, ValueError } from '../ir/index.js';
import { intTensor, nonzeroCoords } from './index-values.js';
import { bool, checked, defineOptions, describeValue } from './options.js';
import { checkTensor } from './reduce-args.js';

const NONZERO_OPTIONS = defineOptions('nonzero', { asTuple: bool.optional() });
import { expand } from './movement.js';
import { applyOp, commitInPlace, Tensor, type TensorLike } from './tensor.js';

function checkMask(op: string, mask: unknown): asserts mask is Tensor {
  if (!(mask instanceof Tensor)) throw new DTypeError(`${op}(): argument 'mask' must be a Tensor, not ${describeValue(mask)}`);
  if (mask.dtype !== 'bool') throw new DTypeError(`${op}: ${op} only supports boolean masks, but got mask with dtype ${mask.dtype}`);
}

/** torch.masked_fill: x with `value` where mask is true (mask broadcasts with x). */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorLike): Tensor {
  checkTensor('maskedFill', x);
  checkMask('maskedFill', mask);
  if (value instanceof Tensor && value.dim() !== 0) {
    throw new ValueError(`maskedFill: masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s).`);
  }
  if (!(value instanceof Tensor) && typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'boolean') {
    throw new DTypeError(`maskedFill(): argument 'value' must be a number, a bigint or a 0-d Tensor, not ${describeValue(value)}`);
  }
  const shape = broadcastAll([x.shape, mask.shape], 'maskedFill');
  const dtype = x.dtype;
  const scalar = value instanceof Tensor ? 0 : checkedScalar(value, dtype, 'maskedFill');
  const inputs = value instanceof Tensor ? [x, mask, value] : [x, mask];
  return applyOp(value instanceof Tensor ? 'MaskedFillBackward1' : 'MaskedFillBackward0', inputs, ([xn, mn, vn]) => {
    const fill = vn ? build.broadcastTo(build.cast(vn, dtype), shape) : build.constant(scalar, dtype, shape);
    return build.where(build.broadcastTo(mn!, shape), fill, build.broadcastTo(xn!, shape));
  });
}

/** torch.masked_select: the elements of x where mask is true, as a 1-d tensor (the mask is realized). */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkTensor('maskedSelect', x);
  if (!(mask instanceof Tensor) || mask.dtype !== 'bool') {
    throw new DTypeError(`maskedSelect: masked_select: expected BoolTensor for mask (got ${mask instanceof Tensor ? mask.dtype : typeof mask})`);
  }
  const shape = broadcastAll([x.shape, mask.shape], 'maskedSelect');
  const full = shapeEq(mask.shape, shape) ? mask : expand(mask, shape);
  const { coords, count } = nonzeroCoords(full.detach());
  // Row-major positions of the selected elements.
  const flat = new Int32Array(count);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const c = coords[d]!;
    for (let i = 0; i < count; i++) flat[i] = flat[i]! + c[i]! * stride;
    stride *= shape[d]!;
  }
  const total = stride;
  const pos = intTensor(flat, x.device);
  return applyOp('MaskedSelectBackward0', [x, mask], ([xn]) => build.gather(build.reshape(build.broadcastTo(xn!, shape), [total]), pos.node, 0));
}

export interface NonzeroOptions {
  /** Return one 1-d index tensor per dim instead of one [count, ndim] tensor. */
  asTuple?: boolean;
}

/** torch.nonzero: coordinates of the non-zero elements, [count, ndim] (or one tensor per dim). */
export function nonzero(x: Tensor, opts: NonzeroOptions & { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts?: NonzeroOptions): Tensor;
export function nonzero(x: Tensor, opts?: NonzeroOptions): Tensor | Tensor[] {
  checkTensor('nonzero', x);
  opts = checked(NONZERO_OPTIONS, opts);
  const { coords, count } = nonzeroCoords(x.detach());
  const r = coords.length;
  if (opts.asTuple) {
    // A 0-d tensor counts as 1-d here, as in PyTorch.
    return r === 0 ? [intTensor(new Int32Array(count), x.device)] : coords.map((c) => intTensor(c, x.device));
  }
  const out = new Int32Array(count * r);
  for (let i = 0; i < count; i++) for (let d = 0; d < r; d++) out[i * r + d] = coords[d]![i]!;
  return intTensor(out, x.device, [count, r]);
}

/** torch.argwhere: nonzero as a [count, ndim] tensor. */
export const argwhere = (x: Tensor): Tensor => {
  checkTensor('argwhere', x);
  return nonzero(x);
};

declare module './tensor.js' {
  interface Tensor {
    maskedFill(mask: Tensor, value: TensorLike): Tensor;
    maskedFill_(mask: Tensor, value: TensorLike): this;
    maskedSelect(mask: Tensor): Tensor;
    nonzero(opts: NonzeroOptions & { asTuple: true }): Tensor[];
    nonzero(opts?: NonzeroOptions): Tensor;
    argwhere(): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
P.maskedFill = function (this: Tensor, mask: Tensor, value: TensorLike) {
  return maskedFill(this, mask, value);
};
P.maskedFill_ = function (this: Tensor, mask: Tensor, value: TensorLike) {
  const result = maskedFill(this, mask, value);
  if (!shapeEq(result.shape, this.shape)) {
    throw new ShapeError(`maskedFill_: output with shape ${fmtShape(this.shape)} doesn't match the broadcast shape ${fmtShape(result.shape)}`);
  }
  return commitInPlace('maskedFill_', this, result);
};
P.maskedSelect = function (this: Tensor, mask: Tensor) {
  return maskedSelect(this, mask);
};
P.nonzero = function (this: Tensor, opts?: NonzeroOptions) {
  return nonzero(this, opts);
};
P.argwhere = function (this: Tensor) {
  return argwhere(this);
};
