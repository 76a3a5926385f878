/**
 * IR inspection from the public API: `torch.ir`. A plain object so later tools (the compiler's `kernels`, ...)
 * join it as more fields.
 */
import { printGraph, ValueError } from '../ir/index.js';
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
  const list = tensors instanceof Tensor ? [tensors] : [...tensors];
  if (list.length === 0 || !list.every((t) => t instanceof Tensor)) throw new ValueError('ir.print: expected a Tensor or a list of Tensors');
  return printGraph(list.map((t) => t.node));
}

export const ir = { print };
