/**
 * Test-only helpers for the autograd tests.
 * TODO(lead): reductions (sum/mean) are on branch `reduce`; once merged, replace sumAll/meanAll by
 * t.sum()/t.mean() (and their gradFn names SumBackward0/MeanBackward0).
 */
import { build } from '../../src/ir/index.js';
import { applyOp, type Tensor } from '../../src/tensor/tensor.js';

/** The sum of all elements as a 0-d tensor, tracked like any op. */
export function sumAll(t: Tensor): Tensor {
  return applyOp('SumBackward0', [t], ([n]) => build.reshape(build.reduce(n!, 'sum', n!.shape.map((_, i) => i)), []));
}

/** The mean of all elements (sum / numel). */
export function meanAll(t: Tensor): Tensor {
  return sumAll(t).div(t.numel());
}
