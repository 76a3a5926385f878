/**
 * Dropout as PyTorch computes it on the CPU: out = x * noise, noise = bernoulli(1 - p) / (1 - p). The noise
 * is a `rand` node (counter-based, seeded from torch.manualSeed's generator through a tiny seed buffer, so a
 * training loop's program stays the same from step to step) compared with 1 - p: elementwise, it fuses into
 * the surrounding kernel and no mask is ever stored (the backward recomputes it from the same seed).
 */
import { build, DTypeError, isFloat, ValueError } from '../../ir/index.js';
import { applyOp, commitInPlace, type Tensor } from '../../tensor/index.js';
import { uniformNode } from '../../tensor/creation.js';
import { bool, defineOptions, real } from '../../tensor/options.js';
import { checkNumberArg, checkTensorArg, constLike, scalarName, scalarOrOptions } from './util.js';

export interface DropoutOptions {
  /** The probability of zeroing an element (default 0.5). */
  p?: number;
  /** Apply dropout (default true, as F.dropout); false returns the input. */
  training?: boolean;
  /** Write the result into the input. */
  inplace?: boolean;
}

/** F.dropout: zero each element with probability p and scale the rest by 1 / (1 - p). */
const DROPOUT_OPTIONS = defineOptions('dropout', { p: real.optional(), training: bool.optional(), inplace: bool.optional() });

/** F.dropout(x, p?, opts?) or F.dropout(x, { p, training, inplace }). */
export function dropout(x: Tensor, pOrOpts?: number | DropoutOptions, options?: DropoutOptions): Tensor {
  checkTensorArg('dropout', x);
  const [given, o] = scalarOrOptions('dropout', 'p', pOrOpts, options);
  DROPOUT_OPTIONS.check(o);
  if (given !== undefined) checkNumberArg('dropout', 'p', given);
  const p = given ?? 0.5;
  const opts = o ?? {};
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
  const training = opts.training ?? true;
  if (p === 0 || !training || x.numel() === 0) return x;
  if (!isFloat(x.dtype)) throw new DTypeError(`dropout: "bernoulli_" not implemented for '${scalarName(x.dtype)}' (graft: ${x.dtype}); use a float tensor`);
  const result = applyOp('MulBackward0', [x], ([n]) => {
    if (p === 1) return build.binary('mul', n!, constLike(n!, 0));
    const u = uniformNode(n!.shape, n!.dtype, x.device);
    const noise = build.where(build.binary('lt', u, constLike(u, 1 - p)), constLike(u, 1 / (1 - p)), constLike(u, 0));
    return build.binary('mul', n!, noise);
  });
  return opts.inplace ? commitInPlace('dropout_', x, result) : result;
}
