import { ArgumentError } from '../../ir/index.js';
import { Tensor } from '../../tensor/index.js';
import { describeValue } from '../../tensor/options.js';

/** `parameters` as PyTorch's nn.utils take it: one Tensor or an iterable of Tensors. */
export function tensorList(fn: string, parameters: unknown): Tensor[] {
  if (parameters instanceof Tensor) return [parameters];
  const iterable = typeof parameters === 'object' && parameters !== null && typeof (parameters as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
  if (!iterable) throw new ArgumentError(`${fn}(): parameters must be a Tensor or an iterable of Tensors, not ${describeValue(parameters)}`);
  const list = [...(parameters as Iterable<unknown>)];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ArgumentError(`${fn}(): parameters[${i}] must be a Tensor, not ${describeValue(p)}`);
  });
  return list as Tensor[];
}
