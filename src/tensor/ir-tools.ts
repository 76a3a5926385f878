/**
 * IR inspection from the public API: `torch.ir`.
 * - `ir.print(t)`: the pending graph of `t` as text (jaxpr-like).
 * - `ir.kernels(t)`: the kernels that computing `t` would run (name, kind, shape, fused ops, C source);
 *   an empty list when `t` is already computed.
 */
import { printGraph, ValueError } from '../ir/index.js';
import { plannedKernels, type KernelInfo } from '../runtime/index.js';
import { Tensor } from './tensor.js';

/**
 * The pending IR graph computing one tensor (or several together) as text in the style of JAX's jaxpr: inputs
 * (buffers, realized values) after `lambda`, then one node per line with its op, parameters, shape and dtype.
 * Returns the text (print it with console.log); computes nothing.
 *
 *   { lambda a:f32[2,3]. let
 *       b:f32[2,3] = exp a
 *     in (b) }
 */
function print(tensors: Tensor | readonly Tensor[]): string {
  const list = tensors instanceof Tensor ? [tensors] : Array.isArray(tensors) ? [...tensors] : [];
  if (list.length === 0 || !list.every((t) => t instanceof Tensor)) throw new ValueError('ir.print: expected a Tensor or a list of Tensors');
  return printGraph(list.map((t) => t.node));
}

/** The kernels that computing `t` (on its device) would run, with their C sources. Computes nothing. */
function kernels(t: Tensor): KernelInfo[] {
  if (!(t instanceof Tensor)) throw new ValueError('ir.kernels: expected a Tensor');
  return plannedKernels([t.node]);
}

export const ir = { print, kernels };
export type { KernelInfo };
