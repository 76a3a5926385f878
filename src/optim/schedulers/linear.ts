import { ValueError } from '../../ir/index.js';
import { defineOptions, int, real } from '../../tensor/options.js';
import type { Optimizer } from '../optimizer.js';
import { ChainableLR } from './base.js';

export interface LinearLROptions {
  startFactor?: number;
  endFactor?: number;
  totalIters?: number;
}

const LINEAR_OPTIONS = defineOptions('LinearLR', { startFactor: real.default(1 / 3), endFactor: real.default(1), totalIters: int.default(5) });

/** Scale the base rate by a factor going linearly from `startFactor` to `endFactor` over `totalIters` epochs. */
export class LinearLR extends ChainableLR {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: Optimizer, opts?: LinearLROptions) {
    const o = LINEAR_OPTIONS.parse(opts);
    if (o.startFactor > 1 || o.startFactor < 0) throw new ValueError('Starting multiplicative factor expected to be between 0 and 1.');
    if (o.endFactor > 1 || o.endFactor < 0) throw new ValueError('Ending multiplicative factor expected to be between 0 and 1.');
    super(optimizer);
    this.startFactor = o.startFactor;
    this.endFactor = o.endFactor;
    this.totalIters = o.totalIters;
    this.initialStep();
  }
  protected getLr(): number[] {
    const lrs = this.optimizer.paramGroups.map((g) => g.lr);
    const e = this.lastEpoch;
    if (e === 0) return lrs.map((lr) => lr * this.startFactor);
    if (e > this.totalIters) return lrs;
    const d = this.endFactor - this.startFactor;
    return lrs.map((lr) => lr * (1 + d / (this.totalIters * this.startFactor + (e - 1) * d)));
  }
  protected override closedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    return this.baseLrs.map((lr) => lr * (this.startFactor + (d * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters));
  }
  protected override stateFields() {
    return { startFactor: real, endFactor: real, totalIters: int };
  }
}
