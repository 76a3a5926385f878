/**
 * `torch.ir`: looking at what graft will compute.
 * - `ir.kernels(t)`: the kernels that computing `t` would run (name, kind, shape, fused ops, C source);
 *   an empty list when `t` is already computed.
 * - `ir.print(t)`: the pending graph of `t` as text (jaxpr-like).
 */
import { printGraph } from '../ir/index.js';
import { plannedKernels, type KernelInfo } from '../runtime/index.js';
import type { Tensor } from './tensor.js';

function kernels(t: Tensor): KernelInfo[] {
  return plannedKernels([t.node]);
}

function print(t: Tensor): string {
  return printGraph([t.node]);
}

export const ir = { kernels, print };
export type { KernelInfo };
