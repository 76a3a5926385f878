/**
 * Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), as lazy in-place updates of the
 * gradients: they are computed with the next realization (the optimizer step), in the same program — except
 * that `errorIfNonfinite` has to read the norm, which realizes it (and the gradients) then.
 */
import { ArgumentError, ValueError } from '../../ir/index.js';
import { noGrad, stack, tensor, type Tensor } from '../../tensor/index.js';
import { bool, defineOptions, describeValue, real } from '../../tensor/options.js';
import { tensorList } from './params-arg.js';

const CLIP_NORM_OPTIONS = defineOptions('clipGradNorm_', { normType: real.default(2), errorIfNonfinite: bool.default(false) });

/**
 * Scale the gradients of `parameters` so that their total `normType`-norm (the norm of the vector of all
 * gradients; `Infinity` for the max norm) is at most `maxNorm`. Returns the total norm before clipping.
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, opts?: { normType?: number; errorIfNonfinite?: boolean }): Tensor {
  const params = tensorList('clipGradNorm_', parameters);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new ArgumentError(`clipGradNorm_(): maxNorm must be a number, not ${describeValue(maxNorm)}`);
  const o = CLIP_NORM_OPTIONS.parse(opts);
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null && g !== undefined);
  if (grads.length === 0) return tensor(0);
  return noGrad(() => {
    const norms = grads.map((g) => g.detach().norm(o.normType).to(grads[0]!.device));
    const total = norms.length === 1 ? norms[0]! : stack(norms).norm(o.normType);
    if (o.errorIfNonfinite && !Number.isFinite(total.item() as number)) {
      const order = Number.isInteger(o.normType) ? o.normType.toFixed(1) : Number.isFinite(o.normType) ? String(o.normType) : o.normType > 0 ? 'inf' : '-inf';
      throw new ValueError(
        `The total norm of order ${order} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`errorIfNonfinite: false\``,
      );
    }
    const coef = tensor(maxNorm, { dtype: total.dtype, device: total.device }).div(total.add(1e-6)).clamp({ max: 1 });
    for (const g of grads) g.mul_(coef.to(g.device));
    return total;
  });
}

/** Clamp every gradient of `parameters` to [-clipValue, clipValue] (in place). */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const params = tensorList('clipGradValue_', parameters);
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue)) throw new ArgumentError(`clipGradValue_(): clipValue must be a number, not ${describeValue(clipValue)}`);
  noGrad(() => {
    for (const p of params) if (p.grad) p.grad.clamp_(-clipValue, clipValue);
  });
}
