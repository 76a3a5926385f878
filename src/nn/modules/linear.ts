import { ValueError, type DType } from '../../ir/index.js';
import { empty, type Tensor } from '../../tensor/index.js';
import { linear } from '../functional/linear.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { pyBool } from './repr.js';
import { bool, defineOptions, describeValue, deviceArg, dtypeArg } from '../../tensor/options.js';

export interface FactoryOptions {
  dtype?: DType;
  device?: string;
}

/** Returns its input. */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * PyTorch's default initialization of a weight [out, in, ...] and its bias: kaiming_uniform_(a=√5) for the
 * weight (uniform in ±1/√fan_in) and uniform(±1/√fan_in) for the bias.
 */
export function resetWeightAndBias(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}

export function checkSize(op: string, name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new ValueError(`${op}: ${name} must be a non-negative integer, got ${describeValue(v)}`);
}

/** dtype and device of a module's parameters (PyTorch's factory_kwargs). */
export const factoryShape = { dtype: dtypeArg.optional(), device: deviceArg.optional() };
const LINEAR_OPTIONS = defineOptions('Linear', { ...factoryShape, bias: bool.optional() });

/** y = x Wᵀ + b. weight [outFeatures, inFeatures], bias [outFeatures]. */
export class Linear extends Module {
  declare weight: Parameter;
  declare bias: Parameter | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean } & FactoryOptions = {},
  ) {
    super();
    LINEAR_OPTIONS.check(opts);
    checkSize('Linear', 'in_features', inFeatures);
    checkSize('Linear', 'out_features', outFeatures);
    this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype: opts.dtype, device: opts.device }));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outFeatures], { dtype: opts.dtype, device: opts.device })) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }
  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
