/** Test-only helpers for the autograd tests. */
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/index.js';

/** The sum of all elements as a 0-d tensor (Tensor.sum, tracked as SumBackward0). */
export const sumAll = (t: Tensor): Tensor => t.sum();

/** The mean of all elements (Tensor.mean, tracked as MeanBackward0). */
export const meanAll = (t: Tensor): Tensor => t.mean();
