/**
 * Row reductions as block trees: one block per row, its threads striding over the row, partial results
 * combined by warp shuffles and then across warps through shared memory. Used where rows are long and few.
 */
import type { LoopKernel } from '../../lower/kernel.js';
import type { CudaTarget } from '../../target.js';
import type { CudaFunctionText } from './kernel-text.js';

export function blockRowsFit(_k: LoopKernel): boolean {
  return false;
}

export function renderBlockRows(k: LoopKernel, _t: CudaTarget): CudaFunctionText {
  throw new Error(`internal: kernel ${k.name} is not a block-tree reduction`);
}
