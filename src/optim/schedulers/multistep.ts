import { z } from 'zod';
import { defineOptions, int, real } from '../../tensor/options.js';
import type { Optimizer } from '../optimizer.js';
import { ChainableLR } from './base.js';

const MULTISTEP_OPTIONS = defineOptions('MultiStepLR', { milestones: z.array(int), gamma: real.default(0.1) });

/** Multiply the rate by `gamma` at each milestone (by gamma^k at a milestone listed k times). */
export class MultiStepLR extends ChainableLR {
  milestones: number[];
  gamma: number;
  constructor(optimizer: Optimizer, opts: { milestones: number[]; gamma?: number }) {
    const o = MULTISTEP_OPTIONS.parse(opts);
    super(optimizer);
    this.milestones = [...o.milestones].sort((a, b) => a - b);
    this.gamma = o.gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.optimizer.paramGroups.map((g) => (count === 0 ? g.lr : g.lr * Math.pow(this.gamma, count)));
  }
  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((lr) => lr * Math.pow(this.gamma, passed));
  }
  protected override stateFields() {
    return { milestones: z.array(int), gamma: real };
  }
}
