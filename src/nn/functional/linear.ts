/**
 * F.linear: y = x Wᵀ + b over the last axis of x. The product is the canonical contraction (src/tensor/
 * contract.ts) of x viewed as [M, K] with Wᵀ (a permute of the [N, K] weight, no copy), so the compiler sees
 * the one matmul pattern it tiles; the bias add is elementwise work fused after it.
 */
import { build, DTypeError, fmtShape, numel, ShapeError } from '../../ir/index.js';
import { contract } from '../../tensor/contract.js';
import { applyOp, type Tensor } from '../../tensor/index.js';
import { checkTensorArg, scalarName } from './util.js';

export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensorArg('linear', x);
  checkTensorArg('linear', weight, 'weight');
  if (bias !== undefined && bias !== null) checkTensorArg('linear', bias, 'bias');
  if (weight.dim() !== 2) throw new ShapeError(`linear: weight must be a matrix [out_features, in_features], got shape ${fmtShape(weight.shape)}`);
  if (x.dim() === 0) throw new ShapeError('linear: both arguments to linear need to be at least 1D, but they are 0D and 2D');
  if (x.dtype !== weight.dtype) {
    throw new DTypeError(`linear: mat1 and mat2 must have the same dtype, but got ${scalarName(x.dtype)} and ${scalarName(weight.dtype)}`);
  }
  if (x.dtype === 'bool') throw new DTypeError(`linear: "addmm_impl_cpu_" not implemented for 'Bool'`);
  const [N, K] = weight.shape as [number, number];
  const lead = x.shape.slice(0, -1);
  const M = numel(lead);
  const k = x.shape[x.dim() - 1]!;
  if (k !== K) throw new ShapeError(`linear: mat1 and mat2 shapes cannot be multiplied (${M}x${k} and ${K}x${N})`);
  const outShape = [...lead, N];
  if (bias) {
    if (bias.dtype !== x.dtype) {
      throw new DTypeError(`linear: self and mat2 must have the same dtype, but got ${scalarName(bias.dtype)} and ${scalarName(x.dtype)}`);
    }
    const bs = bias.shape;
    if (bs.length > 1 || (bs.length === 1 && bs[0] !== N && bs[0] !== 1)) {
      throw new ShapeError(`linear: bias of shape ${fmtShape(bs)} does not match out_features ${N} (expected [${N}])`);
    }
  }
  // PyTorch: addmm/mm for 2-D input; 1-D input is matmul (mv) then + bias; more dims are flattened to 2-D.
  const name =
    x.dim() === 2 ? (bias ? 'AddmmBackward0' : 'MmBackward0') : x.dim() === 1 ? (bias ? 'AddBackward0' : 'SqueezeBackward4') : bias ? 'ViewBackward0' : 'UnsafeViewBackward0';
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return applyOp(name, inputs, ([nx, nw, nb]) => {
    let y = contract(build.reshape(nx!, [M, K]), build.permute(nw!, [1, 0]), []);
    if (nb) y = build.binary('add', y, build.broadcastTo(nb, [M, N]));
    return build.reshape(y, outShape);
  });
}
