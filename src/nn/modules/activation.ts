import { commitInPlace, relu, sigmoid, tanh, type Tensor } from '../../tensor/index.js';
import { elu, gelu, leakyRelu, logSoftmax, silu, softmax, softplus } from '../functional/activation.js';
import { z } from 'zod';
import { bool, defineOptions, int, real } from '../../tensor/options.js';
import { Module } from '../module.js';
import { moduleArgs } from './args.js';
import { pyFloat, pyStr } from './repr.js';

const INPLACE = { inplace: bool.default(false) };
const RELU_OPTIONS = defineOptions('ReLU', INPLACE);
const SILU_OPTIONS = defineOptions('SiLU', INPLACE);
const GELU_OPTIONS = defineOptions('GELU', { approximate: z.enum(['none', 'tanh']).default('none') });
const LEAKY_RELU_OPTIONS = defineOptions('LeakyReLU', { negativeSlope: real.default(0.01), ...INPLACE });
const ELU_OPTIONS = defineOptions('ELU', { alpha: real.default(1), ...INPLACE });
const SOFTPLUS_OPTIONS = defineOptions('Softplus', { beta: real.default(1), threshold: real.default(20) });
const SOFTMAX_OPTIONS = defineOptions('Softmax', { dim: int.nullable().default(null) });
const LOG_SOFTMAX_OPTIONS = defineOptions('LogSoftmax', { dim: int.nullable().default(null) });

const inplaceRepr = (inplace: boolean): string => (inplace ? 'inplace=True' : '');

/** Writes `result` into x when inplace (as PyTorch's inplace=True modules). */
function maybeInPlace(name: string, inplace: boolean, x: Tensor, result: Tensor): Tensor {
  return inplace ? commitInPlace(name, x, result) : result;
}

/** max(x, 0). */
export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    ({ inplace: this.inplace } = moduleArgs(RELU_OPTIONS, ['inplace'], [inplace]));
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
  readonly approximate: 'none' | 'tanh';
  constructor(approximate?: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' }) {
    super();
    ({ approximate: this.approximate } = moduleArgs(GELU_OPTIONS, ['approximate'], [approximate]));
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
  readonly inplace: boolean;
  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    ({ inplace: this.inplace } = moduleArgs(SILU_OPTIONS, ['inplace'], [inplace]));
  }
  override forward(x: Tensor): Tensor {
    return maybeInPlace('silu_', this.inplace, x, silu(x));
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

export interface LeakyReLUOptions {
  negativeSlope?: number;
  inplace?: boolean;
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  constructor(negativeSlope?: number | LeakyReLUOptions, inplace?: boolean | LeakyReLUOptions) {
    super();
    ({ negativeSlope: this.negativeSlope, inplace: this.inplace } = moduleArgs(LEAKY_RELU_OPTIONS, ['negativeSlope', 'inplace'], [negativeSlope, inplace]));
  }
  override forward(x: Tensor): Tensor {
    return maybeInPlace('leaky_relu_', this.inplace, x, leakyRelu(x, this.negativeSlope));
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export interface ELUOptions {
  alpha?: number;
  inplace?: boolean;
}

export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(alpha?: number | ELUOptions, inplace?: boolean | ELUOptions) {
    super();
    ({ alpha: this.alpha, inplace: this.inplace } = moduleArgs(ELU_OPTIONS, ['alpha', 'inplace'], [alpha, inplace]));
  }
  override forward(x: Tensor): Tensor {
    return maybeInPlace('elu_', this.inplace, x, elu(x, this.alpha));
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export interface SoftplusOptions {
  beta?: number;
  threshold?: number;
}

export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(beta?: number | SoftplusOptions, threshold?: number | SoftplusOptions) {
    super();
    ({ beta: this.beta, threshold: this.threshold } = moduleArgs(SOFTPLUS_OPTIONS, ['beta', 'threshold'], [beta, threshold]));
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
  readonly dim: number | null;
  constructor(dim?: number | null | { dim?: number | null }) {
    super();
    ({ dim: this.dim } = moduleArgs(SOFTMAX_OPTIONS, ['dim'], [dim]));
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
  readonly dim: number | null;
  constructor(dim?: number | null | { dim?: number | null }) {
    super();
    ({ dim: this.dim } = moduleArgs(LOG_SOFTMAX_OPTIONS, ['dim'], [dim]));
  }
  override forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}
