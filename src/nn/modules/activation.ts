import { commitInPlace, relu, sigmoid, tanh, type Tensor } from '../../tensor/index.js';
import { elu, gelu, leakyRelu, logSoftmax, silu, softmax, softplus } from '../functional/activation.js';
import { Module } from '../module.js';
import { pyFloat, pyStr } from './repr.js';

const inplaceRepr = (inplace: boolean): string => (inplace ? 'inplace=True' : '');

/** Writes `result` into x when inplace (as PyTorch's inplace=True modules). */
function maybeInPlace(name: string, inplace: boolean, x: Tensor, result: Tensor): Tensor {
  return inplace ? commitInPlace(name, x, result) : result;
}

/** max(x, 0). */
export class ReLU extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return maybeInPlace('relu_', this.inplace, x, relu(x));
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** GELU, exact (erf) or with approximate 'tanh'. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  override forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate=${pyStr(this.approximate)}`;
  }
}

/** x * sigmoid(x). */
export class SiLU extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return maybeInPlace('silu_', this.inplace, x, silu(x));
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

export class LeakyReLU extends Module {
  constructor(
    readonly negativeSlope = 0.01,
    readonly inplace = false,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return maybeInPlace('leaky_relu_', this.inplace, x, leakyRelu(x, this.negativeSlope));
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export class ELU extends Module {
  constructor(
    readonly alpha = 1,
    readonly inplace = false,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return maybeInPlace('elu_', this.inplace, x, elu(x, this.alpha));
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return softplus(x, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${pyFloat(this.beta)}, threshold=${pyFloat(this.threshold)}`;
  }
}

/** Softmax along `dim` (PyTorch's implicit dim when null). */
export class Softmax extends Module {
  constructor(readonly dim: number | null = null) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

/** Log-softmax along `dim` (PyTorch's implicit dim when null). */
export class LogSoftmax extends Module {
  constructor(readonly dim: number | null = null) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}
