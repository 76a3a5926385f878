import { defineOptions, real } from '../../tensor/options.js';
import type { Optimizer } from '../optimizer.js';
import { ChainableLR } from './base.js';

const EXPONENTIAL_OPTIONS = defineOptions('ExponentialLR', { gamma: real });

/** Multiply the rate by `gamma` every epoch. */
export class ExponentialLR extends ChainableLR {
  gamma: number;
  constructor(optimizer: Optimizer, opts: { gamma: number }) {
    const o = EXPONENTIAL_OPTIONS.parse(opts);
    super(optimizer);
    this.gamma = o.gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    const lrs = this.optimizer.paramGroups.map((g) => g.lr);
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * Math.pow(this.gamma, this.lastEpoch));
  }
  protected override stateFields() {
    return { gamma: real };
  }
}
