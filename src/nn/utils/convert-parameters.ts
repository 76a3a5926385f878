/** torch.nn.utils.parameters_to_vector / vector_to_parameters. */
import { ArgumentError, DeviceError, ShapeError } from '../../ir/index.js';
import { cat, noGrad, Tensor } from '../../tensor/index.js';
import { describeValue } from '../../tensor/options.js';
import { tensorList } from './params-arg.js';

function checkSameDevice(fn: string, params: Tensor[], device: string): void {
  for (const p of params) {
    if (p.device !== device) throw new DeviceError(`${fn}(): Found two parameters on different devices, this is currently not supported (${device} and ${p.device})`);
  }
}

/** All of `parameters` flattened into one vector (differentiable). */
export function parametersToVector(parameters: Tensor | Iterable<Tensor>): Tensor {
  const params = tensorList('parametersToVector', parameters);
  if (params.length === 0) throw new ArgumentError('parametersToVector(): expected a non-empty list of Tensors');
  checkSameDevice('parametersToVector', params, params[0]!.device);
  return cat(params.map((p) => p.reshape(-1)));
}

/**
 * Set the values of `parameters` from consecutive slices of the 1-D `vec` (in place, not tracked by autograd;
 * the parameters stay the same objects). Every shape is checked first: a failure changes nothing.
 */
export function vectorToParameters(vec: Tensor, parameters: Tensor | Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new ArgumentError(`expected torch.Tensor, but got: ${describeValue(vec)}`);
  const params = tensorList('vectorToParameters', parameters);
  if (vec.dim() !== 1) throw new ShapeError(`vectorToParameters(): vec must be 1-D, got shape [${vec.shape.join(', ')}]`);
  checkSameDevice('vectorToParameters', params, vec.device);
  let offset = 0;
  for (const p of params) {
    const n = p.numel();
    const left = Math.max(0, Math.min(n, vec.shape[0]! - offset));
    if (left !== n) throw new ShapeError(`shape '[${p.shape.join(', ')}]' is invalid for input of size ${left}`);
    offset += n;
  }
  offset = 0;
  noGrad(() => {
    for (const p of params) {
      const n = p.numel();
      p.copy_(vec.narrow(0, offset, n).reshape(p.shape));
      offset += n;
    }
  });
}
