import { ArgumentError, build, type DType, type Node } from '../ir/index.js';
import { Tensor, type TensorInit } from '../tensor/index.js';
import { describeValue } from '../tensor/options.js';

function checkArgs(data: unknown, requiresGrad: unknown): void {
  if (data !== undefined && data !== null && !(data instanceof Tensor)) throw new ArgumentError(`Parameter(): argument 'data' must be a Tensor, not ${describeValue(data)}`);
  if (typeof requiresGrad !== 'boolean') throw new ArgumentError(`Parameter(): argument 'requires_grad' must be a boolean, not ${describeValue(requiresGrad)}`);
}

/**
 * A tensor that is a module's learnable state: found by Module.parameters(), requires grad by default.
 * It starts with the data's value (sharing its storage when the data is realized).
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor, requiresGrad = true) {
    checkArgs(data, requiresGrad);
    const value: Node = data ? (data.isView ? build.contiguous(data.node) : data.node) : build.constant(0, 'float32', [0]);
    super({ value: data && data.requiresGrad ? build.detach(value) : value, device: data?.device ?? 'cpu' } as TensorInit);
    this.requiresGrad = requiresGrad;
  }

  /** @internal Move to another device in place (Module.to keeps the same Parameter objects). */
  /** @internal Convert in place to another (floating) dtype: the same Parameter object, new storage; a grad is converted too. */
  _castTo(dtype: DType): void {
    const cast = this.detach().to(dtype);
    this._value = cast.node;
    this._version++;
    if (this.grad !== null) this.grad = this.grad.to(dtype);
  }

  _moveTo(device: string): void {
    const moved = this.detach().to(device);
    this.device = device;
    this._value = moved.node;
    this._version++;
    this.grad = null;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
