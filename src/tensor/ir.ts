/**
 * `torch.ir`: inspection of the lazy graphs behind tensors. `torch.ir.print(t)` prints the IR that computes
 * `t` (jaxpr-like text), e.g. the backward program behind a gradient returned by `torch.func.grad`.
 */
import { printGraph } from '../ir/index.js';
import { Tensor } from './tensor.js';

/** The IR computing the given tensors, as text (their pending graph; realized values are inputs). */
export function print(tensors: Tensor | readonly Tensor[]): string {
  const list = tensors instanceof Tensor ? [tensors] : [...tensors];
  return printGraph(list.map((t) => t.node));
}
